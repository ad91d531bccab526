/**
 * The one typed IPC contract between main, preload and renderer: the {@link IPC} table, each call and push by
 * its api name with its channel and signature, and the types its messages carry.
 *
 * Main registers a handler for every call (checking the sender and validating the arguments with the
 * call's schema); the preload builds {@link CrashbellApi} by looping over the table; the renderer only ever
 * calls that object's named functions. Nothing else spells a channel.
 */
import type {
  Group,
  GroupMarks,
  GroupPage,
  GroupQuery,
  GroupRow,
  GroupStateChange,
  GroupSummary,
  GroupUpdate,
  NotificationRequest,
  NotificationSound,
  ProviderId,
  RelayState,
  RelayTestResult,
  RequestRecord,
  TunnelState,
} from './events';
import type { ActionAvailability, ActionResult, GroupAction, GroupActionState, ProviderActionsInfo, TokenTestResult } from './actions';
import type { DndSettings, PolicySettings, RetentionSettings, Source, SourceFilters, Theme } from './settings';

/** A group's link as the detail view shows it: whether it opens, and if not, why; and how it was made. */
export interface GroupLink {
  url: string;
  /** Whether the link guard lets it open (the provider's own hosts, or the source's web app URL). */
  opens: boolean;
  /** Why it does not open, in plain words; null when it opens. */
  reason: string | null;
  /** How Crashbell built it when the provider sent none; null when the provider sent it. */
  derived: string | null;
}

/** A group as the detail view gets it: with its link checked. */
export interface GroupDetail extends Group {
  link: GroupLink | null;
  /** The last action on it and where it stands ("Resolving in Sentry…", "Resolved in Sentry"), or null. */
  action: GroupActionState | null;
  /** The provider actions, each with why it cannot go to the provider when it cannot (then it is made here only). */
  actions: ActionAvailability[];
}

/** One value a user pastes into the provider's settings, with a copy button. */
export interface SetupField {
  label: string;
  value: string;
  /** Shown masked until revealed. */
  secret: boolean;
}

/** A source's API settings as the window sees them: the token reduced to "is there one". */
export interface SourceApiView {
  url: string;
  assignee: string;
  resolveInProvider: boolean;
  hasToken: boolean;
}

/** A source as the window shows it: its settings plus where to reach it (its API token never). */
export interface SourceView extends Omit<Source, 'api'> {
  /** The source's API settings without the token; absent when it has none. */
  api?: SourceApiView;
  /** The URL to paste into the provider: public when the tunnel is online, local otherwise. */
  webhookUrl: string;
  localUrl: string;
  publicUrl: string | null;
  /** Exactly what to paste, in order. */
  setup: SetupField[];
  /** Provider display name and its documentation page. */
  providerName: string;
  docsUrl: string;
  /** Plain words when the provider signs nothing and the URL itself is the secret. */
  securityNote: string | null;
  /** Steps to follow in the provider's own settings (added for the setup view). */
  setupSteps?: string[];
  /**
   * Labels of the credentials the source still waits for: ones the provider shows only once its webhook
   * exists (Errorception's secret). Until they are pasted its hooks are refused with "not set yet".
   */
  waitingFor?: string[];
  /** ISO 8601: until then the credentials replaced by the last edit are still accepted; null when none are. */
  previousUntil?: string | null;
}

/** A credential the user types in when adding a source (generated ones are not asked for). */
export interface ProviderFieldInfo {
  key: string;
  label: string;
  secret: boolean;
  required: boolean;
  help: string;
  /** The provider shows it only once its webhook exists: the source can be added first and wait for it. */
  pasteLater?: boolean;
}

/** A provider's badge: a short text on a colour. */
export interface ProviderMark {
  /** One or two characters, e.g. "Bt". */
  text: string;
  /** The badge's background as `#rrggbb`; its white text must reach 4.5:1 contrast on it. */
  color: string;
}

/** A provider as the window shows it and offers it when adding a source. */
export interface ProviderInfo {
  id: ProviderId;
  /** Display name, e.g. "Backtrace". */
  name: string;
  mark: ProviderMark;
  docsUrl: string;
  securityNote: string | null;
  setupSteps: string[];
  /** Fields the user must give; empty when Crashbell generates every credential (Backtrace). */
  fields: ProviderFieldInfo[];
  /** Crashbell generates some of its credentials, and can generate new ones (Backtrace). */
  regenerable?: boolean;
  /** What the source's optional web app URL is for with this provider; null when it has no use. */
  webUrlHelp?: string | null;
  /** What its API lets Crashbell do (absent from an older main: read as nothing known). */
  actions?: ProviderActionsInfo;
}

/** What the shell knows about storing secrets. */
export interface SecretStorageState {
  available: boolean;
  /** Plain words for the UI, e.g. why secrets are stored in plain text on this machine. */
  note: string | null;
}

/** Everything the window needs to draw its chrome. */
export interface AppState {
  version: string;
  platform: string;
  receiver: { listening: boolean; port: number | null; localBaseUrl: string | null; error: string | null };
  tunnel: TunnelState;
  /** Public base URL (`https://x.ngrok.app`) when the tunnel is online. */
  publicBaseUrl: string | null;
  /** The public URL differs from the one the user last copied: providers must be updated. */
  urlChanged: boolean;
  sources: SourceView[];
  unread: number;
  groups: number;
  /** The rows of the latest groups by last received, newest first (the tray's menu lists them). */
  latest: GroupRow[];
  pausedAll: boolean;
  startAtLogin: boolean;
  /** Do Not Disturb in force now, until when (ISO 8601) when it is a one-off, and why in words. */
  dnd: { active: boolean; until: string | null; reason: string | null };
  secretStorage: SecretStorageState;
  onboarded: boolean;
  /** The core's provider registry: the providers a source can be added for, with their names and marks. */
  providers: ProviderInfo[];
  /** The team relay (NATS JetStream): its state with a plain reason, lag and last event. */
  relay?: RelayState;
}

/** A new source from the setup view. Backtrace credentials are generated; Errorception needs its secret. */
export interface NewSourceInput {
  provider: ProviderId;
  name: string;
  credentials?: Record<string, string>;
  config?: Record<string, unknown>;
  /** The source's web app URL (self-hosted installs, generic sources); see `shared/settings.ts`. */
  webUrl?: string;
}

export interface SourcePatch {
  name?: string;
  paused?: boolean;
  sound?: NotificationSound;
  /** Merged over the current ones; an empty value clears one. Replaced values stay accepted for the overlap. */
  credentials?: Record<string, string>;
  /** Generate new values for the credentials Crashbell makes (Backtrace username and password). */
  regenerate?: boolean;
  /** Stop accepting the credentials a previous edit replaced, now. */
  endOverlap?: boolean;
  config?: Record<string, unknown>;
  filters?: SourceFilters;
  webUrl?: string;
  /**
   * The source's provider API access: merged over the current one; a token left out keeps the saved one, an
   * empty token removes it.
   */
  api?: { token?: string; url?: string; assignee?: string; resolveInProvider?: boolean };
}

/** The settings the window edits (sources and secrets have their own calls). */
export interface SettingsView {
  port: number;
  pausedAll: boolean;
  policy: PolicySettings;
  dnd: DndSettings;
  retention: RetentionSettings;
  tunnel: { enabled: boolean; domain: string; hasAuthtoken: boolean };
  relay: RelaySettingsView;
  startAtLogin: boolean;
  theme: Theme;
  onboarded: boolean;
  /** Hours replaced credentials stay accepted after an edit. */
  credentialOverlapHours?: number;
  /** Check for, download and offer new versions of the app (the desktop app only). */
  autoUpdate: boolean;
  /** How long a claim holds by default, in hours. */
  claimHours: number;
}

/** The relay settings the window edits: the password or token reduced to "is there one". */
export interface RelaySettingsView {
  servers: string[];
  publish: boolean;
  subscribe: boolean;
  stream: string;
  member: string;
  shareMarks: boolean;
  /** Path of a private CA's PEM file, or ''. */
  tlsCa: string;
  auth: { kind: 'none' | 'user' | 'token' | 'creds'; user: string; credsFile: string; hasSecret: boolean };
}

/** How the window changes the relay's credentials: a password or token left out keeps the saved one. */
export type RelayAuthPatch =
  | { kind: 'none' }
  | { kind: 'user'; user: string; pass?: string }
  | { kind: 'token'; token?: string }
  | { kind: 'creds'; credsFile: string };

export interface RelaySettingsPatch {
  servers?: string[];
  publish?: boolean;
  subscribe?: boolean;
  stream?: string;
  member?: string;
  shareMarks?: boolean;
  tlsCa?: string;
  auth?: RelayAuthPatch;
}

export interface SettingsPatch {
  port?: number;
  pausedAll?: boolean;
  policy?: Partial<PolicySettings>;
  dnd?: Partial<DndSettings>;
  retention?: Partial<RetentionSettings>;
  /** `authtoken: ''` clears it. */
  tunnel?: { enabled?: boolean; domain?: string; authtoken?: string };
  relay?: RelaySettingsPatch;
  startAtLogin?: boolean;
  theme?: Theme;
  onboarded?: boolean;
  credentialOverlapHours?: number;
  autoUpdate?: boolean;
  claimHours?: number;
}

export type DndMode = 'off' | '1h' | 'tomorrow';

/** Result of posting a request through the real receiver (test event, replay). */
export interface DeliveryResult {
  via: 'tunnel' | 'local';
  status: number;
  reason: string;
  eventId: string | null;
  /** The receiver recognised it as a redelivery of a hook already recorded (answered 200, nothing changed). */
  duplicate?: boolean;
}

export interface OpenResult {
  opened: boolean;
  /** Why it was refused, e.g. "only http(s) links are opened". */
  reason: string | null;
}

/** The generic provider's field mapping tried on a source's last received body. */
export interface MappingPreview {
  /** False when no body has been received yet or the mapping fails; `errors` says why. */
  ok: boolean;
  /** The body the mapping ran on (pretty-printed), or null. */
  body: string | null;
  fields: Record<string, string | number | null>;
  errors: string[];
}

export type ViewName = 'errors' | 'setup' | 'inspector' | 'settings';

/** A group the user deleted, as the window hears of it. */
export interface GroupRemoved {
  groupId: string;
}

/** Many groups changed at once, as the window hears of it. */
export interface GroupsReset {
  change: 'cleared' | 'all-read';
}

/** Where the window is asked to go (tray entries, notification clicks). */
export interface NavigateRequest {
  view: ViewName;
  groupId?: string;
}

/**
 * Crashbell's own updates (electron-updater, from the project's GitHub Releases) as the window and the tray
 * show them. The shell owns this state, not the app service: it exists only in the desktop app.
 */
export type UpdateState =
  /** Before the first check of this run. */
  | { status: 'idle' }
  | { status: 'checking' }
  /** A newer version is published; its download starts at once. */
  | { status: 'available'; version: string }
  /** `percent` is 0 to 100, whole. */
  | { status: 'downloading'; version: string; percent: number }
  /** Downloaded and verified: "Restart to update" installs it (and quitting does too). */
  | { status: 'ready'; version: string }
  /** The last check found nothing newer; `checkedAt` is ISO 8601. */
  | { status: 'not-available'; checkedAt: string }
  /** The last check or download failed, in plain words; the next daily check tries again. */
  | { status: 'error'; reason: string }
  /**
   * This copy does not update itself, and why: the setting is off (`by: 'setting'`), it was not installed
   * from an installer that updates (`'install'`: npm start, the deb), or the feed is refused (`'feed'`).
   */
  | { status: 'disabled'; by: 'setting' | 'install' | 'feed'; reason: string };

/** Removes a listener added through the api. */
export type Unsubscribe = () => void;

/** A type carried by the table below for the compiler only; nothing of it exists at run time. */
declare const carried: unique symbol;
interface Carried<T> {
  readonly [carried]?: T;
}

/** The type `T` as a table cell: an empty object whose only content is its type. */
function carry<T>(): Carried<T> {
  return {};
}

/**
 * Who answers a call or sends a push in main: the app service (the engine, the same in the app and the e2e
 * harness), or the Electron shell itself for what only the desktop app has (its own updates).
 */
export type Owner = 'service' | 'shell';

/** A request/response call on `channel`: the renderer invokes it and main answers (`F` is its signature). */
export interface CallEntry<
  C extends string = string,
  F extends (...args: never[]) => unknown = (...args: never[]) => unknown,
  O extends Owner = Owner,
> extends Carried<F> {
  readonly kind: 'call';
  readonly channel: C;
  readonly owner: O;
}

/** A push on `channel` from main to the renderer, with payload `P`. */
export interface PushEntry<C extends string = string, P = unknown, O extends Owner = Owner> extends Carried<P> {
  readonly kind: 'push';
  readonly channel: C;
  readonly owner: O;
}

function call<const C extends string, F extends (...args: never[]) => unknown>(
  channel: C,
  _signature: Carried<F>,
): CallEntry<C, F, 'service'> {
  return { kind: 'call', channel, owner: 'service' };
}

function push<const C extends string, P>(channel: C, _payload: Carried<P>): PushEntry<C, P, 'service'> {
  return { kind: 'push', channel, owner: 'service' };
}

/** A call the shell answers (see {@link Owner}). */
function shellCall<const C extends string, F extends (...args: never[]) => unknown>(
  channel: C,
  _signature: Carried<F>,
): CallEntry<C, F, 'shell'> {
  return { kind: 'call', channel, owner: 'shell' };
}

/** A push the shell sends (see {@link Owner}). */
function shellPush<const C extends string, P>(channel: C, _payload: Carried<P>): PushEntry<C, P, 'shell'> {
  return { kind: 'push', channel, owner: 'shell' };
}

/**
 * The IPC table: every call and push between the renderer and main, by the name the api gives it (also the
 * name of the app service's method, or the shell's for the few the shell owns), with its channel and its
 * signature. Everything else is derived from it: the channel lists, {@link CrashbellApi}, the preload's
 * object, the renderer's calls and main's handler map. Adding a call is one line here, its argument schema
 * and handler in main, and the service's (or the shell's) method; the compiler names whatever is missing.
 */
export const IPC = {
  /** Everything the window needs to draw its chrome. */
  getState: call('app:get-state', carry<() => AppState>()),
  /** One page of groups, newest first. */
  listGroups: call('groups:list', carry<(query: GroupQuery) => GroupPage>()),
  /** A group with its latest raw body and its link checked, or null when it no longer exists. */
  getGroup: call('groups:get', carry<(groupId: string) => GroupDetail | null>()),
  /** Sets read, muted or resolved marks; answers the updated group or null. */
  markGroup: call('groups:mark', carry<(groupId: string, marks: GroupMarks) => GroupSummary | null>()),
  /** Opens the group's page at the provider, through main's link rule (the provider's hosts, the source's web app URL). */
  openGroup: call('groups:open', carry<(groupId: string) => OpenResult>()),
  /** Deletes a group from the history; answers false when it was already gone. */
  deleteGroup: call('groups:delete', carry<(groupId: string) => boolean>()),
  /** Marks every group read; answers how many changed. */
  markAllRead: call('groups:mark-all-read', carry<() => number>()),
  /** Clears the whole history (its bodies leave the disk); answers how many groups went. */
  clearHistory: call('groups:clear', carry<() => number>()),
  addSource: call('sources:add', carry<(input: NewSourceInput) => SourceView>()),
  updateSource: call('sources:update', carry<(sourceId: string, patch: SourcePatch) => SourceView>()),
  removeSource: call('sources:remove', carry<(sourceId: string) => void>()),
  /** Posts the provider's signed sample through the real receiver (and the tunnel when online). */
  sendTestEvent: call('sources:send-test', carry<(sourceId: string) => DeliveryResult>()),
  /** The request inspector's list, newest first. */
  listRequests: call('requests:list', carry<() => RequestRecord[]>()),
  replayRequest: call('requests:replay', carry<(requestId: string) => DeliveryResult>()),
  getSettings: call('settings:get', carry<() => SettingsView>()),
  /** Applies a patch; main re-validates it and refuses bad values with the field named. */
  updateSettings: call('settings:update', carry<(patch: SettingsPatch) => SettingsView>()),
  setDnd: call('dnd:set', carry<(mode: DndMode) => AppState>()),
  reconnectTunnel: call('tunnel:reconnect', carry<() => TunnelState>()),
  /** Copies text to the clipboard; copying a webhook URL (`webhookUrl: true`) also records it as the last copied URL. */
  copy: call('clipboard:copy', carry<(text: string, what: { sourceId?: string; webhookUrl?: boolean }) => void>()),
  /** Opens a provider's documentation page (the only links the window has); main refuses anything else. */
  openLink: call('link:open', carry<(url: string) => OpenResult>()),
  /** Generic JSON sources: runs a mapping (the saved one when null) on the last received body. */
  previewMapping: call('sources:preview-mapping', carry<(sourceId: string, config: Record<string, unknown> | null) => MappingPreview>()),
  /**
   * Resolves, snoozes, ignores, assigns or claims a group: in the provider through its API when it can (the
   * change here only once it accepted), else here only, saying why.
   */
  runAction: call('groups:action', carry<(groupId: string, action: GroupAction) => ActionResult>()),
  /** "Test token": a harmless read with the source's API token, naming a missing scope when there is one. */
  testApiToken: call('sources:test-api-token', carry<(sourceId: string) => TokenTestResult>()),
  /** Publishes a test message to the team relay's stream and reports when it came back. */
  testRelay: call('relay:test', carry<() => RelayTestResult>()),
  /** Where the app's own update stands (checking, downloading, ready to install, or why it does not update). */
  getUpdateState: shellCall('update:get-state', carry<() => UpdateState>()),
  /** Checks for a new version now (besides the checks at start and daily); answers the state once the check is done. */
  checkForUpdates: shellCall('update:check', carry<() => UpdateState>()),
  /** "Restart to update": quits, installs the downloaded update and starts the new version; refused unless one is ready. */
  installUpdate: shellCall('update:install', carry<() => void>()),

  onStateChanged: push('state:changed', carry<AppState>()),
  onGroupUpdated: push('group:updated', carry<GroupUpdate>()),
  /** A group was deleted: the list drops its row. */
  onGroupRemoved: push('group:removed', carry<GroupRemoved>()),
  /** Many groups changed at once (history cleared, all marked read): the list reloads. */
  onGroupsReset: push('groups:reset', carry<GroupsReset>()),
  onRequestRecorded: push('request:recorded', carry<RequestRecord>()),
  onNotification: push('notification:raised', carry<NotificationRequest>()),
  onNavigate: push('navigate', carry<NavigateRequest>()),
  /**
   * A group was resolved, ignored, snoozed, muted, claimed (or undone), whatever the route: the shell withdraws
   * its notification still on screen; the detail view fetches the group again.
   */
  onGroupState: push('group:state', carry<GroupStateChange>()),
  onUpdateState: shellPush('update:state', carry<UpdateState>()),
} as const;

type Table = typeof IPC;

/** The name of a call in the table (`getState`...). */
export type CallName = { [K in keyof Table]: Table[K] extends CallEntry ? K : never }[keyof Table];
/** The name of a push listener in the table (`onStateChanged`...). */
export type PushName = { [K in keyof Table]: Table[K] extends PushEntry ? K : never }[keyof Table];
/** The calls the app service answers. */
export type ServiceCallName = { [K in CallName]: Table[K]['owner'] extends 'service' ? K : never }[CallName];
/** The calls the shell answers. */
export type ShellCallName = Exclude<CallName, ServiceCallName>;

type SignatureOf<M extends CallName> = Table[M] extends CallEntry<string, infer F> ? F : never;
/** A call's argument tuple. */
export type CallArgs<M extends CallName> = Parameters<SignatureOf<M>>;
/** What a call answers (the promise's value). */
export type CallResult<M extends CallName> = ReturnType<SignatureOf<M>>;
/** What a push carries. */
export type PushPayload<L extends PushName> = Table[L] extends PushEntry<string, infer P> ? P : never;

/** Every invoke channel (`app:get-state`...). */
export type InvokeChannel = Table[CallName]['channel'];
/** Every push channel (`state:changed`...). */
export type EventChannel = Table[PushName]['channel'];
/** The call that goes over an invoke channel. */
export type CallOf<C extends InvokeChannel> = { [M in CallName]: Table[M]['channel'] extends C ? M : never }[CallName];
export type InvokeArgs<C extends InvokeChannel> = CallArgs<CallOf<C>>;
export type InvokeResult<C extends InvokeChannel> = CallResult<CallOf<C>>;
/** Push channel → payload, for main's senders and the app service's subscribers. */
export type EventChannels = { [L in PushName as Table[L]['channel']]: PushPayload<L> };
/** The push channels the shell sends on (the app service sends the others). */
export type ShellEventChannel = { [L in PushName]: Table[L]['owner'] extends 'shell' ? Table[L]['channel'] : never }[PushName];
/** The push channels the app service sends on. */
export type ServiceEventChannel = Exclude<EventChannel, ShellEventChannel>;

/** The calls of the api that the app service implements. */
export type CrashbellCalls = { [M in ServiceCallName]: (...args: CallArgs<M>) => Promise<CallResult<M>> };
/** The calls of the api that the shell implements. */
export type ShellCalls = { [M in ShellCallName]: (...args: CallArgs<M>) => Promise<CallResult<M>> };
/** The push listeners of the api: each takes a listener and answers its {@link Unsubscribe}. */
export type CrashbellPushes = { [L in PushName]: (listener: (payload: PushPayload<L>) => void) => Unsubscribe };
/**
 * The object the preload exposes as `window.crashbell`: one function per entry of {@link IPC}. The renderer
 * reaches main only through `renderer/src/api.ts`, which wraps it.
 */
export type CrashbellApi = CrashbellCalls & ShellCalls & CrashbellPushes;

function isCall(name: keyof Table): name is CallName {
  return IPC[name].kind === 'call';
}

/** Every name in the table, calls first, in the table's order. */
export const API_NAMES = Object.keys(IPC) as Array<keyof Table>;
/** Every call's name. */
export const CALL_NAMES: readonly CallName[] = API_NAMES.filter(isCall);
/** Every push listener's name. */
export const PUSH_NAMES: readonly PushName[] = API_NAMES.filter((name): name is PushName => !isCall(name));
/** Every invoke channel, for handler registration and its checks. */
export const INVOKE_CHANNELS: readonly InvokeChannel[] = CALL_NAMES.map((name) => IPC[name].channel);
/** Every push channel. */
export const EVENT_CHANNELS: readonly EventChannel[] = PUSH_NAMES.map((name) => IPC[name].channel);
/** The calls the app service answers, in the table's order. */
export const SERVICE_CALL_NAMES: readonly ServiceCallName[] = CALL_NAMES.filter(
  (name): name is ServiceCallName => IPC[name].owner === 'service',
);
/** The calls the shell answers, in the table's order. */
export const SHELL_CALL_NAMES: readonly ShellCallName[] = CALL_NAMES.filter((name): name is ShellCallName => IPC[name].owner === 'shell');
/** The push channels the app service sends on. */
export const SERVICE_EVENT_CHANNELS: readonly ServiceEventChannel[] = PUSH_NAMES.filter((name) => IPC[name].owner === 'service').map(
  (name) => IPC[name].channel as ServiceEventChannel,
);
/** The push channels the shell sends on. */
export const SHELL_EVENT_CHANNELS: readonly ShellEventChannel[] = PUSH_NAMES.filter((name) => IPC[name].owner === 'shell').map(
  (name) => IPC[name].channel as ShellEventChannel,
);
