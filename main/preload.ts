/**
 * The sandboxed preload: builds the {@link CrashbellApi} object from the IPC table and exposes it to the page
 * as `window.crashbell`. Each function is bound to its own channel, and `ipcRenderer` itself is never
 * exposed, so the page can reach nothing but the table's calls and pushes. Bundled as CommonJS; imports
 * nothing but electron's renderer side and the table from `shared/ipc.ts`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_NAMES, type CrashbellApi, IPC } from '../shared/ipc';

/** A function that invokes `channel` with exactly the arguments it is given. */
function invoker(channel: string): (...args: unknown[]) => Promise<unknown> {
  return (...args) => ipcRenderer.invoke(channel, ...args);
}

/** Adds a listener that receives only the payload (never the event, which carries `sender`). */
function subscriber(channel: string): (listener: (payload: unknown) => void) => () => void {
  return (listener) => {
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  };
}

const api: Record<string, unknown> = {};
for (const name of API_NAMES) {
  const entry = IPC[name];
  api[name] = entry.kind === 'call' ? invoker(entry.channel) : subscriber(entry.channel);
}

contextBridge.exposeInMainWorld('crashbell', api as CrashbellApi);
