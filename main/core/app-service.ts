/**
 * The app service: one Electron-free object that implements every call of the IPC contract
 * ({@link CrashbellApi}) over the receiver core, the inbox, the settings store and the tunnel, and pushes
 * the contract's events ({@link EventChannels}) to whoever subscribes.
 *
 * The Electron shell registers one IPC handler per channel that validates the arguments and calls the method
 * of the same name here; the renderer's end-to-end harness calls it directly. Nothing here imports Electron:
 * the shell's powers (clipboard, browser, login items) come in as plain functions.
 */
import type {
  Group,
  GroupMarks,
  GroupPage,
  GroupQuery,
  GroupSummary,
  NotificationRequest,
  RequestRecord,
  TunnelState,
} from '../../shared/events';
import type {
  AppState,
  CrashbellApi,
  DeliveryResult,
  DndMode,
  EventChannel,
  EventChannels,
  MappingPreview,
  NewSourceInput,
  OpenResult,
  ProviderInfo,
  SecretStorageState,
  SettingsPatch,
  SettingsView,
  SetupField,
  SourcePatch,
  SourceView,
  ViewName,
} from '../../shared/ipc';
import { groupUpdate } from '../../shared/group-filter';
import { parseSettings, sourceSchema, type Settings, type Source } from '../../shared/settings';
import { CrashbellCore } from './core';
import { CrashbellError, InvalidSourceError, UnknownSourceError } from './errors';
import { dndStatus, quietWindowEnd } from './inbox/dnd';
import type { Inbox } from './inbox/types';
import { checkExternalUrl } from './links';
import { previewMapping as previewGenericMapping } from './providers/generic';
import { PROVIDERS } from './providers/index';
import type { ProviderModule } from './providers/types';
import type { SettingsStore } from './settings-store';
import { createSource, webhookUrl as joinWebhookUrl } from './sources';

/** What the service needs of the tunnel manager (the real one is `TunnelManager` in tunnel.ts). */
export interface AppTunnel {
  getState(): TunnelState;
  /** Tears the session down and connects again; resolves with the state it reached. */
  reconnect(): Promise<TunnelState>;
  subscribe(listener: (state: TunnelState) => void): () => void;
}

/** What a delivery through the receiver returns (test event, replay). */
export interface CoreDelivery {
  status: number;
  reason: string;
  eventId?: string | null;
}

/** What the service needs of the receiver core (the real one is `CrashbellCore` in core.ts). */
export interface AppCore {
  /** The bound port, or null when the receiver is not listening. */
  readonly port: number | null;
  /** `http://127.0.0.1:<port>`, or null when not listening. */
  readonly localBaseUrl: string | null;
  /** Posts the source's signed sample to `base` (the local receiver by default) and reports the answer. */
  deliverSample(sourceId: string, base?: string): Promise<CoreDelivery>;
  /** Sends a recorded request to the local receiver again. */
  replay(requestId: string): Promise<CoreDelivery>;
  /** The inspector's bounded list of requests, newest first. */
  readonly requests: { list(): RequestRecord[] };
}

/** Adapts the running {@link CrashbellCore} to what the service needs (null port and URL while stopped). */
export function appCoreOf(core: CrashbellCore): AppCore {
  return {
    get port() {
      return core.listening ? core.port : null;
    },
    get localBaseUrl() {
      return core.listening ? core.localBaseUrl : null;
    },
    deliverSample: (sourceId, base) => core.deliverSample(sourceId, base),
    replay: (requestId) => core.replay(requestId),
    requests: { list: () => core.requests() },
  };
}

/**
 * Feeds the core's events into the service's inlets (group changes, notifications, requests). Use it when
 * the core opened the inbox itself ({@link CrashbellCore.open}); returns a function that unhooks them.
 */
export function connectCoreEvents(core: CrashbellCore, service: AppService): () => void {
  const offs = [
    core.events.on('group', (g) => service.groupChanged(g)),
    core.events.on('notification', (n) => service.notificationRaised(n)),
    core.events.on('request', (r) => service.requestRecorded(r)),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** The shell's powers, as plain functions (Electron's clipboard, shell and login items in the app). */
export interface ShellHooks {
  copyText(text: string): void | Promise<void>;
  /** Opens an http(s) URL that has already passed the link guard. */
  openExternal(url: string): void | Promise<void>;
  setStartAtLogin(enabled: boolean): void | Promise<void>;
}

/** Everything the service is built from. */
export interface AppServiceDeps {
  /** The receiver core: the running {@link CrashbellCore}, or anything shaped like {@link AppCore}. */
  core: AppCore | CrashbellCore;
  inbox: Inbox;
  settings: SettingsStore;
  /** The tunnel manager; without one (headless, tests) the tunnel reads as off. */
  tunnel?: AppTunnel;
  /** The shell's powers; the three hooks may also be given one by one below. */
  shell?: ShellHooks;
  copyText?: ShellHooks['copyText'];
  openExternal?: ShellHooks['openExternal'];
  setStartAtLogin?: ShellHooks['setStartAtLogin'];
  /** Whether secrets are encrypted on this machine; unknown (and said so) when not given. */
  secretStorage?: SecretStorageState;
  version?: string;
  platform?: string;
  /** The provider modules; defaults to the registry. */
  providers?: readonly ProviderModule[];
  /** Why the receiver is not listening (a port in use...), for the window. */
  receiverError?: () => string | null;
  /** Clock, for tests. */
  now?: () => number;
  /** Coalesces `state:changed` pushes during bursts of hooks; 0 pushes at once. Default 100 ms. */
  stateDebounceMs?: number;
}

/** A tunnel that is not there (headless mode, tests without one). */
function absentTunnel(): AppTunnel {
  const state: TunnelState = { status: 'off', reason: 'no tunnel in this mode: Crashbell listens on its local URL only' };
  return { getState: () => state, reconnect: async () => state, subscribe: () => () => undefined };
}

/** The shell hooks from either spelling of the deps; a missing one fails loudly when it is first needed. */
function shellOf(deps: AppServiceDeps): ShellHooks {
  const missing = (name: string) => () => {
    throw new Error(`the app service was built without the shell's ${name} hook`);
  };
  return {
    copyText: deps.shell?.copyText ?? deps.copyText ?? missing('copyText'),
    openExternal: deps.shell?.openExternal ?? deps.openExternal ?? missing('openExternal'),
    setStartAtLogin: deps.shell?.setStartAtLogin ?? deps.setStartAtLogin ?? missing('setStartAtLogin'),
  };
}

/** The calls of the contract, as the service implements them (the listener registrations are `subscribe`). */
export type AppCalls = {
  [K in keyof CrashbellApi as K extends `on${string}` ? never : K]: CrashbellApi[K];
};

/** The service: the contract's calls, pushes, and the inlets the shell feeds. */
export interface AppService extends AppCalls {
  /** Listens to one push channel; returns the unsubscribe function. */
  subscribe<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void): () => void;
  /** Inlet: a group changed in the inbox (wire to the inbox's `onGroupChanged`). */
  groupChanged(group: GroupSummary): void;
  /** Inlet: the policy raised a notification (wire to the inbox's `onNotification`). */
  notificationRaised(n: NotificationRequest): void;
  /** Inlet: the receiver recorded a request (wire to the core's request events). */
  requestRecorded(record: RequestRecord): void;
  /** Asks the window to show a view (tray entries, notification clicks). */
  navigate(view: ViewName, groupId?: string): void;
  /** Pushes `state:changed` now (e.g. after the receiver restarted on a new port). */
  refreshState(): void;
  /** Stops listening to settings and tunnel; pending pushes are dropped. */
  close(): void;
}

/** A group id that the inbox does not hold. */
export class UnknownGroupError extends CrashbellError {
  constructor(groupId: string) {
    super('unknown-group', `no error group with id "${groupId}": it may have been pruned; reload the list`);
  }
}

/** A settings change that does not validate; the message names the field. */
export class InvalidSettingsError extends CrashbellError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('invalid-settings', `${field ? `${field}: ` : ''}${message}`);
    this.field = field;
  }
}

/** The hour of local time that "Do Not Disturb until tomorrow" ends at. */
export const DND_TOMORROW_HOUR = 8;
const HOUR_MS = 3_600_000;

/** The next local `hour`:00 strictly after `nowMs` (today's when it is still ahead, else tomorrow's). */
export function nextLocalHour(nowMs: number, hour = DND_TOMORROW_HOUR): number {
  const d = new Date(nowMs);
  d.setHours(hour, 0, 0, 0);
  if (d.getTime() <= nowMs) d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** When Do Not Disturb ends for a mode, as ISO 8601, or null for off. */
export function dndUntil(mode: DndMode, nowMs: number): string | null {
  switch (mode) {
    case '1h':
      return new Date(nowMs + HOUR_MS).toISOString();
    case 'tomorrow':
      return new Date(nextLocalHour(nowMs)).toISOString();
    case 'off':
      return null;
  }
}

/**
 * A reserved domain as ngrok wants it: users often paste the URL (`https://x.ngrok.app/`) rather than the
 * host name, so the scheme, path and a trailing dot are dropped.
 */
export function domainOf(input: string): string {
  return input
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/[/?#].*$/, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** `https://x.ngrok.app/` → `https://x.ngrok.app`; null when the string is not an absolute URL. */
export function baseOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Applies a patch to settings and parses the result; throws {@link InvalidSettingsError} naming the field. */
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
  return parseOrExplain(next);
}

function parseOrExplain(doc: unknown): Settings {
  try {
    return parseSettings(doc);
  } catch (err) {
    const issues = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
    const issue = issues?.[0];
    if (issue) throw new InvalidSettingsError(issue.path.map(String).join('.'), issue.message);
    throw err;
  }
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
  };
}

/** What the setup view offers for a provider: the fields the user types (generated ones are made for them). */
export function providerInfo(p: ProviderModule): ProviderInfo {
  return {
    id: p.id,
    name: p.name,
    docsUrl: p.docsUrl,
    securityNote: p.securityNote,
    setupSteps: [...p.setupSteps],
    fields: p.credentials
      .filter((c) => !c.generated)
      .map((c) => ({ key: c.key, label: c.label, secret: c.secret, required: c.required, help: c.help })),
  };
}

/**
 * Builds the app service. It subscribes to settings and tunnel changes at once; call `close()` to stop.
 */
export function createAppService(input: AppServiceDeps): AppService {
  const deps = {
    ...input,
    core: input.core instanceof CrashbellCore ? appCoreOf(input.core) : input.core,
    tunnel: input.tunnel ?? absentTunnel(),
    shell: shellOf(input),
    secretStorage: input.secretStorage ?? {
      available: false,
      note: 'Crashbell could not tell whether secrets are encrypted on this machine.',
    },
    version: input.version ?? '0.0.0',
    platform: input.platform ?? process.platform,
  };
  const providers = deps.providers ?? PROVIDERS;
  const now = deps.now ?? Date.now;
  const debounceMs = deps.stateDebounceMs ?? 100;
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  let stateTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const providerOf = (id: string): ProviderModule | undefined => providers.find((p) => p.id === id);

  function emit<C extends EventChannel>(channel: C, payload: EventChannels[C]): void {
    if (closed) return;
    const set = listeners.get(channel);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (p: EventChannels[C]) => void)(payload);
      } catch {
        // One failing window must not stop the others, nor the core that called us.
      }
    }
  }

  function pushStateNow(): void {
    if (stateTimer) {
      clearTimeout(stateTimer);
      stateTimer = null;
    }
    if (closed || !listeners.get('state:changed')?.size) return;
    emit('state:changed', buildState());
  }

  function scheduleState(): void {
    if (closed) return;
    if (debounceMs <= 0) {
      pushStateNow();
      return;
    }
    if (stateTimer) return;
    stateTimer = setTimeout(pushStateNow, debounceMs);
    stateTimer.unref?.();
  }

  function publicBase(): string | null {
    const t = deps.tunnel.getState();
    return t.status === 'online' ? baseOf(t.url) : null;
  }

  function localBase(s: Settings): string {
    return deps.core.localBaseUrl ?? `http://127.0.0.1:${s.port}`;
  }

  function sourceView(source: Source, s: Settings, pub: string | null): SourceView {
    const provider = providerOf(source.provider);
    const localUrl = joinWebhookUrl(localBase(s), source.id);
    const publicUrl = pub ? joinWebhookUrl(pub, source.id) : null;
    const webhookUrl = publicUrl ?? localUrl;
    const setup: SetupField[] = [{ label: 'Webhook URL', value: webhookUrl, secret: false }];
    for (const field of provider?.credentials ?? []) {
      // Generated values are what the user pastes into the provider; values they gave us are not.
      if (!field.generated) continue;
      const value = source.credentials[field.key];
      if (value) setup.push({ label: field.label, value, secret: field.secret });
    }
    return {
      ...source,
      webhookUrl,
      localUrl,
      publicUrl,
      setup,
      providerName: provider?.name ?? source.provider,
      docsUrl: provider?.docsUrl ?? '',
      securityNote: provider?.securityNote ?? null,
      setupSteps: provider ? [...provider.setupSteps] : [],
    };
  }

  function buildState(): AppState {
    const s = deps.settings.get();
    const pub = publicBase();
    const counts = deps.inbox.counts();
    const dnd = dndStatus(s.dnd, now());
    const last = s.tunnel.lastCopiedUrl;
    return {
      version: deps.version,
      platform: deps.platform,
      receiver: {
        listening: deps.core.port !== null,
        port: deps.core.port,
        localBaseUrl: deps.core.localBaseUrl,
        error: deps.receiverError?.() ?? null,
      },
      tunnel: deps.tunnel.getState(),
      publicBaseUrl: pub,
      urlChanged: pub !== null && last !== null && s.sources.length > 0 && baseOf(last) !== pub,
      sources: s.sources.map((src) => sourceView(src, s, pub)),
      unread: counts.unread,
      groups: counts.groups,
      pausedAll: s.pausedAll,
      dnd: { active: dnd.active, until: dnd.until },
      secretStorage: deps.secretStorage,
      onboarded: s.onboarded,
      providers: providers.map(providerInfo),
    };
  }

  function findSource(sourceId: string): Source {
    const source = deps.settings.get().sources.find((s) => s.id === sourceId);
    if (!source) throw new UnknownSourceError(sourceId);
    return source;
  }

  function saveSources(sources: Source[]): Settings {
    const next = parseOrExplain({ ...deps.settings.get(), sources });
    deps.settings.set(next);
    return next;
  }

  function delivery(via: DeliveryResult['via'], r: CoreDelivery): DeliveryResult {
    return { via, status: r.status, reason: r.reason, eventId: r.eventId ?? null };
  }

  const offSettings = deps.settings.subscribe(() => scheduleState());
  const offTunnel = deps.tunnel.subscribe(() => scheduleState());

  const service: AppService = {
    async getState() {
      return buildState();
    },

    async listGroups(query: GroupQuery): Promise<GroupPage> {
      return deps.inbox.list(query);
    },

    async getGroup(groupId: string): Promise<Group | null> {
      return deps.inbox.get(groupId);
    },

    async markGroup(groupId: string, marks: GroupMarks): Promise<GroupSummary | null> {
      const updated = await deps.inbox.mark(groupId, marks);
      if (updated) scheduleState();
      return updated;
    },

    async openGroup(groupId: string): Promise<OpenResult> {
      const group = deps.inbox.get(groupId);
      if (!group) throw new UnknownGroupError(groupId);
      if (!group.url) return { opened: false, reason: `${providerOf(group.provider)?.name ?? 'The provider'} sent no link for this error` };
      const verdict = checkExternalUrl(group.url);
      if (!verdict.ok) return { opened: false, reason: verdict.reason };
      await deps.shell.openExternal(verdict.url);
      if (!group.read) await deps.inbox.mark(groupId, { read: true });
      return { opened: true, reason: null };
    },

    async addSource(input: NewSourceInput): Promise<SourceView> {
      if (!providerOf(input.provider)) throw new InvalidSourceError(`Crashbell has no "${String(input.provider)}" provider yet`);
      const source = createSource(input, now());
      const s = saveSources([...deps.settings.get().sources, source]);
      return sourceView(source, s, publicBase());
    },

    async updateSource(sourceId: string, patch: SourcePatch): Promise<SourceView> {
      const current = findSource(sourceId);
      const merged = {
        ...current,
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.paused !== undefined ? { paused: patch.paused } : {}),
        ...(patch.credentials !== undefined ? { credentials: { ...current.credentials, ...patch.credentials } } : {}),
        ...(patch.config !== undefined ? { config: patch.config } : {}),
        ...(patch.filters !== undefined ? { filters: patch.filters } : {}),
      };
      const checked = sourceSchema.safeParse(merged);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        const field = issue ? issue.path.map(String).join('.') : '';
        throw new InvalidSourceError(`source "${current.name}"${field ? ` (${field})` : ''}: ${issue?.message ?? 'not valid'}`);
      }
      const problem = providerOf(checked.data.provider)?.validateSource(checked.data) ?? null;
      if (problem) throw new InvalidSourceError(problem);
      const s = saveSources(deps.settings.get().sources.map((x) => (x.id === sourceId ? checked.data : x)));
      return sourceView(checked.data, s, publicBase());
    },

    async removeSource(sourceId: string): Promise<void> {
      findSource(sourceId);
      saveSources(deps.settings.get().sources.filter((x) => x.id !== sourceId));
    },

    async sendTestEvent(sourceId: string): Promise<DeliveryResult> {
      findSource(sourceId);
      const pub = publicBase();
      if (pub) {
        let why: string;
        try {
          const viaTunnel = await deps.core.deliverSample(sourceId, pub);
          // Status 0: nothing answered at the public URL (the core reports network failures that way).
          if (viaTunnel.status !== 0) return delivery('tunnel', viaTunnel);
          why = viaTunnel.reason;
        } catch (err) {
          why = err instanceof Error ? err.message : String(err);
        }
        // The tunnel may have just dropped: still prove the receiver works, and say why it went local.
        const local = await deps.core.deliverSample(sourceId);
        return { ...delivery('local', local), reason: `${local.reason} (the tunnel did not answer: ${why})` };
      }
      return delivery('local', await deps.core.deliverSample(sourceId));
    },

    async listRequests(): Promise<RequestRecord[]> {
      return deps.core.requests.list();
    },

    async replayRequest(requestId: string): Promise<DeliveryResult> {
      return delivery('local', await deps.core.replay(requestId));
    },

    async getSettings(): Promise<SettingsView> {
      return settingsView(deps.settings.get());
    },

    async updateSettings(patch: SettingsPatch): Promise<SettingsView> {
      const current = deps.settings.get();
      const next = applySettingsPatch(current, patch);
      // Saved before awaiting the shell, so a concurrent update never works on a stale copy.
      deps.settings.set(next);
      if (next.startAtLogin !== current.startAtLogin) {
        try {
          await deps.shell.setStartAtLogin(next.startAtLogin);
        } catch (err) {
          // The system refused: keep the setting true to what the system does.
          deps.settings.set({ ...deps.settings.get(), startAtLogin: current.startAtLogin });
          throw err;
        }
      }
      return settingsView(deps.settings.get());
    },

    async setDnd(mode: DndMode): Promise<AppState> {
      if (mode !== 'off' && mode !== '1h' && mode !== 'tomorrow') {
        throw new InvalidSettingsError('dnd', `unknown Do Not Disturb mode "${String(mode)}": use off, 1h or tomorrow`);
      }
      const s = deps.settings.get();
      const at = now();
      // "Off" during quiet hours means off now: skip the window until it ends (it comes back the next night).
      const inQuietHours = mode === 'off' && dndStatus(s.dnd, at).kind === 'quiet-window';
      const quietSkippedUntil = inQuietHours
        ? new Date(quietWindowEnd(s.dnd, at)).toISOString()
        : mode === 'off'
          ? s.dnd.quietSkippedUntil
          : null;
      deps.settings.set(parseOrExplain({ ...s, dnd: { ...s.dnd, until: dndUntil(mode, at), quietSkippedUntil } }));
      return buildState();
    },

    async reconnectTunnel(): Promise<TunnelState> {
      return deps.tunnel.reconnect();
    },

    async copy(text: string, what: { sourceId?: string; webhookUrl?: boolean }): Promise<void> {
      await deps.shell.copyText(text);
      if (!what?.webhookUrl) return;
      const base = baseOf(text);
      const s = deps.settings.get();
      if (base && s.tunnel.lastCopiedUrl !== base) {
        deps.settings.set(parseOrExplain({ ...s, tunnel: { ...s.tunnel, lastCopiedUrl: base } }));
      }
    },

    async openLink(url: string): Promise<OpenResult> {
      const verdict = checkExternalUrl(url);
      if (!verdict.ok) return { opened: false, reason: verdict.reason };
      await deps.shell.openExternal(verdict.url);
      return { opened: true, reason: null };
    },

    async previewMapping(sourceId: string, config: Record<string, unknown> | null): Promise<MappingPreview> {
      const source = findSource(sourceId);
      const provider = providerOf(source.provider);
      const record = deps.core.requests.list().find((r) => r.sourceId === sourceId && !r.bodyTruncated && r.body.trim() !== '');
      if (source.provider === 'generic') {
        let body: unknown = null;
        try {
          body = record ? JSON.parse(record.body) : null;
        } catch {
          return { ok: false, body: record?.body ?? null, fields: {}, errors: ['the last body received is not JSON'] };
        }
        return previewGenericMapping(config ?? source.config, body);
      }
      if (!record) return { ok: false, body: null, fields: {}, errors: ['no body has been received for this source yet'] };
      let json: unknown;
      try {
        json = JSON.parse(record.body);
      } catch {
        return { ok: false, body: record.body, fields: {}, errors: ['the last body received is not JSON'] };
      }
      const body = JSON.stringify(json, null, 2);
      if (!provider) return { ok: false, body, fields: {}, errors: [`Crashbell has no "${source.provider}" provider`] };
      const trial: Source = { ...source, config: config ?? source.config };
      const result = provider.parse({
        source: trial,
        headers: record.headers,
        rawBody: Buffer.from(record.body, 'utf8'),
        json,
        now: now(),
      });
      if (!result.ok) return { ok: false, body, fields: {}, errors: [result.rejection.reason] };
      if (!result.event) return { ok: false, body, fields: {}, errors: [result.note] };
      const e = result.event;
      return {
        ok: true,
        body,
        fields: {
          title: e.title,
          body: e.description,
          url: e.url,
          groupKey: e.groupKey,
          occurrences: e.occurrences,
          environment: e.environment,
        },
        errors: [],
      };
    },

    subscribe(channel, listener) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      const l = listener as (payload: never) => void;
      set.add(l);
      return () => {
        set.delete(l);
      };
    },

    groupChanged(group: GroupSummary): void {
      emit('group:updated', groupUpdate(group));
      scheduleState();
    },

    notificationRaised(n: NotificationRequest): void {
      emit('notification:raised', n);
    },

    requestRecorded(record: RequestRecord): void {
      emit('request:recorded', record);
    },

    navigate(view: ViewName, groupId?: string): void {
      emit('navigate', groupId ? { view, groupId } : { view });
    },

    refreshState(): void {
      pushStateNow();
    },

    close(): void {
      closed = true;
      if (stateTimer) clearTimeout(stateTimer);
      stateTimer = null;
      offSettings();
      offTunnel();
      listeners.clear();
    },
  };
  return service;
}
