/**
 * The relay's connection to NATS, as a state machine like the tunnel's: connecting → connected ⇄ disconnected,
 * or error(reason) with a retry on a capped backoff. Its own first-connect loop (the client's
 * `waitOnFirstConnect` can neither be bounded nor cancelled); once connected, the client reconnects by itself
 * and this follows its status. A connection the client closes for good (credentials rotated away) is rebuilt
 * on the same backoff. Each new connection is handed to `onConnection`, whose cleanup runs when it goes.
 */
import { readFile } from 'node:fs/promises';
import { type ConnectionOptions, connect, credsAuthenticator, errors, type NatsConnection } from '@nats-io/transport-node';
import type { RelayAuth } from '../../../shared/settings';
import { Emitter, type Event } from '../base/event';
import { backoffDelay, type BackoffOptions } from '../tunnel';
import { explainConnectError, permissionReason } from './reasons';

/** What to connect to, and as whom. */
export interface ConnectionConfig {
  servers: string[];
  auth: RelayAuth | null;
  /** Path of a PEM CA file; empty for the system's CAs. */
  tlsCa: string;
  /** The connection's name as the server shows it (`crashbell-<member>`). */
  name: string;
}

/** A permission the server refused on the connection: the words to show, and the subject it named. */
export interface Violation {
  reason: string;
  subject: string;
}

/** The connection's state. */
export type ConnectionState =
  | { status: 'connecting'; attempt: number }
  | { status: 'connected'; server: string | null }
  | { status: 'disconnected'; reason: string }
  | { status: 'error'; reason: string; retryAt: string | null };

export interface ConnectionOptionsIn {
  config: ConnectionConfig;
  log?: (message: string) => void;
  backoff?: Partial<BackoffOptions>;
  /** Per-dial handshake timeout; default 5 s (the client's own is 20 s). */
  connectTimeoutMs?: number;
  /** Delay between the client's reconnect attempts; default 1 s. */
  reconnectWaitMs?: number;
  now?: () => number;
}

/** Called with each new connection; may return a cleanup for when that connection is gone. */
export type ConnectionHandler = (nc: NatsConnection) => (() => void | Promise<void>) | undefined;

export const RELAY_BACKOFF: BackoffOptions = { initialMs: 1_000, factor: 2, maxMs: 30_000 };

/** Reads what the options need from the settings: the `.creds` file and the CA file are read at connect time. */
export async function natsOptions(config: ConnectionConfig, timeoutMs: number, reconnectWaitMs: number): Promise<ConnectionOptions> {
  const opts: ConnectionOptions = {
    servers: config.servers,
    name: config.name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: reconnectWaitMs,
    timeout: timeoutMs,
    pingInterval: 20_000,
  };
  const auth = config.auth;
  if (auth && 'user' in auth) {
    opts.user = auth.user;
    opts.pass = auth.pass;
  } else if (auth && 'token' in auth) {
    opts.token = auth.token;
  } else if (auth && 'credsFile' in auth) {
    let text: Uint8Array;
    try {
      text = await readFile(auth.credsFile);
    } catch (err) {
      throw new RelayConfigError(`The relay's .creds file ${auth.credsFile} cannot be read (${(err as Error).message})`);
    }
    opts.authenticator = credsAuthenticator(text);
  }
  if (config.tlsCa.trim() !== '') {
    try {
      opts.tls = { ca: await readFile(config.tlsCa, 'utf8') };
    } catch (err) {
      throw new RelayConfigError(`The relay's TLS CA file ${config.tlsCa} cannot be read (${(err as Error).message})`);
    }
  }
  return opts;
}

/** A setting the relay cannot use as it is (a missing file); the message says which. */
export class RelayConfigError extends Error {}

export class RelayConnection {
  private state: ConnectionState = { status: 'connecting', attempt: 0 };
  private readonly stateEmitter: Emitter<ConnectionState>;
  private readonly violationEmitter: Emitter<Violation>;
  private readonly handlers = new Set<ConnectionHandler>();
  private readonly opts: ConnectionOptionsIn;
  private readonly backoff: BackoffOptions;
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private current: NatsConnection | null = null;
  private cleanups: Array<() => void | Promise<void>> = [];
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  /** The last failure logged, so a retry that fails the same way is not logged again. */
  private lastLogged: string | null = null;

  constructor(opts: ConnectionOptionsIn) {
    this.opts = opts;
    this.backoff = { ...RELAY_BACKOFF, ...opts.backoff };
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => undefined);
    const onListenerError = (err: unknown): void => this.log(`relay: a connection listener failed: ${(err as Error).message}`);
    this.stateEmitter = new Emitter({ onListenerError });
    this.violationEmitter = new Emitter({ onListenerError });
  }

  get config(): ConnectionConfig {
    return this.opts.config;
  }

  getState(): ConnectionState {
    return this.state;
  }

  /** The live connection, or null while there is none. */
  get nc(): NatsConnection | null {
    return this.current;
  }

  get connected(): boolean {
    return this.state.status === 'connected';
  }

  /** Each change of the connection's state. */
  get onState(): Event<ConnectionState> {
    return this.stateEmitter.event;
  }

  /** Permission violations the server reports on the connection (they never reject a pull, only show here). */
  get onViolation(): Event<Violation> {
    return this.violationEmitter.event;
  }

  /** Runs `handler` with each new connection (and the current one, if any). */
  onConnection(handler: ConnectionHandler): void {
    this.handlers.add(handler);
    if (this.current) this.runHandler(handler, this.current);
  }

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.dial();
  }

  /** Resolves once connected (or at once when connected), or when `signal` aborts. */
  whenConnected(signal: AbortSignal): Promise<void> {
    if (this.connected || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sub = this.onState((s) => {
        if (s.status === 'connected') done();
      });
      const done = (): void => {
        sub.dispose();
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private setState(next: ConnectionState): void {
    this.state = next;
    this.stateEmitter.fire(next);
  }

  private runHandler(handler: ConnectionHandler, nc: NatsConnection): void {
    try {
      const cleanup = handler(nc);
      if (cleanup) this.cleanups.push(cleanup);
    } catch (err) {
      this.log(`relay: ${(err as Error).message}`);
    }
  }

  private async dial(): Promise<void> {
    if (this.stopped) return;
    this.attempt += 1;
    this.setState({ status: 'connecting', attempt: this.attempt });
    const config = this.opts.config;
    let nc: NatsConnection;
    try {
      const options = await natsOptions(config, this.opts.connectTimeoutMs ?? 5_000, this.opts.reconnectWaitMs ?? 1_000);
      nc = await connect(options);
    } catch (err) {
      if (this.stopped) return;
      const reason = err instanceof RelayConfigError ? err.message : explainConnectError(err, config.servers).reason;
      this.retryLater(reason);
      return;
    }
    if (this.stopped) {
      await nc.close().catch(() => undefined);
      return;
    }
    this.attempt = 0;
    this.lastLogged = null;
    this.current = nc;
    this.setState({ status: 'connected', server: nc.getServer() || null });
    this.log(`relay: connected to ${nc.getServer()}`);
    void this.follow(nc);
    for (const h of this.handlers) this.runHandler(h, nc);
    const closedWith = await nc.closed();
    await this.dropConnection();
    if (this.stopped) return;
    const reason = closedWith
      ? `${explainConnectError(closedWith, config.servers).reason}; the connection was closed`
      : 'The NATS connection was closed';
    this.retryLater(reason);
  }

  private retryLater(reason: string): void {
    const delay = backoffDelay(Math.max(1, this.attempt), this.backoff);
    this.setState({ status: 'error', reason, retryAt: new Date(this.now() + delay).toISOString() });
    // Once per reason: every retry that fails the same way would say it again.
    if (reason !== this.lastLogged) this.log(`relay: ${reason}`);
    this.lastLogged = reason;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.loop = this.dial();
    }, delay);
    this.timer.unref?.();
  }

  /** Follows the client's own reconnects and reports permission violations. */
  private async follow(nc: NatsConnection): Promise<void> {
    try {
      for await (const s of nc.status()) {
        if (this.current !== nc) return;
        switch (s.type) {
          case 'disconnect':
            this.setState({ status: 'disconnected', reason: `Lost the connection to NATS (${s.server}); reconnecting` });
            break;
          case 'reconnect':
            this.setState({ status: 'connected', server: s.server });
            this.log(`relay: reconnected to ${s.server}`);
            break;
          case 'error':
            if (s.error instanceof errors.PermissionViolationError) {
              const reason = permissionReason(s.error);
              this.violationEmitter.fire({ reason, subject: s.error.subject });
            } else if (s.error instanceof errors.AuthorizationError) {
              this.setState({ status: 'disconnected', reason: explainConnectError(s.error, this.opts.config.servers).reason });
            }
            break;
          default:
            break;
        }
      }
    } catch {
      // The status iterator ends with the connection.
    }
  }

  private async dropConnection(): Promise<void> {
    this.current = null;
    const cleanups = this.cleanups.splice(0);
    for (const c of cleanups) {
      try {
        await c();
      } catch (err) {
        this.log(`relay: ${(err as Error).message}`);
      }
    }
  }

  /** Closes the connection for good, after the parts' cleanups ran. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const nc = this.current;
    await this.dropConnection();
    if (nc) await nc.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
    this.stateEmitter.dispose();
    this.violationEmitter.dispose();
  }
}
