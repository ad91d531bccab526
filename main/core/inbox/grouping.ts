/**
 * Grouping: folding one event into its group, and recognising redeliveries.
 *
 * Pure functions; the inbox owns the state and the store.
 */
import { hash } from 'node:crypto';
import type { GroupSummary, NormalizedEvent } from '../../../shared/events';
import { redeliveryDigest } from '../bounded-event';

/** How many redelivery keys a group remembers (newest kept). Enough for bursts of retries, bounded in memory. */
export const REDELIVERY_KEYS_PER_GROUP = 32;

/**
 * A remembered redelivery key and when (ms since epoch) it was first accepted. The key is kept in its fixed-size
 * digest form ({@link redeliveryDigest}); logs written before that hold whole keys, which still match (they are
 * compared in digest form) and are rewritten as digests the next time their group is stored.
 */
export type RedeliveryKey = [key: string, at: number];

/**
 * The stable, URL-safe id of a group: 22 characters of base64url(sha256(sourceId NUL groupKey)), 132 bits.
 * Stable across restarts and machines, so links and marks keep pointing at the same group.
 */
export function groupIdFor(sourceId: string, groupKey: string): string {
  // One-shot hash of the same bytes the former update() chain fed in (ids are stored, so they must not
  // change): a Hash object per call showed in profiles.
  return hash('sha256', `${sourceId}\0${groupKey}`, 'base64url').slice(0, 22);
}

/**
 * True when the event repeats a hook this group already recorded: the same redelivery key within the
 * event's window (null window: forever).
 */
export function isRedelivery(keys: readonly RedeliveryKey[], event: NormalizedEvent, nowMs: number): boolean {
  const { key, windowMs } = event.redelivery;
  if (!key) return false;
  const digest = redeliveryDigest(key);
  for (const [k, at] of keys) {
    if (k !== digest && redeliveryDigest(k) !== digest) continue;
    if (windowMs === null || nowMs - at <= windowMs) return true;
  }
  return false;
}

/** Returns the key list with the event's key remembered (replacing an older entry of the same key), bounded. */
export function rememberKey(keys: readonly RedeliveryKey[], event: NormalizedEvent, nowMs: number): RedeliveryKey[] {
  const { key } = event.redelivery;
  const digest = key ? redeliveryDigest(key) : null;
  // Every key is written back in digest form, so a group read from an older log sheds its whole keys here.
  const next: RedeliveryKey[] = [];
  for (const [k, at] of keys) {
    const d = redeliveryDigest(k);
    if (d !== digest) next.push([d, at]);
  }
  if (digest === null) return next;
  next.push([digest, nowMs]);
  return next.length > REDELIVERY_KEYS_PER_GROUP ? next.slice(next.length - REDELIVERY_KEYS_PER_GROUP) : next;
}

function earlier(a: string, b: string | null): string {
  if (b === null) return a;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

function later(a: string, b: string | null): string {
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * The group's count after an event. The provider's count when it gives one, never going backwards when
 * hooks arrive out of order, except on a regression: a provider that counts since the error's last
 * activation (Rollbar resets `total_occurrences` when it reactivates an item) starts again there, so the
 * occurrence milestones count from the regression and fire again. Without a count, each hook is one
 * occurrence, and a resolve is none.
 */
function occurrencesAfter(before: GroupSummary, event: NormalizedEvent, resolving: boolean): number {
  if (event.occurrences === null) return before.occurrences + (resolving ? 0 : 1);
  if (event.lifecycle === 'regressed' && event.occurrences < before.occurrences) return event.occurrences;
  return Math.max(before.occurrences, event.occurrences);
}

/**
 * Folds an event into its group (or starts one); see {@link occurrencesAfter} for the count. Descriptive
 * fields follow the latest hook, keeping the previous value when the hook leaves one out; a resolve changes
 * the group's state, not what it is, so it keeps the group's title and project (a Honeybadger `resolved`
 * carries no project and, on an inactive account, a bare fault). A hook that names no title starts its
 * group under its group key. Marks, the decision and `notifiedAt` are carried over untouched; the caller
 * applies the policy's effects.
 */
export function applyEvent(before: GroupSummary | null, event: NormalizedEvent, id: string): GroupSummary {
  const receivedAt = event.receivedAt;
  if (before === null) {
    const firstSeen = event.firstSeen ?? event.lastSeen ?? receivedAt;
    return {
      id,
      sourceId: event.sourceId,
      provider: event.provider,
      groupKey: event.groupKey,
      title: event.title || event.groupKey,
      description: event.description,
      url: event.url,
      urlDerivation: event.url === null ? null : (event.urlDerivation ?? null),
      application: event.application,
      project: event.project,
      environment: event.environment,
      occurrences: event.occurrences ?? 1,
      hosts: event.hosts,
      guids: event.guids,
      hooks: 1,
      firstSeen,
      lastSeen: later(event.lastSeen ?? receivedAt, firstSeen),
      lastReceivedAt: receivedAt,
      latestObjectId: event.objectId,
      classifiers: event.classifiers.slice(),
      attributes: event.attributes,
      callstack: event.callstack.slice(),
      page: event.page,
      userAgent: event.userAgent,
      browser: event.browser,
      os: event.os,
      read: false,
      muted: false,
      resolved: false,
      test: event.test === true,
      issueRef: event.issueRef ?? null,
      notifiedAt: null,
      lastDecision: null,
    };
  }
  // A provider's "resolved" is a change of state, not another crash: it neither counts as an occurrence
  // (which could silently use up a milestone) nor moves the last time the error was seen.
  const resolving = event.lifecycle === 'resolved';
  const occurrences = occurrencesAfter(before, event, resolving);
  return {
    ...before,
    provider: event.provider,
    title: resolving ? before.title || event.title : event.title || before.title,
    description: event.description || before.description,
    url: event.url ?? before.url,
    urlDerivation: event.url !== null ? (event.urlDerivation ?? null) : (before.urlDerivation ?? null),
    application: event.application ?? before.application,
    project: resolving ? (before.project ?? event.project) : (event.project ?? before.project),
    environment: event.environment ?? before.environment,
    occurrences,
    hosts: event.hosts ?? before.hosts,
    guids: event.guids ?? before.guids,
    hooks: before.hooks + 1,
    firstSeen: earlier(before.firstSeen, event.firstSeen),
    lastSeen: later(later(before.lastSeen, event.lastSeen), event.lastSeen === null && !resolving ? receivedAt : null),
    lastReceivedAt: later(before.lastReceivedAt, receivedAt),
    latestObjectId: event.objectId ?? before.latestObjectId,
    classifiers: event.classifiers.length > 0 ? event.classifiers.slice() : before.classifiers,
    attributes: Object.keys(event.attributes).length > 0 ? event.attributes : before.attributes,
    callstack: event.callstack.length > 0 ? event.callstack.slice() : before.callstack,
    page: event.page ?? before.page,
    userAgent: event.userAgent ?? before.userAgent,
    browser: event.browser ?? before.browser,
    os: event.os ?? before.os,
    // A new hook is news again: the group shows as unread until the user looks.
    read: false,
    // One real hook makes the group real: a test event never hides a crash that shares its group.
    test: before.test === true && event.test === true,
    // The latest ref a hook carried: a hook without one (a Sentry metric alert...) keeps the group's.
    issueRef: event.issueRef ?? before.issueRef ?? null,
  };
}
