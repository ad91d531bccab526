/**
 * The one module of the shell that imports `electron` (and `electron-updater`, which is Electron's too).
 * Everything else in `main/` (outside `core/`) imports Electron's objects from here, so tests mock a single
 * boundary and the start-up smoke can swap in a fake.
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

/** electron-updater's module: `autoUpdater` and the updater classes it picks from. */
export type ElectronUpdaterModule = typeof import('electron-updater');

/**
 * electron-updater, loaded on first use rather than with the shell: it takes about 80 ms to load, which start-up
 * need not wait for, and a copy that cannot update (run from source, installed from the deb) never loads it.
 */
export async function loadElectronUpdater(): Promise<ElectronUpdaterModule> {
  const loaded = (await import('electron-updater')) as ElectronUpdaterModule & { default?: ElectronUpdaterModule };
  // A CommonJS package: Node's loader finds its classes as named exports but not the `autoUpdater` getter, which
  // only `default` (module.exports) has.
  return loaded.default ?? loaded;
}
