/**
 * The local control socket: the running Crashbell of a data folder serves the calls of the IPC table to the
 * command line's verbs (`crashbell resolve <group>`...), through the app service and the same argument schemas
 * as the desktop's IPC handlers. Started by the engine's front ends: headless `serve` and the desktop app.
 *
 * Who may call: on POSIX systems the socket is a file in the data folder, which is private to its user (0700),
 * and the socket itself is made 0600, so only that user (and root) can connect; on Windows a named pipe, whose
 * default security lets only its creator, the system and administrators write to it. Every line is bounded,
 * every connection count and queue is bounded, and a request that is not one of {@link CONTROL_CALLS} with
 * well-formed arguments is answered with an error and changes nothing.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import { type AppState, CALL_NAMES, type CrashbellCalls } from '../../../shared/ipc';
import { explainZodError } from '../../../shared/zod-words';
import { CrashbellError, errorText } from '../errors';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../private-files';
import { ARG_SCHEMAS } from './call-schemas';
import {
  CONTROL_CALLS,
  type ControlError,
  type ControlResponse,
  controlSocketPath,
  IDLE_TIMEOUT_MS,
  isControlCall,
  MAX_CONNECTIONS,
  MAX_QUEUED_REQUESTS,
  MAX_REQUEST_BYTES,
  socketPathProblem,
} from './protocol';

/** The control socket could not be opened; the message says why and what to do. */
export class ControlSocketError extends CrashbellError {
  constructor(message: string) {
    super('control-socket', message);
  }
}

/** Options for {@link startControlServer}. */
export interface ControlServerOptions {
  /** The data folder this Crashbell owns (its lock is held): the socket goes in it. */
  dataDir: string;
  /** The calls, as the app service implements them. */
  service: CrashbellCalls;
  /** Plain-words log lines (a connection refused for being one too many, a failed call). */
  log?: (message: string) => void;
  platform?: NodeJS.Platform;
  maxConnections?: number;
  maxRequestBytes?: number;
  idleTimeoutMs?: number;
}

/** A running control socket. */
export interface ControlServer {
  /** The socket file's path, or the pipe's name on Windows. */
  readonly path: string;
  /** Stops accepting, ends the connections and removes the socket file. Safe to call more than once. */
  close(): Promise<void>;
}

/** The shape of a request line (its arguments are checked against the call's own schema afterwards). */
const requestShape = z.strictObject({
  id: z.union([z.string().max(200), z.number().int().safe()]),
  call: z.string().max(200),
  args: z.array(z.unknown()).max(16).optional(),
});

const HOW = 'a request is one JSON object per line: {"id": 1, "call": "getState", "args": []}';

function errorOf(code: string, message: string): ControlError {
  return { code, message };
}

/** Every value of a credentials map emptied, its names kept. */
function emptied(credentials: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(credentials).map((name) => [name, '']));
}

/**
 * The app's state without its sources' secrets (credentials, the ones an edit replaced, and the secret fields Setup
 * shows to paste). The window shows them to the person at it; a program on the socket has no need of them, and in
 * the app they are otherwise only in the system keychain.
 */
function withoutSecrets(state: AppState): AppState {
  return {
    ...state,
    sources: state.sources.map((source) => ({
      ...source,
      credentials: emptied(source.credentials),
      previous: source.previous ? { ...source.previous, credentials: emptied(source.previous.credentials) } : null,
      setup: source.setup.map((field) => (field.secret ? { ...field, value: '' } : field)),
    })),
  };
}

/** Resolves true when something accepts a connection at `path`, false when it is refused. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const timer = setTimeout(() => done(true), 2_000);
    function done(alive: boolean): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(alive);
    }
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Clears what a killed Crashbell left at `path`: a socket nothing answers on is removed. Anything else at that
 * name is refused rather than removed: a live socket (another process serves this folder), a symbolic link (never
 * followed, never ours), a file or a folder.
 */
async function clearStale(path: string): Promise<void> {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (stat.isSymbolicLink()) {
    throw new ControlSocketError(`${path} is a symbolic link, not Crashbell's control socket: remove it, then start Crashbell again`);
  }
  if (!stat.isSocket()) {
    throw new ControlSocketError(`${path} is in the way of Crashbell's control socket (it is not a socket): move it away`);
  }
  if (await answers(path)) {
    throw new ControlSocketError(`another process already serves the control socket ${path}`);
  }
  // Left over from a Crashbell that was killed: this folder's lock is ours now, so the name is too.
  unlinkSync(path);
}

/** Answers one request line through the service: the call, its arguments checked against the IPC table's schema. */
async function answer(line: string, service: CrashbellCalls, log: (m: string) => void): Promise<ControlResponse> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { id: null, ok: false, error: errorOf('bad-request', `not JSON: ${HOW}`) };
  }
  const shape = requestShape.safeParse(raw);
  if (!shape.success) return { id: null, ok: false, error: errorOf('bad-request', `${explainZodError(shape.error, raw).words}: ${HOW}`) };
  const { id, call, args = [] } = shape.data;
  if (!isControlCall(call)) {
    const known = (CALL_NAMES as readonly string[]).includes(call);
    const served = CONTROL_CALLS.join(', ');
    const error = known
      ? errorOf('not-served', `${call} is not served on the control socket (it needs the window); it serves ${served}`)
      : errorOf('unknown-call', `there is no call "${call.slice(0, 100)}"; the control socket serves ${served}`);
    return { id, ok: false, error };
  }
  const parsed = ARG_SCHEMAS[call].safeParse(args);
  if (!parsed.success) {
    const problem = explainZodError(parsed.error, args);
    const where = problem.field ? ` (argument ${problem.field})` : '';
    return { id, ok: false, error: errorOf('bad-args', `invalid arguments for ${call}${where}: ${problem.message}`) };
  }
  try {
    const method = service[call] as (...a: unknown[]) => Promise<unknown>;
    const result = await method.apply(service, parsed.data as unknown[]);
    if (call === 'getState') return { id, ok: true, result: withoutSecrets(result as AppState) };
    return { id, ok: true, result: result === undefined ? null : result };
  } catch (error) {
    const message = errorText(error);
    log(`control: ${call} failed: ${message}`);
    return { id, ok: false, error: errorOf(error instanceof CrashbellError ? error.code : 'failed', message) };
  }
}

/** The bounds one connection is held to. */
interface ConnectionBounds {
  maxRequestBytes: number;
  idleTimeoutMs: number;
}

/**
 * One command-line connection: its request lines in, each answered in order, one at a time; a line over the bound, or
 * too many waiting, ends the connection with the reason. A reader that stops reading holds up only its own connection.
 */
class ControlConnection {
  private readonly decoder = new StringDecoder('utf8');
  private readonly queue: string[] = [];
  private partial = '';
  private working = false;
  private refused = false;

  constructor(
    private readonly socket: Socket,
    private readonly answerLine: (line: string) => Promise<ControlResponse>,
    private readonly bounds: ConnectionBounds,
  ) {
    socket.setTimeout(bounds.idleTimeoutMs, () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
  }

  private read(chunk: Buffer): void {
    if (this.refused) return;
    const max = this.bounds.maxRequestBytes;
    const lines = (this.partial + this.decoder.write(chunk)).split('\n');
    this.partial = lines.pop() ?? '';
    if (Buffer.byteLength(this.partial) > max || lines.some((l) => Buffer.byteLength(l) > max)) {
      this.refuse('too-long', `a request line may be at most ${max} bytes`);
      return;
    }
    for (const line of lines) if (line.trim() !== '') this.queue.push(line);
    if (this.queue.length > MAX_QUEUED_REQUESTS) {
      this.refuse('too-many-requests', `at most ${MAX_QUEUED_REQUESTS} requests may wait for their answers on one connection`);
      return;
    }
    void this.work();
  }

  private refuse(code: string, message: string): void {
    this.refused = true;
    this.queue.length = 0;
    const response: ControlResponse = { id: null, ok: false, error: errorOf(code, message) };
    this.socket.end(`${JSON.stringify(response)}\n`);
    this.socket.pause();
  }

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    this.socket.setTimeout(0);
    try {
      for (let line = this.queue.shift(); line !== undefined && !this.refused; line = this.queue.shift()) {
        await this.write(await this.answerLine(line));
      }
    } finally {
      this.working = false;
      if (!this.socket.destroyed) this.socket.setTimeout(this.bounds.idleTimeoutMs);
    }
  }

  private write(response: ControlResponse): Promise<void> {
    const socket = this.socket;
    return new Promise((resolve) => {
      if (socket.destroyed || !socket.writable) {
        resolve();
        return;
      }
      let line: string;
      try {
        line = JSON.stringify(response);
      } catch (error) {
        const failed = errorOf('failed', `the answer could not be sent: ${errorText(error)}`);
        line = JSON.stringify({ id: response.id, ok: false, error: failed });
      }
      if (socket.write(`${line}\n`)) {
        resolve();
        return;
      }
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.once('drain', done);
      socket.once('close', done);
    });
  }
}

/** Listens on `path`; rejects with the reason when it cannot. */
function listenOn(server: Server, path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const words =
        error.code === 'EADDRINUSE'
          ? `another process already serves the control socket ${path}`
          : `cannot open the control socket ${path} (${error.message})`;
      reject(new ControlSocketError(words));
    };
    server.once('error', onError);
    server.listen(path, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Starts the control socket for `dataDir`; throws {@link ControlSocketError} saying why it cannot. */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const platform = options.platform ?? process.platform;
  const path = controlSocketPath(options.dataDir, platform);
  const problem = socketPathProblem(path, platform);
  if (problem) throw new ControlSocketError(problem);
  const log = options.log ?? (() => undefined);
  const maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
  const bounds = { maxRequestBytes: options.maxRequestBytes ?? MAX_REQUEST_BYTES, idleTimeoutMs: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS };
  const posix = platform !== 'win32';
  if (posix) {
    ensurePrivateDir({ dir: options.dataDir, onWarning: log });
    await clearStale(path);
  }
  const sockets = new Set<Socket>();
  let closing = false;
  const server: Server = createServer((socket) => {
    if (closing || sockets.size >= maxConnections) {
      const busy = errorOf('busy', `Crashbell is already serving ${maxConnections} command-line connections: try again in a moment`);
      socket.end(`${JSON.stringify({ id: null, ok: false, error: busy } satisfies ControlResponse)}\n`);
      socket.on('error', () => undefined);
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new ControlConnection(socket, (line) => answer(line, options.service, log), bounds);
  });
  // A hard cap under a flood of connects: past it the OS-level accept is closed at once, without an answer.
  server.maxConnections = maxConnections * 4;
  await listenOn(server, path);
  server.on('error', (error) => log(`control: ${error.message}`));
  if (posix) {
    try {
      chmodSync(path, PRIVATE_FILE_MODE);
    } catch (error) {
      log(`control: the control socket ${path} could not be made private (${errorText(error)})`);
    }
  }
  let closed: Promise<void> | null = null;
  return {
    path,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
