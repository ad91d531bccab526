/**
 * The one Crashbell window: locked down (context isolation, sandbox, no Node, a strict CSP, no navigation, no
 * new windows, every permission denied) and shown through one `showWindow()`.
 */
import type { BrowserWindowConstructorOptions } from './electron';
import { checkExternalUrl } from './core/links';

/**
 * The Content-Security-Policy sent as a header as well as the renderer's meta tag (defense in depth: the
 * header also covers anything that loses the meta tag).
 */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

/** The window's web preferences: the security settings are not options. */
export function windowOptions(preloadPath: string, iconPath: string | undefined): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Crashbell',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  };
}

/** The part of Electron's Session the window locks down. */
export interface SessionLike {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[] | string> },
        callback: (response: { responseHeaders?: Record<string, string[] | string> }) => void,
      ) => void,
    ): void;
  };
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

/** Adds the CSP header to every response and denies every permission (camera, notifications API, geolocation...). */
export function lockDownSession(
  session: SessionLike,
  log: (message: string) => void = () => undefined,
  options: { csp: boolean } = { csp: true },
): void {
  if (options.csp) installCspHeader(session);
  session.setPermissionRequestHandler((_wc, permission, callback) => {
    log(`window: denied a request for the "${permission}" permission`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

function installCspHeader(session: SessionLike): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    }
    headers['Content-Security-Policy'] = [RENDERER_CSP];
    callback({ responseHeaders: headers });
  });
}

/** The part of Electron's WebContents the window locks down. */
export interface WebContentsLike {
  id: number;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
  on(event: 'did-finish-load', listener: () => void): void;
  on(
    event: 'did-fail-load',
    listener: (event: unknown, errorCode: number, errorDescription: string, validatedURL: string, isMainFrame: boolean) => void,
  ): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * No navigation away from the renderer and no new windows. A link the page tries to open in a new window goes
 * to the system browser when the http(s) guard accepts it.
 */
export function lockDownWebContents(
  contents: WebContentsLike,
  openExternal: (url: string) => void,
  log: (message: string) => void = () => undefined,
): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    log(`window: blocked navigation to ${JSON.stringify(url.slice(0, 200))}`);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    log(`window: blocked redirect to ${JSON.stringify(url.slice(0, 200))}`);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const verdict = checkExternalUrl(url);
    if (verdict.ok) openExternal(verdict.url);
    else log(`window: refused to open ${JSON.stringify(url.slice(0, 200))}: ${verdict.reason}`);
    return { action: 'deny' };
  });
}

/** The part of a BrowserWindow the manager drives. */
export interface WindowLike {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  isVisible(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
  hide(): void;
  minimize(): void;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): void;
  on(event: 'closed' | 'ready-to-show', listener: () => void): void;
  once(event: 'ready-to-show', listener: () => void): void;
  loadURL(url: string): Promise<void>;
  webContents: WebContentsLike & {
    isDestroyed(): boolean;
    isLoading(): boolean;
    once(event: 'did-finish-load', listener: () => void): void;
    send(channel: string, payload: unknown): void;
  };
}

export interface WindowManagerDeps {
  create(): WindowLike;
  /** The packaged renderer (`app://crashbell/index.html`), or the dev server URL from electron-vite (`ELECTRON_RENDERER_URL`). */
  renderer: { url: string };
  openExternal(url: string): void;
  /** Whether closing hides to the tray; without a tray the window is minimized instead. */
  hasTray: boolean;
  /** True once the user chose Quit: closing then really closes. */
  isQuitting(): boolean;
  log?: (message: string) => void;
  /** Called for a newly created window (once it exists), so IPC trust follows the live window. */
  onCreated?: (win: WindowLike) => void;
}

/** Owns the window: created on demand, hidden (or minimized) on close, shown by {@link showWindow}. */
export class WindowManager {
  private win: WindowLike | null = null;

  constructor(private readonly deps: WindowManagerDeps) {}

  /** The live window, if any. */
  get window(): WindowLike | null {
    return this.win && !this.win.isDestroyed() ? this.win : null;
  }

  /** Our webContents id, for the IPC trust check. */
  webContentsId(): number | null {
    return this.window?.webContents.id ?? null;
  }

  /** Creates the window when needed, restores it when minimized, shows it and focuses it. */
  showWindow(): WindowLike {
    const existing = this.window;
    if (existing) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const win = this.createWindow(true);
    return win;
  }

  /**
   * Shows the window and asks its renderer to show a view: at once when it is loaded, else once it has
   * loaded (a window created just now has no renderer to listen yet).
   */
  showAndNavigate(navigate: () => void): void {
    const win = this.showWindow();
    if (win.webContents.isLoading()) win.webContents.once('did-finish-load', navigate);
    else navigate();
  }

  /** Creates the window without showing it (start-up when launched at login). */
  ensureWindow(): WindowLike {
    return this.window ?? this.createWindow(false);
  }

  private createWindow(showWhenReady: boolean): WindowLike {
    const log = this.deps.log ?? (() => undefined);
    const win = this.deps.create();
    this.win = win;
    lockDownWebContents(win.webContents, (url) => this.deps.openExternal(url), log);
    win.on('close', (event) => {
      if (this.deps.isQuitting()) return;
      event.preventDefault();
      if (this.deps.hasTray) win.hide();
      else win.minimize();
    });
    win.on('closed', () => {
      if (this.win === win) this.win = null;
    });
    if (showWhenReady) {
      win.once('ready-to-show', () => {
        win.show();
        win.focus();
      });
    }
    // Said in the log either way: a blank window is otherwise silent (the release smoke reads these lines).
    win.webContents.on('did-finish-load', () => log(`window: renderer loaded ${this.deps.renderer.url}`));
    win.webContents.on('did-fail-load', (_event, code, description, url, isMainFrame) => {
      if (isMainFrame) log(`window: the renderer failed to load ${url} (${code} ${description})`);
    });
    this.deps.onCreated?.(win);
    const loading = win.loadURL(this.deps.renderer.url);
    loading.catch((err: unknown) => log(`window: the renderer failed to load: ${err instanceof Error ? err.message : String(err)}`));
    return win;
  }
}
