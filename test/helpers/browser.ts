/**
 * The e2e harness's browser side: builds the renderer with Vite, serves it on loopback, launches Debian's
 * Chromium through playwright-core (never a downloaded browser), and emulates the preload's `api` object
 * over a real app service with `page.exposeBinding` plus a small push dispatcher in the page. Every call goes
 * through main's own IPC registration (sender check, argument schemas), as in the app.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import react from '@vitejs/plugin-react';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import type { AppService } from '../../main/core/app-service';
import { registerIpcHandlers, serviceHandlers, shellHandlers } from '../../main/ipc-handlers';
import type { IpcMainLike } from '../../main/ipc-main';
import type { SenderEvent } from '../../main/trusted-sender';
import { UpdateController, updateCalls } from '../../main/updater';
import { CALL_NAMES, type CallName, IPC, PUSH_NAMES, SERVICE_EVENT_CHANNELS } from '../../shared/ipc';
import { ROOT } from './paths';

/** Where Chromium is looked for: `CHROMIUM_PATH`, else Debian's package. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Builds the renderer (same root, plugin and relative base as electron-vite's renderer target) into a temp dir. */
export async function buildRenderer(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'crashbell-renderer-'));
  const root = resolve(ROOT, 'renderer');
  await build({
    configFile: false,
    root,
    base: '../e2e',
    plugins: [react()],
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, minify: false, sourcemap: false, rollupOptions: { input: join(root, 'index.html') } },
  });
  return outDir;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** A static server for the built renderer on 127.0.0.1. */
export async function serveDir(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** The table as the page needs it: call names, and each push listener's channel (as the preload loops over it). */
function pageSpec(): { calls: string[]; listeners: Record<string, string> } {
  return {
    calls: [...CALL_NAMES],
    listeners: Object.fromEntries(PUSH_NAMES.map((name) => [name, IPC[name].channel])),
  };
}

/**
 * Builds `window.crashbell` in the page before any script runs: calls go to the `__crashbellInvoke` binding,
 * pushes arrive through `__crashbellPush`. Runs in the page, so it is written as a self-contained function.
 */
function pageApi(spec: { calls: readonly string[]; listeners: Record<string, string> }): void {
  const w = window as unknown as Record<string, unknown> & {
    __crashbellInvoke: (name: string, args: unknown[]) => Promise<string | undefined>;
  };
  const byChannel = new Map<string, Set<(payload: unknown) => void>>();
  const api: Record<string, unknown> = {};
  // Each call leaves user-timing marks (`crashbell:<call>` when made, `crashbell:<call>:answered` once its
  // answer is parsed), so a test can time what follows a call in the page.
  for (const name of spec.calls) {
    api[name] = async (...args: unknown[]) => {
      performance.mark(`crashbell:${name}`);
      const text = await w.__crashbellInvoke(name, args);
      const value: unknown = text === undefined ? undefined : JSON.parse(text);
      performance.mark(`crashbell:${name}:answered`);
      return value;
    };
  }
  for (const [name, channel] of Object.entries(spec.listeners)) {
    api[name] = (listener: (payload: unknown) => void) => {
      let set = byChannel.get(channel);
      if (!set) {
        set = new Set();
        byChannel.set(channel, set);
      }
      set.add(listener);
      return () => set.delete(listener);
    };
  }
  Object.defineProperty(window, 'crashbell', { value: Object.freeze(api), configurable: false });
  Object.defineProperty(window, '__crashbellPush', {
    value: (channel: string, payload: unknown) => {
      for (const l of byChannel.get(channel) ?? []) l(payload);
    },
  });
}

/**
 * The updates as the harness has them: the shell's real controller over a copy that cannot update (no
 * installer runs here), unless a test hands {@link connectPage} one of its own.
 */
export function harnessUpdates(): UpdateController {
  return new UpdateController({
    feed: { provider: 'generic', url: 'https://127.0.0.1/updates/' },
    load: async () => ({ unsupported: 'The test harness runs no installer, so it does not update.' }),
    enabled: true,
  });
}

/**
 * Wires a page to the service, and to the shell's update controller as main does. Returns a switch to pause
 * pushes (while seeding thousands of groups).
 */
export async function connectPage(
  page: Page,
  service: AppService,
  rendererUrl: string,
  updates: UpdateController = harnessUpdates(),
): Promise<{ setPushing: (on: boolean) => void }> {
  // Calls take main's own path: the real IPC registration (sender check, argument schemas, handlers) over an
  // in-process stand-in for ipcMain, with the page as the one trusted window.
  const handlers = new Map<string, (event: SenderEvent, ...args: unknown[]) => Promise<unknown>>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const WINDOW_ID = 1;
  registerIpcHandlers(
    ipc,
    { ...serviceHandlers(service), ...shellHandlers(updateCalls(updates)) },
    { trust: { webContentsId: () => WINDOW_ID, rendererUrl } },
  );
  await page.exposeBinding('__crashbellInvoke', async (source, name: string, args: unknown[]) => {
    if (!(CALL_NAMES as readonly string[]).includes(name)) throw new Error(`unknown call ${name}`);
    const channel = IPC[name as CallName].channel;
    const event: SenderEvent = { sender: { id: WINDOW_ID }, senderFrame: { url: source.frame.url(), parent: source.frame.parentFrame() } };
    try {
      const result = await handlers.get(channel)!(event, ...args);
      // The answer crosses as one JSON string, parsed in the page: a copy, as IPC's structured clone makes, at
      // about its cost (Playwright's own value serialization takes far longer for a page of rows than IPC does).
      // Undefined (removeSource, copy) stays undefined.
      return result === undefined ? undefined : JSON.stringify(result);
    } catch (err) {
      // The wording Electron gives a rejected ipcRenderer.invoke, so the renderer meets what it meets in the app.
      throw new Error(`Error invoking remote method '${channel}': Error: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  await page.addInitScript(pageApi, pageSpec());
  let pushing = true;
  const push = (channel: string, payload: unknown) => {
    if (!pushing || page.isClosed()) return;
    page
      .evaluate(([c, p]) => (window as unknown as { __crashbellPush: (c: string, p: unknown) => void }).__crashbellPush(c, p), [
        channel,
        payload,
      ] as const)
      .catch(() => undefined);
  };
  for (const channel of SERVICE_EVENT_CHANNELS) service.subscribe(channel, (payload) => push(channel, payload));
  updates.onChange((state) => push('update:state', state));
  return { setPushing: (on) => (pushing = on) };
}

/** Removes a directory made by {@link buildRenderer}. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
