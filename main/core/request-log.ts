/**
 * The bounded list of recent requests behind the app's request inspector. Every request the receiver sees,
 * accepted or rejected, becomes one {@link RequestRecord} with secrets masked and at most 64 KiB of body.
 * When the whole body fitted, an unmasked copy is kept privately (never exposed in records) so the
 * inspector can replay it through the receiver.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderId, RequestRecord } from '../../shared/events';

/** Default number of records kept; the oldest is dropped first. */
export const DEFAULT_REQUEST_LOG_SIZE = 200;
/** How much of a body a record keeps. */
export const MAX_RECORDED_BODY_BYTES = 64 * 1024;

/** Header names masked in every record, whichever provider the request was for. */
export const ALWAYS_MASKED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-signature'];

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
  /** Lower-cased header names to values, unmasked (the log masks them). */
  headers: Record<string, string>;
  /** The bytes read (possibly only the start of the body). */
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
  /** Extra header names to mask (the source's provider's `secretHeaders`). */
  secretHeaders?: readonly string[];
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

/** Copies headers with every secret one masked. */
export function maskHeaders(headers: Record<string, string>, secretHeaders: Iterable<string> = []): Record<string, string> {
  const secret = new Set(ALWAYS_MASKED);
  for (const h of secretHeaders) secret.add(h.toLowerCase());
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    out[key] = secret.has(key) ? maskValue(key, value) : value;
  }
  return out;
}

/** Lower-cased sets of the providers' `secretHeaders` lists: the same few arrays come with every request. */
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
    const masked = secret.has(key) || more?.has(key) === true;
    out[key] = masked ? maskValue(key, value) : value;
  }
  return out;
}

/** A bounded, newest-first log of requests. */
export class RequestLog {
  private readonly records: RequestRecord[] = [];
  private readonly originals = new Map<string, OriginalRequest>();
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
    this.secret = new Set([...ALWAYS_MASKED_HEADERS, ...extraSecretHeaders.map((h) => h.toLowerCase())]);
  }

  /** Records one request and returns its record (as the inspector will see it). */
  add(entry: RequestEntry): RequestRecord {
    const kept = entry.body.subarray(0, MAX_RECORDED_BODY_BYTES);
    const bodyBytes = Math.max(entry.bodyBytes, entry.body.length);
    const truncated = !entry.complete || bodyBytes > kept.length;
    const record: RequestRecord = {
      id: randomUUID(),
      time: new Date(entry.time ?? Date.now()).toISOString(),
      method: entry.method,
      path: entry.path,
      sourceId: entry.sourceId,
      provider: entry.provider,
      status: entry.status,
      reason: entry.reason,
      headers: maskWith(entry.headers, this.secret, entry.secretHeaders),
      body: UTF8.decode(kept),
      bodyBytes,
      bodyTruncated: truncated,
      eventId: entry.eventId,
      title: entry.title ?? null,
      duplicate: entry.duplicate === true,
      // Only requests aimed at a source are worth replaying, and only when nothing was cut off.
      replayable: !truncated && entry.sourceId !== null,
    };
    this.records.unshift(record);
    if (record.replayable) {
      this.originals.set(record.id, {
        method: entry.method,
        path: entry.path,
        headers: { ...entry.headers },
        // The receiver hands over a buffer it never touches again, so it is kept without a copy.
        body: kept,
      });
    }
    while (this.records.length > this.capacity) {
      const dropped = this.records.pop();
      if (dropped) this.originals.delete(dropped.id);
    }
    return record;
  }

  /** Newest first; a copy of the list. */
  list(): RequestRecord[] {
    return [...this.records];
  }

  get(id: string): RequestRecord | null {
    return this.records.find((r) => r.id === id) ?? null;
  }

  /** The unmasked original of a replayable record, or null when it is gone or was not kept whole. */
  original(id: string): OriginalRequest | null {
    const original = this.originals.get(id);
    return original ? { ...original, headers: { ...original.headers }, body: Buffer.from(original.body) } : null;
  }

  get size(): number {
    return this.records.length;
  }

  clear(): void {
    this.records.length = 0;
    this.originals.clear();
  }
}
