/**
 * The one module of the shell that imports `electron`. Everything else in `main/` (outside `core/`) imports
 * Electron's objects from here, so tests mock a single boundary and the start-up smoke can swap in a fake.
 */
export {
  app,
  BrowserWindow,
  clipboard,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  net,
  powerMonitor,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
export type {
  BrowserWindowConstructorOptions,
  IpcMainInvokeEvent,
  MenuItemConstructorOptions,
  NativeImage,
  WebContents,
  WebFrameMain,
} from 'electron';
