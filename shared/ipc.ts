/**
 * The one typed IPC contract between main, preload and renderer.
 *
 * - {@link InvokeChannels}: request/response calls from the renderer; each returns a promise.
 * - {@link EventChannels}: pushes from main to the renderer.
 *
 * Main registers a handler for every invoke channel (checking the sender and validating arguments);
 * the preload turns this contract into the hand-written {@link CrashbellApi} object; the renderer only
 * ever calls that object's named functions.
 */
import type {
  Group,
  GroupMarks,
  GroupPage,
  GroupQuery,
  GroupRow,
  GroupSummary,
  GroupUpdate,
  NotificationRequest,
  ProviderId,
  RequestRecord,
  TunnelState,
} from './events';
import type { DndSettings, PolicySettings, RetentionSettings, Source, SourceFilters, Theme } from './settings';

/** One value a user pastes into the provider's settings, with a copy button. */
export interface SetupField {
  label: string;
  value: string;
  /** Shown masked until revealed. */
  secret: boolean;
}

/** A source as the window shows it: its settings plus where to reach it. */
export interface SourceView extends Source {
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
}

/** A credential the user types in when adding a source (generated ones are not asked for). */
export interface ProviderFieldInfo {
  key: string;
  label: string;
  secret: boolean;
  required: boolean;
  help: string;
}

/** What the setup view needs to offer a provider when adding a source. */
export interface ProviderInfo {
  id: ProviderId;
  name: string;
  docsUrl: string;
  securityNote: string | null;
  setupSteps: string[];
  /** Fields the user must give; empty when Crashbell generates every credential (Backtrace). */
  fields: ProviderFieldInfo[];
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
  /** The providers a source can be added for (added for the setup view). */
  providers?: ProviderInfo[];
}

/** A new source from the setup view. Backtrace credentials are generated; Errorception needs its secret. */
export interface NewSourceInput {
  provider: ProviderId;
  name: string;
  credentials?: Record<string, string>;
  config?: Record<string, unknown>;
}

export interface SourcePatch {
  name?: string;
  paused?: boolean;
  credentials?: Record<string, string>;
  config?: Record<string, unknown>;
  filters?: SourceFilters;
}

/** The settings the window edits (sources and secrets have their own calls). */
export interface SettingsView {
  port: number;
  pausedAll: boolean;
  policy: PolicySettings;
  dnd: DndSettings;
  retention: RetentionSettings;
  tunnel: { enabled: boolean; domain: string; hasAuthtoken: boolean };
  startAtLogin: boolean;
  theme: Theme;
  onboarded: boolean;
}

export interface SettingsPatch {
  port?: number;
  pausedAll?: boolean;
  policy?: Partial<PolicySettings>;
  dnd?: Partial<DndSettings>;
  retention?: Partial<RetentionSettings>;
  /** `authtoken: ''` clears it. */
  tunnel?: { enabled?: boolean; domain?: string; authtoken?: string };
  startAtLogin?: boolean;
  theme?: Theme;
  onboarded?: boolean;
}

export type DndMode = 'off' | '1h' | 'tomorrow';

/** Result of posting a request through the real receiver (test event, replay). */
export interface DeliveryResult {
  via: 'tunnel' | 'local';
  status: number;
  reason: string;
  eventId: string | null;
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

/** Request/response channels: name → argument tuple and result. */
export interface InvokeChannels {
  'app:get-state': { args: []; result: AppState };
  'groups:list': { args: [query: GroupQuery]; result: GroupPage };
  'groups:get': { args: [groupId: string]; result: Group | null };
  'groups:mark': { args: [groupId: string, marks: GroupMarks]; result: GroupSummary | null };
  'groups:open': { args: [groupId: string]; result: OpenResult };
  'sources:add': { args: [input: NewSourceInput]; result: SourceView };
  'sources:update': { args: [sourceId: string, patch: SourcePatch]; result: SourceView };
  // biome-ignore lint/suspicious/noConfusingVoidType: a call that answers nothing resolves with void
  'sources:remove': { args: [sourceId: string]; result: void };
  'sources:send-test': { args: [sourceId: string]; result: DeliveryResult };
  'requests:list': { args: []; result: RequestRecord[] };
  'requests:replay': { args: [requestId: string]; result: DeliveryResult };
  'settings:get': { args: []; result: SettingsView };
  'settings:update': { args: [patch: SettingsPatch]; result: SettingsView };
  'dnd:set': { args: [mode: DndMode]; result: AppState };
  'tunnel:reconnect': { args: []; result: TunnelState };
  /** Copies text to the clipboard; copying a webhook URL also records it as the last copied URL. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a call that answers nothing resolves with void
  'clipboard:copy': { args: [text: string, what: { sourceId?: string; webhookUrl?: boolean }]; result: void };
  'link:open': { args: [url: string]; result: OpenResult };
  /** Generic JSON sources: runs a mapping (the saved one when omitted) on the last received body. */
  'sources:preview-mapping': { args: [sourceId: string, config: Record<string, unknown> | null]; result: MappingPreview };
}

/** Main → renderer pushes: name → payload. */
export interface EventChannels {
  'state:changed': AppState;
  'group:updated': GroupUpdate;
  'request:recorded': RequestRecord;
  'notification:raised': NotificationRequest;
  navigate: { view: ViewName; groupId?: string };
}

export type InvokeChannel = keyof InvokeChannels;
export type EventChannel = keyof EventChannels;
export type InvokeArgs<C extends InvokeChannel> = InvokeChannels[C]['args'];
export type InvokeResult<C extends InvokeChannel> = InvokeChannels[C]['result'];

/** Every invoke channel, for handler registration checks. */
export const INVOKE_CHANNELS = [
  'app:get-state',
  'groups:list',
  'groups:get',
  'groups:mark',
  'groups:open',
  'sources:add',
  'sources:update',
  'sources:remove',
  'sources:send-test',
  'requests:list',
  'requests:replay',
  'settings:get',
  'settings:update',
  'dnd:set',
  'tunnel:reconnect',
  'clipboard:copy',
  'link:open',
  'sources:preview-mapping',
] as const satisfies readonly InvokeChannel[];

export const EVENT_CHANNELS = [
  'state:changed',
  'group:updated',
  'request:recorded',
  'notification:raised',
  'navigate',
] as const satisfies readonly EventChannel[];

/** Removes a listener added through the api. */
export type Unsubscribe = () => void;

/**
 * The object the preload exposes as `window.crashbell`. Hand-written in the preload, one function per
 * channel; the renderer reaches main only through `renderer/src/api.ts`, which wraps this.
 */
export interface CrashbellApi {
  getState(): Promise<AppState>;
  listGroups(query: GroupQuery): Promise<GroupPage>;
  getGroup(groupId: string): Promise<Group | null>;
  markGroup(groupId: string, marks: GroupMarks): Promise<GroupSummary | null>;
  openGroup(groupId: string): Promise<OpenResult>;
  addSource(input: NewSourceInput): Promise<SourceView>;
  updateSource(sourceId: string, patch: SourcePatch): Promise<SourceView>;
  removeSource(sourceId: string): Promise<void>;
  sendTestEvent(sourceId: string): Promise<DeliveryResult>;
  listRequests(): Promise<RequestRecord[]>;
  replayRequest(requestId: string): Promise<DeliveryResult>;
  getSettings(): Promise<SettingsView>;
  updateSettings(patch: SettingsPatch): Promise<SettingsView>;
  setDnd(mode: DndMode): Promise<AppState>;
  reconnectTunnel(): Promise<TunnelState>;
  copy(text: string, what: { sourceId?: string; webhookUrl?: boolean }): Promise<void>;
  openLink(url: string): Promise<OpenResult>;
  previewMapping(sourceId: string, config: Record<string, unknown> | null): Promise<MappingPreview>;
  onStateChanged(listener: (state: AppState) => void): Unsubscribe;
  onGroupUpdated(listener: (update: GroupUpdate) => void): Unsubscribe;
  onRequestRecorded(listener: (record: RequestRecord) => void): Unsubscribe;
  onNotification(listener: (n: NotificationRequest) => void): Unsubscribe;
  onNavigate(listener: (to: EventChannels['navigate']) => void): Unsubscribe;
}
