/**
 * The renderer's only door to main: one named function per entry of the IPC table (`shared/ipc.ts`), each
 * passing its arguments to the same function of the preload's `window.crashbell` object.
 *
 * Nothing else in the renderer touches `window.crashbell`, so the contract is checked in one place and tests
 * can swap the object underneath (the e2e harness builds one over the real core). The object is looked up on
 * every call rather than captured at import, so a test may install it after this module loads.
 */
import { API_NAMES, type CrashbellApi } from '../../shared/ipc';

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

/** Each function of the api, calling through to the bridge present at the time of the call. */
const calls = Object.fromEntries(
  API_NAMES.map((name) => [name, (...args: unknown[]) => (bridge()[name] as (...a: unknown[]) => unknown)(...args)]),
) as unknown as CrashbellApi;

// Their documentation and types are the table's (`IPC` in shared/ipc.ts); a name the table lacks does not compile.
export const {
  getState,
  listGroups,
  getGroup,
  markGroup,
  openGroup,
  deleteGroup,
  markAllRead,
  clearHistory,
  addSource,
  updateSource,
  removeSource,
  sendTestEvent,
  listRequests,
  replayRequest,
  getSettings,
  updateSettings,
  setDnd,
  reconnectTunnel,
  copy,
  openLink,
  previewMapping,
  runAction,
  testApiToken,
  testRelay,
  getUpdateState,
  checkForUpdates,
  installUpdate,
  onStateChanged,
  onGroupUpdated,
  onGroupRemoved,
  onGroupsReset,
  onRequestRecorded,
  onNotification,
  onNavigate,
  onGroupState,
  onUpdateState,
} = calls;

/** Plain words for a failed call: the main process's message without Electron's IPC prefix. */
export function errorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  // Electron prefixes rejections from ipcMain.handle with this; the user needs only the reason.
  return raw.replace(/^Error invoking remote method '[^']*': (?:Error: )?/, '');
}
