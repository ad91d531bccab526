/**
 * The window's side of start-up: where the renderer comes from (our app:// handler, or electron-vite's dev
 * server in development), and the window itself, locked down.
 */
import { join } from 'node:path';
import { APP_SCHEME, createAppProtocolHandler, RENDERER_ORIGIN, RENDERER_URL } from './app-protocol';
import type { Lifecycle } from './app-lifecycle';
import { app, BrowserWindow, net, protocol, session, shell } from './electron';
import { appIconPath } from './resources';
import { log } from './shell-log';
import { startsHidden } from './app-lifecycle';
import { electronApp } from './app-startup';
import { lockDownSession, RENDERER_CSP, type WindowLike, WindowManager, windowOptions } from './window';

/** Where the window loads the renderer from. */
export interface RendererSource {
  url: string;
  /** electron-vite's dev server (development only): its hot reload cannot take our CSP header. */
  devServer: boolean;
}

/**
 * The renderer's source: electron-vite's dev server in development (an empty variable counts as unset);
 * otherwise the built renderer, served from app://crashbell/ by our handler (app-protocol.ts) with the CSP on
 * every response.
 */
export function serveRenderer(): RendererSource {
  const devUrl = (!app.isPackaged && process.env['ELECTRON_RENDERER_URL']) || undefined;
  if (devUrl !== undefined) return { url: devUrl, devServer: true };
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({
      root: join(import.meta.dirname, '../renderer'),
      fetchFile: (fileUrl) => net.fetch(fileUrl),
      csp: RENDERER_CSP,
    }),
  );
  log(`renderer served from ${RENDERER_ORIGIN}`);
  return { url: RENDERER_URL, devServer: false };
}

/** The main window, shown at once unless this launch starts hidden (at login); closing it hides it to the tray. */
export function openMainWindow(renderer: RendererSource, lifecycle: Lifecycle, hasTray: boolean): WindowManager {
  lockDownSession(session.defaultSession, log, { csp: !renderer.devServer });
  const preload = join(import.meta.dirname, '../preload/preload.cjs');
  const icon = process.platform === 'linux' ? appIconPath() : undefined;
  const windows = new WindowManager({
    create: () => new BrowserWindow(windowOptions(preload, icon)) as unknown as WindowLike,
    renderer: { url: renderer.url },
    openExternal: (url) => void shell.openExternal(url),
    hasTray,
    isQuitting: () => lifecycle.isQuitting(),
    log,
  });
  app.on('activate', () => void windows.showWindow());
  if (startsHidden(electronApp, process.argv, process.platform)) windows.ensureWindow();
  else windows.showWindow();
  log('window created');
  return windows;
}
