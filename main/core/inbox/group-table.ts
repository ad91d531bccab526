/**
 * The groups the inbox holds in memory: one small entry per group (what sorting, filtering, searching, counting
 * and a list row need), in receive order, with the unread count kept as marks change. The full summary and the
 * raw body stay in the log and are read by offset (group-states.ts keeps the busiest ones parsed), so memory per
 * group stays small whatever the payloads are.
 */
import type { GroupMarks, GroupRow, ProviderId } from '../../../shared/events';
import type { RawRef } from '../history/ledger';
import { compareKeys } from './search';
import { type IndexedGroup, type RowFacts, touchesTriage, triageAt, triageWith } from './record-codec';

/** One group in memory. */
export interface Entry extends IndexedGroup {
  /** The group's summary and redelivery keys, as JSON in the log. */
  sum: RawRef;
  /** The latest raw body, as JSON in the log. */
  raw: RawRef | null;
  /** Bytes of this group's latest record, for the compaction ratio. */
  bytes: number;
  /** Receive order: a doubly linked list, oldest at the head, so pruning and latest(n) never scan. */
  prev: Entry | null;
  next: Entry | null;
}

/** How many distinct application and project names the entries share (see `shareNames`). */
const SHARED_NAMES_MAX = 4096;

/** The title shown for a group whose record cannot be read back (disk damage). */
export const UNREADABLE_TITLE = '(this group could not be read from the history)';

/** Whether a group counts among the unread errors: unread, and not only Crashbell's own test events. */
function counts(e: Entry): boolean {
  return !e.read && !e.test;
}

/** The groups in memory, in receive order. */
export class GroupTable {
  private readonly byId = new Map<string, Entry>();
  /** One string per distinct source id, provider and member name, shared by all entries. */
  private readonly interned = new Map<string, string>();
  /** One string per distinct application and project (they repeat across groups), up to a bound. */
  private readonly names = new Map<string, string>();
  private head: Entry | null = null;
  private tail: Entry | null = null;
  private unreadCount = 0;
  /** Bytes of the groups' latest records in the log, for the compaction ratio. */
  liveBytes = 0;
  private sorted: Entry[] | null = null;

  get size(): number {
    return this.byId.size;
  }

  get unread(): number {
    return this.unreadCount;
  }

  get(id: string): Entry | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Oldest first. */
  oldest(): Entry | null {
    return this.head;
  }

  values(): IterableIterator<Entry> {
    return this.byId.values();
  }

  /** An entry from what its index says, with its strings shared among entries. */
  entry(g: IndexedGroup, sum: RawRef, raw: RawRef | null, bytes: number): Entry {
    return {
      id: g.id,
      sourceId: this.intern(g.sourceId),
      provider: this.intern(g.provider) as ProviderId,
      t: g.t,
      read: g.read,
      muted: g.muted,
      resolved: g.resolved,
      test: g.test,
      resolvedBy: g.resolvedBy === null ? null : this.intern(g.resolvedBy),
      mutedBy: g.mutedBy === null ? null : this.intern(g.mutedBy),
      text: g.text,
      row: g.row === null ? null : this.shareNames(g.row),
      triage: g.triage,
      sum,
      raw,
      bytes,
      prev: null,
      next: null,
    };
  }

  /** Puts a group's new state at the newest end (replacing its old one). */
  put(e: Entry): void {
    const old = this.byId.get(e.id);
    if (old) this.drop(old);
    this.byId.set(e.id, e);
    e.prev = this.tail;
    e.next = null;
    if (this.tail) this.tail.next = e;
    else this.head = e;
    this.tail = e;
    if (counts(e)) this.unreadCount++;
    this.liveBytes += e.bytes;
    this.sorted = null;
  }

  /** Takes a group out. */
  drop(e: Entry): void {
    if (this.byId.get(e.id) !== e) return;
    this.byId.delete(e.id);
    if (e.prev) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = null;
    if (counts(e)) this.unreadCount--;
    this.liveBytes -= e.bytes;
    this.sorted = null;
  }

  /** Forgets every group; answers them, oldest first. */
  dropAll(): Entry[] {
    const all: Entry[] = [];
    for (let e = this.head; e !== null; e = e.next) all.push(e);
    this.byId.clear();
    this.head = this.tail = null;
    for (const e of all) e.prev = e.next = null;
    this.unreadCount = 0;
    this.liveBytes = 0;
    this.sorted = null;
    return all;
  }

  /** Sets marks on an entry, keeping the unread count; `by` names the team member behind a shared mark. */
  setMarks(e: Entry, m: GroupMarks, by: string | null = null): void {
    if (m.read !== undefined && m.read !== e.read) {
      if (!e.test && this.byId.get(e.id) === e) this.unreadCount += m.read ? -1 : 1;
      e.read = m.read;
    }
    if (m.muted !== undefined) {
      e.muted = m.muted;
      e.mutedBy = m.muted && by ? this.intern(by) : null;
    }
    if (touchesTriage(m)) e.triage = triageWith(e.triage, m);
    if (m.resolved !== undefined) {
      e.resolved = m.resolved;
      e.resolvedBy = m.resolved && by ? this.intern(by) : null;
    }
  }

  /** Newest first (by last received; ties by id). */
  newestFirst(): Entry[] {
    if (this.sorted === null) {
      const arr: Entry[] = [];
      for (let e = this.tail; e !== null; e = e.prev) arr.push(e);
      // Receive order is nearly newest-first already; the sort only fixes clock ties and skew.
      arr.sort(compareKeys);
      this.sorted = arr;
    }
    return this.sorted;
  }

  /** The `n` latest entries by receive order. */
  latest(n: number): Entry[] {
    const out: Entry[] = [];
    for (let e = this.tail; e !== null && out.length < n; e = e.prev) out.push(e);
    return out;
  }

  /** A group's list row at `now` (a lapsed claim is not held); `facts` when the entry has none of its own yet (an older record). */
  row(e: Entry, facts: RowFacts, now: number): GroupRow {
    const t = triageAt(e.triage, now);
    return {
      id: e.id,
      sourceId: e.sourceId,
      provider: e.provider,
      title: facts.title,
      application: facts.application,
      project: facts.project,
      occurrences: facts.occurrences,
      hosts: facts.hosts,
      lastSeen: facts.lastSeen,
      lastReceivedAt: new Date(e.t).toISOString(),
      read: e.read,
      muted: e.muted,
      resolved: e.resolved,
      test: e.test,
      ignored: t?.ignored === true,
      snoozedUntil: t?.snoozedUntil ?? null,
      claimedBy: t?.claimedBy ?? null,
      claimedUntil: t?.claimedUntil ?? null,
    };
  }

  intern<T extends string>(s: T): T {
    const known = this.interned.get(s);
    if (known !== undefined) return known as T;
    this.interned.set(s, s);
    return s;
  }

  /**
   * Row facts of our own, their application and project names shared among groups. The set of shared names
   * is bounded (names of pruned groups stay in it), so a flood of distinct names only ends the sharing.
   */
  shareNames(f: RowFacts): RowFacts {
    f.application = this.name(f.application);
    f.project = this.name(f.project);
    return f;
  }

  private name(s: string | null): string | null {
    if (s === null) return null;
    const known = this.names.get(s);
    if (known !== undefined) return known;
    if (this.names.size < SHARED_NAMES_MAX) this.names.set(s, s);
    return s;
  }
}
