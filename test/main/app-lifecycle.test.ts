import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  acquireSingleInstance,
  AUTOSTART_FILE,
  applyStartAtLogin,
  HIDDEN_ARG,
  Lifecycle,
  reconnectOnResume,
  startsHidden,
  type AppLike,
} from '../../main/app-lifecycle';

describe('app lifecycle', () => {
  function fakeApp(lock = true) {
    const handlers = new Map<string, (...a: unknown[]) => void>();
    const app: AppLike & { handlers: typeof handlers; login: unknown[] } = {
      handlers,
      login: [],
      requestSingleInstanceLock: () => lock,
      quit: vi.fn(),
      on: (e, l) => void handlers.set(e, l),
      setLoginItemSettings: (s) => void app.login.push(s),
      getLoginItemSettings: () => ({ openAtLogin: false, wasOpenedAtLogin: true }),
    };
    return app;
  }

  it('a second instance focuses the first; without the lock this one must quit', () => {
    const app = fakeApp(true);
    const show = vi.fn();
    expect(acquireSingleInstance(app, show)).toBe(true);
    app.handlers.get('second-instance')!();
    expect(show).toHaveBeenCalled();
    expect(acquireSingleInstance(fakeApp(false), show)).toBe(false);
  });

  it('before-quit sets the quitting flag', () => {
    const app = fakeApp();
    const l = new Lifecycle(app);
    expect(l.isQuitting()).toBe(false);
    app.handlers.get('before-quit')!();
    expect(l.isQuitting()).toBe(true);
  });

  it('an update lets the window close before it quits, and a restart into the new version starts it once this one exits', () => {
    const app = Object.assign(fakeApp(), { relaunch: vi.fn() });
    const l = new Lifecycle(app);
    l.prepareToQuit();
    expect(l.isQuitting()).toBe(true);
    expect(app.quit).not.toHaveBeenCalled();
    l.restartInto('/home/ana/Apps/Crashbell-0.2.0-x86_64.AppImage', ['/tmp/.mount_Crash/crashbell', '--no-sandbox', HIDDEN_ARG]);
    // A launch at login started hidden; the restart the user asked for shows the window.
    expect(app.relaunch).toHaveBeenCalledWith({ execPath: '/home/ana/Apps/Crashbell-0.2.0-x86_64.AppImage', args: ['--no-sandbox'] });
    expect(app.quit).toHaveBeenCalledTimes(1);
  });

  it('start at login sets the login item (hidden) or the Linux autostart entry, and clears it', () => {
    const app = fakeApp();
    applyStartAtLogin(app, true, 'win32');
    applyStartAtLogin(app, false, 'darwin');
    applyStartAtLogin(app, true, 'linux');
    expect(app.login).toEqual([
      { openAtLogin: true, args: [HIDDEN_ARG] },
      { openAtLogin: false, args: [] },
    ]);
    const dir = join(mkdtempSync(join(tmpdir(), 'crashbell-autostart-')), 'autostart');
    applyStartAtLogin(app, true, 'linux', { dir, exec: '/opt/Crashbell/crashbell' });
    expect(readFileSync(join(dir, AUTOSTART_FILE), 'utf8')).toContain('Exec="/opt/Crashbell/crashbell" --hidden');
    applyStartAtLogin(app, false, 'linux', { dir, exec: '/opt/Crashbell/crashbell' });
    expect(existsSync(join(dir, AUTOSTART_FILE))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
    expect(app.login).toHaveLength(2);
    expect(startsHidden(app, ['crashbell', HIDDEN_ARG], 'win32')).toBe(true);
    expect(startsHidden(app, ['crashbell'], 'win32')).toBe(false);
    expect(startsHidden(app, ['crashbell'], 'darwin')).toBe(true);
  });

  it('reconnects the tunnel on resume', () => {
    const handlers = new Map<string, () => void>();
    const reconnect = vi.fn();
    reconnectOnResume({ on: (e, l) => void handlers.set(e, l) }, reconnect);
    handlers.get('resume')!();
    expect(reconnect).toHaveBeenCalledTimes(1);
  });
});
