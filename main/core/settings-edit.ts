/**
 * The core's side of editing settings: the view the window edits (secrets reduced to "is there one"), a
 * window's patch applied and validated, and the one error that names the field a change got wrong.
 */
import type { SettingsPatch, SettingsView } from '../../shared/ipc';
import { parseSettings, type Settings } from '../../shared/settings';
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
  if (patch.startAtLogin !== undefined) next['startAtLogin'] = patch.startAtLogin;
  if (patch.theme !== undefined) next['theme'] = patch.theme;
  if (patch.onboarded !== undefined) next['onboarded'] = patch.onboarded;
  if (patch.credentialOverlapHours !== undefined) next['credentialOverlapHours'] = patch.credentialOverlapHours;
  return validSettings(next);
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
    startAtLogin: s.startAtLogin,
    theme: s.theme,
    onboarded: s.onboarded,
    credentialOverlapHours: s.credentialOverlapHours,
  };
}
