/**
 * The shell's side of the app's own updates: whether this copy can update (asked of
 * electron-updater, which knows how the app was installed), the network rule for the updater's requests, and
 * the {@link UpdateController} built over all of it and kept in step with the `autoUpdate` setting.
 */
import type { Settings } from '../shared/settings';
import { type ElectronUpdaterModule, loadElectronUpdater } from './electron';
import { UPDATE_FEED } from './update-feed';
import { UpdateController, type UpdateFeed, type UpdaterSupport } from './updater';

/** How this copy was installed, as electron-updater tells it by the updater it picked. */
export type InstallKind = 'appimage' | 'deb' | 'rpm' | 'pacman' | 'nsis' | 'mac' | 'other';

/**
 * Which installer this copy came from: electron-updater picks its updater from the platform and, on Linux,
 * from `resources/package-type`, which electron-builder writes into the deb, rpm and pacman packages.
 */
export function installKindOf(module: ElectronUpdaterModule, updater: unknown): InstallKind {
  if (updater instanceof module.DebUpdater) return 'deb';
  if (updater instanceof module.RpmUpdater) return 'rpm';
  if (updater instanceof module.PacmanUpdater) return 'pacman';
  if (updater instanceof module.AppImageUpdater) return 'appimage';
  if (updater instanceof module.NsisUpdater) return 'nsis';
  if (updater instanceof module.MacUpdater) return 'mac';
  return 'other';
}

/** Why a copy does not update itself, by how it was installed (null: it does). */
export function unsupportedReason(kind: InstallKind): string | null {
  switch (kind) {
    case 'deb':
      return 'Installed from the .deb package, which your package manager owns: Crashbell does not replace its files. Install the new .deb from the releases page with the package manager (sudo apt install ./crashbell_<version>_amd64.deb).';
    case 'rpm':
    case 'pacman':
      return `Installed from the ${kind} package, which your package manager owns: Crashbell does not replace its files. Update it with the package manager.`;
    case 'other':
      return 'This copy was not installed from an installer Crashbell can update (the AppImage, dmg or Windows installer): download the new version from the releases page.';
    default:
      return null;
  }
}

/** The part of an Electron session the updater's requests go through. */
export interface SessionLike {
  webRequest: {
    onBeforeRequest(
      filter: { urls: string[] },
      listener: (details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void,
    ): void;
  };
}

/**
 * Refuses every plain-HTTP request of the updater's own session (electron-updater downloads through a session
 * of its own): the feed is HTTPS, and this keeps a redirect from taking a download to `http:`.
 */
export function refusePlainHttp(session: SessionLike, log: (message: string) => void): void {
  session.webRequest.onBeforeRequest({ urls: ['http://*/*'] }, (details, callback) => {
    let origin = details.url;
    try {
      origin = new URL(details.url).origin;
    } catch {
      // Logged as given.
    }
    log(`updates: refused a plain-HTTP request to ${origin.slice(0, 200)}`);
    callback({ cancel: true });
  });
}

export interface UpdaterLoadOptions {
  /** `app.isPackaged`: false under npm start and npm run dev. */
  packaged: boolean;
  /** Quits, and starts `execPath` once this process has exited (Electron's `app.relaunch`). */
  restartInto: (execPath: string) => void;
  log: (message: string) => void;
}

/**
 * Whether this copy can update, and its updater set up if it can: packaged, installed from the AppImage, the dmg
 * or the Windows installer, and active by electron-updater's own rule (an AppImage needs `$APPIMAGE`).
 */
export async function loadUpdaterSupport(feed: UpdateFeed, options: UpdaterLoadOptions): Promise<UpdaterSupport> {
  if (!options.packaged) {
    return {
      unsupported:
        'This copy runs from source (npm start or npm run dev), not from an installer: it updates with git pull and npm install.',
    };
  }
  const module = await loadElectronUpdater();
  const updater = module.autoUpdater;
  const kind = installKindOf(module, updater);
  const refused = unsupportedReason(kind);
  if (refused) return { unsupported: refused };
  updater.logger = {
    info: (m?: unknown) => options.log(`updater: ${String(m)}`),
    warn: (m?: unknown) => options.log(`updater: warning: ${String(m)}`),
    error: (m?: unknown) => options.log(`updater: error: ${String(m)}`),
  };
  if (!updater.isUpdaterActive()) {
    return {
      unsupported:
        kind === 'appimage'
          ? 'This copy is not running from its AppImage file ($APPIMAGE is not set), so there is no file to replace: download the new version from the releases page.'
          : 'electron-updater says this copy of Crashbell cannot update itself.',
    };
  }
  // Web installers download their payload unverified; Crashbell publishes none, so none is accepted.
  updater.disableWebInstaller = true;
  updater.setFeedURL(feed);
  refusePlainHttp(updater.netSession, options.log);
  if (!(updater instanceof module.AppImageUpdater)) return { updater };
  // The updater would start the new AppImage at once, while this one still holds the single-instance lock and
  // the history (the new one would then quit as a second instance): it replaces the file, and this process
  // starts the new one only once it has exited. The file is renamed when its name carries the version.
  let appImage = process.env['APPIMAGE'] ?? '';
  updater.on('appimage-filename-updated', (path) => {
    appImage = path;
  });
  return {
    updater,
    install: () => {
      if (updater.install(true, false)) options.restartInto(appImage);
    },
  };
}

export interface AppUpdatesOptions extends UpdaterLoadOptions {
  settings: { get(): Settings; subscribe(listener: (settings: Settings) => void): () => void };
  /** Lets the window close for the install (it hides on close otherwise). */
  beforeInstall: () => void;
  feed?: UpdateFeed;
}

/** The app's updates: a controller over electron-updater that follows the `autoUpdate` setting. Call `start()` once the window is up. */
export function createAppUpdates(options: AppUpdatesOptions): { controller: UpdateController; dispose(): void } {
  const feed = options.feed ?? UPDATE_FEED;
  const controller = new UpdateController({
    feed,
    load: (f) => loadUpdaterSupport(f, options),
    enabled: options.settings.get().autoUpdate,
    beforeInstall: options.beforeInstall,
    log: options.log,
  });
  const unfollow = options.settings.subscribe((s) => controller.setEnabled(s.autoUpdate));
  return {
    controller,
    dispose() {
      unfollow();
      controller.dispose();
    },
  };
}
