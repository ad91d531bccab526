/**
 * The local control socket's protocol, shared by its server (the running Crashbell) and its client (the command
 * line's verbs): where the socket is for a data folder, which calls of the IPC table it serves, the message
 * shapes and the bounds.
 *
 * One JSON object per line each way. A request is `{"id": 1, "call": "markGroup", "args": ["<group id>",
 * {"resolved": true}]}`: `call` names a call of the IPC table (shared/ipc.ts), `args` is its argument list,
 * checked with the same schema the desktop's IPC handlers use. The answer carries the same `id`:
 * `{"id": 1, "ok": true, "result": …}` or `{"id": 1, "ok": false, "error": {"code", "message"}}`. A line that
 * cannot be read as a request is answered with `"id": null`.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { CallName } from '../../../shared/ipc';

/** The socket's file name inside the data folder (POSIX). */
export const CONTROL_SOCKET_NAME = 'crashbell.sock';

/** Longest request line the server reads; the largest argument (a settings patch) is far smaller. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** Longest answer line the client reads (a page of 1,000 rows, a group with its 1 MiB raw body, comfortably). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Connections served at once; past that a new one is told Crashbell is busy and closed. */
export const MAX_CONNECTIONS = 8;

/** Requests read ahead of the one being answered, per connection; past that the connection is closed. */
export const MAX_QUEUED_REQUESTS = 32;

/** A connection with no request in progress is closed after this long without a byte. */
export const IDLE_TIMEOUT_MS = 60_000;

/**
 * The calls the socket serves: those that make sense without a window. Left out, on purpose:
 * - `openGroup`, `openLink`, `copy`: they act on the desktop (browser, clipboard) of whoever sits at it;
 * - `addSource`, `updateSource`, `removeSource`, `updateSettings`: headless reads its settings from its config
 *   file once, so an edit would vanish at the next start; the app has Setup and Settings for them;
 * - `clearHistory`: it wipes the whole history, which the window asks to confirm first.
 * A call added to the IPC table later is not served until it is listed here. `getState` is answered without the
 * sources' secrets (server.ts).
 */
export const CONTROL_CALLS = [
  'getState',
  'listGroups',
  'getGroup',
  'markGroup',
  'deleteGroup',
  'markAllRead',
  'sendTestEvent',
  'listRequests',
  'replayRequest',
  'getSettings',
  'setDnd',
  'reconnectTunnel',
  'previewMapping',
  'testRelay',
  'runAction',
  'testApiToken',
] as const satisfies readonly CallName[];

/** A call the socket serves. */
export type ControlCallName = (typeof CONTROL_CALLS)[number];

/** True when the socket serves `name`. */
export function isControlCall(name: string): name is ControlCallName {
  return (CONTROL_CALLS as readonly string[]).includes(name);
}

/** A request line, as the client writes it. */
export interface ControlRequest {
  id: number | string;
  call: string;
  args?: unknown[];
}

/** Why a request failed: `code` is stable for programs, `message` is for people. */
export interface ControlError {
  code: string;
  message: string;
}

/** An answer line. */
export type ControlResponse =
  | { id: number | string | null; ok: true; result: unknown }
  | { id: number | string | null; ok: false; error: ControlError };

/**
 * The longest socket path each system takes (`sun_path` holds 108 bytes on Linux and 104 on macOS and the BSDs,
 * with the terminating NUL).
 */
function maxSocketPathBytes(platform: NodeJS.Platform): number {
  return platform === 'linux' ? 107 : 103;
}

/**
 * Where the control socket of the Crashbell that owns `dataDir` listens: `crashbell.sock` in the folder on
 * POSIX systems (the folder is private to its user, and its lock says only one Crashbell owns it); a named
 * pipe on Windows, which has no socket files, named after the folder's full path so each folder has its own.
 */
export function controlSocketPath(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    // Windows paths are case-insensitive: one folder, one pipe, however it is spelled.
    const digest = createHash('sha256').update(resolve(dataDir).toLowerCase()).digest('hex').slice(0, 32);
    return `\\\\.\\pipe\\crashbell-${digest}`;
  }
  return join(resolve(dataDir), CONTROL_SOCKET_NAME);
}

/** Why a socket cannot be made at `path` on this system (a path over the system's limit), or null. */
export function socketPathProblem(path: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  const bytes = Buffer.byteLength(path);
  const max = maxSocketPathBytes(platform);
  if (bytes <= max) return null;
  return `the control socket's path ${path} is ${bytes} bytes long, over this system's limit of ${max}: use a data folder with a shorter path (--data-dir)`;
}
