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
import type { ActionResult, GroupAction, TokenTestResult } from '../../shared/actions';
import type { ActionService } from './actions/action-service';
import { testApiToken } from './actions/runner';
import { AppPushes } from './app-pushes';
import type { Event } from './base/event';
import { DisposableStore, toDisposable } from './base/lifecycle';
import type { CrashbellCore } from './core';
import { CrashbellError, errorText, InvalidSourceError, UnknownSourceError } from './errors';
import { dndAfter } from './inbox/dnd';
import { checkDocsLink, groupLinkVerdict } from './links';
import { getProvider, PROVIDERS } from './providers/index';
import { previewFor } from './providers/preview';
import { InvalidSettingsError, applySettingsPatch, settingsView, validSettings } from './settings-edit';
import type { SettingsStore } from './settings-access';
import { createSource, findSource, localBaseUrl, updatedSource } from './sources';
import { baseOf, publicBaseOf } from './tunnel';

/** What the service needs of the tunnel manager (the real one is `TunnelManager` in tunnel.ts). */
export interface AppTunnel {
  getState(): TunnelState;
  /** Tears the session down and connects again; resolves with the state it reached. */
  reconnect(): Promise<TunnelState>;
  subscribe(listener: (state: TunnelState) => void): () => void;
}

/** What the service needs of the team relay (the real one is `TeamRelay` in relay/team-relay.ts). */
export interface AppRelay {
  getState(): RelayState;
  readonly onState: Event<RelayState>;
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
  /** Acting on groups (in the provider when it can); without it actions are refused with why. */
  actions?: ActionService | null;
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

/** A group id that the inbox does not hold. */
export class UnknownGroupError extends CrashbellError {
  constructor(groupId: string) {
    super('unknown-group', `no error group with id "${groupId}": it may have been pruned; reload the list`);
  }
}

export { InvalidSettingsError };

/**
 * The app service: the IPC table's calls over the engine, and its pushes. It subscribes to the core's events,
 * the settings, the tunnel and the relay itself, so every front end that builds the engine gets the same
 * pushes; `close()` undoes all of it.
 */
export class AppService implements AppCalls {
  private readonly core: CrashbellCore;
  private readonly settings: SettingsStore;
  private readonly tunnel: AppTunnel;
  private readonly relay: AppRelay | null;
  private readonly actions: ActionService | null;
  private readonly shell: ShellHooks;
  private readonly secretStorage: SecretStorageState;
  private readonly version: string;
  private readonly platform: string;
  private readonly now: () => number;
  private readonly pushes: AppPushes;
  private readonly subscriptions = new DisposableStore();

  constructor(deps: AppServiceDeps) {
    this.core = deps.core;
    this.settings = deps.settings;
    this.tunnel = deps.tunnel ?? absentTunnel();
    this.relay = deps.relay ?? null;
    this.actions = deps.actions ?? null;
    this.shell = deps.shell ?? absentShell();
    this.secretStorage = deps.secretStorage ?? {
      available: false,
      note: 'Crashbell could not tell whether secrets are encrypted on this machine.',
    };
    this.version = deps.version ?? '0.0.0';
    this.platform = deps.platform ?? process.platform;
    this.now = deps.now ?? Date.now;
    this.pushes = new AppPushes(() => this.buildState(), deps.stateDebounceMs ?? 100);
    this.follow();
  }

  /** Turns the core's events, settings, tunnel and relay changes into pushes. */
  private follow(): void {
    const { core, pushes } = this;
    const s = this.subscriptions;
    s.add(
      core.onGroup((g) => {
        // The row and its search text are built only for a window that listens (headless has none).
        if (pushes.listened('group:updated')) pushes.push('group:updated', groupUpdate(g));
        pushes.scheduleState();
      }),
    );
    s.add(
      core.onRemoved(({ groupId }) => {
        pushes.push('group:removed', { groupId });
        pushes.scheduleState();
      }),
    );
    s.add(
      core.onGroups(({ change }) => {
        pushes.push('groups:reset', { change });
        pushes.scheduleState();
      }),
    );
    s.add(core.onNotification((n) => pushes.push('notification:raised', n)));
    s.add(core.onGroupState((change) => pushes.push('group:state', change)));
    s.add(core.onRequest((r) => pushes.push('request:recorded', r)));
    s.add(core.onReceiver(() => pushes.pushStateNow()));
    s.add(toDisposable(this.settings.subscribe(() => pushes.scheduleState())));
    s.add(toDisposable(this.tunnel.subscribe(() => pushes.scheduleState())));
    if (this.relay) s.add(this.relay.onState(() => pushes.scheduleState()));
    s.add(pushes);
  }

  private buildState(): AppState {
    return appStateOf({
      settings: this.settings.get(),
      receiver: this.core.receiver,
      host: this.core.host,
      tunnel: this.tunnel.getState(),
      ...(this.relay ? { relay: this.relay.getState() } : {}),
      counts: this.core.inbox.counts(),
      latest: this.core.inbox.latest(LATEST_IN_STATE),
      secretStorage: this.secretStorage,
      version: this.version,
      platform: this.platform,
      now: this.now(),
    });
  }

  private viewOf(source: Source): SourceView {
    const local = localBaseUrl(this.core.host, this.core.port ?? this.settings.get().port);
    return sourceView(source, local, publicBaseOf(this.tunnel.getState()), this.now());
  }

  private sourceOrThrow(sourceId: string): Source {
    const source = findSource(this.settings.get(), sourceId);
    if (!source) throw new UnknownSourceError(sourceId);
    return source;
  }

  /** What the detail view shows of a group's link: whether it opens, why not, and how it was made. */
  private linkOf(group: Group): GroupLink | null {
    const verdict = groupLinkVerdict(group, findSource(this.settings.get(), group.sourceId));
    if (!group.url || !verdict) return null;
    return { url: group.url, opens: verdict.ok, reason: verdict.ok ? null : verdict.reason, derived: group.urlDerivation ?? null };
  }

  private saveSources(sources: Source[]): Settings {
    const next = validSettings({ ...this.settings.get(), sources });
    this.settings.set(next);
    return next;
  }

  // ---- the calls of the IPC table ----

  async getState(): Promise<AppState> {
    return this.buildState();
  }

  async listGroups(query: GroupQuery): Promise<GroupPage> {
    return this.core.inbox.list(query);
  }

  async getGroup(groupId: string): Promise<GroupDetail | null> {
    const group = this.core.inbox.get(groupId);
    if (!group) return null;
    const action = this.actions?.stateOf(groupId) ?? null;
    const actions = this.actions?.availability(group) ?? [];
    return { ...group, link: this.linkOf(group), action, actions };
  }

  async runAction(groupId: string, action: GroupAction): Promise<ActionResult> {
    if (!this.actions) {
      return {
        state: 'failed',
        action: action.kind,
        words: 'This Crashbell runs without actions',
        where: null,
        code: 'unsupported',
        status: null,
        retryAt: null,
      };
    }
    return this.actions.run(groupId, action);
  }

  async testApiToken(sourceId: string): Promise<TokenTestResult> {
    return testApiToken(this.sourceOrThrow(sourceId), null);
  }

  async markGroup(groupId: string, marks: GroupMarks): Promise<GroupSummary | null> {
    const { core, relay } = this;
    const team = marks.resolved !== undefined || marks.muted !== undefined;
    if (!relay?.sharing || !team || !core.group(groupId)) return core.mark(groupId, marks);
    try {
      await relay.shareMark(groupId, marks);
    } catch (err) {
      // The mark still holds here; the team just does not hear of it.
      core.warn(errorText(err));
      return core.mark(groupId, marks);
    }
    return core.mark(groupId, marks, relay.member);
  }

  async openGroup(groupId: string): Promise<OpenResult> {
    const group = this.core.group(groupId);
    if (!group) throw new UnknownGroupError(groupId);
    const verdict = groupLinkVerdict(group, findSource(this.settings.get(), group.sourceId));
    if (!verdict) return { opened: false, reason: `${getProvider(group.provider)?.name ?? 'The provider'} sent no link for this error` };
    if (!verdict.ok) return { opened: false, reason: verdict.reason };
    await this.shell.openExternal(verdict.url);
    if (!group.read) await this.core.mark(groupId, { read: true });
    return { opened: true, reason: null };
  }

  async deleteGroup(groupId: string): Promise<boolean> {
    return this.core.deleteGroup(groupId);
  }

  async markAllRead(): Promise<number> {
    return this.core.markAllRead();
  }

  async clearHistory(): Promise<number> {
    return this.core.clearHistory();
  }

  async addSource(input: NewSourceInput): Promise<SourceView> {
    if (!getProvider(input.provider)) throw new InvalidSourceError(`Crashbell has no "${String(input.provider)}" provider yet`);
    const source = createSource(input, this.now());
    this.saveSources([...this.settings.get().sources, source]);
    return this.viewOf(source);
  }

  async updateSource(sourceId: string, patch: SourcePatch): Promise<SourceView> {
    const overlap = { hours: this.settings.get().credentialOverlapHours, now: this.now() };
    const next = updatedSource(this.sourceOrThrow(sourceId), patch, overlap);
    this.saveSources(this.settings.get().sources.map((x) => (x.id === sourceId ? next : x)));
    return this.viewOf(next);
  }

  async removeSource(sourceId: string): Promise<void> {
    this.sourceOrThrow(sourceId);
    this.saveSources(this.settings.get().sources.filter((x) => x.id !== sourceId));
  }

  async sendTestEvent(sourceId: string): Promise<DeliveryResult> {
    this.sourceOrThrow(sourceId);
    const pub = publicBaseOf(this.tunnel.getState());
    if (!pub) return this.core.deliverSample(sourceId);
    let why: string;
    try {
      const viaTunnel = await this.core.deliverSample(sourceId, pub);
      // Status 0: nothing answered at the public URL (the core reports network failures that way).
      if (viaTunnel.status !== 0) return viaTunnel;
      why = viaTunnel.reason;
    } catch (err) {
      why = errorText(err);
    }
    // The tunnel may have just dropped: still prove the receiver works, and say why it went local.
    const local = await this.core.deliverSample(sourceId);
    return { ...local, reason: `${local.reason} (the tunnel did not answer: ${why})` };
  }

  async listRequests(): Promise<RequestRecord[]> {
    return this.core.requests();
  }

  async replayRequest(requestId: string): Promise<DeliveryResult> {
    return this.core.replay(requestId);
  }

  async getSettings(): Promise<SettingsView> {
    return settingsView(this.settings.get());
  }

  async updateSettings(patch: SettingsPatch): Promise<SettingsView> {
    const current = this.settings.get();
    const next = applySettingsPatch(current, patch);
    // Saved before awaiting the shell, so a concurrent update never works on a stale copy.
    this.settings.set(next);
    if (next.startAtLogin !== current.startAtLogin) {
      try {
        await this.shell.setStartAtLogin(next.startAtLogin);
      } catch (err) {
        // The system refused: keep the setting true to what the system does.
        this.settings.set({ ...this.settings.get(), startAtLogin: current.startAtLogin });
        throw err;
      }
    }
    return settingsView(this.settings.get());
  }

  async setDnd(mode: DndMode): Promise<AppState> {
    if (mode !== 'off' && mode !== '1h' && mode !== 'tomorrow') {
      throw new InvalidSettingsError('dnd', `unknown Do Not Disturb mode "${String(mode)}": use off, 1h or tomorrow`);
    }
    const s = this.settings.get();
    this.settings.set(validSettings({ ...s, dnd: dndAfter(s.dnd, mode, this.now()) }));
    return this.buildState();
  }

  async reconnectTunnel(): Promise<TunnelState> {
    return this.tunnel.reconnect();
  }

  async copy(text: string, what: { sourceId?: string; webhookUrl?: boolean }): Promise<void> {
    await this.shell.copyText(text);
    if (!what?.webhookUrl) return;
    const base = baseOf(text);
    const s = this.settings.get();
    if (base && s.tunnel.lastCopiedUrl !== base) {
      this.settings.set(validSettings({ ...s, tunnel: { ...s.tunnel, lastCopiedUrl: base } }));
    }
  }

  async openLink(url: string): Promise<OpenResult> {
    const verdict = checkDocsLink(
      url,
      PROVIDERS.map((p) => p.docsUrl),
    );
    if (!verdict.ok) return { opened: false, reason: verdict.reason };
    await this.shell.openExternal(verdict.url);
    return { opened: true, reason: null };
  }

  async previewMapping(sourceId: string, config: Record<string, unknown> | null): Promise<MappingPreview> {
    const source = this.sourceOrThrow(sourceId);
    const provider = getProvider(source.provider);
    if (!provider) return { ok: false, body: null, fields: {}, errors: [`Crashbell has no "${source.provider}" provider`] };
    const record = this.core.requests().find((r) => r.sourceId === sourceId && !r.bodyTruncated && r.body.trim() !== '');
    let body: unknown = null;
    if (record) {
      try {
        body = JSON.parse(record.body);
      } catch {
        return { ok: false, body: record.body, fields: {}, errors: ['the last body received is not JSON'] };
      }
    }
    const trial: Source = { ...source, config: config ?? source.config };
    return previewFor(provider, { source: trial, body, headers: record?.headers ?? {}, now: this.now() });
  }

  async testRelay(): Promise<RelayTestResult> {
    if (!this.relay) {
      const sentAt = new Date(this.now()).toISOString();
      return { ok: false, sentAt, seq: null, cameBackAt: null, roundTripMs: null, reason: 'This Crashbell runs without the team relay' };
    }
    return this.relay.test();
  }

  // ---- pushes ----

  /** Listens to one push channel; returns the unsubscribe function. */
  subscribe<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void): () => void {
    return this.pushes.subscribe(channel, listener);
  }

  /** Asks the window to show a view (tray entries, notification clicks). */
  navigate(view: ViewName, groupId?: string): void {
    this.pushes.push('navigate', groupId ? { view, groupId } : { view });
  }

  /** Stops listening to the core, settings and tunnel; pending pushes are dropped. */
  close(): void {
    this.subscriptions.dispose();
  }
}

/** Builds the app service (see {@link AppService}); call `close()` to stop. */
export function createAppService(deps: AppServiceDeps): AppService {
  return new AppService(deps);
}
