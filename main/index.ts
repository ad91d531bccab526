/**
 * Crashbell's Electron main process: wires the engine (built by the same `startEngine` as headless mode and
 * the e2e harness), the window, the tray, notifications and the app's own updates to Electron, and holds no
 * logic of its own. Each step logs one line (`[crashbell] …`), which the start-up smoke test reads.
 */
import { APP_SCHEME_PRIVILEGES } from './app-protocol';
import { createAppUpdates } from './app-updates';
import { Lifecycle } from './app-lifecycle';
import { quitCleanly } from './app-shutdown';
import { APP_ID, claimSingleInstance, electronApp, openDesktopSettings, startDesktopEngine } from './app-startup';
import { app, protocol } from './electron';
import { wireIpc } from './ipc-wiring';
import { announceUrlChanges, createNotifier, withdrawSettled } from './notifier-wiring';
import { ShellParts } from './shell-parts';
import { log } from './shell-log';
import { updateCalls } from './updater';
import { createTray } from './tray-wiring';
import { openMainWindow, serveRenderer } from './window-wiring';

async function main(): Promise<void> {
  // Before anything is awaited: a privileged scheme can only be registered before 'ready', once.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  const parts = new ShellParts();
  if (!claimSingleInstance(() => parts.showWindow())) return;
  const lifecycle = new Lifecycle(electronApp);
  // Windows shows notifications only for an app with a user model id (the installer's shortcut carries it).
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  await app.whenReady();

  const settings = openDesktopSettings();
  // Before the engine: a hook that arrives the moment the port opens must find it.
  const { notifier, act } = createNotifier(parts);
  const engine = await startDesktopEngine(settings, notifier);
  parts.engine = engine;
  // At once: a notification shown from now on is withdrawn when its group settles, by whatever route.
  const offWithdraw = withdrawSettled(engine.service, notifier);
  const updates = createAppUpdates({
    settings,
    packaged: app.isPackaged,
    beforeInstall: () => lifecycle.prepareToQuit(),
    restartInto: (execPath) => lifecycle.restartInto(execPath, process.argv),
    log,
  });
  // The renderer's files and every IPC call are in place before the window that loads and makes them.
  const renderer = serveRenderer();
  const offIpc = wireIpc({
    service: engine.service,
    shellCalls: updateCalls(updates.controller),
    onUpdateState: (listener) => updates.controller.onChange(listener),
    parts,
    rendererUrl: renderer.url,
  });
  const tray = await createTray(engine.service, updates.controller, parts, lifecycle, act);
  parts.windows = openMainWindow(renderer, lifecycle, tray.hasTray);
  const offAnnounce = await announceUrlChanges(engine.service, notifier, settings);
  // Last: loading electron-updater and the first check wait for nothing the user sees.
  updates.controller.start();

  quitCleanly(async () => {
    offIpc();
    offAnnounce();
    offWithdraw();
    updates.dispose();
    tray.dispose();
    await engine.stop();
  });
}

main().catch((err: unknown) => {
  log(`start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  app.exit(1);
});
