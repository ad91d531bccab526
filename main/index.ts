/**
 * Crashbell's Electron main process: wires the Electron-free core to Electron and holds no business logic.
 *
 * Start-up order: single-instance lock → app user model id → settings store → inbox → receiver core →
 * tunnel → app service → IPC → tray → window → notifications. Each step logs one line (`[crashbell] …`), which
 * the start-up smoke test reads.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NotificationRequest, TunnelState } from '../shared/events';
import { EVENT_CHANNELS, type AppState, type EventChannel, type EventChannels, type ViewName } from '../shared/ipc';
import { appCoreOf, createAppService, type AppService } from './core/app-service';
import { CrashbellCore, CoreEvents } from './core/core';
import { openInbox } from './core/inbox/index';
import { TunnelManager, type NgrokSdk, type TunnelConfig } from './core/tunnel';
import { acquireSingleInstance, applyStartAtLogin, Lifecycle, reconnectOnResume, startsHidden, type AppLike } from './app-lifecycle';
import {
  app,
  BrowserWindow,
  clipboard,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  safeStorage,
  session,
  shell,
  Tray,
  type MenuItemConstructorOptions,
} from './electron';
import { registerIpcHandlers, serviceHandlers } from './ipc-handlers';
import { sendEvent, type IpcMainLike } from './ipc-main';
import { Notifier, urlChangedNotification, urlChangeToAnnounce } from './notifications';
import { DesktopSettingsStore, electronStoreBacking } from './desktop-settings-store';
import { desktopHasTray, TrayController, type TrayIconKind, type TrayState } from './tray';
import { lockDownSession, windowOptions, WindowManager, type WindowLike } from './window';

/** Windows needs it for notifications; electron-builder.yml's appId. */
const APP_ID = 'dev.crashbell.app';
const SHUTDOWN_TIMEOUT_MS = 5_000;
const TRAY_REFRESH_MS = 250;

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

/** The real SDK, loaded on first use: a native module that fails to load leaves the app running locally. */
const ngrokSdk: NgrokSdk = {
  async forward(config) {
    const ngrok = await import('@ngrok/ngrok');
    return ngrok.forward(config);
  },
};

async function main(): Promise<void> {
  const electronApp = app as unknown as AppLike;

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

  // Late-bound: the inbox may raise before the notifier exists (a hook right at start-up); those wait here.
  let service: AppService | null = null;
  let notifier: Notifier | null = null;
  const pendingNotifications: NotificationRequest[] = [];
  const raise = (n: NotificationRequest) => {
    if (notifier) notifier.show(n);
    else pendingNotifications.push(n);
  };

  // 4. Inbox (durable history under userData/history).
  const dataDir = join(userData, 'history');
  mkdirSync(dataDir, { recursive: true });
  const events = new CoreEvents();
  const inbox = await openInbox({
    dataDir,
    getSettings: () => settings.get(),
    onNotification: (n) => {
      raise(n);
      service?.notificationRaised(n);
    },
    onGroupChanged: (g) => service?.groupChanged(g),
    onWarning: (message) => log(`inbox: ${message}`),
  });
  log(`inbox opened in ${dataDir} (${inbox.counts().groups} groups)`);

  // 5. Receiver. If the configured port is taken, listen on a free one and say so: the tunnel forwards to
  // whatever port we have, so public URLs keep working; only the local URL changes.
  let receiverError: string | null = null;
  let core: CrashbellCore;
  try {
    core = await CrashbellCore.start({ settings, inbox, events, onWarning: (m) => log(`core: ${m}`) });
  } catch (err) {
    receiverError = `${errorText(err)}. Crashbell listens on another port for now; change the port in Settings.`;
    log(`receiver: ${receiverError}`);
    core = await CrashbellCore.start({ settings, inbox, events, port: 0, onWarning: (m) => log(`core: ${m}`) });
  }
  events.on('request', (record) => service?.requestRecorded(record));
  log(`receiver listening on ${core.localBaseUrl}`);
  const appCore = appCoreOf(core);

  // 6. Tunnel.
  const tunnel = new TunnelManager({ sdk: ngrokSdk, log });
  const tunnelConfig = (): TunnelConfig => {
    const s = settings.get();
    return { enabled: s.tunnel.enabled, port: appCore.port ?? s.port, authtoken: s.tunnel.authtoken, domain: s.tunnel.domain };
  };
  tunnel.subscribe((state) => log(`tunnel: ${describeTunnel(state)}`));
  // Not awaited: connecting may take until the forward() timeout, and the window must not wait for ngrok.
  void tunnel.apply(tunnelConfig());
  log('tunnel manager started');
  reconnectOnResume(powerMonitor, () => {
    log('resumed from sleep: reconnecting the tunnel');
    void tunnel.reconnect();
  });

  // Linux has no login items: an XDG autostart entry, only for an installed app (a dev run has no launcher).
  const linuxAutostart = app.isPackaged
    ? {
        dir: join(process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'autostart'),
        exec: process.env['APPIMAGE'] || process.execPath,
      }
    : undefined;
  const setStartAtLogin = (enabled: boolean) => {
    try {
      applyStartAtLogin(electronApp, enabled, process.platform, linuxAutostart);
    } catch (err) {
      log(`start at login: ${errorText(err)}`);
    }
  };

  // 7. App service, with Electron's powers injected.
  service = createAppService({
    core: appCore,
    inbox,
    settings,
    tunnel,
    shell: {
      copyText: (text) => clipboard.writeText(text),
      openExternal: (url) => shell.openExternal(url),
      setStartAtLogin,
    },
    secretStorage: settings.secretStorage(),
    version: app.getVersion(),
    platform: process.platform,
    receiverError: () => receiverError,
  });
  const svc = service;
  setStartAtLogin(settings.get().startAtLogin);

  // Settings the shell acts on: the receiver's port and the tunnel's configuration.
  let boundPort = settings.get().port;
  settings.subscribe((s) => {
    if (s.port !== boundPort) {
      boundPort = s.port;
      void core
        .rebind(s.port)
        .then(() => {
          receiverError = null;
          log(`receiver moved to ${core.localBaseUrl}`);
        })
        .catch(async (err: unknown) => {
          receiverError = `${errorText(err)}. Crashbell listens on another port for now.`;
          log(`receiver: ${receiverError}`);
          await core.rebind(0).catch((again: unknown) => log(`receiver: ${errorText(again)}`));
        })
        .finally(() => {
          svc.refreshState();
          void tunnel.apply(tunnelConfig());
        });
      return;
    }
    void tunnel.apply(tunnelConfig());
  });

  // 8. IPC: every call checked (sender, arguments) before it reaches the service.
  // electron-vite's dev server in development; the packaged file otherwise (an empty variable counts as unset).
  const rendererUrlEnv = (!app.isPackaged && process.env['ELECTRON_RENDERER_URL']) || undefined;
  const rendererFile = join(import.meta.dirname, '../renderer/index.html');
  const rendererUrl = rendererUrlEnv ?? pathToFileURL(rendererFile).href;
  let windows: WindowManager | null = null;
  const unregisterIpc = registerIpcHandlers(ipcMain as unknown as IpcMainLike, serviceHandlers(svc), {
    trust: { webContentsId: () => windows?.webContentsId() ?? null, rendererUrl },
    log,
  });
  log('ipc handlers registered');

  // Pushes go to our window only.
  const window = () => windows?.window ?? null;
  for (const channel of EVENT_CHANNELS) forward(svc, channel, (payload) => sendEvent(window(), channel, payload));

  // 9. Tray.
  const hasTray = desktopHasTray(process.platform, process.env);
  const navigateTo = (view: ViewName, groupId?: string) => {
    const win = windows?.showWindow() ?? null;
    const contents = (win as unknown as BrowserWindow | null)?.webContents;
    // A window created just now has no renderer yet: navigate once it has loaded.
    if (contents?.isLoading()) contents.once('did-finish-load', () => svc.navigate(view, groupId));
    else svc.navigate(view, groupId);
  };
  let trayState = await buildTrayState(svc, inbox, settings.get().startAtLogin);
  const tray = new TrayController(
    {
      createTray: (icon) => new Tray(nativeImage.createFromPath(icon)),
      buildMenu: (template) => Menu.buildFromTemplate(template as MenuItemConstructorOptions[]),
      iconPath: trayIconPath,
      platform: process.platform,
      actions: {
        openWindow: () => showWindow(),
        openGroup: (groupId) => {
          void svc.openGroup(groupId).then(
            (result) => {
              if (!result.opened) {
                log(`tray: not opened: ${result.reason ?? 'unknown reason'}`);
                navigateTo('errors', groupId);
              }
            },
            (err: unknown) => log(`tray: ${errorText(err)}`),
          );
        },
        copyWebhookUrl: (sourceId) => {
          const source = trayState.sources.find((s) => s.id === sourceId);
          if (source) void svc.copy(source.webhookUrl, { sourceId, webhookUrl: true });
        },
        setDnd: (mode) => void svc.setDnd(mode).catch((err: unknown) => log(`tray: ${errorText(err)}`)),
        setPausedAll: (paused) => void svc.updateSettings({ pausedAll: paused }).catch((err: unknown) => log(`tray: ${errorText(err)}`)),
        setStartAtLogin: (enabled) =>
          void svc.updateSettings({ startAtLogin: enabled }).catch((err: unknown) => log(`tray: ${errorText(err)}`)),
        quit: () => lifecycle.quit(),
      },
    },
    trayState,
  );
  log(`tray created (${hasTray ? 'hides to tray on close' : 'no tray on this desktop: the window minimizes on close'})`);
  // Coalesced: a storm of hooks updates groups many times a second, and rebuilding a native menu is not free.
  let trayTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshTray = () => {
    if (trayTimer) return;
    trayTimer = setTimeout(() => {
      trayTimer = null;
      buildTrayState(svc, inbox, settings.get().startAtLogin)
        .then((next) => {
          trayState = next;
          tray.update(next);
        })
        .catch((err: unknown) => log(`tray: ${errorText(err)}`));
    }, TRAY_REFRESH_MS);
  };
  svc.subscribe('state:changed', refreshTray);
  svc.subscribe('group:updated', refreshTray);

  // 10. Window.
  // The CSP header would break the dev server's hot reload; the packaged renderer always gets it.
  lockDownSession(session.defaultSession, log, { csp: rendererUrlEnv === undefined });
  const preload = join(import.meta.dirname, '../preload/preload.cjs');
  const appIcon = resourcePath('icon.png');
  windows = new WindowManager({
    create: () => new BrowserWindow(windowOptions(preload, process.platform === 'linux' ? appIcon : undefined)) as unknown as WindowLike,
    renderer: rendererUrlEnv ? { url: rendererUrlEnv } : { file: rendererFile },
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

  // 11. Notifications.
  notifier = new Notifier({
    createNotification: (options) => new Notification(options),
    isSupported: () => Notification.isSupported(),
    icon: appIcon,
    openExternal: (url) => shell.openExternal(url),
    showWindow: () => showWindow(),
    navigate: (view, groupId) => navigateTo(view, groupId),
    markRead: (groupId) => void svc.markGroup(groupId, { read: true }).catch((err: unknown) => log(`notifications: ${errorText(err)}`)),
    log,
  });
  notifier.onRefused((r) => log(`notification link refused (${r.reason})`));
  log('notifications ready');
  for (const n of pendingNotifications.splice(0)) notifier.show(n);

  // The public URL changed from the one the user pasted into providers: say so once per new URL.
  let announcedUrl: string | null = null;
  // Held until the next one replaces it: a notification that is garbage-collected loses its click handler.
  const urlNotices: Notification[] = [];
  const checkUrlChange = (state: TunnelState) => {
    const s = settings.get();
    const current = urlChangeToAnnounce(state, s.tunnel.lastCopiedUrl, s.sources.length, announcedUrl);
    if (!current) return;
    announcedUrl = current;
    void svc.getState().then((appState: AppState) => {
      const message = urlChangedNotification(
        current,
        appState.sources.map((src) => ({ name: src.name, webhookUrl: src.webhookUrl })),
      );
      const n = new Notification({ title: message.title, body: message.body, icon: appIcon });
      n.on('click', () => navigateTo('setup'));
      urlNotices.splice(0, urlNotices.length, n);
      n.show();
      log(`public URL changed to ${current}: providers must be updated`);
    });
  };
  tunnel.subscribe((state) => checkUrlChange(state));
  checkUrlChange(tunnel.getState());

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
      svc.close();
      if (trayTimer) clearTimeout(trayTimer);
      tray.destroy();
      await tunnel.stop();
      await core.stop();
      await inbox.close();
    })();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref());
    void Promise.race([cleanup, timeout])
      .catch((err: unknown) => log(`shutdown: ${errorText(err)}`))
      .finally(() => {
        cleanedUp = true;
        app.quit();
      });
  });
}

function forward<C extends EventChannel>(service: AppService, channel: C, send: (payload: EventChannels[C]) => void): void {
  service.subscribe(channel, send);
}

function describeTunnel(state: TunnelState): string {
  switch (state.status) {
    case 'online':
      return `online at ${state.url}`;
    case 'connecting':
      return `connecting (attempt ${state.attempt})`;
    case 'error':
      return `error: ${state.reason}`;
    case 'off':
      return `off: ${state.reason}`;
  }
}

async function buildTrayState(
  service: AppService,
  inbox: { latest(n: number): Array<{ id: string; title: string; read: boolean }> },
  startAtLogin: boolean,
): Promise<TrayState> {
  const state = await service.getState();
  return {
    listening: state.receiver.listening,
    localBaseUrl: state.receiver.localBaseUrl,
    tunnel: state.tunnel,
    publicBaseUrl: state.publicBaseUrl,
    unread: state.unread,
    dnd: state.dnd,
    pausedAll: state.pausedAll,
    startAtLogin,
    latest: inbox.latest(5).map((g) => ({ id: g.id, title: g.title, unread: !g.read })),
    sources: state.sources.map((s) => ({ id: s.id, name: s.name, webhookUrl: s.webhookUrl })),
  };
}

main().catch((err: unknown) => {
  log(`start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  app.exit(1);
});
