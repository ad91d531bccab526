/**
 * The sandboxed preload: one hand-written `api` object implementing {@link CrashbellApi}, exposed to the page
 * as `window.crashbell`. `ipcRenderer` itself is never exposed, and each function names its channel, so the
 * page can reach nothing but these calls. Bundled as CommonJS; imports only types from `shared/`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CrashbellApi, EventChannel, EventChannels, InvokeArgs, InvokeChannel, InvokeResult, Unsubscribe } from '../shared/ipc';

function invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
  return ipcRenderer.invoke(channel, ...args) as Promise<InvokeResult<C>>;
}

/** Adds a listener that receives only the payload (never the event, which carries `sender`). */
function on<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void): Unsubscribe {
  const wrapped = (_event: IpcRendererEvent, payload: EventChannels[C]) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const api: CrashbellApi = {
  getState: () => invoke('app:get-state'),
  listGroups: (query) => invoke('groups:list', query),
  getGroup: (groupId) => invoke('groups:get', groupId),
  markGroup: (groupId, marks) => invoke('groups:mark', groupId, marks),
  openGroup: (groupId) => invoke('groups:open', groupId),
  addSource: (input) => invoke('sources:add', input),
  updateSource: (sourceId, patch) => invoke('sources:update', sourceId, patch),
  removeSource: (sourceId) => invoke('sources:remove', sourceId),
  sendTestEvent: (sourceId) => invoke('sources:send-test', sourceId),
  listRequests: () => invoke('requests:list'),
  replayRequest: (requestId) => invoke('requests:replay', requestId),
  getSettings: () => invoke('settings:get'),
  updateSettings: (patch) => invoke('settings:update', patch),
  setDnd: (mode) => invoke('dnd:set', mode),
  reconnectTunnel: () => invoke('tunnel:reconnect'),
  copy: (text, what) => invoke('clipboard:copy', text, what),
  openLink: (url) => invoke('link:open', url),
  previewMapping: (sourceId, config) => invoke('sources:preview-mapping', sourceId, config),
  onStateChanged: (listener) => on('state:changed', listener),
  onGroupUpdated: (listener) => on('group:updated', listener),
  onRequestRecorded: (listener) => on('request:recorded', listener),
  onNotification: (listener) => on('notification:raised', listener),
  onNavigate: (listener) => on('navigate', listener),
};

contextBridge.exposeInMainWorld('crashbell', api);
