/**
 * The webhook receiver: a node:http server on which only `POST /hooks/<source id>` answers.
 *
 * Order of checks (each refusal has a status and plain words): route and source → method → content type →
 * header-only authentication (a provider's `verifyHeaders`: Backtrace Basic auth, token headers) → size
 * and memory budgets (declared, then counted while streaming) → JSON → provider verification
 * (Errorception signature) → schema. A 2xx is sent only after `onEvent` (the inbox's durable ingest)
 * resolves. Every request, accepted or rejected, is written to the request log.
 *
 * Bodies in memory are bounded in all, per source, per connection, and for bodies no header check
 * authenticated (see {@link ReceiverOptions.maxBufferedBytes}), so slow unauthenticated uploads to one URL
 * cannot make another source's authenticated hooks wait or fail.
 *
 * The port is public through the tunnel, so nothing else answers: no status page, no listing.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { NormalizedEvent, ProviderId, RequestRecord } from '../../shared/events';
import type { Source } from '../../shared/settings';
import { boundedEvent } from './bounded-event';
import { type CredentialCheck, checkCredentials, previousCredentialsNote } from './credentials';
import { HostNotAvailableError, NotListeningError, PortInUseError, PortNotAllowedError } from './errors';
import { getProvider as defaultGetProvider } from './providers/index';
import type { Headers, HookRequest, ParsedEvent, ProviderModule, Rejection } from './providers/types';
import { MAX_RECORDED_BODY_BYTES, type RequestLog } from './request-log';

/** Largest body accepted: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Request bodies held in memory at once, across all connections: 64 MiB. */
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Options for {@link Receiver}. */
export interface ReceiverOptions {
  /** Looks a source up by id at request time (live: a source added or paused takes effect at once). */
  getSource: (sourceId: string) => Source | undefined;
  /**
   * Accepts a verified, parsed event; the receiver answers 2xx only once this resolves. Rejecting → 503.
   * `rawJson` is the body text when `event.raw` is exactly the body as parsed (so it need not be
   * serialized again to be stored); undefined when the provider kept something else as `raw`.
   */
  onEvent: (event: NormalizedEvent, source: Source, rawJson?: string) => Promise<EventAcceptance | undefined>;
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

/** A verified event on its way into the inbox: answered when `stored` settles. */
interface Ingest {
  stored: Promise<EventAcceptance | undefined>;
  eventId: string;
  title: string;
  test: boolean;
  /** Words for the request log when the hook passed with a rotation's previous credentials, else ''. */
  previousNote: string;
}

/** What the handler settled on; turned into a response and a record in one place. */
interface Outcome {
  status: number;
  /** Recorded in the request log; also the answer's `error`, unless `answer` says otherwise. */
  reason: string;
  /** What the sender is told instead of `reason` (a 404 says only "not found"). */
  answer?: string;
  field?: string;
  headers?: Record<string, string>;
  eventId?: string;
  /** The accepted event's title, for the inspector's row. */
  title?: string;
  /** Accepted as a redelivery of a hook already recorded. */
  duplicate?: boolean;
  /** The body was left unread (or partly read): close the connection after answering. */
  close?: boolean;
}

interface RequestState {
  method: string;
  path: string;
  source: Source | null;
  provider: ProviderModule | null;
  headers: Headers;
  chunks: Buffer[];
  /** The chunks joined, once the whole body is in: joined once, for verification and the log alike. */
  body: Buffer | null;
  bytes: number;
  complete: boolean;
  /** Set when Node's request deadline dropped the connection mid-request. */
  timedOut: boolean;
  /** Body bytes this request holds in memory, counted against the receiver's budgets. */
  held: number;
  /** Its connection's bookkeeping (absent for a client error's record). */
  connection?: Connection;
  /** The provider's `verifyHeaders` passed: `verify` may skip the header checks. */
  headersVerified?: boolean;
  /** The credentials the header check passed with (current, or a rotation's previous ones). */
  verified?: Source;
  /** Bad bytes followed this request on its connection: answer it, then close the connection. */
  closeAfterAnswer?: boolean;
  /** The request, to ask whether the HTTP parser has the whole message (absent for a client error's record). */
  req?: http.IncomingMessage;
}

/** What the receiver tracks per connection. */
interface Connection {
  /** The request it is in the middle of, so a deadline hit mid-body is recorded once, with it. */
  current: RequestState | null;
  /** Body bytes its requests hold (pipelined requests may hold more than one body). */
  held: number;
}

/** Which budget a refused chunk would have overrun, in the words the sender gets. */
const BUSY = {
  all: 'too many requests in progress: try again shortly',
  source: 'too many requests in progress for this source: try again shortly',
  unverified: 'too many unauthenticated requests in progress: try again shortly',
  connection: 'too many requests in progress on this connection: try again shortly',
} as const;

const NOT_FOUND = 'not found';
const HOOK_PATH = /^\/hooks\/([^/?#]+)\/?$/;
const JSON_TYPE = /^application\/(?:json|[a-z0-9!#$&^_.+-]+\+json)$/;
const MAX_RECORDED_PATH = 2048;

/**
 * Header names lower-cased and multi-values joined, as providers expect them. Node already lower-cases
 * names and joins repeated headers, except `set-cookie` (an array): without an array the object is used as
 * it is, not copied (nothing changes it afterwards).
 */
export function flattenHeaders(raw: http.IncomingHttpHeaders): Headers {
  let flat = true;
  for (const name in raw) {
    if (typeof raw[name] !== 'string') {
      flat = false;
      break;
    }
  }
  if (flat) return raw as Headers;
  const out: Headers = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** True for `application/json` and `application/<anything>+json`, with or without parameters. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  if (value === 'application/json') return true;
  const media = value.split(';')[0]!.trim().toLowerCase();
  return JSON_TYPE.test(media);
}

function safeDecode(segment: string): string | null {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The webhook receiver. Create, then {@link Receiver.listen}; {@link Receiver.close} to stop. */
export class Receiver {
  private readonly server: http.Server;
  private readonly maxBodyBytes: number;
  private readonly getProvider: (id: ProviderId) => ProviderModule | undefined;
  private readonly now: () => number;
  /** Requests being handled (answered or not yet), and who waits for that to reach zero. */
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly connections = new WeakMap<Socket, Connection>();
  private boundPort: number | null = null;
  private boundHost: string | null = null;
  /** Bytes of request bodies held right now: in all, per source id, and not authenticated by headers. */
  private buffered = 0;
  private readonly bufferedBySource = new Map<string, number>();
  private unverified = 0;
  private readonly maxBufferedBytes: number;
  private readonly maxSourceBufferedBytes: number;
  private readonly maxUnverifiedBufferedBytes: number;
  private readonly maxConnectionBufferedBytes: number;

  constructor(private readonly options: ReceiverOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.maxBufferedBytes = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.maxSourceBufferedBytes = options.maxSourceBufferedBytes ?? Math.floor(this.maxBufferedBytes / 4);
    this.maxUnverifiedBufferedBytes = options.maxUnverifiedBufferedBytes ?? Math.floor(this.maxBufferedBytes / 2);
    this.maxConnectionBufferedBytes = options.maxConnectionBufferedBytes ?? this.maxBodyBytes;
    this.getProvider = options.getProvider ?? defaultGetProvider;
    this.now = options.now ?? Date.now;
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
    const rawUrl = req.url ?? '';
    const state: RequestState = {
      method: req.method ?? '',
      path: rawUrl.length > MAX_RECORDED_PATH ? `${rawUrl.slice(0, MAX_RECORDED_PATH)}…` : rawUrl,
      source: null,
      provider: null,
      headers: flattenHeaders(req.headers),
      chunks: [],
      body: null,
      bytes: 0,
      complete: false,
      timedOut: false,
      held: 0,
      req,
    };
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
      refused = this.beforeBody(req, res, state);
    } catch (error) {
      refused = internalError(error);
    }
    if (refused) {
      this.finish(req, res, state, refused);
      return;
    }
    this.readBody(req, state, (stopped) => {
      if (stopped) this.finish(req, res, state, stopped);
      else this.afterBody(req, res, state);
    });
  }

  /** Answers, records, and releases what the request held. Never throws. */
  private finish(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState, outcome: Outcome): void {
    const connection = state.connection!;
    if (connection.current === state) connection.current = null;
    try {
      this.respond(req, res, state, outcome);
    } catch {
      // Only a bug lands here; the socket must not be left open waiting for an answer.
      if (!res.headersSent) res.destroy();
    }
    // The body is in the request log (its first 64 KiB) or gone: it no longer counts against the budgets.
    this.release(state);
    if (--this.pending === 0 && this.idleWaiters.length > 0) {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** The checks that need no body; an outcome refuses the request before it is read. */
  private beforeBody(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState): Outcome | null {
    // A refusal before reading keeps the connection when the unread body is small and announced (Node
    // discards it); an unannounced or oversized one closes the connection instead of being read.
    const early = this.unreadNeedsClose(req);
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const match = HOOK_PATH.exec(query < 0 ? url : url.slice(0, query));
    // Every 404 tells the sender only "not found": nothing about which routes or sources exist. The request
    // log (the user's own inspector) keeps why.
    if (!match) return { status: 404, reason: 'not found: only POST /hooks/<source id> answers here', answer: NOT_FOUND, close: early };
    const sourceId = safeDecode(match[1]!);
    const source = sourceId === null ? undefined : this.options.getSource(sourceId);
    if (!source) return { status: 404, reason: 'unknown source: check the webhook URL', answer: NOT_FOUND, close: early };
    state.source = source;
    const provider = this.getProvider(source.provider);
    if (!provider) {
      return {
        status: 404,
        reason: `this source's provider (${source.provider}) is not available in this version`,
        answer: NOT_FOUND,
        close: early,
      };
    }
    state.provider = provider;

    if (req.method !== 'POST') {
      return { status: 405, reason: `method ${req.method ?? ''} not allowed: webhooks are POST`, headers: { Allow: 'POST' }, close: early };
    }
    const type = state.headers['content-type'];
    if (!isJsonContentType(type)) {
      const given = type ? `"${type}"` : 'none';
      return { status: 415, reason: `content type ${given} not supported: send application/json`, close: early };
    }
    if (provider.verifyHeaders) {
      const verifyHeaders = provider.verifyHeaders.bind(provider);
      const headers = state.headers;
      // Undefined: this source has nothing its headers could prove (e.g. no token configured), so it is
      // neither refused here nor counted as authenticated for the body budgets.
      let nothingToCheck = false;
      const checked = checkCredentials(source, this.now(), (s) => {
        const verdict = verifyHeaders(s, headers);
        if (verdict === undefined) nothingToCheck = true;
        return verdict ?? null;
      });
      if (!checked.ok) return fromRejection(checked.rejection, early);
      if (!nothingToCheck) {
        state.headersVerified = true;
        state.verified = checked.source;
      }
    }

    const declared = state.headers['content-length'];
    if (declared !== undefined && Number(declared) > this.maxBodyBytes) {
      return { status: 413, reason: `body of ${declared} bytes is over the ${this.maxBodyBytes}-byte limit`, close: true };
    }
    // An announced body that would not fit is refused before a byte of it is read.
    const busy = declared === undefined ? null : this.overBudget(state, Number(declared));
    if (busy !== null) return busyOutcome(busy);
    if (expectsContinue(req)) res.writeContinue();
    return null;
  }

  /** Parses, verifies and hands the event over; answers when the ingest settles. */
  private afterBody(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState): void {
    let next: Outcome | Ingest;
    try {
      next = this.examine(state);
    } catch (error) {
      next = internalError(error);
    }
    if (!('stored' in next)) {
      this.finish(req, res, state, next);
      return;
    }
    const { stored, eventId, title, test, previousNote } = next;
    stored.then(
      (acceptance) => {
        // A redelivery (a sender's retry of a hook it already got a 2xx for, a Standard Webhooks id seen
        // before) is answered 2xx too, or the sender would keep retrying; the log says it changed nothing.
        const outcome: Outcome =
          acceptance?.duplicate === true
            ? {
                status: 200,
                reason: `accepted as a redelivery of a hook already recorded: nothing changed${previousNote}`,
                eventId,
                title,
                duplicate: true,
              }
            : { status: 200, reason: `${test ? 'accepted (test event)' : 'accepted'}${previousNote}`, eventId, title };
        this.finish(req, res, state, outcome);
      },
      (error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        this.finish(req, res, state, {
          status: 503,
          reason: `the event could not be stored, try again later: ${why}`,
          headers: { 'Retry-After': '5' },
        });
      },
    );
  }

  /** JSON, verification and schema on the whole body; an outcome refuses (or acknowledges) it, else the ingest started. */
  private examine(state: RequestState): Outcome | Ingest {
    const source = state.source!;
    const provider = state.provider!;
    // One chunk (a small hook arrives in one read) is the body itself: no copy.
    const rawBody = state.chunks.length === 1 ? state.chunks[0]! : Buffer.concat(state.chunks, state.bytes);
    state.body = rawBody;
    let json: unknown;
    let text = rawBody.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    try {
      json = JSON.parse(text);
    } catch (error) {
      // Only a failed parse can be an empty body, so the blank check (a copy of the text) waits until then.
      if (text.trim() === '') return { status: 400, reason: 'empty body: a JSON object was expected' };
      return { status: 400, reason: `malformed JSON: ${error instanceof Error ? error.message : 'cannot parse'}` };
    }

    const now = this.now();
    const headersVerified = state.headersVerified === true;
    const base = { headers: state.headers, rawBody, json, now };
    const verifyWith = (s: Source, headersChecked: boolean) => provider.verify({ ...base, source: s, headersVerified: headersChecked });
    // The credentials the headers passed with usually pass the body check too; when they do not (a body
    // signed with the previous secret during a rotation), every accepted set is tried in full.
    const verified = state.verified ?? source;
    const checked: CredentialCheck =
      headersVerified && verifyWith(verified, true) === null
        ? { ok: true, source: verified, previous: verified !== source }
        : checkCredentials(source, now, (s) => verifyWith(s, false));
    if (!checked.ok) return fromRejection(checked.rejection);
    const hook: HookRequest = { ...base, source: checked.source, headersVerified };
    const previousNote = checked.previous ? `; ${previousCredentialsNote(source, provider.name)}` : '';
    const parsed = provider.parse(hook);
    if (!parsed.ok) return fromRejection(parsed.rejection);
    // Genuine and well-formed, but nothing to record (e.g. a provider's installation ping): acknowledge it.
    if (parsed.event === null) return { status: 200, reason: `${parsed.note}${previousNote}` };

    const test = this.options.isTestEvent?.(state.headers) === true;
    // Bounded here, where every provider's event is made, so the request log's row and the core see the same
    // capped fields (bounded-event.ts; the core's own bounding is then free) and raw stays the one full copy.
    const event = boundedEvent(normalizedEvent(parsed.event, source, new Date(now).toISOString(), test));
    let stored: Promise<EventAcceptance | undefined>;
    try {
      stored = Promise.resolve(this.options.onEvent(event, source, parsed.event.raw === json ? text : undefined));
    } catch (error) {
      stored = Promise.reject(error);
    }
    return { stored, eventId: event.id, title: event.title, test, previousNote };
  }

  /** True when a body left unread is chunked (size unknown) or announced over the limit. */
  private unreadNeedsClose(req: http.IncomingMessage): boolean {
    // A sender waiting for "100 Continue" never sends the body of a refused request: nothing to discard.
    if (req.headers['transfer-encoding'] !== undefined || expectsContinue(req)) return true;
    const declared = Number(req.headers['content-length'] ?? 0);
    return !Number.isFinite(declared) || declared > this.maxBodyBytes;
  }

  /** Streams the body in, counting bytes; calls `done` once: with an outcome when it must stop (too large, aborted). */
  private readBody(req: http.IncomingMessage, state: RequestState, done: (stopped: Outcome | null) => void): void {
    let settled = false;
    const finish = (outcome: Outcome | null): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      done(outcome);
    };
    const onData = (chunk: Buffer): void => {
      state.bytes += chunk.length;
      if (state.bytes > this.maxBodyBytes) {
        // Keep what was read for the log (the log keeps only its first 64 KiB) and stop reading.
        req.pause();
        finish({ status: 413, reason: `body is over the ${this.maxBodyBytes}-byte limit`, close: true });
        return;
      }
      const busy = this.overBudget(state, chunk.length);
      if (busy !== null) {
        req.pause();
        finish(busyOutcome(busy));
        return;
      }
      this.hold(state, chunk.length);
      state.chunks.push(chunk);
    };
    const onEnd = (): void => {
      state.complete = true;
      finish(null);
    };
    const onError = (error: Error): void => {
      if (state.timedOut) {
        onAborted();
        return;
      }
      finish({ status: 400, reason: `the request body could not be read: ${error.message}`, close: true });
    };
    const onAborted = (): void => {
      finish(
        state.timedOut
          ? { status: 408, reason: 'the request took too long to arrive', close: true }
          : { status: 400, reason: 'the sender closed the connection before the body was complete', close: true },
      );
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  }

  /** The budget `bytes` more of this request's body would overrun, or null when it fits in all of them. */
  private overBudget(state: RequestState, bytes: number): keyof typeof BUSY | null {
    if (this.buffered + bytes > this.maxBufferedBytes) return 'all';
    if ((state.connection?.held ?? 0) + bytes > this.maxConnectionBufferedBytes) return 'connection';
    if (!state.headersVerified && this.unverified + bytes > this.maxUnverifiedBufferedBytes) return 'unverified';
    const id = state.source?.id;
    if (id !== undefined && (this.bufferedBySource.get(id) ?? 0) + bytes > this.maxSourceBufferedBytes) return 'source';
    return null;
  }

  private hold(state: RequestState, bytes: number): void {
    state.held += bytes;
    this.buffered += bytes;
    if (state.connection) state.connection.held += bytes;
    if (!state.headersVerified) this.unverified += bytes;
    const id = state.source?.id;
    if (id !== undefined) this.bufferedBySource.set(id, (this.bufferedBySource.get(id) ?? 0) + bytes);
  }

  private release(state: RequestState): void {
    const bytes = state.held;
    if (bytes === 0) return;
    state.held = 0;
    this.buffered -= bytes;
    if (state.connection) state.connection.held -= bytes;
    if (!state.headersVerified) this.unverified -= bytes;
    const id = state.source?.id;
    if (id !== undefined) {
      const left = (this.bufferedBySource.get(id) ?? 0) - bytes;
      if (left > 0) this.bufferedBySource.set(id, left);
      else this.bufferedBySource.delete(id);
    }
  }

  private respond(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState, outcome: Outcome): void {
    const ok = outcome.status >= 200 && outcome.status < 300;
    // An event id is a UUID (nothing to escape): the accepted answer needs no JSON.stringify.
    const body =
      ok && outcome.eventId !== undefined
        ? `{"ok":true,"event":"${outcome.eventId}"${outcome.duplicate ? ',"duplicate":true' : ''}}`
        : JSON.stringify(
            ok
              ? { ok: true, event: null }
              : { ok: false, error: outcome.answer ?? outcome.reason, ...(outcome.field ? { field: outcome.field } : {}) },
          );
    const closeAfter = (outcome.close === true && !state.complete) || state.closeAfterAnswer === true;
    if (!res.headersSent && !res.destroyed) {
      const headers: Record<string, string | number> = {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        ...outcome.headers,
      };
      if (closeAfter) {
        // The body was left unread (refused early, too large, broken): answer, send FIN, and drop the socket
        // shortly after, so the sender can read the answer but cannot keep us reading.
        headers['Connection'] = 'close';
        res.on('finish', () => {
          const socket = req.socket;
          socket.end();
          setTimeout(() => socket.destroy(), 500).unref();
        });
      }
      res.writeHead(outcome.status, headers);
      res.end(body);
    }
    this.record(state, outcome);
  }

  private record(state: RequestState, outcome: Outcome): void {
    const record = this.options.log.add({
      method: state.method,
      path: state.path,
      sourceId: state.source?.id ?? null,
      provider: state.source?.provider ?? null,
      status: outcome.status,
      reason: outcome.reason,
      headers: state.headers,
      body: state.body ?? recordedStart(state.chunks),
      bodyBytes: state.bytes,
      complete: state.complete,
      eventId: outcome.eventId ?? null,
      title: outcome.title ?? null,
      duplicate: outcome.duplicate === true,
      secretHeaders: secretHeadersFor(state),
      time: this.now(),
    });
    try {
      this.options.onRecord?.(record);
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
    this.record(
      {
        method: '',
        path: '',
        source: null,
        provider: null,
        headers: {},
        chunks: [],
        body: null,
        bytes: 0,
        complete: false,
        timedOut: timeout,
        held: 0,
      },
      { status, reason },
    );
  }
}

/**
 * The parsed fields plus what the receiver adds, written out field by field: a spread of the parsed event
 * followed by four more properties made V8 grow the object one property at a time on a slow path, which a
 * profile showed costing more per request than JSON.parse of the body.
 */
function normalizedEvent(f: ParsedEvent, source: Source, receivedAt: string, test: boolean): NormalizedEvent {
  return {
    id: randomUUID(),
    provider: source.provider,
    sourceId: source.id,
    groupKey: f.groupKey,
    title: f.title,
    description: f.description,
    url: f.url,
    urlDerivation: f.urlDerivation ?? null,
    occurrences: f.occurrences,
    hosts: f.hosts,
    guids: f.guids,
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    receivedAt,
    classifiers: f.classifiers,
    attributes: f.attributes,
    callstack: f.callstack,
    application: f.application,
    project: f.project,
    environment: f.environment,
    objectId: f.objectId,
    page: f.page,
    userAgent: f.userAgent,
    browser: f.browser,
    os: f.os,
    isFirstOccurrence: f.isFirstOccurrence,
    lifecycle: f.lifecycle,
    milestone: f.milestone,
    redelivery: f.redelivery,
    issueRef: f.issueRef ?? null,
    raw: f.raw,
    test,
  };
}

/** The provider's secret header names, and the source's own when its module names them (looked up when read). */
function secretHeadersFor(state: RequestState): readonly string[] | (() => readonly string[]) {
  const provider = state.provider;
  const source = state.source;
  if (!provider) return [];
  if (!provider.secretHeadersOf || !source) return provider.secretHeaders;
  const of = provider.secretHeadersOf.bind(provider);
  return () => {
    try {
      return [...provider.secretHeaders, ...of(source)];
    } catch {
      // A source whose config cannot be read still gets the provider's list (and the default set).
      return provider.secretHeaders;
    }
  };
}

/** The start of a body that was not read whole, joined only as far as the request log keeps it. */
function recordedStart(chunks: Buffer[]): Buffer {
  let bytes = 0;
  let n = 0;
  while (n < chunks.length && bytes < MAX_RECORDED_BODY_BYTES) bytes += chunks[n++]!.length;
  return Buffer.concat(chunks.slice(0, n));
}

function expectsContinue(req: http.IncomingMessage): boolean {
  return (req.headers['expect'] ?? '').toLowerCase() === '100-continue';
}

function busyOutcome(budget: keyof typeof BUSY): Outcome {
  return { status: 503, reason: BUSY[budget], headers: { 'Retry-After': '5' }, close: true };
}

function internalError(error: unknown): Outcome {
  // Nothing a sender does should land here; if it does, answer and record instead of crashing.
  return { status: 500, reason: `internal error: ${error instanceof Error ? error.message : String(error)}`, close: true };
}

function fromRejection(rejection: Rejection, close?: Outcome['close']): Outcome {
  return {
    status: rejection.status,
    reason: rejection.reason,
    ...(rejection.field !== undefined ? { field: rejection.field } : {}),
    ...(rejection.headers ? { headers: rejection.headers } : {}),
    ...(close ? { close } : {}),
  };
}
