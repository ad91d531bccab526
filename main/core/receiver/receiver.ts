/**
 * The webhook receiver: a node:http server on which only `POST /hooks/<source id>` answers. HTTP only: each
 * request goes through its phases, as fastify's request lifecycle does, each in its own file:
 *
 *   route.ts      route and source → method → content type → header-only authentication → declared size
 *   read-body.ts  the body streamed in, counted against the size limit and the memory budgets (body-budget.ts)
 *   hook-stage.ts JSON → provider verification (constant time) → schema → the normalized event
 *   reply.ts      the answer and the request log's record
 *
 * Every refusal has a status and plain words. A 2xx is sent only after `onEvent` (the ingest pipeline's
 * durable append) resolves. Every request, accepted or rejected, is written to the request log.
 *
 * The port is public through the tunnel, so nothing else answers: no status page, no listing.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { NormalizedEvent, ProviderId, RequestRecord } from '../../../shared/events';
import type { Source } from '../../../shared/settings';
import { errorText, HostNotAvailableError, NotListeningError, PortInUseError, PortNotAllowedError } from '../errors';
import { getProvider as defaultGetProvider } from '../providers/index';
import type { Headers, ProviderModule } from '../providers/types';
import type { RequestLog } from '../request-log';
import { BodyBudget, MAX_BUFFERED_BYTES } from './body-budget';
import { examineHook, type VerifiedHook } from './hook-stage';
import { internalError, type Outcome } from './outcome';
import { readBody } from './read-body';
import { record, respond } from './reply';
import { type Connection, newRequestState, type RequestState } from './request';
import { beforeBody, type RouteDeps } from './route';

export { MAX_BUFFERED_BYTES };
export { flattenHeaders, isJsonContentType } from './request';

/** Largest body accepted: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Options for {@link Receiver}. */
export interface ReceiverOptions {
  /** Looks a source up by id at request time (live: a source added or paused takes effect at once). */
  getSource: (sourceId: string) => Source | undefined;
  /**
   * Accepts a verified, parsed event; the receiver answers 2xx only once this resolves. Rejecting → 503.
   * `rawJson` is the body text when `event.raw` is exactly the body as parsed (so it need not be
   * serialized again to be stored); undefined when the provider kept something else as `raw`.
   */
  onEvent: (event: NormalizedEvent, source: Source, rawJson?: string, rawBytes?: Buffer) => Promise<EventAcceptance | undefined>;
  /**
   * Whether a verified request is Crashbell's own test event (its headers carry the core's per-run token);
   * its event is then marked `test`. Asked only after the provider's verification passed.
   */
  isTestEvent?: (headers: Headers) => boolean;
  /** Where every request is recorded. */
  log: RequestLog;
  /** Called with every record, after it is in the log. */
  onRecord?: (record: RequestRecord) => void;
  /** Provider lookup; defaults to the registry. */
  getProvider?: (id: ProviderId) => ProviderModule | undefined;
  /** Body size limit in bytes; defaults to {@link MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  /**
   * Bodies held in memory at once across all requests; defaults to {@link MAX_BUFFERED_BYTES}. Past it a
   * request is answered 503 (retry later) instead of read, so many slow senders cannot exhaust memory.
   * Within it, smaller budgets keep one flood from refusing everyone else (each also answered 503):
   * - one source's bodies: a quarter of it, so a flood on one URL leaves three quarters to the others;
   * - bodies not authenticated by their headers (a provider that can only verify after reading, or an
   *   unsigned one whose URL is the secret): half of it, so requests whose credentials were checked before
   *   the body (Backtrace Basic auth) always have the other half, whatever arrives unauthenticated;
   * - one connection's bodies (pipelined requests): the body size limit.
   */
  maxBufferedBytes?: number;
  /** Bodies held at once for one source; defaults to a quarter of `maxBufferedBytes`. */
  maxSourceBufferedBytes?: number;
  /** Bodies held at once that no header check authenticated; defaults to half of `maxBufferedBytes`. */
  maxUnverifiedBufferedBytes?: number;
  /** Bodies held at once on one connection; defaults to `maxBodyBytes`. */
  maxConnectionBufferedBytes?: number;
  /** Clock (ms since the epoch), for tests. */
  now?: () => number;
  /** Whole-request deadline, so a slow sender cannot hold a connection open. Default 30 s. */
  requestTimeoutMs?: number;
  /** Deadline for the request headers. Default 10 s. */
  headersTimeoutMs?: number;
  /** How often the deadlines above are checked. Default 1 s. */
  timeoutCheckIntervalMs?: number;
}

/** What storing an event came to, as far as the answer to the sender says it. */
export interface EventAcceptance {
  /** The hook repeats one already recorded: nothing changed (the sender still gets its 200). */
  duplicate: boolean;
}

/** What storing an event came to, as far as the answer to the sender says it. */
export interface EventAcceptance {
  /** The hook repeats one already recorded: nothing changed (the sender still gets its 200). */
  duplicate: boolean;
}

/** The webhook receiver. Create, then {@link Receiver.listen}; {@link Receiver.close} to stop. */
export class Receiver {
  private readonly server: http.Server;
  private readonly now: () => number;
  private readonly budget: BodyBudget;
  private readonly route: RouteDeps;
  /** Requests being handled (answered or not yet), and who waits for that to reach zero. */
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly connections = new WeakMap<Socket, Connection>();
  private boundPort: number | null = null;
  private boundHost: string | null = null;

  constructor(private readonly options: ReceiverOptions) {
    const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    const all = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.budget = new BodyBudget({
      all,
      source: options.maxSourceBufferedBytes ?? Math.floor(all / 4),
      unverified: options.maxUnverifiedBufferedBytes ?? Math.floor(all / 2),
      connection: options.maxConnectionBufferedBytes ?? maxBodyBytes,
    });
    this.now = options.now ?? Date.now;
    this.route = {
      getSource: options.getSource,
      getProvider: options.getProvider ?? defaultGetProvider,
      now: this.now,
      maxBodyBytes,
      budget: this.budget,
    };
    this.server = http.createServer({
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: options.timeoutCheckIntervalMs ?? 1_000,
      maxHeaderSize: 16 * 1024,
    });
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    this.server.on('request', onRequest);
    // `Expect: 100-continue` (curl sends it for bodies over 1 KiB): Node would say "100 Continue" before any
    // check ran. Handled here, the route, method, content type, credentials and declared size are checked
    // first, and "continue" is sent only when the body is really wanted.
    this.server.on('checkContinue', onRequest);
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.onClientError(error, socket));
  }

  /** The port it listens on, or null when it is not listening. */
  get port(): number | null {
    return this.boundPort;
  }

  /** The address it listens on, or null. */
  get host(): string | null {
    return this.boundHost;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /**
   * Starts listening; resolves with the bound port (useful with port 0). Throws {@link PortInUseError},
   * {@link PortNotAllowedError} or {@link HostNotAvailableError}, whose messages say what is wrong.
   */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        this.server.off('listening', onListening);
        if (error.code === 'EADDRINUSE') reject(new PortInUseError(port, host));
        else if (error.code === 'EACCES') reject(new PortNotAllowedError(port, host));
        else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
          reject(new HostNotAvailableError(port, host));
        } else reject(error);
      };
      const onListening = (): void => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        this.boundPort = address.port;
        this.boundHost = host;
        resolve(address.port);
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(port, host);
    });
  }

  /**
   * Stops accepting connections, lets requests in progress finish (their ingest included) for up to
   * `graceMs`, then closes every connection.
   */
  async close(graceMs = 5_000): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        if (this.pending === 0) resolve();
        else this.idleWaiters.push(resolve);
      }),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        timer.unref();
      }),
    ]);
    if (timer) clearTimeout(timer);
    this.server.closeAllConnections();
    await closed;
    this.boundPort = null;
    this.boundHost = null;
  }

  /** Throws {@link NotListeningError} unless listening; returns the port. */
  requirePort(): number {
    if (this.boundPort === null) throw new NotListeningError();
    return this.boundPort;
  }

  /**
   * One request, from headers to answer. Callbacks rather than async functions on purpose: this runs for
   * every hook, and each await costs promises and microtask turns; the only promise left on the way is the
   * ingest's own. Every path ends in {@link finish}, exactly once.
   */
  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const state = newRequestState(req);
    this.pending++;
    let connection = this.connections.get(req.socket);
    if (connection === undefined) {
      connection = { current: null, held: 0 };
      this.connections.set(req.socket, connection);
    }
    connection.current = state;
    state.connection = connection;
    let refused: Outcome | null;
    try {
      refused = beforeBody(req, res, state, this.route);
    } catch (error) {
      refused = internalError(error);
    }
    if (refused) {
      this.finish(req, res, state, refused);
      return;
    }
    readBody(req, state, this.route, (stopped) => {
      if (stopped) this.finish(req, res, state, stopped);
      else this.afterBody(req, res, state);
    });
  }

  /** Answers, records, and releases what the request held. Never throws. */
  private finish(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState, outcome: Outcome): void {
    const connection = state.connection!;
    if (connection.current === state) connection.current = null;
    try {
      respond(req, res, state, outcome);
    } catch {
      // Only a bug lands here; the socket must not be left open waiting for an answer.
      if (!res.headersSent) res.destroy();
    }
    this.record(state, outcome);
    // The body is in the request log (its first 64 KiB) or gone: it no longer counts against the budgets.
    this.budget.release(state);
    if (--this.pending === 0 && this.idleWaiters.length > 0) {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** The hook stage, then the ingest; answers when the ingest settles. */
  private afterBody(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState): void {
    let hook: Outcome | VerifiedHook;
    try {
      hook = examineHook(state, { now: this.now, isTestEvent: this.options.isTestEvent });
    } catch (error) {
      hook = internalError(error);
    }
    if (!('event' in hook)) {
      this.finish(req, res, state, hook);
      return;
    }
    const { event, title, test, previousNote } = hook;
    let stored: Promise<EventAcceptance | undefined>;
    try {
      stored = Promise.resolve(this.options.onEvent(event, hook.source, hook.rawJson, hook.rawBytes));
    } catch (error) {
      stored = Promise.reject(error);
    }
    stored.then(
      (acceptance) => {
        // A redelivery (a sender's retry of a hook it already got a 2xx for, a Standard Webhooks id seen
        // before) is answered 2xx too, or the sender would keep retrying; the log says it changed nothing.
        const duplicate = acceptance?.duplicate === true;
        const reason = duplicate
          ? `accepted as a redelivery of a hook already recorded: nothing changed${previousNote}`
          : `${test ? 'accepted (test event)' : 'accepted'}${previousNote}`;
        this.finish(req, res, state, { status: 200, reason, eventId: event.id, title, ...(duplicate ? { duplicate } : {}) });
      },
      (error: unknown) => {
        const why = errorText(error);
        const outcome: Outcome = {
          status: 503,
          reason: `the event could not be stored, try again later: ${why}`,
          headers: { 'Retry-After': '5' },
        };
        this.finish(req, res, state, outcome);
      },
    );
  }

  private record(state: RequestState, outcome: Outcome): void {
    const rec = record(this.options.log, state, outcome, this.now());
    try {
      this.options.onRecord?.(rec);
    } catch {
      // A subscriber's bug must not break the receiver.
    }
  }

  /** Malformed HTTP and header timeouts: answer if the socket still can, and record it. */
  private onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const status = timeout ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const reason = timeout ? 'the request took too long to arrive' : `malformed HTTP request (${error.code ?? 'parse error'})`;
    const pending = this.connections.get(socket)?.current;
    if (pending?.req?.complete && error.code !== 'ECONNRESET' && error.code !== 'EPIPE') {
      // The request before the bad bytes is read whole and waits for its answer (its ingest may be waiting
      // for the disk): that answer is what the sender must see. It goes out first, then the connection
      // closes; what followed it on the connection is not answered.
      pending.closeAfterAnswer = true;
      return;
    }
    if (socket.writable && !socket.destroyed) {
      const body = JSON.stringify({ ok: false, error: reason });
      const text = http.STATUS_CODES[status] ?? 'Bad Request';
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroySoon?.();
    // A reset or aborted connection is not a request worth listing.
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
    const current = this.connections.get(socket)?.current;
    if (current) {
      // The request's own handler records it (with its source and what arrived of the body).
      current.timedOut = timeout;
      return;
    }
    this.record({ ...newRequestState(null), timedOut: timeout }, { status, reason });
  }
}
