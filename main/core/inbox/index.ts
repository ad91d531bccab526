/**
 * The inbox: folds verified events into groups, keeps them in a durable append-only log, applies the
 * notification policy with storm control and digests, enforces retention, and answers the list, search
 * and mark calls of the app.
 *
 * Call {@link openInbox}; see `types.ts` for the contract.
 */
import type { Decision, Group, GroupMarks, NormalizedEvent, NotificationRequest } from '../../../shared/events';
import type { GroupPage, GroupQuery, GroupSummary } from '../../../shared/ipc';
import type { Source } from '../../../shared/settings';
import { applyEvent, groupIdFor, isRedelivery, rememberKey, type RedeliveryKey } from './grouping';
import { decide, placeOf } from './policy';
import { compareKeys, page, searchText, type Listable, type SortKey } from './search';
import { LogStore, type LiveRecord, type RawRef, type StoreStats } from './store';
import { StormControl } from './storm';
import type { Inbox, InboxOptions, IngestResult } from './types';

export type { Inbox, InboxOptions, IngestResult } from './types';
export { groupIdFor } from './grouping';
export { decide } from './policy';
export { dndStatus } from './dnd';

/** The log compacts once it is this many times the size of its live records... */
const COMPACT_RATIO = 3;
/** ...and at least this big, so small logs never bother. */
const COMPACT_MIN_BYTES = 8 * 1024 * 1024;
/** How often age-based retention runs when nothing arrives. */
const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 86_400_000;

/** One group as the inbox holds it: the summary in memory, the raw body on disk. */
interface Entry {
  s: GroupSummary;
  t: number;
  dk: RedeliveryKey[];
  raw: RawRef | null;
  /** Bytes of this group's latest record, for the compaction ratio. */
  bytes: number;
  /** Lower-cased search text, built on the first search. */
  text: string | null;
  /** Receive order: a doubly linked list, oldest at the head, so oldest-first pruning and latest(n) are O(1)-ish. */
  prev: Entry | null;
  next: Entry | null;
}

/** Group record header in the log. */
interface GroupRecord {
  k: 'g';
  g: GroupSummary;
  dk?: RedeliveryKey[];
}
interface MarkRecord {
  k: 'm';
  id: string;
  m: GroupMarks;
  at: string;
}
interface PruneRecord {
  k: 'p';
  ids: string[];
  why?: string;
}

/** Options beyond the contract, for tests and the bench. */
export interface LocalInboxOptions extends InboxOptions {
  /** When the log compacts: past `minBytes` and `ratio` times its live records (defaults 8 MiB, 3). */
  compaction?: { minBytes?: number; ratio?: number };
}

/** What the inbox offers beyond the contract: test and bench hooks. */
export interface LocalInbox extends Inbox {
  /** Raises the pending storm digest now if due (or at once with `force`); returns it. */
  flushDigest(now?: number, force?: boolean): NotificationRequest | null;
  /** Store counters (appends, writes, syncs, compactions, bytes). */
  stats(): StoreStats & { groups: number };
  /** Runs retention now (normally after each ingest and hourly). Resolves once the prune is durable. */
  enforceRetention(): Promise<number>;
}

function isGroupSummary(v: unknown): v is GroupSummary {
  if (v === null || typeof v !== 'object') return false;
  const g = v as Record<string, unknown>;
  return typeof g.id === 'string' && typeof g.sourceId === 'string' && typeof g.lastReceivedAt === 'string';
}

function pickMarks(m: GroupMarks): GroupMarks {
  const out: GroupMarks = {};
  if (typeof m.read === 'boolean') out.read = m.read;
  if (typeof m.muted === 'boolean') out.muted = m.muted;
  if (typeof m.resolved === 'boolean') out.resolved = m.resolved;
  return out;
}

function timeOf(iso: string): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

class InboxImpl implements LocalInbox {
  private readonly opts: LocalInboxOptions;
  private readonly now: () => number;
  private readonly groups = new Map<string, Entry>();
  private head: Entry | null = null;
  private tail: Entry | null = null;
  private unread = 0;
  private liveBytes = 0;
  private sorted: Entry[] | null = null;
  private store!: LogStore;
  private readonly storm: StormControl;
  private retentionTimer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(opts: LocalInboxOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.storm = new StormControl({
      now: this.now,
      getPolicy: () => this.opts.getSettings().policy,
      emit: (n) => this.opts.onNotification?.(n),
    });
  }

  async open(): Promise<void> {
    this.store = await LogStore.open(
      {
        dataDir: this.opts.dataDir,
        onWarning: (m) => this.opts.onWarning?.(m),
        shouldCompact: (bytes) =>
          bytes > (this.opts.compaction?.minBytes ?? COMPACT_MIN_BYTES) &&
          bytes > (this.opts.compaction?.ratio ?? COMPACT_RATIO) * this.liveBytes,
        snapshot: () => this.snapshot(),
      },
      (header, raw, lineBytes) => this.replay(header, raw, lineBytes),
    );
    await this.enforceRetention();
    this.retentionTimer = setInterval(() => void this.enforceRetention().catch(() => undefined), RETENTION_INTERVAL_MS);
    this.retentionTimer.unref?.();
  }

  // ---- the ordered set of groups ----

  private link(e: Entry): void {
    e.prev = this.tail;
    e.next = null;
    if (this.tail) this.tail.next = e;
    else this.head = e;
    this.tail = e;
  }

  private unlink(e: Entry): void {
    if (e.prev) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = null;
  }

  /** Puts a group's new state at the newest end. */
  private put(e: Entry): void {
    const old = this.groups.get(e.s.id);
    if (old) this.drop(old);
    this.groups.set(e.s.id, e);
    this.link(e);
    if (!e.s.read) this.unread++;
    this.liveBytes += e.bytes;
    this.sorted = null;
  }

  private drop(e: Entry): void {
    this.groups.delete(e.s.id);
    this.unlink(e);
    if (!e.s.read) this.unread--;
    this.liveBytes -= e.bytes;
    this.sorted = null;
  }

  private setSummary(e: Entry, s: GroupSummary): void {
    if (e.s.read !== s.read) this.unread += s.read ? -1 : 1;
    e.s = s;
  }

  private replay(header: unknown, raw: RawRef | null, lineBytes: number): void {
    const rec = header as { k: string };
    if (rec.k === 'g') {
      const r = header as GroupRecord;
      if (!isGroupSummary(r.g)) throw new Error('a group record without a group');
      this.put({
        s: r.g,
        t: timeOf(r.g.lastReceivedAt),
        dk: Array.isArray(r.dk) ? r.dk : [],
        raw,
        bytes: lineBytes,
        text: null,
        prev: null,
        next: null,
      });
    } else if (rec.k === 'm') {
      const r = header as MarkRecord;
      const e = typeof r.id === 'string' ? this.groups.get(r.id) : undefined;
      if (e && r.m && typeof r.m === 'object') this.setSummary(e, { ...e.s, ...pickMarks(r.m) });
    } else if (rec.k === 'p') {
      const r = header as PruneRecord;
      if (!Array.isArray(r.ids)) throw new Error('a prune record without ids');
      for (const id of r.ids) {
        const e = typeof id === 'string' ? this.groups.get(id) : undefined;
        if (e) this.drop(e);
      }
    } else {
      throw new Error(`an unknown record kind "${rec.k}"`);
    }
  }

  private snapshot(): LiveRecord[] {
    const out: LiveRecord[] = [];
    for (let e = this.head; e !== null; e = e.next) {
      const header = JSON.stringify({ k: 'g', g: e.s, dk: e.dk } satisfies GroupRecord);
      out.push({ header, raw: e.raw });
      // The compacted record is this group's whole state now.
      this.liveBytes += header.length + 2 + (e.raw?.len ?? 0) - e.bytes;
      e.bytes = header.length + 2 + (e.raw?.len ?? 0);
    }
    return out;
  }

  // ---- the contract ----

  async ingest(event: NormalizedEvent): Promise<IngestResult> {
    if (this.closed) throw new Error('The inbox is closed');
    const now = this.now();
    const id = groupIdFor(event.sourceId, event.groupKey);
    const entry = this.groups.get(id);
    if (entry && isRedelivery(entry.dk, event, now)) {
      // The first delivery may still be in flight: answer only once it is on disk.
      await this.store.barrier();
      const decision: Decision = {
        notify: false,
        code: 'duplicate',
        reason: 'A redelivery of a hook already recorded: nothing changed',
        at: new Date(now).toISOString(),
      };
      return { group: entry.s, isNew: false, duplicate: true, decision };
    }

    const settings = this.opts.getSettings();
    const source: Source | null = settings.sources.find((s) => s.id === event.sourceId) ?? null;
    const before = entry?.s ?? null;
    const isNew = entry === undefined;
    const folded = applyEvent(before, event, id);
    const outcome = decide({ before, after: folded, event, isNew, source, settings, recent: this.storm.recent(now), now });
    const after: GroupSummary = {
      ...folded,
      resolved: outcome.resolved ?? folded.resolved,
      lastDecision: outcome.decision,
      notifiedAt: outcome.notification ? new Date(now).toISOString() : folded.notifiedAt,
    };
    if (outcome.notification) this.storm.noteNotified(now);

    const dk = rememberKey(entry?.dk ?? [], event, now);
    const rawText = JSON.stringify(event.raw) ?? 'null';
    const header = JSON.stringify({ k: 'g', g: after, dk } satisfies GroupRecord);
    const { ref, done } = this.store.append(header, rawText);
    const next: Entry = {
      s: after,
      t: timeOf(after.lastReceivedAt),
      dk,
      raw: ref,
      bytes: Buffer.byteLength(header) + Buffer.byteLength(rawText) + 2,
      text: null,
      prev: null,
      next: null,
    };
    this.put(next);
    const pruned = this.pruneNow(now, id);

    try {
      await done;
      await pruned;
    } catch (e) {
      // Not on disk, so not accepted: put the group back as it was, so a retry is not taken for a redelivery.
      if (this.groups.get(id) === next) {
        this.drop(next);
        if (entry) this.put(entry);
      }
      throw e;
    }

    if (outcome.notification) this.opts.onNotification?.(outcome.notification);
    if (outcome.digested) {
      this.storm.hold({ groupId: id, title: after.title, place: placeOf(after, source), isNew });
    }
    this.opts.onGroupChanged?.(after);
    return { group: after, isNew, duplicate: false, decision: outcome.decision };
  }

  /** Prunes the oldest groups past the retention limits (never `keep`); resolves once the prune is durable. */
  private pruneNow(now: number, keep: string | null): Promise<number> {
    const { maxGroups, maxDays } = this.opts.getSettings().retention;
    const cutoff = now - maxDays * DAY_MS;
    const ids: string[] = [];
    let e = this.head;
    while (e !== null) {
      const nextE: Entry | null = e.next;
      const over = this.groups.size > maxGroups;
      if (!over && e.t >= cutoff) break;
      if (e.s.id !== keep) {
        ids.push(e.s.id);
        this.drop(e);
      } else if (!over) {
        break;
      }
      e = nextE;
    }
    if (ids.length === 0) return Promise.resolve(0);
    const { done } = this.store.append(JSON.stringify({ k: 'p', ids, why: 'retention' } satisfies PruneRecord), null);
    return done.then(() => ids.length);
  }

  async enforceRetention(): Promise<number> {
    if (this.closed) return 0;
    return this.pruneNow(this.now(), null);
  }

  list(query: GroupQuery): GroupPage {
    const items: Listable[] = this.sortedEntries().map((e) => ({
      key: { t: e.t, id: e.s.id } satisfies SortKey,
      summary: e.s,
      text: () => (e.text ??= searchText(e.s)),
    }));
    return page(items, query);
  }

  private sortedEntries(): Entry[] {
    if (this.sorted === null) {
      const arr: Entry[] = [];
      for (let e = this.tail; e !== null; e = e.prev) arr.push(e);
      // Receive order is nearly newest-first already; the sort only fixes clock ties and skew.
      arr.sort((a, b) => compareKeys({ t: a.t, id: a.s.id }, { t: b.t, id: b.s.id }));
      this.sorted = arr;
    }
    return this.sorted;
  }

  get(groupId: string): Group | null {
    const e = this.groups.get(groupId);
    if (!e) return null;
    let latestRaw: unknown = null;
    try {
      const text = this.store.readRawText(e.raw);
      latestRaw = text === null ? null : (JSON.parse(text) as unknown);
    } catch {
      latestRaw = null;
    }
    return { ...e.s, latestRaw };
  }

  async mark(groupId: string, marks: GroupMarks): Promise<GroupSummary | null> {
    if (this.closed) throw new Error('The inbox is closed');
    const e = this.groups.get(groupId);
    if (!e) return null;
    const m = pickMarks(marks);
    const prev = e.s;
    const s: GroupSummary = { ...prev, ...m };
    this.setSummary(e, s);
    const at = new Date(this.now()).toISOString();
    const { done } = this.store.append(JSON.stringify({ k: 'm', id: groupId, m, at } satisfies MarkRecord), null);
    try {
      await done;
    } catch (err) {
      if (e.s === s) this.setSummary(e, prev);
      throw err;
    }
    this.opts.onGroupChanged?.(s);
    return s;
  }

  counts(): { groups: number; unread: number } {
    return { groups: this.groups.size, unread: this.unread };
  }

  latest(n: number): GroupSummary[] {
    const out: GroupSummary[] = [];
    for (let e = this.tail; e !== null && out.length < n; e = e.prev) out.push(e.s);
    return out;
  }

  flushDigest(now?: number, force?: boolean): NotificationRequest | null {
    return this.storm.flushDigest(now ?? this.now(), force ?? false);
  }

  stats(): StoreStats & { groups: number } {
    return { ...this.store.stats(), groups: this.groups.size };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.storm.close();
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
    await this.store.close();
  }
}

/**
 * Opens the inbox in `options.dataDir`: loads the history (skipping and reporting a torn last record),
 * applies retention, and returns the inbox ready to ingest.
 */
export async function openInbox(options: LocalInboxOptions): Promise<LocalInbox> {
  const inbox = new InboxImpl(options);
  await inbox.open();
  return inbox;
}
