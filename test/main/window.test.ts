import { describe, expect, it, vi } from 'vitest';
import { lockDownSession, RENDERER_CSP, windowOptions, WindowManager, type WindowLike } from '../../main/window';

type Listener = (...args: never[]) => unknown;

class FakeWebContents {
  readonly id = 3;
  readonly handlers = new Map<string, Listener>();
  openHandler: ((d: { url: string }) => { action: 'deny' }) | null = null;
  on(event: string, listener: Listener) {
    this.handlers.set(event, listener);
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }) {
    this.openHandler = h;
  }
  loading = true;
  readonly onceLoaded: Array<() => void> = [];
  isDestroyed() {
    return false;
  }
  isLoading() {
    return this.loading;
  }
  once(_event: 'did-finish-load', listener: () => void) {
    this.onceLoaded.push(listener);
  }
  finishLoad() {
    this.loading = false;
    for (const l of this.onceLoaded.splice(0)) l();
  }
  send() {}
}

class FakeWindow implements WindowLike {
  readonly webContents = new FakeWebContents();
  readonly handlers = new Map<string, Listener>();
  minimized = false;
  visible = false;
  destroyed = false;
  loaded: string | null = null;
  calls: string[] = [];
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return this.minimized;
  }
  isVisible() {
    return this.visible;
  }
  restore() {
    this.calls.push('restore');
    this.minimized = false;
  }
  show() {
    this.calls.push('show');
    this.visible = true;
  }
  focus() {
    this.calls.push('focus');
  }
  hide() {
    this.calls.push('hide');
    this.visible = false;
  }
  minimize() {
    this.calls.push('minimize');
    this.minimized = true;
  }
  on(event: string, listener: Listener) {
    this.handlers.set(event, listener);
  }
  once(event: string, listener: Listener) {
    this.handlers.set(event, listener);
  }
  async loadURL(url: string) {
    this.loaded = url;
  }
}

function manager(hasTray: boolean, quitting = false) {
  const windows: FakeWindow[] = [];
  const openExternal = vi.fn();
  const m = new WindowManager({
    create: () => {
      const w = new FakeWindow();
      windows.push(w);
      return w;
    },
    renderer: { url: 'app://crashbell/index.html' },
    openExternal,
    hasTray,
    isQuitting: () => quitting,
  });
  return { m, windows, openExternal };
}

describe('window security', () => {
  it('web preferences lock the renderer down', () => {
    const o = windowOptions('/app/out/preload/preload.cjs', undefined);
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('prevents navigation, denies new windows and routes only http(s) links to the browser', () => {
    const { m, windows, openExternal } = manager(true);
    m.showWindow();
    const wc = windows[0]!.webContents;
    const prevent = vi.fn();
    (wc.handlers.get('will-navigate') as (e: { preventDefault(): void }, url: string) => void)(
      { preventDefault: prevent },
      'https://evil.example',
    );
    expect(prevent).toHaveBeenCalled();
    expect(wc.openHandler!({ url: 'https://backtrace.io/x' })).toEqual({ action: 'deny' });
    expect(wc.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(wc.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://backtrace.io/x']]);
  });

  it('sets a strict CSP header and denies every permission', () => {
    let onHeaders: ((d: { url: string; responseHeaders?: Record<string, string[] | string> }, cb: (r: unknown) => void) => void) | null =
      null;
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
    let check: ((wc: unknown, p: string) => boolean) | null = null;
    lockDownSession({
      webRequest: { onHeadersReceived: (l) => (onHeaders = l) },
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
    });
    const cb = vi.fn();
    onHeaders!({ url: 'file:///x', responseHeaders: { 'content-security-policy': ['default-src *'], 'X-A': ['1'] } }, cb);
    expect(cb).toHaveBeenCalledWith({ responseHeaders: { 'X-A': ['1'], 'Content-Security-Policy': [RENDERER_CSP] } });
    expect(RENDERER_CSP).toMatch(/default-src 'none'/);
    expect(RENDERER_CSP).not.toMatch(/unsafe-(inline|eval)/);
    const granted = vi.fn();
    request!({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(check!({}, 'notifications')).toBe(false);
  });
});

describe('showWindow and closing', () => {
  it('creates once, loads the packaged renderer, and restores a minimized window', () => {
    const { m, windows } = manager(true);
    m.showWindow();
    expect(windows[0]!.loaded).toBe('app://crashbell/index.html');
    (windows[0]!.handlers.get('ready-to-show') as () => void)();
    windows[0]!.minimized = true;
    m.showWindow();
    expect(windows).toHaveLength(1);
    expect(windows[0]!.calls).toEqual(['show', 'focus', 'restore', 'show', 'focus']);
    expect(m.webContentsId()).toBe(3);
  });

  it('says in the log whether the renderer loaded, so a blank window is never silent', () => {
    const log = vi.fn();
    const windows: FakeWindow[] = [];
    const wm = new WindowManager({
      create: () => {
        const w = new FakeWindow();
        windows.push(w);
        return w;
      },
      renderer: { url: 'app://crashbell/index.html' },
      openExternal: () => undefined,
      hasTray: true,
      isQuitting: () => false,
      log,
    });
    wm.showWindow();
    const wc = windows[0]!.webContents;
    (wc.handlers.get('did-finish-load') as () => void)();
    expect(log).toHaveBeenCalledWith('window: renderer loaded app://crashbell/index.html');
    const failed = wc.handlers.get('did-fail-load') as (e: unknown, c: number, d: string, u: string, main: boolean) => void;
    failed({}, -6, 'ERR_FILE_NOT_FOUND', 'app://crashbell/index.html', true);
    failed({}, -3, 'ERR_ABORTED', 'app://crashbell/frame.html', false);
    expect(log).toHaveBeenCalledWith('window: the renderer failed to load app://crashbell/index.html (-6 ERR_FILE_NOT_FOUND)');
    expect(log).toHaveBeenCalledTimes(2);
  });

  it('closing hides to the tray; without a tray it minimizes; when quitting it closes', () => {
    for (const [hasTray, quitting, expected] of [
      [true, false, ['hide']],
      [false, false, ['minimize']],
      [true, true, []],
    ] as const) {
      const { m, windows } = manager(hasTray, quitting);
      m.ensureWindow();
      const prevent = vi.fn();
      (windows[0]!.handlers.get('close') as (e: { preventDefault(): void }) => void)({ preventDefault: prevent });
      expect(prevent).toHaveBeenCalledTimes(quitting ? 0 : 1);
      expect(windows[0]!.calls).toEqual(expected);
    }
  });

  it('forgets a closed window and makes a new one on the next showWindow', () => {
    const { m, windows } = manager(true);
    m.showWindow();
    windows[0]!.destroyed = true;
    (windows[0]!.handlers.get('closed') as () => void)();
    expect(m.webContentsId()).toBeNull();
    m.showWindow();
    expect(windows).toHaveLength(2);
  });
});

describe('navigating the window', () => {
  it('asks a freshly created window to navigate once its renderer has loaded, a loaded one at once', () => {
    let made: FakeWindow | null = null;
    const wm = new WindowManager({
      create: () => {
        made = new FakeWindow();
        return made;
      },
      renderer: { url: 'app://crashbell/index.html' },
      openExternal: () => undefined,
      hasTray: true,
      isQuitting: () => false,
    });
    const asked: string[] = [];
    wm.showAndNavigate(() => asked.push('first'));
    expect(asked).toEqual([]);
    made!.webContents.finishLoad();
    expect(asked).toEqual(['first']);
    wm.showAndNavigate(() => asked.push('second'));
    expect(asked).toEqual(['first', 'second']);
  });
});
