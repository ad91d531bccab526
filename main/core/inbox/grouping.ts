/**
 * Grouping: folding one event into its group (redeliveries are recognised in redelivery-keys.ts).
 *
 * Pure functions; the inbox owns the state and the store.
 */
import { hash } from 'node:crypto';
import type { GroupSummary, NormalizedEvent } from '../../../shared/events';
import { compareIso } from '../base/iso-time';

/**
 * The stable, URL-safe id of a group: 22 characters of base64url(sha256(sourceId NUL groupKey)), 132 bits.
 * Stable across restarts and machines, so links and marks keep pointing at the same group.
 */
export function groupIdFor(sourceId: string, groupKey: string): string {
  // One-shot hash of the same bytes the former update() chain fed in (ids are stored, so they must not
  // change): a Hash object per call showed in profiles.
  return hash('sha256', `${sourceId}\0${groupKey}`, 'base64url').slice(0, 22);
}

function earlier(a: string, b: string | null): string {
  if (b === null) return a;
  return compareIso(b, a) < 0 ? b : a;
}

function later(a: string, b: string | null): string {
  if (b === null) return a;
  return compareIso(b, a) > 0 ? b : a;
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
  return before === null ? startGroup(event, id) : foldInto(before, event);
}

/** A group started by its first hook. */
function startGroup(event: NormalizedEvent, id: string): GroupSummary {
  const receivedAt = event.receivedAt;
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
    ignored: false,
    snoozedUntil: null,
    snoozeCount: null,
    assignee: null,
    claimedBy: null,
    claimedUntil: null,
    issueRef: event.issueRef ?? null,
    notifiedAt: null,
    lastDecision: null,
  };
}

/** A known group with one more hook folded in. */
function foldInto(before: GroupSummary, event: NormalizedEvent): GroupSummary {
  const receivedAt = event.receivedAt;
  // A provider's "resolved" is a change of state, not another crash: it neither counts as an occurrence
  // (which could silently use up a milestone) nor moves the last time the error was seen.
  const resolving = event.lifecycle === 'resolved';
  const occurrences = occurrencesAfter(before, event, resolving);
  // Written out field by field in the one order every summary has (see summaryShape): a spread of `before`
  // followed by overrides went through V8's slow copy path on every hook.
  const after: GroupSummary = {
    id: before.id,
    sourceId: before.sourceId,
    provider: event.provider,
    groupKey: before.groupKey,
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
    attributes: hasKeys(event.attributes) ? event.attributes : before.attributes,
    callstack: event.callstack.length > 0 ? event.callstack.slice() : before.callstack,
    page: event.page ?? before.page,
    userAgent: event.userAgent ?? before.userAgent,
    browser: event.browser ?? before.browser,
    os: event.os ?? before.os,
    // A new hook is news again: the group shows as unread until the user looks. A provider's own resolved or
    // ignored hook is no crash: it settles the group, which then asks nothing of anyone (as a settling mark does).
    read: resolving || event.lifecycle === 'ignored',
    muted: before.muted,
    resolved: before.resolved,
    // One real hook makes the group real: a test event never hides a crash that shares its group.
    test: before.test === true && event.test === true,
    ignored: before.ignored === true,
    snoozedUntil: before.snoozedUntil ?? null,
    snoozeCount: before.snoozeCount ?? null,
    assignee: before.assignee ?? null,
    claimedBy: before.claimedBy ?? null,
    claimedUntil: before.claimedUntil ?? null,
    // The latest ref a hook carried: a hook without one (a Sentry metric alert...) keeps the group's.
    issueRef: event.issueRef ?? before.issueRef ?? null,
    notifiedAt: before.notifiedAt,
    lastDecision: before.lastDecision,
  };
  if (before.resolvedBy) after.resolvedBy = before.resolvedBy;
  if (before.mutedBy) after.mutedBy = before.mutedBy;
  return after;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/**
 * A stored summary with every field a summary has, in the order {@link applyEvent} makes them: records written
 * before a field existed read back with its default, and every summary in memory has one shape (code that reads
 * them stays optimized). Fields only team marks set (`resolvedBy`, `mutedBy`) follow when present.
 */
export function summaryShape(g: GroupSummary): GroupSummary {
  const out: GroupSummary = {
    id: g.id,
    sourceId: g.sourceId,
    provider: g.provider,
    groupKey: g.groupKey,
    title: g.title,
    description: g.description,
    url: g.url,
    urlDerivation: g.urlDerivation ?? null,
    application: g.application,
    project: g.project,
    environment: g.environment,
    occurrences: g.occurrences,
    hosts: g.hosts,
    guids: g.guids,
    hooks: g.hooks,
    firstSeen: g.firstSeen,
    lastSeen: g.lastSeen,
    lastReceivedAt: g.lastReceivedAt,
    latestObjectId: g.latestObjectId,
    classifiers: g.classifiers,
    attributes: g.attributes,
    callstack: g.callstack,
    page: g.page,
    userAgent: g.userAgent,
    browser: g.browser,
    os: g.os,
    read: g.read,
    muted: g.muted,
    resolved: g.resolved,
    test: g.test === true,
    ignored: g.ignored === true,
    snoozedUntil: g.snoozedUntil ?? null,
    snoozeCount: g.snoozeCount ?? null,
    assignee: g.assignee ?? null,
    claimedBy: g.claimedBy ?? null,
    claimedUntil: g.claimedUntil ?? null,
    issueRef: g.issueRef ?? null,
    notifiedAt: g.notifiedAt,
    lastDecision: g.lastDecision,
  };
  if (g.resolvedBy) out.resolvedBy = g.resolvedBy;
  if (g.mutedBy) out.mutedBy = g.mutedBy;
  return out;
}
