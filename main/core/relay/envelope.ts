/**
 * The team relay's wire format: one versioned JSON envelope per stream message, so a gateway and a subscriber
 * of different Crashbell versions agree on what a message holds.
 *
 * Version rules: `v` is the envelope's major version. Fields added within a version are optional and ignored
 * by older readers (the schema strips what it does not know, and fills what an older writer left out); a
 * message with a higher major version, or one that does not parse, is skipped with a warning and never stops
 * the subscriber.
 */
import { hash } from 'node:crypto';
import { z } from 'zod';
import type { NormalizedEvent } from '../../../shared/events';
import { trimmedBody } from '../../../shared/relay-body';
import { explainZodError } from '../../../shared/zod-words';
import { redeliveryDigest } from '../bounded-event';
import { groupIdFor } from '../inbox/grouping';

/** The envelope version this Crashbell writes and reads. */
export const ENVELOPE_VERSION = 1;

/** Every event subject starts with this; the source id follows (`crashbell.events.<source id>`). */
export const SUBJECT_PREFIX = 'crashbell.events.';
/** The stream's subjects. */
export const STREAM_SUBJECTS = [`${SUBJECT_PREFIX}>`];
/**
 * Where Test relay publishes. `~` is outside the source id alphabet, so no source's subject can be this one,
 * and it is still under the stream's subjects.
 */
export const TEST_SUBJECT = `${SUBJECT_PREFIX}~test`;

/** A gateway's source as it travels with its events: members need not have it configured to name it. */
export interface EnvelopeSource {
  id: string;
  provider: NormalizedEvent['provider'];
  name: string;
}

/** One hook, as a gateway forwards it. */
export interface EventEnvelope {
  v: number;
  kind: 'event';
  /** The gateway's instance id (a gateway that also subscribes skips its own events: it has them already). */
  origin: string;
  source: EnvelopeSource;
  event: Omit<NormalizedEvent, 'raw'>;
  /** The body as it arrived (JSON text); when it did not fit in one message, a trimmed-body marker (JSON text). */
  raw: string;
  /**
   * Present when `raw` is the trimmed-body marker (shared/relay-body.ts) because the whole body did not fit
   * under the server's message limit: the body's size and that limit, in bytes. Added within version 1.
   */
  rawTrimmed?: { bytes: number; limit: number };
  /**
   * How many hooks were waiting in the gateway's outbox behind this one when it was forwarded: many behind a
   * late hook say a burst is coming (a NATS outage's backlog), so members hold it for one summary. Added within
   * version 1.
   */
  behind?: number;
}

/** Test relay: a message that goes round the relay and is recognised by whoever sent it. */
export interface TestEnvelope {
  v: number;
  kind: 'test';
  origin: string;
  nonce: string;
  member: string;
  /** ISO 8601, when it was sent. */
  at: string;
}

export type Envelope = EventEnvelope | TestEnvelope;

const iso = z.string().max(64);
const text = (max: number) => z.string().max(max);
const nullableText = (max: number) => z.string().max(max).nullable().catch(null);
const providerId = z.string().regex(/^[a-z0-9_-]{1,40}$/, 'a provider id');
const agent = z
  .object({ name: nullableText(200), version: nullableText(200) })
  .nullable()
  .catch(null);

/** The normalized event on the wire. Fields a newer writer adds are dropped; ones an older writer lacks get defaults. */
const eventSchema = z.object({
  id: text(200).min(1),
  // A provider this Crashbell has no module for (a newer gateway's) is still recorded under its id.
  provider: providerId,
  sourceId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  groupKey: text(4_000),
  title: text(4_000),
  description: text(20_000).catch(''),
  url: nullableText(4_000),
  occurrences: z.number().nullable().catch(null),
  hosts: z.number().nullable().catch(null),
  guids: z.number().nullable().catch(null),
  firstSeen: iso.nullable().catch(null),
  lastSeen: iso.nullable().catch(null),
  receivedAt: iso,
  classifiers: z.array(text(1_000)).max(1_000).catch([]),
  attributes: z.record(text(1_000), z.array(z.tuple([text(4_000), z.number()])).max(1_000)).catch({}),
  callstack: z.array(text(4_000)).max(1_000).catch([]),
  application: nullableText(1_000),
  project: nullableText(1_000),
  environment: nullableText(1_000),
  objectId: nullableText(1_000),
  page: nullableText(4_000),
  userAgent: nullableText(4_000),
  browser: agent,
  os: agent,
  isFirstOccurrence: z.boolean().nullable().catch(null),
  lifecycle: z.enum(['new', 'recurring', 'regressed', 'resolved', 'unknown']).catch('unknown'),
  milestone: nullableText(1_000),
  redelivery: z.object({ key: text(4_000), windowMs: z.number().nullable() }).catch({ key: '', windowMs: null }),
  // What a member needs to act on the issue in the provider (ids and the API origin the hook named; no secret).
  issueRef: z
    .object({ ids: z.record(text(100), text(1_000)).catch({}), apiOrigin: nullableText(2_048) })
    .nullable()
    .catch(null),
});

const headSchema = z.object({ v: z.number().int().min(1), kind: z.string().max(40) });

const eventEnvelopeSchema = z.object({
  v: z.number(),
  kind: z.literal('event'),
  origin: text(100),
  source: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/), provider: providerId, name: text(200).min(1) }),
  event: eventSchema,
  raw: z.string(),
  rawTrimmed: z
    .object({ bytes: z.number().min(0), limit: z.number().min(0) })
    .optional()
    .catch(undefined),
  behind: z.number().int().min(0).optional().catch(undefined),
});

const testEnvelopeSchema = z.object({
  v: z.number(),
  kind: z.literal('test'),
  origin: text(100),
  nonce: text(100),
  member: text(100).catch(''),
  at: iso,
});

/** What decoding a stream message gave: an envelope, or why it is skipped. */
export type Decoded = { ok: true; envelope: Envelope } | { ok: false; reason: string };

/** Largest message a subscriber reads (a gateway accepts bodies of 1 MiB; the envelope adds the event). */
export const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

/** Parses one stream message defensively: never throws, says why it is skipped. */
export function decodeEnvelope(data: Uint8Array): Decoded {
  if (data.byteLength > MAX_ENVELOPE_BYTES)
    return { ok: false, reason: `it is ${data.byteLength} bytes, over the ${MAX_ENVELOPE_BYTES}-byte limit` };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (error) {
    return { ok: false, reason: `it is not JSON (${error instanceof Error ? error.message : 'unreadable'})` };
  }
  const head = headSchema.safeParse(json);
  if (!head.success) return { ok: false, reason: 'it is not a Crashbell relay envelope (no version or kind)' };
  if (head.data.v > ENVELOPE_VERSION) {
    return {
      ok: false,
      reason: `it was written by a newer Crashbell (envelope version ${head.data.v}; this one reads ${ENVELOPE_VERSION}): update Crashbell`,
    };
  }
  const schema = head.data.kind === 'event' ? eventEnvelopeSchema : head.data.kind === 'test' ? testEnvelopeSchema : null;
  if (schema === null) return { ok: false, reason: `it is of a kind this Crashbell does not know ("${head.data.kind}")` };
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: explainZodError(parsed.error, json).words };
  const envelope = parsed.data as Envelope;
  if (envelope.kind === 'event' && envelope.event.sourceId !== envelope.source.id) {
    return { ok: false, reason: 'its event and its source name different sources' };
  }
  return { ok: true, envelope };
}

/** The bytes a gateway publishes for one outbox entry. */
export function encodeEvent(
  origin: string,
  source: EnvelopeSource,
  event: Omit<NormalizedEvent, 'raw'>,
  raw: string,
  extras: EnvelopeExtras = {},
): Uint8Array {
  const envelope: EventEnvelope = { v: ENVELOPE_VERSION, kind: 'event', origin, source, event, raw, ...extras };
  return new TextEncoder().encode(JSON.stringify(envelope));
}

/** The optional fields of an event envelope. */
export type EnvelopeExtras = Pick<EventEnvelope, 'rawTrimmed' | 'behind'>;

/** An outbox entry's envelope fitted under a message limit, or how big it is without any of its body. */
export type FittedEvent =
  | {
      ok: true;
      data: Uint8Array;
      /** Set when the body was cut: its whole size and the characters of it kept. */
      trimmed: { bytes: number; kept: number } | null;
    }
  | { ok: false; bytes: number };

/**
 * The envelope of an outbox entry in at most `maxBytes`: whole when it fits, else with the raw body replaced by
 * the trimmed-body marker holding as much of the body's start as fits. The event itself is already bounded
 * (bounded-event.ts) and travels whole; when even the event with an empty marker is too big, nothing is cut
 * and the answer says how big that is.
 */
export function encodeEventWithin(
  origin: string,
  source: EnvelopeSource,
  event: Omit<NormalizedEvent, 'raw'>,
  raw: string,
  maxBytes: number,
  extras: Omit<EnvelopeExtras, 'rawTrimmed'> = {},
): FittedEvent {
  const whole = encodeEvent(origin, source, event, raw, extras);
  if (whole.byteLength <= maxBytes) return { ok: true, data: whole, trimmed: null };
  const bytes = Buffer.byteLength(raw, 'utf8');
  const withStart = (n: number): Uint8Array =>
    encodeEvent(origin, source, event, JSON.stringify(trimmedBody(bytes, maxBytes, raw.slice(0, n))), {
      ...extras,
      rawTrimmed: { bytes, limit: maxBytes },
    });
  const bare = withStart(0);
  if (bare.byteLength > maxBytes) return { ok: false, bytes: bare.byteLength };
  // The longest start that fits: the size grows with the start, so a binary search finds it.
  let fits = 0;
  let over = raw.length;
  while (over - fits > 1) {
    const mid = (fits + over) >>> 1;
    if (withStart(mid).byteLength <= maxBytes) fits = mid;
    else over = mid;
  }
  // Never half of a surrogate pair.
  const code = raw.charCodeAt(fits - 1);
  if (fits > 0 && code >= 0xd800 && code <= 0xdbff) fits--;
  return { ok: true, data: fits === 0 ? bare : withStart(fits), trimmed: { bytes, kept: fits } };
}

export function encodeTest(origin: string, nonce: string, member: string, at: string): Uint8Array {
  const envelope: TestEnvelope = { v: ENVELOPE_VERSION, kind: 'test', origin, nonce, member, at };
  return new TextEncoder().encode(JSON.stringify(envelope));
}

/** The subject of a source's events. */
export function subjectFor(sourceId: string): string {
  return `${SUBJECT_PREFIX}${sourceId}`;
}

/**
 * The `Nats-Msg-Id` of an event: what JetStream de-duplicates on, across the whole stream, for its duplicate
 * window. It must therefore name one hook of one group within the stream, and be the same wherever and whenever
 * that hook is forwarded again: a provider's redelivery, a gateway re-sending after a crash or a NATS outage, the
 * same hook through a second gateway.
 *
 * - A provider's redelivery key is only meant to be compared within one group (Backtrace's
 *   `object_id:occurrences` is `null:1` for many groups; a Standard Webhooks id may be reused across them), so the
 *   id is the source, the group and the key's digest together: `cb2.<source id>.<group id>.<digest>`. The key is
 *   taken in its stored digest form ({@link redeliveryDigest}), so a bounded event and the hook it came from agree.
 * - A key that is a redelivery only within a window (Errorception's body hash within 10 minutes) is bucketed by
 *   that window, so the same body legitimately sent again later is a new message.
 * - An event without a key is identified by its own id (the receiver's UUID, kept in the gateway's outbox with
 *   the entry, so a restart re-sends it under the same id): `cb2.<source id>.<group id>.id.<digest of the id>`.
 *
 * `cb1` ids (the source and the key alone) are not produced any more: two groups could share one, and JetStream
 * then acknowledged the second as a duplicate without storing it.
 */
export function msgIdFor(event: Pick<NormalizedEvent, 'id' | 'sourceId' | 'groupKey' | 'redelivery' | 'receivedAt'>): string {
  const { key, windowMs } = event.redelivery;
  const group = `cb2.${event.sourceId}.${groupIdFor(event.sourceId, event.groupKey)}`;
  if (!key) return `${group}.id.${digestOf(event.id)}`;
  const digest = digestOf(redeliveryDigest(key));
  if (windowMs === null || windowMs <= 0) return `${group}.${digest}`;
  const at = Date.parse(event.receivedAt);
  const bucket = Number.isFinite(at) ? Math.floor(at / windowMs) : 0;
  return `${group}.${digest}.${bucket}`;
}

/** 162 bits of SHA-256 in base64url: no dots, so the parts of an id cannot run into each other. */
function digestOf(text: string): string {
  return hash('sha256', text, 'base64url').slice(0, 27);
}

/** The event a subscriber ingests: the envelope's event with its raw body parsed back (unparseable: kept as text). */
export function eventOf(envelope: EventEnvelope): { event: NormalizedEvent; rawJson: string | undefined } {
  let raw: unknown;
  let rawJson: string | undefined = envelope.raw;
  try {
    raw = JSON.parse(envelope.raw);
  } catch {
    raw = envelope.raw;
    rawJson = undefined;
  }
  return { event: { ...envelope.event, raw }, rawJson };
}
