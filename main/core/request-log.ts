/**
 * The bounded list of recent requests behind the app's request inspector. Every request the receiver sees,
 * accepted or rejected, becomes one {@link RequestRecord} with secrets masked and at most 64 KiB of body.
 * When the whole body fitted, the request as it arrived is kept privately (never exposed in records) so
 * the inspector can replay it through the receiver.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderId, RequestRecord } from '../../shared/events';

/** Default number of records kept; the oldest is dropped first. */
export const DEFAULT_REQUEST_LOG_SIZE = 200;
/** How much of a body a record keeps. */
export const MAX_RECORDED_BODY_BYTES = 64 * 1024;

/**
 * Header names masked in every record, whichever source the request was for. Names that look like a
 * credential are masked too (see {@link isSecretHeader}), so a provider's or a service's own token or
 * signature header is hidden even when no module names it.
 */
export const ALWAYS_MASKED_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-signature',
  'x-hub-signature',
  'x-hub-signature-256',
  'webhook-signature',
];

/** Credential-looking names: `*-token`, `*signature*`, `*secret*`, `*password*`, `*-api-key`, `*-apikey`. */
const CREDENTIAL_NAME = /(?:^|-)(?:token|api-?key)$|signature|secret|password/;

const MASK = '••••••';
/** Lenient: a body cut at 64 KiB may end inside a character; that one becomes U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: false });
const ALWAYS_MASKED = new Set(ALWAYS_MASKED_HEADERS);

/** What the receiver hands the log for one request. */
export interface RequestEntry {
  method: string;
  path: string;
  sourceId: string | null;
  provider: ProviderId | null;
  status: number;
  reason: string;
  /**
   * Lower-cased header names to values, unmasked (the log masks them when a record is read). Kept by
   * reference, not copied: hand over an object nothing changes afterwards.
   */
  headers: Record<string, string>;
  /** The bytes read (possibly only the start of the body). Kept by reference when it fits in a record. */
  body: Buffer;
  /** How many body bytes arrived in all (at least `body.length`). */
  bodyBytes: number;
  /** False when the receiver stopped reading before the end (too large, or refused before reading). */
  complete: boolean;
  eventId: string | null;
  /** The accepted event's title, when there is one. */
  title?: string | null;
  /** Accepted as a redelivery of a hook already recorded. */
  duplicate?: boolean;
  /**
   * Extra header names to mask: the provider's `secretHeaders`, or a function giving them with the
   * source's own (a generic source's configured signature header), called only when a record is read.
   */
  secretHeaders?: readonly string[] | (() => readonly string[]);
  /** Milliseconds since the epoch; defaults to now. */
  time?: number;
}

/** The request exactly as it arrived, for replay. Never leaves the main process. */
export interface OriginalRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Masks a header value, keeping an auth scheme ("Basic ••••••") so the inspector still shows what was sent. */
export function maskValue(name: string, value: string): string {
  if (name === 'authorization' || name === 'proxy-authorization') {
    const scheme = /^\s*([A-Za-z][A-Za-z0-9._-]*)\s+\S/.exec(value);
    if (scheme) return `${scheme[1]} ${MASK}`;
  }
  return MASK;
}

/**
 * True when a (lower-cased) header name carries a credential: one of {@link ALWAYS_MASKED_HEADERS}, one
 * in `extra`, or a credential-looking name (`honeybadger-token`, `x-gitlab-token`, `sentry-hook-signature`,
 * `x-webhook-secret`...).
 */
export function isSecretHeader(name: string, extra?: ReadonlySet<string> | null): boolean {
  return ALWAYS_MASKED.has(name) || extra?.has(name) === true || CREDENTIAL_NAME.test(name);
}

/** Copies headers with every secret one masked. */
export function maskHeaders(headers: Record<string, string>, secretHeaders: Iterable<string> = []): Record<string, string> {
  const extra = new Set<string>();
  for (const h of secretHeaders) extra.add(h.toLowerCase());
  return maskWith(headers, extra, undefined);
}

/** Lower-cased sets of the `secretHeaders` lists: the same few arrays come with every request. */
const extraSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function lowerSet(names: readonly string[]): ReadonlySet<string> {
  let set = extraSets.get(names);
  if (set === undefined) {
    set = new Set(names.map((h) => h.toLowerCase()));
    extraSets.set(names, set);
  }
  return set;
}

function maskWith(
  headers: Record<string, string>,
  secret: ReadonlySet<string>,
  extra: readonly string[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  const more = extra !== undefined && extra.length > 0 ? lowerSet(extra) : null;
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const masked = isSecretHeader(key, secret) || more?.has(key) === true;
    out[key] = masked ? maskValue(key, value) : value;
  }
  return out;
}

/** One request in the log: its record, and the original when it can be replayed. */
interface Slot {
  record: RequestRecord;
  original: OriginalRequest | null;
}

/**
 * A bounded, newest-first log of requests.
 *
 * Adding is cheap on purpose (it runs for every request, and most records are never looked at): the
 * record keeps references to the receiver's headers object and body bytes, and its `headers`, `body` and
 * `time` are getters that mask, decode and format on first read, then keep the result. They are own
 * enumerable properties, so JSON.stringify, structured clone (IPC) and spreading see plain values.
 */
export class RequestLog {
  /** A ring: `slots[next - 1]` is the newest. */
  private readonly slots: Array<Slot | undefined>;
  private next = 0;
  private count = 0;
  private readonly secret: ReadonlySet<string>;

  /**
   * @param capacity how many records to keep (oldest dropped first)
   * @param extraSecretHeaders header names to mask in every record, e.g. every provider's `secretHeaders`
   */
  constructor(
    readonly capacity: number = DEFAULT_REQUEST_LOG_SIZE,
    extraSecretHeaders: readonly string[] = [],
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('the request log needs room for at least one record');
    this.slots = new Array<Slot | undefined>(capacity).fill(undefined);
    this.secret = new Set(extraSecretHeaders.map((h) => h.toLowerCase()));
  }

  /** Records one request and returns its record (as the inspector will see it). */
  add(entry: RequestEntry): RequestRecord {
    const whole = entry.body.length <= MAX_RECORDED_BODY_BYTES;
    // A longer body is cut to a copy of its start, so the log never pins the whole buffer.
    const kept = whole ? entry.body : Buffer.from(entry.body.subarray(0, MAX_RECORDED_BODY_BYTES));
    const bodyBytes = Math.max(entry.bodyBytes, entry.body.length);
    const truncated = !entry.complete || bodyBytes > kept.length;
    // Only requests aimed at a source are worth replaying, and only when nothing was cut off.
    const replayable = !truncated && entry.sourceId !== null;
    const record = lazyRecord(entry, kept, bodyBytes, truncated, replayable, this.secret);
    const original: OriginalRequest | null = replayable
      ? // The receiver hands over headers and a buffer it never touches again: kept without a copy.
        { method: entry.method, path: entry.path, headers: entry.headers, body: kept }
      : null;
    this.slots[this.next] = { record, original };
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    return record;
  }

  /** Newest first; a copy of the list. */
  list(): RequestRecord[] {
    const out: RequestRecord[] = [];
    for (let k = 1; k <= this.count; k++) {
      const slot = this.slots[(this.next - k + this.capacity) % this.capacity];
      if (slot) out.push(slot.record);
    }
    return out;
  }

  get(id: string): RequestRecord | null {
    return this.find(id)?.record ?? null;
  }

  /** The unmasked original of a replayable record, or null when it is gone or was not kept whole. */
  original(id: string): OriginalRequest | null {
    const original = this.find(id)?.original;
    return original ? { ...original, headers: { ...original.headers }, body: Buffer.from(original.body) } : null;
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.next = 0;
    this.count = 0;
  }

  private find(id: string): Slot | undefined {
    for (const slot of this.slots) if (slot?.record.id === id) return slot;
    return undefined;
  }
}

/** The record of {@link RequestLog.add}: plain fields, plus getters that build the costly ones once, on first read. */
function lazyRecord(
  entry: RequestEntry,
  kept: Buffer,
  bodyBytes: number,
  truncated: boolean,
  replayable: boolean,
  secret: ReadonlySet<string>,
): RequestRecord {
  const raw = entry.headers;
  const named = entry.secretHeaders;
  const at = entry.time ?? Date.now();
  let headers: Record<string, string> | undefined;
  let body: string | undefined;
  let time: string | undefined;
  return {
    id: randomUUID(),
    get time(): string {
      time ??= new Date(at).toISOString();
      return time;
    },
    method: entry.method,
    path: entry.path,
    sourceId: entry.sourceId,
    provider: entry.provider,
    status: entry.status,
    reason: entry.reason,
    get headers(): Record<string, string> {
      headers ??= maskWith(raw, secret, typeof named === 'function' ? named() : named);
      return headers;
    },
    get body(): string {
      body ??= UTF8.decode(kept);
      return body;
    },
    bodyBytes,
    bodyTruncated: truncated,
    eventId: entry.eventId,
    title: entry.title ?? null,
    duplicate: entry.duplicate === true,
    replayable,
  };
}
