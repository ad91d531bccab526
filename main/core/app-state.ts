/**
 * What the window and the tray draw, as pure functions of the engine's parts: each source with exactly what
 * to paste into its provider, and the app's whole state (receiver, tunnel, counts, Do Not Disturb).
 */
import type { GroupRow, RelayState, TunnelState } from '../../shared/events';
import type { AppState, SecretStorageState, SetupField, SourceView } from '../../shared/ipc';
import type { Settings, Source } from '../../shared/settings';
import type { ReceiverStatus } from './core';
import { activePrevious, waitingFor } from './credentials';
import { dndStatus } from './inbox/dnd';
import { getProvider, PROVIDERS, providerInfo } from './providers/index';
import { localBaseUrl, webhookUrl } from './sources';
import { baseOf, publicBaseOf } from './tunnel';

/** What Setup offers for each registered provider: the registry is fixed, so it is built once, not per state push. */
const PROVIDER_INFO = PROVIDERS.map(providerInfo);

/** How many of the latest groups the state carries (the tray's menu lists them). */
export const LATEST_IN_STATE = 5;

/** A source as the window shows it: where to reach it and what to paste into the provider, in order. */
export function sourceView(source: Source, localBase: string, publicBase: string | null, now: number = Date.now()): SourceView {
  const provider = getProvider(source.provider);
  const localUrl = webhookUrl(localBase, source.id);
  const publicUrl = publicBase ? webhookUrl(publicBase, source.id) : null;
  const url = publicUrl ?? localUrl;
  const setup: SetupField[] = [{ label: 'Webhook URL', value: url, secret: false }];
  for (const field of provider?.credentials ?? []) {
    // Generated values are what the user pastes into the provider; values they gave us are not.
    if (!field.generated) continue;
    const value = source.credentials[field.key];
    if (value) setup.push({ label: field.label, value, secret: field.secret });
  }
  // The API token never leaves main: the window learns only that there is one.
  const { api, ...rest } = source;
  return {
    ...rest,
    ...(api ? { api: { url: api.url, assignee: api.assignee, resolveInProvider: api.resolveInProvider, hasToken: api.token !== '' } } : {}),
    webhookUrl: url,
    localUrl,
    publicUrl,
    setup,
    providerName: provider?.name ?? source.provider,
    docsUrl: provider?.docsUrl ?? '',
    securityNote: provider?.securityNote ?? null,
    setupSteps: provider ? [...provider.setupSteps] : [],
    waitingFor: provider ? waitingFor(provider, source) : [],
    previousUntil: activePrevious(source, now)?.until ?? null,
  };
}

/** Everything {@link appStateOf} reads. */
export interface AppStateInputs {
  settings: Settings;
  receiver: ReceiverStatus;
  /** The address the receiver listens on (its local URLs use it). */
  host: string;
  tunnel: TunnelState;
  /** The team relay's state; absent when the engine has none. */
  relay?: RelayState;
  counts: { groups: number; unread: number };
  latest: GroupRow[];
  secretStorage: SecretStorageState;
  version: string;
  platform: string;
  now: number;
}

/** The app's whole state, as the window and the tray draw it. */
export function appStateOf(input: AppStateInputs): AppState {
  const s = input.settings;
  const pub = publicBaseOf(input.tunnel);
  const localBase = localBaseUrl(input.host, input.receiver.port ?? s.port);
  const dnd = dndStatus(s.dnd, input.now);
  const last = s.tunnel.lastCopiedUrl;
  return {
    version: input.version,
    platform: input.platform,
    receiver: {
      listening: input.receiver.port !== null,
      port: input.receiver.port,
      localBaseUrl: input.receiver.port === null ? null : localBase,
      error: input.receiver.error,
    },
    tunnel: input.tunnel,
    publicBaseUrl: pub,
    urlChanged: pub !== null && last !== null && s.sources.length > 0 && baseOf(last) !== pub,
    sources: s.sources.map((src) => sourceView(src, localBase, pub, input.now)),
    unread: input.counts.unread,
    groups: input.counts.groups,
    latest: input.latest,
    pausedAll: s.pausedAll,
    startAtLogin: s.startAtLogin,
    dnd: { active: dnd.active, until: dnd.until, reason: dnd.reason },
    secretStorage: input.secretStorage,
    onboarded: s.onboarded,
    providers: PROVIDER_INFO,
    ...(input.relay ? { relay: input.relay } : {}),
  };
}
