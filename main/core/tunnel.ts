/**
 * The ngrok tunnel's state machine: off → connecting → online(url) → error(reason), with reconnects.
 *
 * Electron-free. The ngrok SDK is injected as {@link NgrokSdk}, the same shape as `@ngrok/ngrok`'s
 * `forward()` returning a listener with `url()` and `close()`, so tests drive it with a fake and the app
 * passes the real module. Every `forward()` is bounded by a timeout: the SDK talks to the internet and may
 * never answer.
 */
import { Emitter } from './base/event';
import { errorText } from './errors';
import type { TunnelState } from '../../shared/events';

/** The part of an `@ngrok/ngrok` Listener the tunnel uses. */
export interface NgrokListener {
  url(): string | null;
  close(): Promise<void>;
}

/** The part of `@ngrok/ngrok`'s `Config` the tunnel passes. */
export interface NgrokForwardConfig {
  addr: number | string;
  authtoken?: string;
  domain?: string;
  /** Called by the SDK with 'closed' when the session drops and 'connected' when it is back. */
  onStatusChange?: (status: string) => void;
  session_metadata?: string;
}

/** The SDK surface: `import * as ngrok from '@ngrok/ngrok'` satisfies it. */
export interface NgrokSdk {
  forward(config: NgrokForwardConfig): Promise<NgrokListener>;
}

/**
 * The real `@ngrok/ngrok`, loaded on first use: the native module is only read once a tunnel is wanted, and
 * one that fails to load becomes a tunnel error while the receiver goes on listening locally.
 */
export const lazyNgrokSdk: NgrokSdk = {
  async forward(config) {
    const ngrok = await import('@ngrok/ngrok');
    return ngrok.forward(config);
  },
};

/** `host:port` as ngrok's `addr` takes it (an IPv6 address in brackets). */
export function forwardAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** What the tunnel should do, from the settings and the receiver's port. */
export interface TunnelConfig {
  enabled: boolean;
  /** The local receiver's port (already listening). */
  port: number;
  /**
   * The address the receiver listens on when it is neither loopback nor every interface (headless `--host`);
   * ngrok then forwards there instead of to localhost, which would find nothing listening.
   */
  host?: string;
  authtoken: string;
  domain: string;
}

/** Exponential backoff: `initialMs * factor^(attempt-1)`, never above `maxMs`. */
export interface BackoffOptions {
  initialMs: number;
  factor: number;
  maxMs: number;
}

/** Timers, injectable so tests can use fake ones. */
export interface TunnelTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface TunnelOptions {
  sdk: NgrokSdk;
  /** Bound on each `forward()` and `close()`. Default 20 s. */
  timeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  timers?: TunnelTimers;
  now?: () => number;
  /** Plain-words log lines for the app's log. */
  log?: (message: string) => void;
}

/** Listener for state changes; `previous` lets callers spot URL changes. */
export type TunnelListener = (state: TunnelState, previous: TunnelState) => void;

/** An ngrok error put into plain words. */
export interface ExplainedError {
  reason: string;
  code: string | null;
  /** Whether retrying on a timer can help (a bad authtoken will not fix itself). */
  retry: boolean;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, factor: 2, maxMs: 60_000 };
export const DEFAULT_FORWARD_TIMEOUT_MS = 20_000;

/** The delay before reconnect attempt `attempt` (1-based). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exp = Math.max(0, attempt - 1);
  const raw = options.initialMs * options.factor ** exp;
  return Number.isFinite(raw) ? Math.min(options.maxMs, raw) : options.maxMs;
}

/** The reason shown when there is no authtoken, naming the local URL the receiver still serves. */
export function noAuthtokenReason(port: number): string {
  return `No ngrok authtoken: providers on the internet cannot reach Crashbell; it listens on http://127.0.0.1:${port} only`;
}

/**
 * ngrok error codes Crashbell explains. See https://ngrok.com/docs/errors/ (ERR_NGROK_<n>).
 * Codes not listed keep ngrok's own message, with the code.
 */
const NGROK_ERRORS: Record<string, { reason: string; retry: boolean }> = {
  ERR_NGROK_105: {
    reason: 'The ngrok authtoken is not valid (it does not look like an ngrok authtoken). Paste it again from the ngrok dashboard',
    retry: false,
  },
  ERR_NGROK_106: {
    reason: 'The ngrok authtoken is not valid (it was revoked). Paste a current one from the ngrok dashboard',
    retry: false,
  },
  ERR_NGROK_107: {
    reason: 'The ngrok authtoken is not valid (ngrok does not know it). Paste a current one from the ngrok dashboard',
    retry: false,
  },
  ERR_NGROK_4018: { reason: 'ngrok needs a verified account and its authtoken. Sign up and paste the authtoken', retry: false },
  ERR_NGROK_108: {
    reason: 'Too many ngrok sessions: your ngrok account allows fewer agents than are running. Stop another ngrok agent',
    retry: true,
  },
  ERR_NGROK_319: {
    reason: 'The domain is not reserved by this ngrok account. Reserve it in the ngrok dashboard or clear the domain',
    retry: false,
  },
  ERR_NGROK_320: {
    reason: 'The domain is reserved by another ngrok account. Use a domain reserved by this account or clear the domain',
    retry: false,
  },
  ERR_NGROK_313: { reason: 'This ngrok plan cannot use a custom domain. Clear the domain to get a random URL', retry: false },
  ERR_NGROK_334: {
    reason: 'This ngrok URL is already online in another agent. Stop the other agent or use another domain',
    retry: true,
  },
};

const NETWORK_PATTERNS = [
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ENETUNREACH|EHOSTUNREACH|ETIMEDOUT/i,
  /dns|lookup|resolve/i,
  /network is unreachable|failed to connect|connection refused|connection reset|timed? ?out|tls handshake/i,
];

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return 'unknown error';
}

function codeOf(err: unknown): string | null {
  if (err && typeof err === 'object' && 'errorCode' in err && typeof err.errorCode === 'string') return err.errorCode;
  const match = /\b(ERR_NGROK_\d+)\b/.exec(messageOf(err));
  return match ? match[1]! : null;
}

/**
 * Puts an error from `forward()` into plain words, keeping ngrok's error code (the SDK sets `errorCode`, and the
 * message ends with `error_code: ERR_NGROK_n`).
 */
export function explainNgrokError(err: unknown): ExplainedError {
  const code = codeOf(err);
  const known = code ? NGROK_ERRORS[code] : undefined;
  if (known && code) return { reason: `${known.reason} (${code})`, code, retry: known.retry };
  const message = messageOf(err).split('\n')[0]!.slice(0, 300);
  if (!code && NETWORK_PATTERNS.some((p) => p.test(message))) {
    return { reason: `No network: Crashbell cannot reach ngrok's servers (${message}). It keeps retrying`, code: null, retry: true };
  }
  return { reason: code ? `ngrok refused the tunnel: ${message} (${code})` : `ngrok failed: ${message}`, code, retry: true };
}

class TimeoutError extends Error {}

/**
 * The tunnel manager. `apply(config)` on start and whenever settings change; `reconnect()` after resume or when
 * the user asks; `stop()` on quit.
 */
export class TunnelManager {
  private state: TunnelState = { status: 'off', reason: 'Tunnel not started' };
  /** A listener's failure is logged: the tunnel goes on whatever a subscriber does. */
  private readonly changes = new Emitter<{ next: TunnelState; previous: TunnelState }>({
    onListenerError: (err) => this.log(`tunnel: a state listener failed: ${errorText(err)}`),
  });
  private readonly sdk: NgrokSdk;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffOptions;
  private readonly timers: TunnelTimers;
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private config: TunnelConfig | null = null;
  private listener: NgrokListener | null = null;
  /** Bumped on every (re)start and stop, so late answers from an old attempt are ignored. */
  private generation = 0;
  private attempt = 0;
  private retryTimer: unknown = null;
  private stopped = false;

  constructor(options: TunnelOptions) {
    this.sdk = options.sdk;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
  }

  /** The current state. */
  getState(): TunnelState {
    return this.state;
  }

  /** The public URL when online. */
  get url(): string | null {
    return this.state.status === 'online' ? this.state.url : null;
  }

  /** Subscribes to state changes; returns an unsubscribe function. */
  subscribe(listener: TunnelListener): () => void {
    const sub = this.changes.event(({ next, previous }) => listener(next, previous));
    return () => sub.dispose();
  }

  /**
   * Applies a configuration: starts, restarts or turns the tunnel off. A configuration equal to the current one
   * changes nothing (settings saves that do not touch the tunnel must not drop it).
   */
  async apply(config: TunnelConfig): Promise<void> {
    this.stopped = false;
    const same =
      this.config !== null &&
      this.config.enabled === config.enabled &&
      this.config.port === config.port &&
      this.config.host === config.host &&
      this.config.authtoken === config.authtoken &&
      this.config.domain === config.domain;
    this.config = { ...config };
    if (same && this.state.status !== 'off') return;
    await this.restart();
  }

  /** Drops the current session and connects again now, resetting the backoff (after resume, or on request). */
  async reconnect(): Promise<TunnelState> {
    if (this.stopped || !this.config) return this.state;
    await this.restart();
    return this.state;
  }

  /** Closes the tunnel for good (quit). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.generation += 1;
    this.clearRetry();
    await this.closeListener();
    this.setState({ status: 'off', reason: 'Tunnel stopped' });
  }

  private async restart(): Promise<void> {
    this.generation += 1;
    this.clearRetry();
    this.attempt = 0;
    await this.closeListener();
    const config = this.config;
    if (!config) return;
    if (!config.enabled) {
      this.setState({
        status: 'off',
        reason: `Tunnel turned off in settings: providers on the internet cannot reach Crashbell; it listens on http://127.0.0.1:${config.port} only`,
      });
      return;
    }
    if (config.authtoken.trim() === '') {
      this.setState({ status: 'off', reason: noAuthtokenReason(config.port) });
      return;
    }
    await this.connect(this.generation);
  }

  private async connect(generation: number): Promise<void> {
    const config = this.config;
    if (!config || generation !== this.generation || this.stopped) return;
    this.attempt += 1;
    this.setState({ status: 'connecting', attempt: this.attempt });
    let listener: NgrokListener;
    try {
      listener = await this.forwardWithTimeout(config, generation);
    } catch (err) {
      if (generation !== this.generation) return;
      const explained =
        err instanceof TimeoutError
          ? {
              reason: `ngrok did not answer within ${Math.round(this.timeoutMs / 1000)} s. It keeps retrying`,
              code: null,
              retry: true,
            }
          : explainNgrokError(err);
      this.log(`tunnel: ${explained.reason}`);
      this.fail(explained, generation);
      return;
    }
    if (generation !== this.generation) {
      void this.safeClose(listener);
      return;
    }
    const url = listener.url();
    if (!url) {
      void this.safeClose(listener);
      this.fail({ reason: 'ngrok opened a tunnel without a URL', code: null, retry: true }, generation);
      return;
    }
    this.listener = listener;
    this.attempt = 0;
    this.setState({ status: 'online', url });
  }

  private forwardWithTimeout(config: TunnelConfig, generation: number): Promise<NgrokListener> {
    const forwardConfig: NgrokForwardConfig = {
      addr: config.host ? forwardAddress(config.host, config.port) : config.port,
      authtoken: config.authtoken,
      onStatusChange: (status) => this.onSessionStatus(status, generation),
      session_metadata: 'crashbell',
    };
    if (config.domain.trim() !== '') forwardConfig.domain = config.domain.trim();
    return new Promise<NgrokListener>((resolve, reject) => {
      let settled = false;
      const timer = this.timers.setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(new TimeoutError('forward timed out'));
      }, this.timeoutMs);
      let pending: Promise<NgrokListener>;
      try {
        pending = this.sdk.forward(forwardConfig);
      } catch (err) {
        pending = Promise.reject(err);
      }
      pending.then(
        (listener) => {
          if (settled) {
            // It answered after we gave up: close it so no orphan tunnel stays open.
            void this.safeClose(listener);
            return;
          }
          settled = true;
          this.timers.clearTimeout(timer);
          resolve(listener);
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          this.timers.clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** The SDK reports the session dropping ('closed') and coming back ('connected'). */
  private onSessionStatus(status: string, generation: number): void {
    if (generation !== this.generation || this.stopped) return;
    if (status === 'closed') {
      if (this.state.status !== 'online') return;
      this.log('tunnel: connection to ngrok lost');
      this.attempt = 0;
      this.fail(
        { reason: 'Connection to ngrok lost (network down or the machine slept). Reconnecting', code: null, retry: true },
        generation,
      );
    } else if (status === 'connected' && this.listener && this.state.status === 'error') {
      // The SDK's own session reconnect beat our timer: take the same listener back.
      const url = this.listener.url();
      if (url) {
        this.clearRetry();
        this.attempt = 0;
        this.setState({ status: 'online', url });
      }
    }
  }

  private fail(explained: ExplainedError, generation: number): void {
    if (!explained.retry) {
      this.setState({ status: 'error', reason: explained.reason, code: explained.code, retryAt: null });
      return;
    }
    const delay = backoffDelay(Math.max(1, this.attempt), this.backoff);
    this.setState({
      status: 'error',
      reason: explained.reason,
      code: explained.code,
      retryAt: new Date(this.now() + delay).toISOString(),
    });
    this.clearRetry();
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (generation !== this.generation) return;
      void this.retryNow(generation);
    }, delay);
  }

  private async retryNow(generation: number): Promise<void> {
    await this.closeListener();
    await this.connect(generation);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) {
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
  }

  private async closeListener(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    if (listener) await this.safeClose(listener);
  }

  /** Closes a listener, bounded by the timeout, never throwing. */
  private async safeClose(listener: NgrokListener): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = this.timers.setTimeout(resolve, this.timeoutMs);
      let closing: Promise<void>;
      try {
        closing = listener.close();
      } catch (err) {
        closing = Promise.reject(err);
      }
      closing
        .catch((err: unknown) => this.log(`tunnel: closing the old tunnel failed: ${messageOf(err)}`))
        .finally(() => {
          this.timers.clearTimeout(timer);
          resolve();
        });
    });
  }

  private setState(next: TunnelState): void {
    const previous = this.state;
    this.state = next;
    this.changes.fire({ next, previous });
  }
}

/**
 * A reserved domain as ngrok wants it: users often paste the URL (`https://x.ngrok.app/`) rather than the
 * host name, so the scheme, path and a trailing dot are dropped.
 */
export function domainOf(input: string): string {
  return input
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/[/?#].*$/, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** `https://x.ngrok.app/` → `https://x.ngrok.app`; null when the string is not an absolute URL. */
export function baseOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** The public base URL (`https://x.ngrok.app`) while the tunnel is online, else null. */
export function publicBaseOf(state: TunnelState): string | null {
  return state.status === 'online' ? baseOf(state.url) : null;
}

/** One line of words for a tunnel state, for logs. */
export function describeTunnel(state: TunnelState): string {
  switch (state.status) {
    case 'online':
      return `online at ${state.url}`;
    case 'connecting':
      return `connecting (attempt ${state.attempt})`;
    case 'error':
      return `error: ${state.reason}`;
    case 'off':
      return `off: ${state.reason}`;
  }
}
