/**
 * IPC between the window and main: every call of the IPC table registered with its sender check and argument
 * schema (the app service answers most, the shell its own), and every push sent to our window only.
 */
import { type EventChannels, SERVICE_EVENT_CHANNELS, type ShellCalls, type UpdateState } from '../shared/ipc';
import type { AppService } from './core/app-service';
import { ipcMain } from './electron';
import { registerIpcHandlers, serviceHandlers, shellHandlers } from './ipc-handlers';
import { type IpcMainLike, sendEvent } from './ipc-main';
import type { ShellParts } from './shell-parts';
import { log } from './shell-log';

export interface IpcWiring {
  service: AppService;
  /** The calls the shell answers. */
  shellCalls: ShellCalls;
  /** The shell's push: the update state. */
  onUpdateState(listener: (state: UpdateState) => void): () => void;
  parts: ShellParts;
  /** The renderer's URL, which the sender check holds every call to. */
  rendererUrl: string;
}

/** Registers every call and forwards every push; returns the function that undoes it all. */
export function wireIpc(w: IpcWiring): () => void {
  const unregister = registerIpcHandlers(
    ipcMain as unknown as IpcMainLike,
    { ...serviceHandlers(w.service), ...shellHandlers(w.shellCalls) },
    { trust: { webContentsId: () => w.parts.windows?.webContentsId() ?? null, rendererUrl: w.rendererUrl }, log },
  );
  log('ipc handlers registered');
  const send =
    <C extends keyof EventChannels>(channel: C) =>
    (payload: EventChannels[C]) =>
      sendEvent(w.parts.window(), channel, payload);
  const offs = SERVICE_EVENT_CHANNELS.map((channel) => w.service.subscribe(channel, send(channel)));
  offs.push(w.onUpdateState(send('update:state')));
  return () => {
    unregister();
    for (const off of offs) off();
  };
}
