/**
 * The packaged renderer is served from a privileged custom scheme, `app://crashbell/`, by a `protocol.handle`
 * handler, instead of `file://`. It gives the renderer a real origin of its own (`'self'` in the CSP means our files
 * and nothing else on disk), lets the `grantFileProtocolExtraPrivileges` fuse stay off (with it off, `file://` pages
 * cannot read from the asar at all), and puts the CSP on every response the handler makes.
 *
 * Plain functions over the Fetch API's Request/Response (global in Node and Electron's main process), so the path
 * checks are tested without Electron; index.ts wires them to `protocol` and `net`.
 */
import { lstat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The scheme and host the renderer is served from. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'crashbell';
/** The renderer's origin (what Chromium's `senderFrame.origin` reports for it) and its page. */
export const RENDERER_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const RENDERER_URL = `${RENDERER_ORIGIN}/index.html`;

/**
 * Registered before the app is ready: `standard` (a real origin, relative URLs, web storage), `secure` (a secure
 * context), `supportFetchAPI` and `codeCache`. Never `bypassCSP`: the CSP must hold on this scheme.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const;

/**
 * The file under `root` an `app://crashbell/...` URL names, or null when it names nothing there: another scheme or
 * host, a path leaving `root` (after the URL parser has folded `../` and `%2e%2e`, encoded separators and
 * backslashes are refused too), a NUL, or a bad percent escape. `/` is `index.html`.
 */
export function resolveAppFile(requestUrl: string, root: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  // Node keeps a non-special scheme's host as written; Chromium lower-cases it for a standard scheme.
  if (url.protocol !== `${APP_SCHEME}:` || url.host.toLowerCase() !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path === '' || path.endsWith('/')) path += 'index.html';
  const file = join(root, path);
  const rel = relative(root, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  return file;
}

/** What is asked of a path on the way to a file (the part of `fs.Stats` used). */
export interface PathKind {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * What the handler needs: where the renderer's files are, how to read one (`net.fetch` of a file: URL), the CSP, and
 * how to look at a path without following it (default `fs.promises.lstat`, which Electron answers inside the asar too).
 */
export interface AppProtocolDeps {
  root: string;
  fetchFile(fileUrl: string): Promise<Response>;
  csp: string;
  lstat?: (path: string) => Promise<PathKind>;
}

/** A plain-text answer, with the same CSP and `nosniff` as every other answer of the scheme. */
function plain(status: number, text: string, csp: string, extra: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': csp, ...extra },
  });
}

/**
 * Whether `file` is a regular file reached from `root` through folders only: no link on the way (a link placed in
 * the renderer folder would otherwise serve whatever it points to, anywhere on disk, as our own origin's file).
 */
async function regularFileUnder(root: string, file: string, look: (path: string) => Promise<PathKind>): Promise<boolean> {
  const parts = relative(root, file).split(sep);
  let at = root;
  for (let i = 0; i < parts.length; i++) {
    at = join(at, parts[i] as string);
    let kind: PathKind;
    try {
      kind = await look(at);
    } catch {
      return false;
    }
    if (kind.isSymbolicLink()) return false;
    if (i < parts.length - 1 ? !kind.isDirectory() : !kind.isFile()) return false;
  }
  return true;
}

/**
 * The `protocol.handle('app', ...)` handler: GET and HEAD of the renderer's own files (regular files, reached
 * through no link), with the CSP and `nosniff` on every answer, refusals included; 404 for anything else under the
 * scheme (a missing file, a folder, a link, a path out of `root`), 405 for other methods.
 */
export function createAppProtocolHandler(deps: AppProtocolDeps): (request: Request) => Promise<Response> {
  const look = deps.lstat ?? lstat;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed', deps.csp, { Allow: 'GET, HEAD' });
    const file = resolveAppFile(request.url, deps.root);
    if (file === null) return plain(404, 'Not found', deps.csp);
    // Checked just before the read: the renderer folder is part of the installed app, written only by its installer.
    if (!(await regularFileUnder(deps.root, file, look))) return plain(404, 'Not found', deps.csp);
    let res: Response;
    try {
      // A file: URL, never app: (that would come back here). net.fetch reads inside the asar.
      res = await deps.fetchFile(pathToFileURL(file).href);
    } catch {
      return plain(404, 'Not found', deps.csp);
    }
    if (!res.ok) return plain(404, 'Not found', deps.csp);
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', deps.csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(request.method === 'HEAD' ? null : res.body, { status: res.status, headers });
  };
}
