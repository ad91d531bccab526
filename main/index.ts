/**
 * Crashbell's Electron main process: wires the engine (built by the same `startEngine` as headless mode and
 * the e2e harness) to Electron, and holds no logic of its own.
 *
 * Start-up order: the app:// scheme registered (before ready) → single-instance lock → app user model id →
 * settings store → engine (inbox, receiver, tunnel, app service) → the renderer's app:// handler and IPC → tray →
 * window → notifications. Each step logs one line (`[crashbell] …`),
 * which the start-up smoke test reads.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler, RENDERER_ORIGIN, RENDERER_URL } from './app-protocol';
import { EVENT_CHANNELS, type ViewName } from '../shared/ipc';
import { type ControlServer, startControlServer } from './core/control/server';
import { type Engine, startEngine } from './core/engine';
import { lazyNgrokSdk } from './core/tunnel';
import {
  type AppLike,
  acquireSingleInstance,
  applyStartAtLogin,
  Lifecycle,
  linuxAutostartFor,
  reconnectOnResume,
  startsHidden,
} from './app-lifecycle';
import {
  app,
  BrowserWindow,
  clipboard,
  ipcMain,
  Menu,
  type MenuItemConstructorOptions,
  Notification,
  nativeImage,
  net,
  powerMonitor,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
} from './electron';
import { registerIpcHandlers, serviceHandlers } from './ipc-handlers';
import { type IpcMainLike, sendEvent } from './ipc-main';
import { Notifier } from './notifications';
import { DesktopSettingsStore, electronStoreBacking } from './desktop-settings-store';
import { desktopHasTray, TrayController, type TrayIconKind, trayStateOf } from './tray';
import { lockDownSession, RENDERER_CSP, type WindowLike, WindowManager, windowOptions } from './window';

/** Windows needs it for notifications; electron-builder.yml's appId. */
const APP_ID = 'dev.crashbell.app';
const SHUTDOWN_TIMEOUT_MS = 5_000;

function log(message: string): void {
  process.stdout.write(`[crashbell] ${message}\n`);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Where files shipped beside the app live: `resources/` when packaged, `build/` in development. */
function resourcePath(...parts: string[]): string {
  return app.isPackaged ? join(process.resourcesPath, ...parts) : join(app.getAppPath(), 'build', ...parts);
}

function trayIconPath(kind: TrayIconKind): string {
  return resourcePath('tray', process.platform === 'linux' ? `linux-${kind}.png` : `${kind}.png`);
}

async function main(): Promise<void> {
  const electronApp = app as unknown as AppLike;
  // Before anything is awaited: a privileged scheme can only be registered before 'ready', once.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

  // 1. One instance: a second launch focuses the first and leaves.
  let showWindow: () => void = () => undefined;
  if (!acquireSingleInstance(electronApp, () => showWindow())) {
    log('another Crashbell is running; focusing it');
    app.quit();
    return;
  }
  log('single-instance lock acquired');
  const lifecycle = new Lifecycle(electronApp);

  // 2. Windows shows notifications only for an app with a user model id (the installer's shortcut carries it).
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  await app.whenReady();

  // 3. Settings.
  const userData = app.getPath('userData');
  const settings = new DesktopSettingsStore({
    backing: electronStoreBacking(userData, log),
    cipher: safeStorage,
    platform: process.platform,
    log,
  });
  log(`settings loaded from ${settings.path}`);
  if (!settings.secretStorage().available) log(settings.secretStorage().note ?? 'secrets are stored in plain text');

  // 4. The engine: inbox (durable history under userData/history), receiver, tunnel, app service. If the
  // configured port is taken it listens on a free one and says so: the tunnel forwards to whatever port it
  // has, so public URLs keep working; only the local URL changes.
  const dataDir = join(userData, 'history');
  mkdirSync(dataDir, { recursive: true });
  const linuxAutostart = linuxAutostartFor(app.isPackaged, process.env, process.execPath);
  const setStartAtLogin = (enabled: boolean) => {
    try {
      applyStartAtLogin(electronApp, enabled, process.platform, linuxAutostart);
    } catch (err) {
      log(`start at login: ${errorText(err)}`);
    }
  };
  // Built before the engine so a hook that arrives the moment the port opens still shows; what it needs of
  // the window and the service is looked up when a notification is clicked.
  let windows: WindowManager | null = null;
  let engine: Engine | null = null;
  const navigateTo = (view: ViewName, groupId?: string) => windows?.showAndNavigate(() => engine?.service.navigate(view, groupId));
  const reportTo = (what: string) => (err: unknown) => log(`${what}: ${errorText(err)}`);
  const appIcon = resourcePath('icon.png');
  const notifier = new Notifier({
    createNotification: (options) => new Notification(options),
    isSupported: () => Notification.isSupported(),
    platform: process.platform,
    icon: appIcon,
    openGroup: (groupId) =>
      engine ? engine.service.openGroup(groupId) : Promise.resolve({ opened: false, reason: 'Crashbell is still starting' }),
    showWindow: () => showWindow(),
    navigate: (view, groupId) => navigateTo(view, groupId),
    markRead: (groupId) => void engine?.service.markGroup(groupId, { read: true }).catch(reportTo('notifications')),
    mute: (groupId) => void engine?.service.markGroup(groupId, { muted: true, read: true }).catch(reportTo('notifications')),
    log,
  });
  notifier.onRefused((r) => log(`notification link refused (${r.reason})`));

  engine = await startEngine({
    settings,
    dataDir,
    owner: 'app',
    fallbackToFreePort: true,
    ngrok: lazyNgrokSdk,
    shell: {
      copyText: (text) => clipboard.writeText(text),
      openExternal: (url) => shell.openExternal(url),
      setStartAtLogin,
    },
    secretStorage: settings.secretStorage(),
    version: app.getVersion(),
    platform: process.platform,
    onWarning: (m) => log(`core: ${m}`),
    listeners: { notification: (n) => notifier.show(n) },
    log,
  });
  const { core, service: svc } = engine;
  const tunnel = engine.tunnel!;
  const running = engine;
  log(`inbox opened in ${dataDir} (${core.inbox.counts().groups} groups)`);
  if (core.receiver.error) log(`receiver: ${core.receiver.error}; change the port in Settings`);
  log(`receiver listening on ${core.localBaseUrl}`);
  log('tunnel manager started');
  // The command line's control socket in the data folder (`crashbell list --data-dir <userData>/history`).
  const control: ControlServer | null = await startControlServer({ dataDir, service: svc, log }).catch((err: unknown) => {
    log(`control socket: ${errorText(err)}`);
    return null;
  });
  if (control) log(`control socket at ${control.path}`);
  reconnectOnResume(powerMonitor, () => {
    log('resumed from sleep: reconnecting the tunnel and the team relay');
    void tunnel.reconnect();
    void engine?.relay.reconnect();
  });
  setStartAtLogin(settings.get().startAtLogin);

  // 5. IPC: every call checked (sender, arguments) before it reaches the service.
  // electron-vite's dev server in development (an empty variable counts as unset); otherwise the built renderer,
  // served from app://crashbell/ by our handler (app-protocol.ts) with the CSP on every response.
  const rendererUrlEnv = (!app.isPackaged && process.env['ELECTRON_RENDERER_URL']) || undefined;
  if (rendererUrlEnv === undefined) {
    protocol.handle(
      APP_SCHEME,
      createAppProtocolHandler({
        root: join(import.meta.dirname, '../renderer'),
        fetchFile: (fileUrl) => net.fetch(fileUrl),
        csp: RENDERER_CSP,
      }),
    );
    log(`renderer served from ${RENDERER_ORIGIN}`);
  }
  const rendererUrl = rendererUrlEnv ?? RENDERER_URL;
  const unregisterIpc = registerIpcHandlers(ipcMain as unknown as IpcMainLike, serviceHandlers(svc), {
    trust: { webContentsId: () => windows?.webContentsId() ?? null, rendererUrl },
    log,
  });
  log('ipc handlers registered');
  // Pushes go to our window only.
  const window = () => windows?.window ?? null;
  for (const channel of EVENT_CHANNELS) svc.subscribe(channel, (payload) => sendEvent(window(), channel, payload));

  // 6. Tray, fed by the service's state pushes.
  const hasTray = desktopHasTray(process.platform, process.env);
  const tray = new TrayController(
    {
      createTray: (icon) => new Tray(nativeImage.createFromPath(icon)),
      buildMenu: (template) => Menu.buildFromTemplate(template as MenuItemConstructorOptions[]),
      iconPath: trayIconPath,
      platform: process.platform,
      actions: {
        openWindow: () => showWindow(),
        openGroup: (groupId) => {
          void svc.openGroup(groupId).then((result) => {
            if (!result.opened) {
              log(`tray: not opened: ${result.reason ?? 'unknown reason'}`);
              navigateTo('errors', groupId);
            }
          }, reportTo('tray'));
        },
        markAllRead: () => void svc.markAllRead().catch(reportTo('tray')),
        copyWebhookUrl: (sourceId) => {
          const source = tray.state.sources.find((s) => s.id === sourceId);
          if (source) void svc.copy(source.webhookUrl, { sourceId, webhookUrl: true }).catch(reportTo('tray'));
        },
        setDnd: (mode) => void svc.setDnd(mode).catch(reportTo('tray')),
        setPausedAll: (paused) => void svc.updateSettings({ pausedAll: paused }).catch(reportTo('tray')),
        setStartAtLogin: (enabled) => void svc.updateSettings({ startAtLogin: enabled }).catch(reportTo('tray')),
        quit: () => lifecycle.quit(),
      },
    },
    trayStateOf(await svc.getState()),
  );
  const unfollowTray = tray.follow((listener) => svc.subscribe('state:changed', listener));
  log(`tray created (${hasTray ? 'hides to tray on close' : 'no tray on this desktop: the window minimizes on close'})`);

  // 7. Window.
  // The CSP header would break the dev server's hot reload; the packaged renderer always gets it.
  lockDownSession(session.defaultSession, log, { csp: rendererUrlEnv === undefined });
  const preload = join(import.meta.dirname, '../preload/preload.cjs');
  windows = new WindowManager({
    create: () => new BrowserWindow(windowOptions(preload, process.platform === 'linux' ? appIcon : undefined)) as unknown as WindowLike,
    renderer: { url: rendererUrl },
    openExternal: (url) => void shell.openExternal(url),
    hasTray,
    isQuitting: () => lifecycle.isQuitting(),
    log,
  });
  const wm = windows;
  showWindow = () => void wm.showWindow();
  app.on('activate', () => showWindow());
  if (startsHidden(electronApp, process.argv, process.platform)) wm.ensureWindow();
  else wm.showWindow();
  log('window created');

  // 8. Notifications: what the core raises (an event's notification, a digest) shows from the start;
  // a changed public URL is announced once per new URL.
  const announce = (state: Awaited<ReturnType<typeof svc.getState>>) =>
    notifier.announceUrlChange(state, settings.get().tunnel.lastCopiedUrl);
  const offAnnounce = svc.subscribe('state:changed', announce);
  announce(await svc.getState());
  log('notifications ready');

  // Quit: close the tunnel, stop the receiver (letting requests finish) and flush the inbox, bounded in time.
  let cleanedUp = false;
  app.on('window-all-closed', () => {
    // A tray app keeps running with no window; Quit in the tray menu ends it.
  });
  app.on('will-quit', (event: { preventDefault(): void }) => {
    if (cleanedUp) return;
    event.preventDefault();
    const cleanup = (async () => {
      unregisterIpc();
      unfollowTray();
      offAnnounce();
      tray.destroy();
      await control?.close();
      await running.stop();
    })();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref());
    void Promise.race([cleanup, timeout])
      .catch(reportTo('shutdown'))
      .finally(() => {
        cleanedUp = true;
        app.quit();
      });
  });
}

main().catch((err: unknown) => {
  log(`start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  app.exit(1);
});
