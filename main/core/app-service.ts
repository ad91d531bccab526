/**
 * The app service: the calls of the IPC table ({@link CrashbellCalls}) over the engine (core, settings,
 * tunnel), and the contract's pushes ({@link EventChannels}) to whoever subscribes. It listens to the core's
 * events itself, so every front end that builds the engine with `startEngine` gets the same pushes.
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
  RelayState,
  RelayTestResult,
  RequestRecord,
  TunnelState,
} from '../../shared/events';
import type {
  AppState,
  CrashbellCalls,
  DeliveryResult,
  DndMode,
  EventChannel,
  EventChannels,
  GroupDetail,
  GroupLink,
  MappingPreview,
  NewSourceInput,
  OpenResult,
  SecretStorageState,
  SettingsPatch,
  SettingsView,
  SourcePatch,
  SourceView,
  ViewName,
} from '../../shared/ipc';
import { groupUpdate } from '../../shared/group-filter';
import type { Settings, Source } from '../../shared/settings';
import { LATEST_IN_STATE, appStateOf, sourceView } from './app-state';
import type { CrashbellCore } from './core';
import { CrashbellError, InvalidSourceError, UnknownSourceError } from './errors';
import { dndAfter } from './inbox/dnd';
import { checkDocsLink, checkGroupLink, type LinkVerdict, linkRuleOf } from './links';
import { getProvider, PROVIDERS } from './providers/index';
import { previewFor } from './providers/preview';
import { InvalidSettingsError, applySettingsPatch, settingsView, validSettings } from './settings-edit';
import type { SettingsStore } from './settings-access';
import { createSource, localBaseUrl, updatedSource } from './sources';
import { baseOf, publicBaseOf } from './tunnel';

/** What the service needs of the tunnel manager (the real one is `TunnelManager` in tunnel.ts). */
export interface AppTunnel {
  getState(): TunnelState;
  /** Tears the session down and connects again; resolves with the state it reached. */
  reconnect(): Promise<TunnelState>;
  subscribe(listener: (state: TunnelState) => void): () => void;
}

/** What the service needs of the team relay (the real one is `TeamRelay` in relay/index.ts). */
export interface AppRelay {
  getState(): RelayState;
  subscribe(listener: (state: RelayState) => void): () => void;
  test(): Promise<RelayTestResult>;
  /** Marks are shared with the team now. */
  readonly sharing: boolean;
  readonly member: string;
  shareMark(groupId: string, marks: GroupMarks): Promise<void>;
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
  core: CrashbellCore;
  settings: SettingsStore;
  /** The tunnel manager; without one the tunnel reads as off. */
  tunnel?: AppTunnel | null;
  /** The team relay; without one Test relay says so and marks stay local. */
  relay?: AppRelay | null;
  /** The shell's powers; without them (headless) the calls that need them say so. */
  shell?: ShellHooks;
  /** Whether secrets are encrypted on this machine; unknown (and said so) when not given. */
  secretStorage?: SecretStorageState;
  version?: string;
  platform?: string;
  /** Clock, for tests. */
  now?: () => number;
  /** Coalesces `state:changed` pushes during bursts of hooks; 0 pushes at once. Default 100 ms. */
  stateDebounceMs?: number;
}

/** A tunnel that is not there (tests without one). */
function absentTunnel(): AppTunnel {
  const state: TunnelState = { status: 'off', reason: 'no tunnel in this mode: Crashbell listens on its local URL only' };
  return { getState: () => state, reconnect: async () => state, subscribe: () => () => undefined };
}

/** Shell hooks that say plainly they are not there (headless mode has no clipboard, browser or login items). */
function absentShell(): ShellHooks {
  const missing = (what: string) => () => {
    throw new CrashbellError('no-shell', `${what} is not available without the desktop app`);
  };
  return { copyText: missing('Copying'), openExternal: missing('Opening links'), setStartAtLogin: missing('Start at login') };
}

/** The calls of the IPC table, as the service implements them (the push listeners are `subscribe`). */
export type AppCalls = CrashbellCalls;

/** The service: the contract's calls and pushes. */
export interface AppService extends AppCalls {
  /** Listens to one push channel; returns the unsubscribe function. */
  subscribe<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void): () => void;
  /** Asks the window to show a view (tray entries, notification clicks). */
  navigate(view: ViewName, groupId?: string): void;
  /** Stops listening to the core, settings and tunnel; pending pushes are dropped. */
  close(): void;
}

/** A group id that the inbox does not hold. */
export class UnknownGroupError extends CrashbellError {
  constructor(groupId: string) {
    super('unknown-group', `no error group with id "${groupId}": it may have been pruned; reload the list`);
  }
}

export { InvalidSettingsError };

/**
 * Builds the app service and subscribes it to the core's events and to settings and tunnel changes; call
 * `close()` to stop.
 */
export function createAppService(deps: AppServiceDeps): AppService {
  const { core, settings } = deps;
  const tunnel = deps.tunnel ?? absentTunnel();
  const relay = deps.relay ?? null;
  const shell = deps.shell ?? absentShell();
  const secretStorage = deps.secretStorage ?? {
    available: false,
    note: 'Crashbell could not tell whether secrets are encrypted on this machine.',
  };
  const version = deps.version ?? '0.0.0';
  const platform = deps.platform ?? process.platform;
  const now = deps.now ?? Date.now;
  const debounceMs = deps.stateDebounceMs ?? 100;
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  let stateTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

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

  function buildState(): AppState {
    return appStateOf({
      settings: settings.get(),
      receiver: core.receiver,
      host: core.host,
      tunnel: tunnel.getState(),
      ...(relay ? { relay: relay.getState() } : {}),
      counts: core.inbox.counts(),
      latest: core.inbox.latest(LATEST_IN_STATE),
      secretStorage,
      version,
      platform,
      now: now(),
    });
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

  function viewOf(source: Source): SourceView {
    return sourceView(source, localBaseUrl(core.host, core.port ?? settings.get().port), publicBaseOf(tunnel.getState()), now());
  }

  function findSource(sourceId: string): Source {
    const source = settings.get().sources.find((s) => s.id === sourceId);
    if (!source) throw new UnknownSourceError(sourceId);
    return source;
  }

  /** The rule an error's link is held to: its provider's hosts and its source's web app URL. */
  function groupVerdict(group: Pick<Group, 'url' | 'provider' | 'sourceId'>): LinkVerdict {
    const source = settings.get().sources.find((s) => s.id === group.sourceId);
    return checkGroupLink(group.url, linkRuleOf(group.provider, source));
  }

  /** What the detail view shows of a group's link: whether it opens, why not, and how it was made. */
  function linkOf(group: Group): GroupLink | null {
    if (!group.url) return null;
    const verdict = groupVerdict(group);
    return {
      url: group.url,
      opens: verdict.ok,
      reason: verdict.ok ? null : verdict.reason,
      derived: group.urlDerivation ?? null,
    };
  }

  function saveSources(sources: Source[]): Settings {
    const next = validSettings({ ...settings.get(), sources });
    settings.set(next);
    return next;
  }

  const offs = [
    core.events.on('group', (g) => {
      // The row and its search text are built only for a window that listens (headless has none).
      if (listeners.get('group:updated')?.size) emit('group:updated', groupUpdate(g));
      scheduleState();
    }),
    core.events.on('removed', ({ groupId }) => {
      emit('group:removed', { groupId });
      scheduleState();
    }),
    core.events.on('groups', ({ change }) => {
      emit('groups:reset', { change });
      scheduleState();
    }),
    core.events.on('notification', (n) => emit('notification:raised', n)),
    core.events.on('request', (r) => emit('request:recorded', r)),
    core.events.on('receiver', () => pushStateNow()),
    settings.subscribe(() => scheduleState()),
    tunnel.subscribe(() => scheduleState()),
    ...(relay ? [relay.subscribe(() => scheduleState())] : []),
  ];

  return {
    async getState() {
      return buildState();
    },

    async listGroups(query: GroupQuery): Promise<GroupPage> {
      return core.inbox.list(query);
    },

    async getGroup(groupId: string): Promise<GroupDetail | null> {
      const group = core.inbox.get(groupId);
      return group ? { ...group, link: linkOf(group) } : null;
    },

    async markGroup(groupId: string, marks: GroupMarks): Promise<GroupSummary | null> {
      const team = marks.resolved !== undefined || marks.muted !== undefined;
      if (!relay?.sharing || !team || !core.inbox.get(groupId)) return core.mark(groupId, marks);
      try {
        await relay.shareMark(groupId, marks);
      } catch (err) {
        // The mark still holds here; the team just does not hear of it.
        core.events.emit('warning', `${err instanceof Error ? err.message : String(err)}`);
        return core.mark(groupId, marks);
      }
      return core.mark(groupId, marks, relay.member);
    },

    async openGroup(groupId: string): Promise<OpenResult> {
      const group = core.inbox.get(groupId);
      if (!group) throw new UnknownGroupError(groupId);
      if (!group.url)
        return { opened: false, reason: `${getProvider(group.provider)?.name ?? 'The provider'} sent no link for this error` };
      const verdict = groupVerdict(group);
      if (!verdict.ok) return { opened: false, reason: verdict.reason };
      await shell.openExternal(verdict.url);
      if (!group.read) await core.mark(groupId, { read: true });
      return { opened: true, reason: null };
    },

    async deleteGroup(groupId: string): Promise<boolean> {
      return core.deleteGroup(groupId);
    },

    async markAllRead(): Promise<number> {
      return core.markAllRead();
    },

    async clearHistory(): Promise<number> {
      return core.clearHistory();
    },

    async addSource(input: NewSourceInput): Promise<SourceView> {
      if (!getProvider(input.provider)) throw new InvalidSourceError(`Crashbell has no "${String(input.provider)}" provider yet`);
      const source = createSource(input, now());
      saveSources([...settings.get().sources, source]);
      return viewOf(source);
    },

    async updateSource(sourceId: string, patch: SourcePatch): Promise<SourceView> {
      const next = updatedSource(findSource(sourceId), patch, { hours: settings.get().credentialOverlapHours, now: now() });
      saveSources(settings.get().sources.map((x) => (x.id === sourceId ? next : x)));
      return viewOf(next);
    },

    async removeSource(sourceId: string): Promise<void> {
      findSource(sourceId);
      saveSources(settings.get().sources.filter((x) => x.id !== sourceId));
    },

    async sendTestEvent(sourceId: string): Promise<DeliveryResult> {
      findSource(sourceId);
      const pub = publicBaseOf(tunnel.getState());
      if (!pub) return core.deliverSample(sourceId);
      let why: string;
      try {
        const viaTunnel = await core.deliverSample(sourceId, pub);
        // Status 0: nothing answered at the public URL (the core reports network failures that way).
        if (viaTunnel.status !== 0) return viaTunnel;
        why = viaTunnel.reason;
      } catch (err) {
        why = err instanceof Error ? err.message : String(err);
      }
      // The tunnel may have just dropped: still prove the receiver works, and say why it went local.
      const local = await core.deliverSample(sourceId);
      return { ...local, reason: `${local.reason} (the tunnel did not answer: ${why})` };
    },

    async listRequests(): Promise<RequestRecord[]> {
      return core.requests();
    },

    async replayRequest(requestId: string): Promise<DeliveryResult> {
      return core.replay(requestId);
    },

    async getSettings(): Promise<SettingsView> {
      return settingsView(settings.get());
    },

    async updateSettings(patch: SettingsPatch): Promise<SettingsView> {
      const current = settings.get();
      const next = applySettingsPatch(current, patch);
      // Saved before awaiting the shell, so a concurrent update never works on a stale copy.
      settings.set(next);
      if (next.startAtLogin !== current.startAtLogin) {
        try {
          await shell.setStartAtLogin(next.startAtLogin);
        } catch (err) {
          // The system refused: keep the setting true to what the system does.
          settings.set({ ...settings.get(), startAtLogin: current.startAtLogin });
          throw err;
        }
      }
      return settingsView(settings.get());
    },

    async setDnd(mode: DndMode): Promise<AppState> {
      if (mode !== 'off' && mode !== '1h' && mode !== 'tomorrow') {
        throw new InvalidSettingsError('dnd', `unknown Do Not Disturb mode "${String(mode)}": use off, 1h or tomorrow`);
      }
      const s = settings.get();
      settings.set(validSettings({ ...s, dnd: dndAfter(s.dnd, mode, now()) }));
      return buildState();
    },

    async reconnectTunnel(): Promise<TunnelState> {
      return tunnel.reconnect();
    },

    async copy(text: string, what: { sourceId?: string; webhookUrl?: boolean }): Promise<void> {
      await shell.copyText(text);
      if (!what?.webhookUrl) return;
      const base = baseOf(text);
      const s = settings.get();
      if (base && s.tunnel.lastCopiedUrl !== base) {
        settings.set(validSettings({ ...s, tunnel: { ...s.tunnel, lastCopiedUrl: base } }));
      }
    },

    async openLink(url: string): Promise<OpenResult> {
      const verdict = checkDocsLink(
        url,
        PROVIDERS.map((p) => p.docsUrl),
      );
      if (!verdict.ok) return { opened: false, reason: verdict.reason };
      await shell.openExternal(verdict.url);
      return { opened: true, reason: null };
    },

    async previewMapping(sourceId: string, config: Record<string, unknown> | null): Promise<MappingPreview> {
      const source = findSource(sourceId);
      const provider = getProvider(source.provider);
      if (!provider) return { ok: false, body: null, fields: {}, errors: [`Crashbell has no "${source.provider}" provider`] };
      const record = core.requests().find((r) => r.sourceId === sourceId && !r.bodyTruncated && r.body.trim() !== '');
      let body: unknown = null;
      if (record) {
        try {
          body = JSON.parse(record.body);
        } catch {
          return { ok: false, body: record.body, fields: {}, errors: ['the last body received is not JSON'] };
        }
      }
      const trial: Source = { ...source, config: config ?? source.config };
      return previewFor(provider, { source: trial, body, headers: record?.headers ?? {}, now: now() });
    },

    async testRelay(): Promise<RelayTestResult> {
      if (!relay) {
        return {
          ok: false,
          sentAt: new Date(now()).toISOString(),
          seq: null,
          cameBackAt: null,
          roundTripMs: null,
          reason: 'This Crashbell runs without the team relay',
        };
      }
      return relay.test();
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

    navigate(view: ViewName, groupId?: string): void {
      emit('navigate', groupId ? { view, groupId } : { view });
    },

    close(): void {
      closed = true;
      if (stateTimer) clearTimeout(stateTimer);
      stateTimer = null;
      for (const off of offs) off();
      listeners.clear();
    },
  };
}
