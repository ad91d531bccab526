/**
 * Start-up smoke: the real main bundle (built by electron-vite exactly as `npm run build` does, into a private
 * folder under out/) runs in a child Node process against the fake `electron` in test/fixtures/fake-electron, with a
 * temp userData folder holding pre-written settings (port 0, one Backtrace source, no ngrok authtoken).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../main/core/control/client';
import { getProvider } from '../../main/core/providers/index';
import { RENDERER_CSP } from '../../main/window';
import { API_NAMES, CALL_NAMES, INVOKE_CHANNELS, IPC } from '../../shared/ipc';
import { parseSettings } from '../../shared/settings';
import { ROOT } from '../helpers/paths';

const root = ROOT;
const register = pathToFileURL(join(root, 'test/fixtures/fake-electron/register.mjs')).href;

const source = parseSettings({
  sources: [
    {
      id: 'smoke_backtrace_source_0001',
      provider: 'backtrace',
      name: 'Backtrace (smoke)',
      credentials: { username: 'smoke-user', password: 'smoke-password-0123456789abcdef' },
    },
  ],
}).sources[0]!;

type Line = { kind: 'fake'; call: string; [k: string]: unknown } | { kind: 'log'; text: string };

/** The child's stdout as ordered lines, with a way to wait for one. */
class Output {
  readonly lines: Line[] = [];
  private waiters: Array<{ test: (l: Line) => boolean; resolve: (l: Line) => void }> = [];
  private buffer = '';
  stderr = '';

  feed(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const raw = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const line: Line = raw.startsWith('[fake-electron] ')
        ? { kind: 'fake', ...(JSON.parse(raw.slice(16)) as { call: string }) }
        : { kind: 'log', text: raw.replace(/^\[crashbell\] /, '') };
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(line)) return true;
        w.resolve(line);
        return false;
      });
    }
  }

  waitFor(test: (l: Line) => boolean, what: string, timeoutMs = 20_000): Promise<Line> {
    const found = this.lines.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; output so far:\n${this.dump()}\n${this.stderr}`)),
        timeoutMs,
      );
      this.waiters.push({
        test,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  index(test: (l: Line) => boolean): number {
    return this.lines.findIndex(test);
  }

  dump(): string {
    return this.lines.map((l) => (l.kind === 'log' ? l.text : `fake: ${JSON.stringify(l)}`)).join('\n');
  }
}

/** A recorded call's field. */
function prop(line: Line | undefined, key: string): unknown {
  return line && line.kind === 'fake' ? line[key] : undefined;
}

const isCall = (call: string) => (l: Line) => l.kind === 'fake' && l.call === call;
const isLog = (re: RegExp) => (l: Line) => l.kind === 'log' && re.test(l.text);

let buildDir: string;
let userData: string;
let child: ChildProcessWithoutNullStreams;
const out = new Output();

beforeAll(async () => {
  // Inside the repository, so the bundle's external imports (zod, electron-store...) resolve from node_modules.
  mkdirSync(join(root, 'out'), { recursive: true });
  buildDir = mkdtempSync(join(root, 'out', 'smoke-'));
  // The same build `npm run build` makes (electron-vite with electron.vite.config.ts), into a private folder.
  const built = spawnSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', buildDir, '--logLevel', 'error'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
  );
  if (built.status !== 0) throw new Error(`electron-vite build failed:\n${built.stdout}\n${built.stderr}`);

  userData = mkdtempSync(join(tmpdir(), 'crashbell-smoke-userdata-'));
  writeFileSync(
    join(userData, 'settings.json'),
    JSON.stringify({ version: 1, port: 0, sources: [source], tunnel: { enabled: true, authtoken: '', domain: '' } }),
  );
  child = spawn(process.execPath, ['--import', register, join(buildDir, 'main/index.js')], {
    cwd: root,
    env: {
      ...process.env,
      FAKE_ELECTRON_USER_DATA: userData,
      FAKE_ELECTRON_APP_PATH: root,
      FAKE_ELECTRON_AUTOCLICK: '1',
      ELECTRON_RENDERER_URL: '',
    },
  });
  child.stdout.setEncoding('utf8').on('data', (c: string) => out.feed(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out.stderr += c));
  await out.waitFor(isLog(/^notifications ready$/), 'start-up to finish');
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(userData, { recursive: true, force: true });
});

describe('start-up smoke (built main bundle, fake electron)', () => {
  it('wires the single-instance lock, receiver, tunnel, IPC, tray, window and notifications in that order', () => {
    const order = [
      out.index(isCall('app.requestSingleInstanceLock')),
      out.index(isLog(/^settings loaded from /)),
      out.index(isLog(/^inbox opened in /)),
      out.index(isLog(/^receiver listening on http:\/\/127\.0\.0\.1:\d+$/)),
      out.index(isLog(/^tunnel manager started$/)),
      out.index(isCall('ipcMain.handle')),
      out.index(isCall('new Tray')),
      out.index(isCall('new BrowserWindow')),
      out.index(isLog(/^notifications ready$/)),
    ];
    expect(
      order.every((i) => i >= 0),
      out.dump(),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Without an authtoken the tunnel stays off and says why, naming the local URL.
    expect(
      out.index(
        isLog(
          /^tunnel: off: No ngrok authtoken: providers on the internet cannot reach Crashbell; it listens on http:\/\/127\.0\.0\.1:\d+ only$/,
        ),
      ),
    ).toBeGreaterThan(0);
  });

  it("serves the command line's control socket in its data folder (userData/history)", async () => {
    const dataDir = join(userData, 'history');
    const path = join(dataDir, 'crashbell.sock');
    expect(out.index((l) => l.kind === 'log' && l.text === `control socket at ${path}`)).toBeGreaterThan(0);
    const client = await ControlClient.connect(dataDir);
    try {
      const state = await client.call('getState');
      expect(state.sources.map((s) => s.id)).toEqual([source.id]);
      expect(state.receiver.listening).toBe(true);
    } finally {
      client.close();
    }
  });

  it('registers every IPC channel, locks the window and session down, and loads the packaged renderer', async () => {
    const channels = out.lines.filter(isCall('ipcMain.handle')).map((l) => String(prop(l, 'channel')));
    expect(channels.sort()).toEqual([...INVOKE_CHANNELS].sort());
    const webPreferences = prop(out.lines.find(isCall('new BrowserWindow')), 'webPreferences') as Record<string, unknown>;
    expect(webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(webPreferences['preload'])).toMatch(/preload[/\\]preload\.cjs$/);
    // The packaged renderer comes from app://crashbell through main's handler, never from file://.
    expect(prop(out.lines.find(isCall('BrowserWindow.loadURL')), 'url')).toBe('app://crashbell/index.html');
    expect(prop(out.lines.find(isCall('protocol.handle')), 'scheme')).toBe('app');
    const served = await out.waitFor(isCall('protocol.response'), 'the renderer to be served');
    expect(served).toMatchObject({ status: 200, contentType: 'text/html', csp: RENDERER_CSP, title: 'Crashbell' });
    await out.waitFor(isLog(/^window: renderer loaded app:\/\/crashbell\/index\.html$/), 'the renderer-loaded line');
    expect(readFileSync(join(buildDir, 'renderer', 'index.html'), 'utf8')).toContain('Content-Security-Policy');
    // Privileged schemes must be registered before the app is ready, and the handler installed after.
    const registered = out.lines.find(isCall('protocol.registerSchemesAsPrivileged'));
    expect(prop(registered, 'schemes')).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ]);
    expect(out.index(isCall('protocol.registerSchemesAsPrivileged'))).toBeLessThan(out.index(isCall('app.whenReady')));
    expect(out.index(isCall('protocol.handle'))).toBeGreaterThan(out.index(isCall('app.whenReady')));
    expect(out.index(isCall('protocol.handle'))).toBeLessThan(out.index(isCall('BrowserWindow.loadURL')));
    expect(existsSync(join(buildDir, 'preload', 'preload.cjs'))).toBe(true);
    for (const call of [
      'session.webRequest.onHeadersReceived',
      'session.setPermissionRequestHandler',
      'session.setPermissionCheckHandler',
      'webContents.setWindowOpenHandler',
    ]) {
      expect(out.index(isCall(call)), call).toBeGreaterThanOrEqual(0);
    }
    expect(out.index((l) => l.kind === 'fake' && l.call === 'powerMonitor.on' && l['event'] === 'resume')).toBeGreaterThanOrEqual(0);
  });

  it('the built preload is one CommonJS file that requires only electron and exposes the IPC table', async () => {
    // A sandboxed preload may require electron and little else: the table must be bundled in, not required.
    const code = readFileSync(join(buildDir, 'preload', 'preload.cjs'), 'utf8');
    const required: string[] = [];
    const exposed: Record<string, Record<string, (...a: unknown[]) => unknown>> = {};
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: Record<string, (...a: unknown[]) => unknown>) => (exposed[key] = value) },
      ipcRenderer: { invoke: async (...args: unknown[]) => invoked.push(args), on: () => undefined, removeListener: () => undefined },
    };
    const module = { exports: {} };
    runInNewContext(code, {
      module,
      exports: module.exports,
      require: (id: string) => {
        required.push(id);
        if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
        return electron;
      },
    });
    expect([...new Set(required)]).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['crashbell']);
    expect(Object.keys(exposed['crashbell']!)).toEqual([...API_NAMES]);
    for (const name of CALL_NAMES) await exposed['crashbell']![name]!('arg');
    expect(invoked).toEqual(CALL_NAMES.map((name) => [IPC[name].channel, 'arg']));
  });

  it('wires the app’s updates after the window: a copy run from source says why it does not update, in the window too', async () => {
    const off = await out.waitFor(isLog(/^updates: off: /), 'the update state');
    expect(off).toMatchObject({
      text: expect.stringContaining('This copy runs from source (npm start or npm run dev), not from an installer'),
    });
    expect(out.index(isLog(/^updates: /))).toBeGreaterThan(out.index(isCall('new BrowserWindow')));
    const pushed = await out.waitFor(
      (l) => l.kind === 'fake' && l.call === 'webContents.send' && l['channel'] === 'update:state',
      'the update state pushed to the window',
    );
    expect(prop(pushed, 'payload')).toMatchObject({ status: 'disabled', by: 'install' });
    const channels = out.lines.filter(isCall('ipcMain.handle')).map((l) => String(prop(l, 'channel')));
    expect(channels).toEqual(expect.arrayContaining(['update:get-state', 'update:check', 'update:install']));
    // Nothing to restart for: the tray offers no update.
    const menus = out.lines.filter(isCall('Tray.setContextMenu')).map((l) => (prop(l, 'labels') as string[]).join('|'));
    expect(menus.some((m) => m.includes('Restart to update'))).toBe(false);
  });

  it('the tray shows the local-only state with its tooltip, and secrets went into safeStorage', () => {
    expect(String(prop(out.lines.find(isCall('new Tray')), 'icon'))).toMatch(/build[/\\]tray[/\\](linux-)?listening\.png$/);
    const file = readFileSync(join(userData, 'settings.json'), 'utf8');
    expect(file).not.toContain('smoke-password-0123456789abcdef');
    expect(JSON.parse(file).secrets[`source:${source.id}:credentials`].scheme).toBe('safeStorage');
  });

  it('a hook POSTed to the receiver reaches the Notification; on Linux (no buttons) its click shows the error in the window', async () => {
    const tooltip = await out.waitFor(
      (l) => l.kind === 'fake' && l.call === 'Tray.setToolTip' && /Local only: http:\/\/127\.0\.0\.1:\d+/.test(String(l['text'])),
      'the tray tooltip with the local URL',
    );
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(String(prop(tooltip, 'text')))![0];
    const sample = getProvider('backtrace')!.sample(source, Date.now());
    const res = await fetch(`${base}/hooks/${source.id}`, { method: 'POST', headers: sample.headers, body: sample.body });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);

    const shown = await out.waitFor(isCall('Notification.show'), 'the notification');
    expect(String(prop(shown, 'title')).length).toBeGreaterThan(0);
    expect(String(prop(shown, 'icon'))).toMatch(/icon\.png$/);
    if (process.platform === 'linux') {
      // Electron shows no notification buttons on Linux: the click opens the error where its actions are.
      expect(prop(shown, 'actions')).toEqual([]);
      const navigate = await out.waitFor(
        (l) => l.kind === 'fake' && l.call === 'webContents.send' && l['channel'] === 'navigate',
        'the window to be sent to the error',
      );
      expect(prop(navigate, 'payload')).toMatchObject({ view: 'errors', groupId: expect.any(String) });
      expect(out.index(isCall('Notification.click'))).toBeLessThan(out.lines.indexOf(navigate));
      expect(out.lines.filter(isCall('shell.openExternal'))).toHaveLength(0);
    } else {
      expect(prop(shown, 'actions')).toEqual(['Open', 'Resolve', 'Snooze 1 h']);
      const opened = await out.waitFor(isCall('shell.openExternal'), 'the click to open the group');
      const groupUrl = (JSON.parse(sample.body) as { group_url: string }).group_url;
      expect(prop(opened, 'url')).toBe(new URL(groupUrl).href);
    }
  });

  it('a hook whose link is not http(s) is refused at the click: nothing opens, the window shows the error', async () => {
    const tooltip = out.lines.find((l) => l.kind === 'fake' && l.call === 'Tray.setToolTip' && /127\.0\.0\.1/.test(String(l['text'])));
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(String(prop(tooltip, 'text')))![0];
    const sample = getProvider('backtrace')!.sample(source, Date.now());
    const body = JSON.parse(sample.body) as Record<string, unknown>;
    body['fingerprint'] = 'f'.repeat(64);
    body['group_url'] = 'javascript:alert(document.domain)';
    const opensBefore = out.lines.filter(isCall('shell.openExternal')).length;
    const linesBefore = out.lines.length;
    const res = await fetch(`${base}/hooks/${source.id}`, { method: 'POST', headers: sample.headers, body: JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    await out.waitFor(isLog(/^links: refused "javascript:alert\(document\.domain\)"/), 'the refusal to be recorded');
    const navigate = await out.waitFor(
      (l) => l.kind === 'fake' && l.call === 'webContents.send' && l['channel'] === 'navigate' && out.lines.indexOf(l) >= linesBefore,
      'the window to be sent to the error',
    );
    expect(prop(navigate, 'payload')).toMatchObject({ view: 'errors', groupId: expect.any(String) });
    expect(out.lines.filter(isCall('shell.openExternal'))).toHaveLength(opensBefore);
  });

  it('quits cleanly: the tunnel, receiver and inbox are closed before exit', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out.index(isCall('Tray.destroy'))).toBeGreaterThan(out.index(isCall('app.quit')));
    expect(out.index(isCall('app.exited'))).toBeGreaterThan(out.index(isCall('Tray.destroy')));
  });
});
