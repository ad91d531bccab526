/**
 * The renderer's only door to main: named functions over the preload's `window.crashbell` object.
 *
 * Nothing else in the renderer touches `window.crashbell`, so the contract is checked in one place and tests
 * can swap the object underneath (the e2e harness builds one over the real core). The object is looked up on
 * every call rather than captured at import, so a test may install it after this module loads.
 */
import type {
  Group,
  GroupMarks,
  GroupPage,
  GroupQuery,
  GroupSummary,
  GroupUpdate,
  NotificationRequest,
  RequestRecord,
  TunnelState,
} from '../../shared/events';
import type {
  AppState,
  CrashbellApi,
  DeliveryResult,
  DndMode,
  EventChannels,
  MappingPreview,
  NewSourceInput,
  OpenResult,
  SettingsPatch,
  SettingsView,
  SourcePatch,
  SourceView,
  Unsubscribe,
} from '../../shared/ipc';

declare global {
  interface Window {
    /** Exposed by main/preload.ts through contextBridge. */
    crashbell?: CrashbellApi;
  }
}

/** Thrown when the page runs without the preload (opened in a plain browser, or the bridge failed). */
export class BridgeMissingError extends Error {
  constructor() {
    super('Crashbell cannot reach its main process: the preload bridge is missing.');
    this.name = 'BridgeMissingError';
  }
}

function bridge(): CrashbellApi {
  const api = typeof window === 'undefined' ? undefined : window.crashbell;
  if (!api) throw new BridgeMissingError();
  return api;
}

/** True when the preload bridge is present. */
export function hasBridge(): boolean {
  return typeof window !== 'undefined' && window.crashbell !== undefined;
}

/** Everything the window needs to draw its chrome. */
export function getState(): Promise<AppState> {
  return bridge().getState();
}
/** One page of groups, newest first. */
export function listGroups(query: GroupQuery): Promise<GroupPage> {
  return bridge().listGroups(query);
}
/** A group with its latest raw body, or null when it no longer exists. */
export function getGroup(groupId: string): Promise<Group | null> {
  return bridge().getGroup(groupId);
}
/** Sets read, muted or resolved marks; returns the updated group or null. */
export function markGroup(groupId: string, marks: GroupMarks): Promise<GroupSummary | null> {
  return bridge().markGroup(groupId, marks);
}
/** Opens the group's page at the provider (through main's http(s) guard). */
export function openGroup(groupId: string): Promise<OpenResult> {
  return bridge().openGroup(groupId);
}
export function addSource(input: NewSourceInput): Promise<SourceView> {
  return bridge().addSource(input);
}
export function updateSource(sourceId: string, patch: SourcePatch): Promise<SourceView> {
  return bridge().updateSource(sourceId, patch);
}
export function removeSource(sourceId: string): Promise<void> {
  return bridge().removeSource(sourceId);
}
/** Posts the provider's signed sample through the real receiver (and the tunnel when online). */
export function sendTestEvent(sourceId: string): Promise<DeliveryResult> {
  return bridge().sendTestEvent(sourceId);
}
/** The request inspector's list, newest first. */
export function listRequests(): Promise<RequestRecord[]> {
  return bridge().listRequests();
}
export function replayRequest(requestId: string): Promise<DeliveryResult> {
  return bridge().replayRequest(requestId);
}
export function getSettings(): Promise<SettingsView> {
  return bridge().getSettings();
}
/** Applies a patch; main re-validates it and refuses bad values with the field named. */
export function updateSettings(patch: SettingsPatch): Promise<SettingsView> {
  return bridge().updateSettings(patch);
}
export function setDnd(mode: DndMode): Promise<AppState> {
  return bridge().setDnd(mode);
}
export function reconnectTunnel(): Promise<TunnelState> {
  return bridge().reconnectTunnel();
}
/** Copies text; `webhookUrl: true` also records the URL as the last one the user copied. */
export function copy(text: string, what: { sourceId?: string; webhookUrl?: boolean } = {}): Promise<void> {
  return bridge().copy(text, what);
}
/** Opens an http(s) link in the system browser; anything else is refused by main. */
export function openLink(url: string): Promise<OpenResult> {
  return bridge().openLink(url);
}
export function previewMapping(sourceId: string, config: Record<string, unknown> | null): Promise<MappingPreview> {
  return bridge().previewMapping(sourceId, config);
}

export function onStateChanged(listener: (state: AppState) => void): Unsubscribe {
  return bridge().onStateChanged(listener);
}
export function onGroupUpdated(listener: (update: GroupUpdate) => void): Unsubscribe {
  return bridge().onGroupUpdated(listener);
}
export function onRequestRecorded(listener: (record: RequestRecord) => void): Unsubscribe {
  return bridge().onRequestRecorded(listener);
}
export function onNotification(listener: (n: NotificationRequest) => void): Unsubscribe {
  return bridge().onNotification(listener);
}
export function onNavigate(listener: (to: EventChannels['navigate']) => void): Unsubscribe {
  return bridge().onNavigate(listener);
}

/** Plain words for a failed call: the main process's message without Electron's IPC prefix. */
export function errorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  // Electron prefixes rejections from ipcMain.handle with this; the user needs only the reason.
  return raw.replace(/^Error invoking remote method '[^']*': (?:Error: )?/, '');
}
