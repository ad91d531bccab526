/**
 * The inbox: the groups ledger. It folds bounded events into groups (fold.ts) and hands back the record to
 * write, applies the notification policy with storm control and digests, enforces retention, and answers the
 * list, search and mark calls of the app. It keeps its state in the history (records in record-codec.ts) and
 * knows nothing of who else writes there.
 */
import type { Group, GroupMarks, GroupPage, GroupQuery, GroupRow, GroupSummary, NotificationRequest } from '../../../shared/events';
import type { Settings, Source } from '../../../shared/settings';
import type { BoundedEvent } from '../bounded-event';
import type { History } from '../history/history';
import type { Ledger, LiveRecord, RawRef, RecordAddition, StoredRecord } from '../history/ledger';
import type { StoreStats } from '../history/store';
import { type Fold, foldEvent } from './fold';
import { groupIdFor } from './grouping';
import { type Entry, GroupTable, UNREADABLE_TITLE } from './group-table';
import { GroupStates } from './group-states';
import { placeOf, type ProviderEcho } from './policy';
import {
  GROUP_PARTS,
  type GroupState,
  INBOX_KINDS,
  type MarkAllRecord,
  type MarkRecord,
  type PruneRecord,
  type RowFacts,
  groupIndex,
  pickMarks,
  rawPart,
  readGroupIndex,
  rowFactsOf,
  statePart,
  triageOf,
} from './record-codec';
import { page, searchText } from './search';
import { StormControl } from './storm';

/** How often age-based retention runs when nothing arrives. */
const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 86_400_000;

/** Options for an {@link Inbox}. */
export interface InboxOptions {
  /** Where its records live (opened by the caller with this inbox among its ledgers). */
  history: History;
  /** Current settings (policy, DND, retention, sources' filters and pause); read per decision, never from disk. */
  getSettings: () => Settings;
  /**
   * Called with what a timer raises (a storm-control digest once its window passes). What an event raises
   * comes back in its own fold instead.
   */
  onTimerNotification?: (n: NotificationRequest) => void;
  /** Plain words about a record it could not read. */
  onWarning?: (message: string) => void;
  /** Clock, for tests. */
  now?: () => number;
}

/** What folding an event needs besides the event. */
export interface FoldContext {
  /** The event's source, looked up once by whoever received it; null when it is no longer configured. */
  source: Source | null;
  /** The body text `event.raw` was parsed from, kept as it arrived (else `raw` is serialized). */
  rawJson?: string | undefined;
  /** The same body as bytes, as it arrived: written as they are (no decoding and encoding again). */
  rawBytes?: Buffer | undefined;
  /** A relay catch-up is under way: what would notify is held for its summary. */
  hold?: boolean;
  /** State changes this Crashbell just made in the provider, whose state hooks are already applied. */
  echoes?: readonly ProviderEcho[];
}

/**
 * One event folded, before its record is written: the pipeline appends {@link record} (with what extensions add
 * to it), then tells the draft how that went.
 */
export interface GroupDraft {
  readonly fold: Fold;
  /** The group record to write; null for a redelivery (nothing changes). */
  readonly record: { index: string; parts: Array<string | Buffer> } | null;
  /** The record was appended at `refs`: from now on the inbox answers with the group's new state. */
  placed(refs: RawRef[]): void;
  /** Its write failed: the group is put back as it was, so a retry is not taken for a redelivery. */
  failed(): void;
  /** Its write is durable: storm control may hold it for a digest; resolves once a prune it caused is durable. */
  committed(): Promise<void>;
}

/** The groups ledger. */
export class Inbox implements Ledger {
  readonly name = 'groups';
  readonly kinds = INBOX_KINDS;
  readonly ownParts = { g: GROUP_PARTS };
  private readonly opts: InboxOptions;
  private readonly history: History;
  private readonly now: () => number;
  private readonly table = new GroupTable();
  private readonly states: GroupStates;
  private readonly storm: StormControl;
  private retentionTimer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(opts: InboxOptions) {
    this.opts = opts;
    this.history = opts.history;
    this.now = opts.now ?? Date.now;
    this.states = new GroupStates((ref) => this.history.readPart(ref), this.now);
    this.storm = new StormControl({
      now: this.now,
      getPolicy: () => this.opts.getSettings().policy,
      emit: (n) => this.opts.onTimerNotification?.(n),
    });
  }

  /** Starts retention (once now, then hourly); call once the history is open. Resolves once the first prune is durable. */
  async start(): Promise<void> {
    await this.enforceRetention();
    this.retentionTimer = setInterval(() => void this.enforceRetention().catch(() => undefined), RETENTION_INTERVAL_MS);
    this.retentionTimer.unref?.();
  }

  // ---- the ledger ----

  replay(record: StoredRecord): void {
    const { index, parts, bytes } = record;
    switch (index.k) {
      case 'g': {
        const sum = parts[0];
        if (!sum) throw new Error('a group record without its id, source, time or summary');
        const previous = typeof index['id'] === 'string' ? this.table.get(index['id'])?.text : undefined;
        this.table.put(this.table.entry(readGroupIndex(index, previous), sum, parts[1] ?? null, bytes));
        return;
      }
      case 'm': {
        const r = index as unknown as MarkRecord;
        const e = typeof r.id === 'string' ? this.table.get(r.id) : undefined;
        if (e) this.table.setMarks(e, pickMarks(r.m), typeof r.by === 'string' ? r.by : null);
        return;
      }
      case 'p': {
        const ids = (index as unknown as PruneRecord).ids;
        if (!Array.isArray(ids)) throw new Error('a prune record without ids');
        for (const id of ids) this.dropGroup(typeof id === 'string' ? id : '');
        return;
      }
      case 'a': {
        const m = (index as unknown as MarkAllRecord).m;
        if (!m || typeof m !== 'object') throw new Error('a mark-all record without marks');
        const marks = pickMarks(m);
        for (const e of this.table.values()) this.table.setMarks(e, marks);
        return;
      }
      case 'c':
        this.table.dropAll();
        this.states.clear();
        return;
    }
  }

  snapshot(): LiveRecord[] {
    const out: LiveRecord[] = [];
    for (let e = this.table.oldest(); e !== null; e = e.next) {
      const index = groupIndex(e);
      out.push({ index, parts: e.raw ? [e.sum, e.raw] : [e.sum] });
      // The compacted record is this group's whole state now.
      const bytes = index.length + 2 + e.sum.len + (e.raw ? e.raw.len + 1 : 0);
      this.table.liveBytes += bytes - e.bytes;
      e.bytes = bytes;
    }
    return out;
  }

  liveBytes(): number {
    return this.table.liveBytes;
  }

  // ---- folding events ----

  /**
   * Folds a bounded event into its group (see fold.ts) and answers the record to write. Synchronous: the
   * caller folds one event of a group at a time, each on the last one's durable outcome.
   */
  fold(event: BoundedEvent, context: FoldContext): GroupDraft {
    if (this.closed) throw new Error('The inbox is closed');
    const now = this.now();
    const id = groupIdFor(event.sourceId, event.groupKey);
    const entry = this.table.get(id);
    let prior: GroupState | null = null;
    if (entry) {
      try {
        prior = this.states.of(entry);
      } catch (e) {
        // Its record is unreadable (disk damage): start the group afresh rather than refuse the hook forever.
        this.opts.onWarning?.(`${(e as Error).message}; starting it afresh`);
      }
    }
    const hold = context.hold === true;
    const fold = foldEvent({
      id,
      event,
      prior,
      marks: entry ? { resolvedBy: entry.resolvedBy, mutedBy: entry.mutedBy } : null,
      source: context.source,
      settings: this.opts.getSettings(),
      storm: hold ? { recent: [], active: false } : { recent: this.storm.recent(now), active: this.storm.active(now) },
      hold,
      ...(context.echoes ? { echoes: context.echoes } : {}),
      now,
    });
    if (fold.duplicate) return duplicateDraft(fold);
    return this.acceptedDraft(fold, event, entry, prior, context, now);
  }

  private acceptedDraft(
    fold: Extract<Fold, { duplicate: false }>,
    event: BoundedEvent,
    entry: Entry | undefined,
    prior: GroupState | null,
    context: FoldContext,
    now: number,
  ): GroupDraft {
    const after = fold.group;
    const state: GroupState = { g: after, dk: fold.keys };
    const next = this.table.entry(
      {
        id: fold.id,
        sourceId: after.sourceId,
        provider: after.provider,
        t: timeOf(after.lastReceivedAt, now),
        read: after.read,
        muted: after.muted,
        resolved: after.resolved,
        test: after.test === true,
        resolvedBy: after.resolvedBy ?? null,
        mutedBy: after.mutedBy ?? null,
        text: searchText(after),
        row: rowFactsOf(after),
        triage: triageOf(after),
      },
      { off: -1, len: 0, text: null },
      null,
      0,
    );
    // The search text rarely changes from one hook to the next: written only when it does.
    const index = groupIndex(next, entry !== undefined && entry.text === next.text);
    const sumText = statePart(state);
    const rawText = rawPart(event.raw, context.rawJson, context.rawBytes);
    const parts = [sumText, rawText];
    if (fold.notification) this.storm.noteNotified(now);
    let pruned: Promise<number> = Promise.resolve(0);
    return {
      fold,
      record: { index, parts },
      placed: (refs) => {
        next.sum = refs[0] ?? next.sum;
        next.raw = refs[1] ?? null;
        next.bytes = index.length + sumText.length + rawText.length + 3;
        this.table.put(next);
        this.states.remember(fold.id, state, sumText.length);
        pruned = this.pruneNow(now, fold.id);
      },
      failed: () => {
        // Not on disk, so not accepted: put the group back as it was, so a retry is not taken for a redelivery,
        // and take back the notification it counted against storm control.
        if (this.table.get(fold.id) === next) {
          this.table.drop(next);
          this.states.forget(fold.id);
          if (entry) {
            this.table.put(entry);
            if (prior) this.states.remember(fold.id, prior, entry.sum.len);
          }
        }
        if (fold.notification) this.storm.forgetNotified(now);
      },
      committed: async () => {
        if (fold.digested) {
          this.storm.hold({ groupId: fold.id, title: after.title, place: placeOf(after, context.source), isNew: fold.isNew });
        }
        await pruned;
      },
    };
  }

  // ---- queries ----

  list(query: GroupQuery): GroupPage {
    return page(this.table.newestFirst(), query, (e) => this.rowOf(e), this.opts.getSettings().sources);
  }

  /** The group with its latest raw body, or null when the inbox does not hold it. */
  get(groupId: string): Group | null {
    const e = this.table.get(groupId);
    if (!e) return null;
    let latestRaw: unknown = null;
    try {
      const text = this.history.readPart(e.raw);
      latestRaw = text === null ? null : (JSON.parse(text) as unknown);
    } catch {
      latestRaw = null;
    }
    return { ...this.states.summaryOf(e), latestRaw };
  }

  /** The group without its raw body (no read of the body from disk), or null. */
  summary(groupId: string): GroupSummary | null {
    const e = this.table.get(groupId);
    return e ? this.states.summaryOf(e) : null;
  }

  /** How many groups are kept, and how many of them are unread (groups of test events only do not count). */
  counts(): { groups: number; unread: number } {
    return { groups: this.table.size, unread: this.table.unread };
  }

  /** The rows of the latest groups by last received, for the tray menu. */
  latest(n: number): GroupRow[] {
    return this.table.latest(n).map((e) => this.rowOf(e));
  }

  /** A group's list row from memory; an older record's row facts are read from its summary once, then kept. */
  private rowOf(e: Entry): GroupRow {
    let facts: RowFacts | null = e.row;
    if (facts === null) {
      try {
        facts = e.row = this.table.shareNames(rowFactsOf(this.states.of(e).g));
      } catch {
        facts = {
          title: UNREADABLE_TITLE,
          application: null,
          project: null,
          occurrences: 0,
          hosts: null,
          lastSeen: new Date(e.t).toISOString(),
        };
      }
    }
    return this.table.row(e, facts, this.now());
  }

  // ---- the user's changes ----

  /**
   * Sets marks durably; returns the updated group, or null when it does not exist. `by` names the team member
   * who resolved or muted it (a team mark from the relay); without it the mark is this machine's own.
   */
  async mark(
    groupId: string,
    marks: GroupMarks,
    by: string | null = null,
    additions: readonly RecordAddition[] = [],
  ): Promise<GroupSummary | null> {
    this.checkOpen();
    const e = this.table.get(groupId);
    if (!e) return null;
    const m = pickMarks(marks);
    const prev = { read: e.read, muted: e.muted, resolved: e.resolved, resolvedBy: e.resolvedBy, mutedBy: e.mutedBy };
    const prevTriage = e.triage;
    this.table.setMarks(e, m, by);
    const record: MarkRecord = { k: 'm', id: groupId, m, at: new Date(this.now()).toISOString() };
    if (by) record.by = by;
    try {
      await this.history.append(JSON.stringify(record), [], additions).done;
    } catch (err) {
      if (this.table.get(groupId) === e) {
        this.table.setMarks(e, prev);
        e.triage = prevTriage;
        e.resolvedBy = prev.resolvedBy;
        e.mutedBy = prev.mutedBy;
      }
      throw err;
    }
    return this.states.summaryOf(e);
  }

  /** Removes one group from the history, durably; false when it does not exist. A later hook starts it afresh. */
  async delete(groupId: string): Promise<boolean> {
    this.checkOpen();
    const e = this.table.get(groupId);
    if (!e) return false;
    this.dropGroup(groupId);
    try {
      await this.history.append(JSON.stringify({ k: 'p', ids: [groupId], why: 'deleted' } satisfies PruneRecord)).done;
    } catch (err) {
      // Not on disk: the group is still in the history, so it stays in the list (unless a hook brought it back).
      if (!this.table.has(groupId)) this.table.put(e);
      throw err;
    }
    return true;
  }

  /**
   * Removes every group, durably, and rewrites the log so their bodies are gone from the disk too; answers how
   * many groups there were. What other ledgers keep (the relay's outbox and cursor) stays: it is still owed.
   */
  async clear(): Promise<number> {
    this.checkOpen();
    const removed = this.table.dropAll();
    this.states.clear();
    // Clearing the history forgets what a newer version wrote too: the user asked for all of it to go.
    const restoreForeign = this.history.dropForeign();
    try {
      await this.history.append(JSON.stringify({ k: 'c', at: new Date(this.now()).toISOString() })).done;
    } catch (err) {
      for (const e of removed) if (!this.table.has(e.id)) this.table.put(e);
      restoreForeign();
      throw err;
    }
    // The records stay in the file until it is rewritten: rewrite it now, so the bodies are gone from the disk.
    await this.history.compactNow();
    return removed.length;
  }

  /** Marks every group read, durably (one record, whatever the history holds); answers how many changed. */
  async markAllRead(): Promise<number> {
    this.checkOpen();
    const changed: Entry[] = [];
    for (const e of this.table.values()) {
      if (e.read) continue;
      this.table.setMarks(e, { read: true });
      changed.push(e);
    }
    if (changed.length === 0) return 0;
    const at = new Date(this.now()).toISOString();
    try {
      await this.history.append(JSON.stringify({ k: 'a', m: { read: true }, at } satisfies MarkAllRecord)).done;
    } catch (err) {
      for (const e of changed) if (this.table.get(e.id) === e) this.table.setMarks(e, { read: false });
      throw err;
    }
    return changed.length;
  }

  // ---- retention ----

  /** Runs retention now (normally after each ingest and hourly). Resolves once the prune is durable. */
  async enforceRetention(): Promise<number> {
    if (this.closed) return 0;
    return this.pruneNow(this.now(), null);
  }

  /** Prunes the oldest groups past the retention limits (never `keep`); resolves once the prune is durable. */
  private pruneNow(now: number, keep: string | null): Promise<number> {
    const { maxGroups, maxDays } = this.opts.getSettings().retention;
    const cutoff = now - maxDays * DAY_MS;
    const ids: string[] = [];
    let e = this.table.oldest();
    while (e !== null) {
      const nextE: Entry | null = e.next;
      const over = this.table.size > maxGroups;
      if (!over && e.t >= cutoff) break;
      if (e.id !== keep) {
        ids.push(e.id);
        this.dropGroup(e.id);
      } else if (!over) {
        break;
      }
      e = nextE;
    }
    if (ids.length === 0) return Promise.resolve(0);
    const { done } = this.history.append(JSON.stringify({ k: 'p', ids, why: 'retention' } satisfies PruneRecord));
    return done.then(() => ids.length);
  }

  private dropGroup(id: string): void {
    const e = this.table.get(id);
    if (!e) return;
    this.table.drop(e);
    this.states.forget(id);
  }

  // ---- the rest ----

  /** Raises the pending storm digest now if due (or at once with `force`); returns it. */
  flushDigest(now?: number, force?: boolean): NotificationRequest | null {
    return this.storm.flushDigest(now ?? this.now(), force ?? false);
  }

  /** Store counters and the number of groups, for tests and the bench. */
  stats(): StoreStats & { groups: number } {
    return { ...this.history.stats(), groups: this.table.size };
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('The inbox is closed');
  }

  /** Raises a pending digest and stops the timers; the history is closed by its owner. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Groups held back by storm control are not left unsaid: the pending digest goes out now.
    this.storm.flushDigest(this.now(), true);
    this.storm.close();
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
  }
}

/** A redelivery changes nothing: no record, nothing to undo. */
function duplicateDraft(fold: Fold): GroupDraft {
  return { fold, record: null, placed: () => undefined, failed: () => undefined, committed: async () => undefined };
}

/** ms since epoch of an ISO time; `fallback` when it does not parse (so a bad time never looks ancient). */
function timeOf(iso: string, fallback: number): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : fallback;
}
