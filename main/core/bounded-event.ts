/**
 * The one place an event is made safe to keep: every field the history stores or indexes is cut to a size a
 * person can read, and copied out of the body it was parsed from. The raw body stays whole in `raw`: it is the
 * one full copy, on disk, and the detail view and the inspector show it.
 *
 * Why copy: V8 keeps a slice of a string (`s.slice()`, `trim()`, `split()`, a regex match) as a view on the whole
 * original, so a 40-character title cut from a 1 MB frame name keeps the megabyte alive as long as the title
 * lives. Whatever is kept here is therefore built afresh ({@link ownCopy}), so nothing stored shares memory with
 * a request body.
 *
 * The ingest pipeline bounds every event once, whoever brought it (the receiver, the relay), into a
 * {@link BoundedEvent}: the type the inbox requires, so an unbounded event cannot reach the history. Summaries
 * read back from an old log that predates these limits are bounded on the way in (`boundedSummary`).
 */
import { hash } from 'node:crypto';
import type { AgentPart, AttributeHistogram, GroupSummary, IssueRef, NormalizedEvent } from '../../shared/events';

/** Longest kept value of each field, in UTF-16 code units (what `String.length` counts), and counts of lists. */
export const EVENT_LIMITS = {
  /** Group keys over this are kept as a prefix and a digest of the whole key, so distinct keys stay distinct. */
  groupKey: 1024,
  title: 500,
  description: 1000,
  /** A URL over this is dropped, not cut: a cut URL points somewhere else. */
  url: 2048,
  frames: 64,
  frame: 500,
  classifiers: 20,
  classifier: 100,
  attributes: 32,
  attributeKey: 100,
  histogramRows: 10,
  attributeValue: 200,
  /** application, project, environment. */
  name: 200,
  objectId: 200,
  page: 2048,
  userAgent: 512,
  /** A browser's or operating system's name and version. */
  agentPart: 100,
  milestone: 200,
  /** ISO 8601 times (firstSeen, lastSeen, receivedAt): longer is not a time, and is dropped. */
  time: 64,
  /** The event id and source id: ours (a UUID, a configured id), bounded in case a relay peer sends junk. */
  id: 200,
  /** An issue ref's ids (provider API ids such as an issue id and an organization slug): how many, and each value. */
  issueRefIds: 8,
  issueRefValue: 200,
} as const;

/** A stored summary bigger than this (JSON bytes) cannot come from a bounded event: it is bounded again on load. */
export const BOUNDED_SUMMARY_MAX_BYTES = 256 * 1024;

const ELLIPSIS = '…';

/**
 * `value` cut to at most `max` code units, ending in "…" when cut; never splits a surrogate pair. The result may
 * still share memory with `value`: callers copy what they keep (see {@link ownCopy}).
 */
export function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max - 1;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${value.slice(0, end)}${ELLIPSIS}`;
}

/**
 * A copy of `value` that shares no memory with the string it came from (see the module comment). JSON keeps lone
 * surrogates intact (they are escaped, then read back), so the copy is exact.
 */
export function ownCopy(value: string): string {
  // V8 copies substrings shorter than 13 characters instead of slicing, so those are already their own. A longer
  // one is joined to a space (a cons string) and sliced back: slicing flattens the pair into a new flat string,
  // so the result is a view on that fresh copy and on nothing else (a JSON round trip does the same, slower).
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

function text(value: unknown, max: number): string {
  return typeof value === 'string' ? ownCopy(cut(value, max)) : '';
}

function textOrNull(value: unknown, max: number): string | null {
  return typeof value === 'string' ? ownCopy(cut(value, max)) : null;
}

function timeOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length <= EVENT_LIMITS.time ? ownCopy(value) : null;
}

function urlOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length <= EVENT_LIMITS.url ? ownCopy(value) : null;
}

function countOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function list(value: unknown, count: number, max: number): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    if (out.length >= count) break;
    if (typeof item === 'string') out.push(ownCopy(cut(item, max)));
  }
  return out;
}

function agent(value: AgentPart | null | undefined): AgentPart | null {
  if (value === null || typeof value !== 'object') return null;
  return { name: textOrNull(value.name, EVENT_LIMITS.agentPart), version: textOrNull(value.version, EVENT_LIMITS.agentPart) };
}

function attributes(value: unknown): Record<string, AttributeHistogram> {
  const out: Record<string, AttributeHistogram> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  let kept = 0;
  for (const name in value as Record<string, unknown>) {
    if (!Object.hasOwn(value, name)) continue;
    if (kept >= EVENT_LIMITS.attributes) break;
    const rows = (value as Record<string, unknown>)[name];
    if (!Array.isArray(rows)) continue;
    const histogram: AttributeHistogram = [];
    for (const row of rows) {
      if (histogram.length >= EVENT_LIMITS.histogramRows) break;
      if (!Array.isArray(row)) continue;
      const v: unknown = row[0];
      const n: unknown = row[1];
      histogram.push([text(v, EVENT_LIMITS.attributeValue), typeof n === 'number' && Number.isFinite(n) ? n : 0]);
    }
    // Defined, never set: an attribute named "__proto__" is an own key like any other, never a prototype.
    Object.defineProperty(out, text(name, EVENT_LIMITS.attributeKey), {
      value: histogram,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    kept++;
  }
  return out;
}

/**
 * A group key kept whole up to the limit; a longer one becomes its start and a digest of all of it, so two long
 * keys that share a beginning still name two groups.
 */
export function boundedGroupKey(key: string): string {
  if (key.length <= EVENT_LIMITS.groupKey) return key;
  return `${cut(key, 200)} #${hash('sha256', key, 'base64url')}`;
}

/** The form every redelivery key is kept in: "#" and 43 base64url characters (SHA-256), whatever the key was. */
const DIGEST_FORM = /^#[A-Za-z0-9_-]{43}$/;

/**
 * The fixed-size form of a redelivery key (44 characters): a group remembers up to 32 of them, and a provider's
 * key can hold a whole object id. Idempotent: a key already in digest form is returned as it is, so bounding an
 * event twice, or comparing with keys stored earlier in either form, gives the same answer.
 */
export function redeliveryDigest(key: string): string {
  return DIGEST_FORM.test(key) ? key : `#${hash('sha256', key, 'base64url')}`;
}

/** An issue ref's id names: short identifiers, never `__proto__` and the like. */
const ISSUE_REF_KEY = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
/** An issue ref's API origin: a scheme and a host, nothing after it. */
const ORIGIN = /^https?:\/\/[^/\s?#@]+$/;

/**
 * An issue ref kept whole when it fits: at most {@link EVENT_LIMITS.issueRefIds} ids with short names, values
 * that are strings within the limit (a longer id is dropped, not cut: a cut id names another issue), and an API
 * origin that is only an origin. Null when nothing usable is left.
 */
export function boundedIssueRef(value: unknown): IssueRef | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { ids, apiOrigin } = value as { ids?: unknown; apiOrigin?: unknown };
  if (ids === null || typeof ids !== 'object' || Array.isArray(ids)) return null;
  const out: Record<string, string> = {};
  let kept = 0;
  for (const key in ids as Record<string, unknown>) {
    if (kept >= EVENT_LIMITS.issueRefIds) break;
    if (!Object.hasOwn(ids, key) || !ISSUE_REF_KEY.test(key)) continue;
    const id: unknown = (ids as Record<string, unknown>)[key];
    if (typeof id !== 'string' || id === '' || id.length > EVENT_LIMITS.issueRefValue) continue;
    out[key] = id;
    kept++;
  }
  if (kept === 0) return null;
  const origin = typeof apiOrigin === 'string' && apiOrigin.length <= EVENT_LIMITS.url && ORIGIN.test(apiOrigin) ? apiOrigin : null;
  return { ids: out, apiOrigin: origin };
}

/** The fields a summary shares with an event, bounded. */
function boundedShared(e: {
  groupKey: unknown;
  title: unknown;
  description: unknown;
  url: unknown;
  classifiers: unknown;
  attributes: unknown;
  callstack: unknown;
  application: unknown;
  project: unknown;
  environment: unknown;
  page: unknown;
  userAgent: unknown;
  browser: AgentPart | null;
  os: AgentPart | null;
  firstSeen: unknown;
  lastSeen: unknown;
}) {
  return {
    groupKey: boundedGroupKey(typeof e.groupKey === 'string' ? e.groupKey : ''),
    title: text(e.title, EVENT_LIMITS.title),
    description: text(e.description, EVENT_LIMITS.description),
    url: urlOrNull(e.url),
    classifiers: list(e.classifiers, EVENT_LIMITS.classifiers, EVENT_LIMITS.classifier),
    attributes: attributes(e.attributes),
    callstack: list(e.callstack, EVENT_LIMITS.frames, EVENT_LIMITS.frame),
    application: textOrNull(e.application, EVENT_LIMITS.name),
    project: textOrNull(e.project, EVENT_LIMITS.name),
    environment: textOrNull(e.environment, EVENT_LIMITS.name),
    page: textOrNull(e.page, EVENT_LIMITS.page),
    userAgent: textOrNull(e.userAgent, EVENT_LIMITS.userAgent),
    browser: agent(e.browser),
    os: agent(e.os),
    firstSeen: timeOrNull(e.firstSeen),
    lastSeen: timeOrNull(e.lastSeen),
  };
}

/** Every key of T, optional ones too, so a field added to the event type cannot be left out here unnoticed. */
type EveryField<T> = { [K in Exclude<keyof T, never>]: T[K] | undefined };

declare const boundedBrand: unique symbol;

/**
 * An event whose kept fields are bounded and copied ({@link boundedEvent}): what the inbox and everything after
 * it require. The brand exists only for the type checker; at run time it is a plain {@link NormalizedEvent}.
 */
export type BoundedEvent = NormalizedEvent & { readonly [boundedBrand]: true };

/**
 * The event with every kept field bounded and copied (see the module comment), its redelivery key in digest form,
 * and `raw` untouched. The pipeline calls it once per event.
 */
export function boundedEvent(event: NormalizedEvent): BoundedEvent {
  // One literal with every field, always in this order: one object shape for every event, so the code that reads
  // them stays optimized (built by spreads, the object went to dictionary mode and JSON.stringify took its slow path).
  const bounded = {
    id: text(event.id, EVENT_LIMITS.id),
    // A provider id from the receiver is one of ours; a relay peer's is bounded like any other text.
    provider: text(event.provider, EVENT_LIMITS.id) as NormalizedEvent['provider'],
    sourceId: text(event.sourceId, EVENT_LIMITS.id),
    groupKey: boundedGroupKey(typeof event.groupKey === 'string' ? event.groupKey : ''),
    title: text(event.title, EVENT_LIMITS.title),
    description: text(event.description, EVENT_LIMITS.description),
    url: urlOrNull(event.url),
    occurrences: countOrNull(event.occurrences),
    hosts: countOrNull(event.hosts),
    guids: countOrNull(event.guids),
    firstSeen: timeOrNull(event.firstSeen),
    lastSeen: timeOrNull(event.lastSeen),
    receivedAt: timeOrNull(event.receivedAt) ?? new Date().toISOString(),
    classifiers: list(event.classifiers, EVENT_LIMITS.classifiers, EVENT_LIMITS.classifier),
    attributes: attributes(event.attributes),
    callstack: list(event.callstack, EVENT_LIMITS.frames, EVENT_LIMITS.frame),
    application: textOrNull(event.application, EVENT_LIMITS.name),
    project: textOrNull(event.project, EVENT_LIMITS.name),
    environment: textOrNull(event.environment, EVENT_LIMITS.name),
    objectId: textOrNull(event.objectId, EVENT_LIMITS.objectId),
    page: textOrNull(event.page, EVENT_LIMITS.page),
    userAgent: textOrNull(event.userAgent, EVENT_LIMITS.userAgent),
    browser: agent(event.browser),
    os: agent(event.os),
    isFirstOccurrence: typeof event.isFirstOccurrence === 'boolean' ? event.isFirstOccurrence : null,
    lifecycle: event.lifecycle,
    milestone: textOrNull(event.milestone, EVENT_LIMITS.milestone),
    redelivery: {
      key: event.redelivery?.key ? redeliveryDigest(event.redelivery.key) : '',
      windowMs: countOrNull(event.redelivery?.windowMs),
    },
    urlDerivation:
      event.urlDerivation === undefined || event.urlDerivation === null ? null : textOrNull(event.urlDerivation, EVENT_LIMITS.description),
    issueRef: event.issueRef === undefined || event.issueRef === null ? null : boundedIssueRef(event.issueRef),
    raw: event.raw,
    test: event.test === true,
  } satisfies EveryField<NormalizedEvent>;
  return bounded as BoundedEvent;
}

/**
 * A stored summary bounded like an event (for records written before these limits, or by a build without them):
 * fields only a summary has are kept as they are.
 */
export function boundedSummary(g: GroupSummary): GroupSummary {
  const shared = boundedShared(g);
  const bounded: GroupSummary = {
    ...g,
    ...shared,
    // A summary always has both times; one that is not a time falls back to when its last hook came.
    firstSeen: shared.firstSeen ?? g.lastReceivedAt,
    lastSeen: shared.lastSeen ?? g.lastReceivedAt,
    latestObjectId: textOrNull(g.latestObjectId, EVENT_LIMITS.objectId),
    ...(g.issueRef === undefined ? {} : { issueRef: boundedIssueRef(g.issueRef) }),
  };
  return JSON.parse(JSON.stringify(bounded)) as GroupSummary;
}
