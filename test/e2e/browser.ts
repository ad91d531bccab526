/**
 * The e2e harness's browser side: builds the renderer with Vite, serves it on loopback, launches Debian's
 * Chromium through playwright-core (never a downloaded browser), and emulates the preload's `api` object
 * over a real app service with `page.exposeBinding` plus a small push dispatcher in the page.
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
import { EVENT_CHANNELS, type CrashbellApi, type EventChannel } from '../../shared/ipc';

/** Where Chromium is looked for: `CHROMIUM_PATH`, else Debian's package. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Builds the renderer (same root, plugin and relative base as electron-vite's renderer target) into a temp dir. */
export async function buildRenderer(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'crashbell-renderer-'));
  const root = resolve(import.meta.dirname, '../../renderer');
  await build({
    configFile: false,
    root,
    base: './',
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

/** The contract's call names, as the preload exposes them. */
const CALLS = [
  'getState',
  'listGroups',
  'getGroup',
  'markGroup',
  'openGroup',
  'addSource',
  'updateSource',
  'removeSource',
  'sendTestEvent',
  'listRequests',
  'replayRequest',
  'getSettings',
  'updateSettings',
  'setDnd',
  'reconnectTunnel',
  'copy',
  'openLink',
  'previewMapping',
] as const satisfies ReadonlyArray<keyof CrashbellApi>;

/** Listener registrations and the channel each one listens to, as in the preload. */
const LISTENERS = {
  onStateChanged: 'state:changed',
  onGroupUpdated: 'group:updated',
  onRequestRecorded: 'request:recorded',
  onNotification: 'notification:raised',
  onNavigate: 'navigate',
} as const satisfies Partial<Record<keyof CrashbellApi, EventChannel>>;

/**
 * Builds `window.crashbell` in the page before any script runs: calls go to the `__crashbellInvoke` binding,
 * pushes arrive through `__crashbellPush`. Runs in the page, so it is written as a self-contained function.
 */
function pageApi(spec: { calls: readonly string[]; listeners: Record<string, string> }): void {
  const w = window as unknown as Record<string, unknown> & { __crashbellInvoke: (name: string, args: unknown[]) => Promise<unknown> };
  const byChannel = new Map<string, Set<(payload: unknown) => void>>();
  const api: Record<string, unknown> = {};
  for (const name of spec.calls) api[name] = (...args: unknown[]) => w.__crashbellInvoke(name, args);
  for (const [name, channel] of Object.entries(spec.listeners)) {
    api[name] = (listener: (payload: unknown) => void) => {
      let set = byChannel.get(channel);
      if (!set) byChannel.set(channel, (set = new Set()));
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

/** Wires a page to the service. Returns a switch to pause pushes (while seeding thousands of groups). */
export async function connectPage(page: Page, service: AppService): Promise<{ setPushing: (on: boolean) => void }> {
  await page.exposeBinding('__crashbellInvoke', async (_source, name: string, args: unknown[]) => {
    if (!(CALLS as readonly string[]).includes(name)) throw new Error(`unknown call ${name}`);
    const fn = service[name as (typeof CALLS)[number]] as (...a: unknown[]) => Promise<unknown>;
    const result = await fn(...args);
    // Bindings carry JSON; undefined (removeSource, copy) stays undefined.
    return result === undefined ? undefined : JSON.parse(JSON.stringify(result));
  });
  await page.addInitScript(pageApi, { calls: CALLS, listeners: LISTENERS });
  let pushing = true;
  for (const channel of EVENT_CHANNELS) {
    service.subscribe(channel, (payload) => {
      if (!pushing || page.isClosed()) return;
      page
        .evaluate(([c, p]) => (window as unknown as { __crashbellPush: (c: string, p: unknown) => void }).__crashbellPush(c, p), [channel, payload] as const)
        .catch(() => undefined);
    });
  }
  return { setPushing: (on) => (pushing = on) };
}

/** Removes a directory made by {@link buildRenderer}. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
