/**
 * Groups' full states (summary and redelivery keys), read from the log on demand and kept parsed for the
 * busiest groups: a bounded, least-recently-used cache counted both in groups and in the bytes they were read
 * from. Marks always come from the entry (marks are records of their own; the stored summary may be older), as
 * they stand now: a claim past its end is not shown as held.
 */
import type { GroupSummary } from '../../../shared/events';
import { BOUNDED_SUMMARY_MAX_BYTES, boundedSummary } from '../bounded-event';
import { summaryShape } from './grouping';
import type { Entry } from './group-table';
import { type GroupState, readStatePart, type Triage, triageAt } from './record-codec';
import { UNREADABLE_TITLE } from './group-table';

/** How many parsed group states are kept at hand: the groups of an incident... */
const STATE_CACHE_SIZE = 2048;
/**
 * ...and how much of them, counted as the JSON bytes of their records (held in memory as objects, that is a
 * few times as much): bounded events keep a state to some KB, old or hostile records can be far bigger.
 */
const STATE_CACHE_BYTES = 16 * 1024 * 1024;

/** Reads a part's text from the log (history.readPart). */
export type PartReader = (ref: Entry['sum']) => string | null;

/** The parsed states of the busiest groups. */
export class GroupStates {
  private readonly cache = new Map<string, { st: GroupState; bytes: number }>();
  private cacheBytes = 0;

  constructor(
    private readonly read: PartReader,
    private readonly now: () => number = Date.now,
  ) {}

  /** The group's full state: from the cache, else read from the log. Throws when its record cannot be read. */
  of(e: Entry): GroupState {
    let st = this.cache.get(e.id)?.st;
    if (st === undefined) {
      const parsed = readStatePart(this.read(e.sum), e.id);
      // Bigger than any bounded event makes: written before the limits (or by a build without them).
      const g = e.sum.len > BOUNDED_SUMMARY_MAX_BYTES ? boundedSummary(parsed.g) : parsed.g;
      st = { g: summaryShape(g), dk: parsed.dk };
    }
    const g = st.g;
    const t = triageAt(e.triage, this.now());
    if (!marksAgree(g, e, t)) {
      const marked: GroupSummary = { ...g, read: e.read, muted: e.muted, resolved: e.resolved, test: e.test };
      // Who marked it shows only on team marks, so a local group reads the same as before the relay existed.
      if (e.resolvedBy) marked.resolvedBy = e.resolvedBy;
      else delete marked.resolvedBy;
      if (e.mutedBy) marked.mutedBy = e.mutedBy;
      else delete marked.mutedBy;
      marked.ignored = t?.ignored === true;
      marked.snoozedUntil = t?.snoozedUntil ?? null;
      marked.snoozeCount = t?.snoozeCount ?? null;
      marked.assignee = t?.assignee ?? null;
      marked.claimedBy = t?.claimedBy ?? null;
      marked.claimedUntil = t?.claimedUntil ?? null;
      st = { g: marked, dk: st.dk };
    }
    this.remember(e.id, st, e.sum.len);
    return st;
  }

  /** The summary to show for an entry; a placeholder when its record cannot be read. */
  summaryOf(e: Entry): GroupSummary {
    try {
      return this.of(e).g;
    } catch {
      return unreadableSummary(e);
    }
  }

  /** Keeps a parsed state at hand (most recently used), within the cache's count and bytes. */
  remember(id: string, st: GroupState, bytes: number): void {
    this.forget(id);
    // A state bigger than the whole budget is used once and not kept.
    if (bytes > STATE_CACHE_BYTES) return;
    this.cache.set(id, { st, bytes });
    this.cacheBytes += bytes;
    while (this.cache.size > STATE_CACHE_SIZE || this.cacheBytes > STATE_CACHE_BYTES) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      this.forget(oldest.value);
    }
  }

  forget(id: string): void {
    const held = this.cache.get(id);
    if (held === undefined) return;
    this.cache.delete(id);
    this.cacheBytes -= held.bytes;
  }

  clear(): void {
    this.cache.clear();
    this.cacheBytes = 0;
  }
}

/** Whether a stored summary already shows the entry's marks (the marks records may be newer than the summary). */
function marksAgree(g: GroupSummary, e: Entry, t: Triage | null): boolean {
  return (
    g.read === e.read &&
    g.muted === e.muted &&
    g.resolved === e.resolved &&
    (g.test === true) === e.test &&
    (g.resolvedBy ?? null) === e.resolvedBy &&
    (g.mutedBy ?? null) === e.mutedBy &&
    (g.ignored === true) === (t?.ignored === true) &&
    (g.snoozedUntil ?? null) === (t?.snoozedUntil ?? null) &&
    (g.snoozeCount ?? null) === (t?.snoozeCount ?? null) &&
    (g.assignee ?? null) === (t?.assignee ?? null) &&
    (g.claimedBy ?? null) === (t?.claimedBy ?? null) &&
    (g.claimedUntil ?? null) === (t?.claimedUntil ?? null)
  );
}

/** What a group whose record cannot be read back shows: its entry's facts and a title that says so. */
export function unreadableSummary(e: Entry): GroupSummary {
  const at = new Date(e.t).toISOString();
  return {
    id: e.id,
    sourceId: e.sourceId,
    provider: e.provider,
    groupKey: '',
    title: UNREADABLE_TITLE,
    description: '',
    url: null,
    application: null,
    project: null,
    environment: null,
    occurrences: 0,
    hosts: null,
    guids: null,
    hooks: 0,
    firstSeen: at,
    lastSeen: at,
    lastReceivedAt: at,
    latestObjectId: null,
    classifiers: [],
    attributes: {},
    callstack: [],
    page: null,
    userAgent: null,
    browser: null,
    os: null,
    read: e.read,
    muted: e.muted,
    resolved: e.resolved,
    test: e.test,
    notifiedAt: null,
    lastDecision: null,
  };
}
