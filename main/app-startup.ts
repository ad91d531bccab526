/**
 * The desktop app's start: one instance, the settings store, and the engine (the same `startEngine` as
 * headless mode and the e2e harness) with what only the desktop adds: the clipboard, the browser, start at
 * login, and reconnecting after sleep.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type AppLike, acquireSingleInstance, applyStartAtLogin, linuxAutostartFor, reconnectOnResume } from './app-lifecycle';
import { type Engine, startEngine } from './core/engine';
import { lazyNgrokSdk } from './core/tunnel';
import { DesktopSettingsStore, electronStoreBacking } from './desktop-settings-store';
import { app, clipboard, powerMonitor, safeStorage, shell } from './electron';
import type { Notifier } from './notifications';
import { errorText, log } from './shell-log';

/** Windows needs it for notifications; electron-builder.yml's appId. */
export const APP_ID = 'dev.crashbell.app';

/** `app` as app-lifecycle.ts takes it. */
export const electronApp = app as unknown as AppLike;

/**
 * Takes the single-instance lock. False when another Crashbell runs: that one is focused (it calls
 * `onSecondInstance`) and this one quits.
 */
export function claimSingleInstance(onSecondInstance: () => void): boolean {
  if (!acquireSingleInstance(electronApp, onSecondInstance)) {
    log('another Crashbell is running; focusing it');
    app.quit();
    return false;
  }
  log('single-instance lock acquired');
  return true;
}

/** The settings: electron-store under userData, secrets through safeStorage (it says when that is not available). */
export function openDesktopSettings(): DesktopSettingsStore {
  const settings = new DesktopSettingsStore({
    backing: electronStoreBacking(app.getPath('userData'), log),
    cipher: safeStorage,
    platform: process.platform,
    log,
  });
  log(`settings loaded from ${settings.path}`);
  if (!settings.secretStorage().available) log(settings.secretStorage().note ?? 'secrets are stored in plain text');
  return settings;
}

/** Applies "start at login" to the system (an XDG autostart entry on Linux); a refusal is logged, not thrown. */
function startAtLoginSetter(): (enabled: boolean) => void {
  const linuxAutostart = linuxAutostartFor(app.isPackaged, process.env, process.execPath);
  return (enabled) => {
    try {
      applyStartAtLogin(electronApp, enabled, process.platform, linuxAutostart);
    } catch (err) {
      log(`start at login: ${errorText(err)}`);
    }
  };
}

/**
 * The engine: the durable history under userData/history, the receiver, the tunnel and the app service. If the
 * configured port is taken it listens on a free one and says so: the tunnel forwards to whatever port it has,
 * so public URLs keep working; only the local URL changes.
 */
export async function startDesktopEngine(settings: DesktopSettingsStore, notifier: Notifier): Promise<Engine> {
  const dataDir = join(app.getPath('userData'), 'history');
  // Private from its first moment: under a 002 umask a plain mkdir makes it group-writable, which is refused.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const setStartAtLogin = startAtLoginSetter();
  const engine = await startEngine({
    settings,
    dataDir,
    owner: 'app',
    fallbackToFreePort: true,
    ngrok: lazyNgrokSdk,
    shell: { copyText: (text) => clipboard.writeText(text), openExternal: (url) => shell.openExternal(url), setStartAtLogin },
    secretStorage: settings.secretStorage(),
    version: app.getVersion(),
    platform: process.platform,
    onWarning: (m) => log(`core: ${m}`),
    subscribe: (core) => void core.onNotification((n) => notifier.show(n)),
    controlSocket: true,
    log,
  });
  const { core } = engine;
  log(`inbox opened in ${dataDir} (${core.inbox.counts().groups} groups)`);
  if (core.receiver.error) log(`receiver: ${core.receiver.error}; change the port in Settings`);
  log(`receiver listening on ${core.localBaseUrl}`);
  log('tunnel manager started');
  // The command line's control socket in the data folder (`crashbell list --data-dir <userData>/history`).
  if (engine.control) log(`control socket at ${engine.control.path}`);
  reconnectOnResume(powerMonitor, () => {
    log('resumed from sleep: reconnecting the tunnel and the team relay');
    void engine.tunnel?.reconnect();
    void engine.relay.reconnect();
  });
  setStartAtLogin(settings.get().startAtLogin);
  return engine;
}
