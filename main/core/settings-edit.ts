/**
 * The core's side of editing settings: the view the window edits (secrets reduced to "is there one"), a
 * window's patch applied and validated, and the one error that names the field a change got wrong.
 */
import type { RelaySettingsPatch, RelaySettingsView, SettingsPatch, SettingsView } from '../../shared/ipc';
import { parseSettings, type RelayAuth, type Settings } from '../../shared/settings';
import { explainZodError } from '../../shared/zod-words';
import { CrashbellError } from './errors';
import { domainOf } from './tunnel';

/** A settings change that does not validate; the message names the field. */
export class InvalidSettingsError extends CrashbellError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('invalid-settings', `${field ? `${field}: ` : ''}${message}`);
    this.field = field;
  }
}

/** Parses a whole settings document; throws {@link InvalidSettingsError} naming the first bad field. */
export function validSettings(doc: unknown): Settings {
  try {
    return parseSettings(doc);
  } catch (err) {
    if (err instanceof Error && 'issues' in err) {
      const problem = explainZodError(err as Parameters<typeof explainZodError>[0]);
      throw new InvalidSettingsError(problem.field, problem.message);
    }
    throw err;
  }
}

/** Applies a patch to settings and validates the result; throws {@link InvalidSettingsError} naming the field. */
export function applySettingsPatch(current: Settings, patch: SettingsPatch): Settings {
  const next: Record<string, unknown> = { ...current };
  if (patch.port !== undefined) next['port'] = patch.port;
  if (patch.pausedAll !== undefined) next['pausedAll'] = patch.pausedAll;
  if (patch.policy) next['policy'] = { ...current.policy, ...patch.policy };
  if (patch.dnd) {
    next['dnd'] = {
      ...current.dnd,
      ...patch.dnd,
      quietWindow: patch.dnd.quietWindow ? { ...current.dnd.quietWindow, ...patch.dnd.quietWindow } : current.dnd.quietWindow,
    };
  }
  if (patch.retention) next['retention'] = { ...current.retention, ...patch.retention };
  if (patch.tunnel) {
    const t = { ...current.tunnel };
    if (patch.tunnel.enabled !== undefined) t.enabled = patch.tunnel.enabled;
    if (patch.tunnel.domain !== undefined) {
      t.domain = typeof patch.tunnel.domain === 'string' ? domainOf(patch.tunnel.domain) : patch.tunnel.domain;
    }
    if (patch.tunnel.authtoken !== undefined) {
      t.authtoken = typeof patch.tunnel.authtoken === 'string' ? patch.tunnel.authtoken.trim() : patch.tunnel.authtoken;
    }
    next['tunnel'] = t;
  }
  if (patch.relay) next['relay'] = relayAfter(current.relay, patch.relay);
  if (patch.startAtLogin !== undefined) next['startAtLogin'] = patch.startAtLogin;
  if (patch.theme !== undefined) next['theme'] = patch.theme;
  if (patch.onboarded !== undefined) next['onboarded'] = patch.onboarded;
  if (patch.credentialOverlapHours !== undefined) next['credentialOverlapHours'] = patch.credentialOverlapHours;
  if (patch.autoUpdate !== undefined) next['autoUpdate'] = patch.autoUpdate;
  if (patch.claimHours !== undefined) next['claimHours'] = patch.claimHours;
  return validSettings(next);
}

/** The relay settings after a window's patch; a password or token left out keeps the saved one. */
function relayAfter(current: Settings['relay'], patch: RelaySettingsPatch): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  if (patch.servers !== undefined)
    next['servers'] = Array.isArray(patch.servers) ? patch.servers.map((s) => String(s).trim()).filter((s) => s !== '') : patch.servers;
  for (const key of ['publish', 'subscribe', 'stream', 'member', 'shareMarks'] as const) {
    if (patch[key] !== undefined) next[key] = patch[key];
  }
  if (patch.tlsCa !== undefined) next['tls'] = { ...current.tls, ca: patch.tlsCa.trim() };
  const a = patch.auth;
  if (a) {
    const had = current.auth;
    let auth: RelayAuth | null;
    switch (a.kind) {
      case 'none':
        auth = null;
        break;
      case 'user': {
        const keep = had && 'user' in had ? had.pass : '';
        auth = { user: a.user.trim(), pass: a.pass ?? keep };
        break;
      }
      case 'token': {
        const keep = had && 'token' in had ? had.token : '';
        auth = { token: (a.token ?? keep).trim() };
        break;
      }
      case 'creds':
        auth = { credsFile: a.credsFile.trim() };
        break;
      default:
        throw new InvalidSettingsError('relay.auth', 'use one of none, user, token or creds');
    }
    next['auth'] = auth;
  }
  return next;
}

/** The relay settings as the window shows them. */
export function relaySettingsView(r: Settings['relay']): RelaySettingsView {
  const a = r.auth;
  const auth: RelaySettingsView['auth'] =
    a === null
      ? { kind: 'none', user: '', credsFile: '', hasSecret: false }
      : 'user' in a
        ? { kind: 'user', user: a.user, credsFile: '', hasSecret: a.pass !== '' }
        : 'token' in a
          ? { kind: 'token', user: '', credsFile: '', hasSecret: a.token !== '' }
          : { kind: 'creds', user: '', credsFile: a.credsFile, hasSecret: false };
  return {
    servers: r.servers,
    publish: r.publish,
    subscribe: r.subscribe,
    stream: r.stream,
    member: r.member,
    shareMarks: r.shareMarks,
    tlsCa: r.tls.ca,
    auth,
  };
}

/** The settings the window edits: secrets reduced to "is there one". */
export function settingsView(s: Settings): SettingsView {
  return {
    port: s.port,
    pausedAll: s.pausedAll,
    policy: s.policy,
    dnd: s.dnd,
    retention: s.retention,
    tunnel: { enabled: s.tunnel.enabled, domain: s.tunnel.domain, hasAuthtoken: s.tunnel.authtoken !== '' },
    relay: relaySettingsView(s.relay),
    startAtLogin: s.startAtLogin,
    theme: s.theme,
    onboarded: s.onboarded,
    credentialOverlapHours: s.credentialOverlapHours,
    autoUpdate: s.autoUpdate,
    claimHours: s.claimHours,
  };
}
