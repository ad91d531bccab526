/**
 * The command line's side of the control socket: connects to the Crashbell that owns a data folder and makes
 * calls of the IPC table through it, one at a time, each answer bounded in size and time.
 */
import { connect, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { CallArgs, CallResult } from '../../../shared/ipc';
import { CrashbellError } from '../errors';
import { type ControlCallName, type ControlResponse, controlSocketPath, MAX_RESPONSE_BYTES, socketPathProblem } from './protocol';

/** How long a call may take before the client gives up (a test event waits up to 15 s for each delivery). */
export const CALL_TIMEOUT_MS = 60_000;

/** No Crashbell runs for the data folder (no socket, or nothing answers on it). */
export class NotRunningError extends CrashbellError {
  constructor(message: string) {
    super('not-running', message);
  }
}

/** Crashbell answered the call with a refusal (an unknown group, bad arguments...): `code` says which. */
export class CallRefusedError extends CrashbellError {}

/** Options for {@link ControlClient.connect}. */
export interface ControlClientOptions {
  platform?: NodeJS.Platform;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

/** Words for a connect failure: what is (not) there, for the command line to say. */
function notRunning(dataDir: string, path: string, error: NodeJS.ErrnoException): NotRunningError {
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new NotRunningError(`no Crashbell is running for the data folder ${dataDir} (there is no control socket ${path})`);
    case 'ECONNREFUSED':
      return new NotRunningError(
        `no Crashbell is running for the data folder ${dataDir} (its control socket ${path} is left from one that stopped)`,
      );
    case 'EACCES':
    case 'EPERM':
      return new NotRunningError(
        `cannot reach the Crashbell of the data folder ${dataDir}: permission denied on ${path} (run this as the user that runs that Crashbell)`,
      );
    default:
      return new NotRunningError(`cannot reach a Crashbell for the data folder ${dataDir} at ${path} (${error.message})`);
  }
}

/** A connection to a running Crashbell's control socket. */
export class ControlClient {
  private readonly pending = new Map<number, (response: ControlResponse) => void>();
  private nextId = 1;
  private failure: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
    maxResponseBytes: number,
  ) {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    socket.on('data', (chunk: Buffer) => {
      const lines = (partial + decoder.write(chunk)).split('\n');
      partial = lines.pop() ?? '';
      if (partial.length > maxResponseBytes) {
        this.fail(new CrashbellError('too-long', `Crashbell's answer is over ${maxResponseBytes} bytes: ask for less (a smaller --limit)`));
        return;
      }
      for (const line of lines) if (line.trim() !== '') this.receive(line);
    });
    socket.on('error', (error) => this.fail(new CrashbellError('connection', `the connection to Crashbell failed (${error.message})`)));
    socket.on('close', () =>
      this.fail(new CrashbellError('connection', 'Crashbell closed the connection before answering (it may be stopping)')),
    );
  }

  /**
   * Connects to the Crashbell that owns `dataDir`; throws {@link NotRunningError} when there is none (or it cannot be
   * reached), saying which.
   */
  static connect(dataDir: string, options: ControlClientOptions = {}): Promise<ControlClient> {
    const platform = options.platform ?? process.platform;
    const path = controlSocketPath(dataDir, platform);
    const problem = socketPathProblem(path, platform);
    if (problem) return Promise.reject(new NotRunningError(`no Crashbell can serve the data folder ${dataDir} here: ${problem}`));
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      const onError = (error: NodeJS.ErrnoException): void => {
        socket.destroy();
        reject(notRunning(dataDir, path, error));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new ControlClient(socket, options.timeoutMs ?? CALL_TIMEOUT_MS, options.maxResponseBytes ?? MAX_RESPONSE_BYTES));
      });
    });
  }

  /**
   * Makes one call and resolves with its result; rejects with {@link CallRefusedError} when Crashbell refused it,
   * or with a {@link CrashbellError} when the connection failed or the answer did not come in time.
   */
  call<M extends ControlCallName>(call: M, ...args: CallArgs<M>): Promise<CallResult<M>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CrashbellError('timeout', `Crashbell did not answer ${call} within ${Math.round(this.timeoutMs / 1000)} s`));
      }, this.timeoutMs);
      this.pending.set(id, (response) => {
        clearTimeout(timer);
        if (response.ok) resolve(response.result as CallResult<M>);
        else reject(new CallRefusedError(response.error.code, response.error.message));
      });
      this.socket.write(`${JSON.stringify({ id, call, args })}\n`);
    });
  }

  /** Closes the connection. */
  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private receive(line: string): void {
    let response: ControlResponse;
    try {
      response = JSON.parse(line) as ControlResponse;
    } catch {
      this.fail(new CrashbellError('protocol', `Crashbell's answer is not JSON: ${line.slice(0, 200)}`));
      return;
    }
    if (typeof response.id === 'number' && this.pending.has(response.id)) {
      const settle = this.pending.get(response.id)!;
      this.pending.delete(response.id);
      settle(response);
      return;
    }
    // An answer to no request of ours: the server refused the connection itself (busy, a line too long).
    if (!response.ok) this.fail(new CallRefusedError(response.error.code, response.error.message));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const settle of waiting) {
      settle({
        id: null,
        ok: false,
        error: { code: (this.failure as CrashbellError).code ?? 'connection', message: this.failure.message },
      });
    }
    this.socket.destroy();
  }
}
