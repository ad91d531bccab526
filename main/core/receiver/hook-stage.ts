/**
 * The hook stage, on the whole body: JSON, the provider's verification (constant time; a rotation's previous
 * credentials while their overlap lasts), its schema, and the normalized event that goes into the ingest
 * pipeline. An outcome refuses (or acknowledges) the hook; otherwise the verified hook is handed on.
 */
import { isoOf } from '../base/iso-time';
import { randomUUID } from 'node:crypto';
import type { NormalizedEvent } from '../../../shared/events';
import type { Source } from '../../../shared/settings';
import { cut, EVENT_LIMITS, ownCopy } from '../bounded-event';
import { type CredentialCheck, checkCredentials, previousCredentialsNote, type SourceToCheck, sourceToCheck } from '../credentials';
import type { Headers, HookRequest, ParsedEvent } from '../providers/types';
import { fromRejection, type Outcome } from './outcome';
import type { RequestState } from './request';

/** A hook that passed every check: the event, its source, and the body text it was parsed from. */
export interface VerifiedHook {
  event: NormalizedEvent;
  source: Source;
  /** The body text when `event.raw` is exactly the body as parsed (so it need not be serialized again). */
  rawJson: string | undefined;
  /** The same body's bytes as they arrived (without a byte order mark), when `rawJson` is set. */
  rawBytes: Buffer | undefined;
  /** Crashbell's own test event. */
  test: boolean;
  /** The event's title as the request log shows it. */
  title: string;
  /** Words for the request log when the hook passed with a rotation's previous credentials, else ''. */
  previousNote: string;
}

/** What the hook stage needs to know. */
export interface HookStageDeps {
  now: () => number;
  /** Whether a verified request is Crashbell's own test event (asked only after the provider's verification). */
  isTestEvent?: ((headers: Headers) => boolean) | undefined;
}

/** JSON, verification and schema on the whole body. */
export function examineHook(state: RequestState, deps: HookStageDeps): Outcome | VerifiedHook {
  const source = state.source!;
  const provider = state.provider!;
  // One chunk (a small hook arrives in one read) is the body itself: no copy.
  const rawBody = state.chunks.length === 1 ? state.chunks[0]! : Buffer.concat(state.chunks, state.bytes);
  state.body = rawBody;
  let json: unknown;
  let text = rawBody.toString('utf8');
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  try {
    json = JSON.parse(text);
  } catch (error) {
    // Only a failed parse can be an empty body, so the blank check (a copy of the text) waits until then.
    if (text.trim() === '') return { status: 400, reason: 'empty body: a JSON object was expected' };
    return { status: 400, reason: `malformed JSON: ${error instanceof Error ? error.message : 'cannot parse'}` };
  }

  const now = deps.now();
  const headersVerified = state.headersVerified;
  const base = { headers: state.headers, rawBody, json, now };
  const verifyWith = (s: SourceToCheck, headersChecked: boolean) =>
    provider.verify({ ...base, source: s, headersVerified: headersChecked });
  // The credentials the headers passed with usually pass the body check too; when they do not (a body signed
  // with the previous secret during a rotation), every accepted set is tried in full.
  const verified = state.verified ?? sourceToCheck(source);
  const checked: CredentialCheck =
    headersVerified && verifyWith(verified, true) === null
      ? { ok: true, source: verified, previous: verified !== sourceToCheck(source) }
      : checkCredentials(source, now, (s) => verifyWith(s, false));
  if (!checked.ok) return fromRejection(checked.rejection);
  const hook: HookRequest = { ...base, source: checked.source, headersVerified };
  const previousNote = checked.previous ? `; ${previousCredentialsNote(source, provider.name)}` : '';
  const parsed = provider.parse(hook);
  if (!parsed.ok) return fromRejection(parsed.rejection);
  // Genuine and well-formed, but nothing to record (e.g. a provider's installation ping): acknowledge it.
  if (parsed.event === null) return { status: 200, reason: `${parsed.note}${previousNote}` };

  const test = deps.isTestEvent?.(state.headers) === true;
  const event = normalizedEvent(parsed.event, source, isoOf(now), test);
  // A copy: a cut title may be a view on a megabyte frame name, and the log keeps its rows.
  const title = ownCopy(cut(event.title, EVENT_LIMITS.title));
  const asArrived = parsed.event.raw === json;
  return {
    event,
    source,
    rawJson: asArrived ? text : undefined,
    // A UTF-8 byte order mark is three bytes; the text left it out, so the bytes do too.
    rawBytes: asArrived ? (bom ? rawBody.subarray(3) : rawBody) : undefined,
    test,
    title,
    previousNote,
  };
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
