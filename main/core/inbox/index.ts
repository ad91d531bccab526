/**
 * The inbox: folds verified events into groups, keeps them in a durable append-only log, applies the
 * notification policy with storm control and digests, enforces retention, and answers the list, search
 * and mark calls of the app.
 *
 * Call {@link openInbox}; see `types.ts` for the contract.
 */
import type {
  Decision,
  Group,
  GroupMarks,
  GroupPage,
  GroupQuery,
  GroupRow,
  GroupSummary,
  NormalizedEvent,
  NotificationRequest,
  ProviderId,
} from '../../../shared/events';
import { BOUNDED_SUMMARY_MAX_BYTES, boundedEvent, boundedSummary } from '../bounded-event';
import { type DataDirLock, lockDataDir } from '../data-dir-lock';
import { applyEvent, groupIdFor, isRedelivery, rememberKey, type RedeliveryKey } from './grouping';
import { decide, placeOf } from './policy';
import { compareKeys, page, searchText } from './search';
import { LogStore, type LiveRecord, type RawRef, type StoreStats } from './store';
import { StormControl } from './storm';
import type { AwayTally, Inbox, InboxOptions, IngestContext, IngestResult, OutboxEntry, RelayCursor } from './types';

const NO_CONTEXT: IngestContext = { source: null };

export type { AwayTally, Inbox, InboxOptions, IngestContext, IngestResult, OutboxEntry, RelayCursor } from './types';
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

/**
 * One group as the inbox holds it in memory: only what sorting, filtering, searching, counting and a list
 * row need. The full summary and the raw body stay in the log and are read by offset (a small cache keeps
 * the busiest groups parsed), so memory per group stays small whatever the payloads are.
 */
interface Entry {
  id: string;
  sourceId: string;
  provider: ProviderId;
  /** Last received, ms since epoch. */
  t: number;
  read: boolean;
  muted: boolean;
  resolved: boolean;
  /** Only Crashbell's test events so far: listed, never counted unread. */
  test: boolean;
  /** The team member whose shared mark resolved or muted it; null when the mark is this machine's own. */
  resolvedBy: string | null;
  mutedBy: string | null;
  /** Lower-cased search text (capped). */
  text: string;
  /** The rest of its list row; null for a record written before the index carried it, until it is read. */
  row: RowFacts | null;
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

/**
 * What a list row shows beyond the entry's own fields: a few short strings and numbers. The row's
 * `lastReceivedAt` is the entry's `t` written out again (the receiver stamps hooks with `toISOString`).
 */
type RowFacts = Pick<GroupRow, 'title' | 'application' | 'project' | 'occurrences' | 'hosts' | 'lastSeen'>;

/** {@link RowFacts} in a group record's index, as a tuple: no key names repeated on every line. */
type RowIndex = [
  title: string,
  application: string | null,
  project: string | null,
  occurrences: number,
  hosts: number | null,
  lastSeen: string,
];

function rowFactsOf(g: RowFacts): RowFacts {
  return {
    title: g.title,
    application: g.application,
    project: g.project,
    occurrences: g.occurrences,
    hosts: g.hosts,
    lastSeen: g.lastSeen,
  };
}

function rowIndex(f: RowFacts): RowIndex {
  return [f.title, f.application, f.project, f.occurrences, f.hosts, f.lastSeen];
}

const stringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const countOrNull = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));

/** The row facts a record's index carries; null when it carries none (an older record) or not in this shape. */
function rowFromIndex(r: unknown): RowFacts | null {
  if (!Array.isArray(r) || r.length !== 6) return null;
  const [title, application, project, occurrences, hosts, lastSeen] = r as unknown[];
  if (typeof title !== 'string' || !stringOrNull(application) || !stringOrNull(project)) return null;
  if (typeof occurrences !== 'number' || !Number.isFinite(occurrences) || !countOrNull(hosts)) return null;
  if (typeof lastSeen !== 'string') return null;
  return { title, application, project, occurrences, hosts, lastSeen };
}

/** The title shown for a group whose record cannot be read back (disk damage). */
const UNREADABLE_TITLE = '(this group could not be read from the history)';

/** The summary part of a group record. */
interface GroupState {
  g: GroupSummary;
  dk: RedeliveryKey[];
}

/** Index of a group record: what load needs to rebuild an {@link Entry} without parsing the rest. */
interface GroupIndex {
  k: 'g';
  id: string;
  s: string;
  p: ProviderId;
  t: number;
  /** Marks as bits: 1 read, 2 muted, 4 resolved; and 8: only test events so far. */
  f: number;
  x: string;
  /** The rest of the list row; absent in records written before rows were indexed. */
  r?: RowIndex;
  /** Who resolved / muted it through the team relay. */
  rb?: string;
  mb?: string;
  /** Gateway: the outbox sequence of the event this record carries (its third part) for the relay. */
  q?: number;
  /** Subscriber: the relay stream sequence of the event this record stores. */
  rs?: number;
  /** Subscriber: a notification held for the "while you were away" summary. */
  w?: AwayItem;
}
/** One held notification, as a group record carries it for the away summary. */
interface AwayItem {
  /** Where (project, application or source). */
  p: string;
  /** The notification's title. */
  t: string;
  /** 1 when it was a regression. */
  rg?: 1;
}
interface MarkRecord {
  k: 'm';
  id: string;
  m: GroupMarks;
  at: string;
  /** The team member behind a shared mark. */
  by?: string;
}
/** Gateway: every outbox entry up to `q` is in the stream (acknowledged by JetStream). */
interface ForwardRecord {
  k: 'f';
  q: number;
}
/** Gateway: an outbox entry not yet forwarded, as a compaction keeps it (parts: event, raw body). */
interface OutboxRecord {
  k: 'o';
  q: number;
}
/** Subscriber: where it stands in the stream, and the pending away summary (null: raised). */
interface RelayRecord {
  k: 'r';
  st?: string | null;
  seq?: number;
  away?: AwayTally | null;
}

/** An outbox entry in memory: where its parts are, and whether its record is on disk yet. */
interface OutboxItem {
  q: number;
  ev: RawRef;
  raw: RawRef | null;
  durable: boolean;
}

function emptyAway(): AwayTally {
  return { held: 0, places: [], regressions: 0, titles: [], regressionTitles: [], groups: [] };
}

const AWAY_PLACES = 50;
const AWAY_TITLES = 3;
const AWAY_GROUPS = 100;

function addAway(t: AwayTally, groupId: string, item: AwayItem): void {
  t.held++;
  if (typeof item.p === 'string' && !t.places.includes(item.p) && t.places.length < AWAY_PLACES) t.places.push(item.p);
  if (item.rg === 1) {
    t.regressions++;
    if (t.regressionTitles.length < AWAY_TITLES && typeof item.t === 'string') t.regressionTitles.push(item.t);
  } else if (t.titles.length < AWAY_TITLES && typeof item.t === 'string') {
    t.titles.push(item.t);
  }
  if (!t.groups.includes(groupId) && t.groups.length < AWAY_GROUPS) t.groups.push(groupId);
}

/** A stored tally, checked field by field (a damaged one counts as empty rather than failing the load). */
function awayFrom(v: unknown): AwayTally {
  const t = emptyAway();
  if (v === null || typeof v !== 'object') return t;
  const o = v as Record<string, unknown>;
  const strings = (x: unknown, max: number): string[] =>
    Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string').slice(0, max) : [];
  t.held = typeof o['held'] === 'number' && o['held'] >= 0 ? o['held'] : 0;
  t.regressions = typeof o['regressions'] === 'number' && o['regressions'] >= 0 ? o['regressions'] : 0;
  t.places = strings(o['places'], AWAY_PLACES);
  t.titles = strings(o['titles'], AWAY_TITLES);
  t.regressionTitles = strings(o['regressionTitles'], AWAY_TITLES);
  t.groups = strings(o['groups'], AWAY_GROUPS);
  return t;
}
/** Groups leaving the history: pruned by retention (`why: 'retention'`) or deleted by the user (`'deleted'`). */
interface PruneRecord {
  k: 'p';
  ids: string[];
  why?: string;
}
/** The user cleared the history: every group recorded before this line is gone. */
interface ClearRecord {
  k: 'c';
  at: string;
}
/** Marks set on every group recorded before this line ("Mark all read"). */
interface MarkAllRecord {
  k: 'a';
  m: GroupMarks;
  at: string;
}

/** How many distinct application and project names the entries share (see `shareNames`). */
const SHARED_NAMES_MAX = 4096;

/** How many parsed group states the inbox keeps at hand: the groups of an incident... */
const STATE_CACHE_SIZE = 2048;
/**
 * ...and how much of them, counted as the JSON bytes of their records (held in memory as objects, that is a
 * few times as much): bounded events keep a state to some KB, old or hostile records can be far bigger.
 */
const STATE_CACHE_BYTES = 16 * 1024 * 1024;

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

  // ---- the team relay's gateway: the outbox ----
  /** Up to `limit` outbox entries not yet forwarded, oldest first, only those already on disk. */
  outboxNext(limit: number): OutboxEntry[];
  /** Every outbox entry up to `seq` is in the stream: recorded durably (coalesced), and dropped from memory. */
  outboxForwarded(seq: number): Promise<void>;
  /** Entries waiting, the last sequence forwarded, and the last one given out. */
  outboxStats(): { pending: number; forwarded: number; last: number };
  /** Called whenever an entry becomes durable (the forwarder wakes). */
  onOutbox(listener: () => void): () => void;

  // ---- the team relay's subscriber: its cursor and the away summary ----
  relayCursor(): RelayCursor;
  /**
   * Moves the cursor without an event: to another stream (a new name or a recreated stream, `seq` 0), or past
   * a message that is not ingested (the gateway's own event, a test event, one that does not parse).
   */
  setRelayCursor(stream: string | null, seq: number): Promise<void>;
  /** What the current catch-up has held back so far. */
  awayTally(): AwayTally;
  /** Returns the held tally and records durably that its summary was raised. */
  takeAway(): Promise<AwayTally>;
}

/** Whether a group counts among the unread errors: unread, and not only Crashbell's own test events. */
function counts(e: Entry): boolean {
  return !e.read && !e.test;
}

function pickMarks(m: GroupMarks): GroupMarks {
  const out: GroupMarks = {};
  if (typeof m.read === 'boolean') out.read = m.read;
  if (typeof m.muted === 'boolean') out.muted = m.muted;
  if (typeof m.resolved === 'boolean') out.resolved = m.resolved;
  return out;
}

/** Tabs and newlines separate a record's parts, so a part may hold neither. */
const SEPARATORS = /[\t\n\r]/g;

/**
 * The raw body as a log part: the text it arrived as, with tabs and line breaks turned into spaces. JSON
 * cannot hold them unescaped inside a string, so outside strings they are only whitespace and reading the
 * part back with JSON.parse gives the same value. Serializing `raw` again is the fallback when the receiver
 * did not pass the text; that can throw on a body nested deeper than the stack (JSON.parse is not
 * recursive, JSON.stringify is), so the text is always preferred.
 */
function rawPart(raw: unknown, rawJson: string | undefined): string {
  if (rawJson !== undefined && rawJson !== '') return rawJson.replace(SEPARATORS, ' ');
  try {
    return JSON.stringify(raw) ?? 'null';
  } catch {
    return JSON.stringify({ unreadable: 'the body could not be kept (nested too deeply to serialize)' });
  }
}

/** The outbox part of a gateway's group record: the event without its raw body, and its source's names. */
function outboxPart(event: NormalizedEvent, source: IngestContext['source']): string {
  const { raw: _raw, ...rest } = event;
  const s = source ? { id: source.id, provider: source.provider, name: source.name } : null;
  return JSON.stringify({ e: rest, s });
}

/** ms since epoch of an ISO time; `fallback` when it does not parse (so a bad time never looks ancient). */
function timeOf(iso: string, fallback: number): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : fallback;
}

class InboxImpl implements LocalInbox {
  private readonly opts: LocalInboxOptions;
  private readonly now: () => number;
  private readonly groups = new Map<string, Entry>();
  /** The last ingest of each group still under way, so the next hook of that group waits for its outcome. */
  private readonly ingesting = new Map<string, Promise<void>>();
  /** Parsed group states, least recently used first, with the JSON bytes each was read from. */
  private readonly cache = new Map<string, { st: GroupState; bytes: number }>();
  private cacheBytes = 0;
  /** One string per distinct source id and provider, shared by all entries. */
  private readonly interned = new Map<string, string>();
  /** One string per distinct application and project (they repeat across groups), up to a bound. */
  private readonly names = new Map<string, string>();
  private head: Entry | null = null;
  private tail: Entry | null = null;
  private unread = 0;
  private liveBytes = 0;
  private sorted: Entry[] | null = null;
  private store!: LogStore;
  private readonly storm: StormControl;
  private retentionTimer: ReturnType<typeof setInterval> | null = null;
  /** Records of kinds this version does not know, kept for compaction; and their count by kind, for the warning. */
  private readonly foreign: Array<{ index: string; parts: RawRef[] }> = [];
  private readonly foreignKinds = new Map<string, number>();
  /** The data folder's lock, held from open to close. */
  private lock: DataDirLock | null = null;
  private closed = false;
  // The gateway's outbox, oldest first from `outboxHead`. Clearing the history keeps it (and the subscriber's
  // cursor): what was acknowledged is still owed to the team, and the stream must not be read again.
  private outbox: OutboxItem[] = [];
  private outboxHead = 0;
  private nextQ = 1;
  private forwarded = 0;
  private forwardWritten = 0;
  private forwardWriting: Promise<void> | null = null;
  private readonly outboxListeners = new Set<() => void>();
  // The subscriber's cursor and pending away summary.
  private relayStream: string | null = null;
  private relaySeq = 0;
  private away: AwayTally = emptyAway();

  constructor(opts: LocalInboxOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.storm = new StormControl({
      now: this.now,
      getPolicy: () => this.opts.getSettings().policy,
      emit: (n) => this.opts.onTimerNotification?.(n),
    });
  }

  async open(): Promise<void> {
    // Before the history is read: a second writer on one log loses what was acknowledged and tears records.
    this.lock = lockDataDir(this.opts.dataDir, {
      app: this.opts.owner ?? 'crashbell',
      onWarning: (m) => this.opts.onWarning?.(m),
      now: this.now,
    });
    try {
      await this.openStore();
    } catch (error) {
      this.lock.release();
      throw error;
    }
    this.reportForeign();
    await this.enforceRetention();
    this.retentionTimer = setInterval(() => void this.enforceRetention().catch(() => undefined), RETENTION_INTERVAL_MS);
    this.retentionTimer.unref?.();
  }

  private async openStore(): Promise<void> {
    this.store = await LogStore.open(
      {
        dataDir: this.opts.dataDir,
        onWarning: (m) => this.opts.onWarning?.(m),
        shouldCompact: (bytes) =>
          bytes > (this.opts.compaction?.minBytes ?? COMPACT_MIN_BYTES) &&
          bytes > (this.opts.compaction?.ratio ?? COMPACT_RATIO) * this.liveBytes,
        snapshot: () => this.snapshot(),
      },
      (index, parts, lineBytes) => this.replay(index, parts, lineBytes),
    );
  }

  private intern<T extends string>(s: T): T {
    const known = this.interned.get(s);
    if (known !== undefined) return known as T;
    this.interned.set(s, s);
    return s;
  }

  /**
   * Row facts of our own, their application and project names shared among groups. The set of shared names
   * is bounded (names of pruned groups stay in it), so a flood of distinct names only ends the sharing.
   */
  private shareNames(f: RowFacts): RowFacts {
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
    const old = this.groups.get(e.id);
    if (old) this.drop(old, false);
    this.groups.set(e.id, e);
    this.link(e);
    if (counts(e)) this.unread++;
    this.liveBytes += e.bytes;
    this.sorted = null;
  }

  private drop(e: Entry, forget = true): void {
    this.groups.delete(e.id);
    this.unlink(e);
    if (counts(e)) this.unread--;
    this.liveBytes -= e.bytes;
    this.sorted = null;
    if (forget) this.forget(e.id);
  }

  private setMarks(e: Entry, m: GroupMarks, by: string | null = null): void {
    if (m.read !== undefined && m.read !== e.read) {
      if (!e.test) this.unread += m.read ? -1 : 1;
      e.read = m.read;
    }
    if (m.muted !== undefined) {
      e.muted = m.muted;
      e.mutedBy = m.muted && by ? this.intern(by) : null;
    }
    if (m.resolved !== undefined) {
      e.resolved = m.resolved;
      e.resolvedBy = m.resolved && by ? this.intern(by) : null;
    }
  }

  // ---- the outbox queue ----

  private pushOutbox(item: OutboxItem): void {
    if (item.q <= this.forwarded) return;
    if (item.q >= this.nextQ) this.nextQ = item.q + 1;
    const last = this.outbox[this.outbox.length - 1];
    if (last === undefined || last.q < item.q) {
      this.outbox.push(item);
      return;
    }
    // Out of order only if records were written so (a compaction's 'o' records, then older group records).
    const at = this.outbox.findIndex((x, i) => i >= this.outboxHead && x.q >= item.q);
    if (at >= 0 && this.outbox[at]?.q === item.q) return;
    this.outbox.splice(at < 0 ? this.outbox.length : at, 0, item);
  }

  private trimOutbox(): void {
    while (this.outboxHead < this.outbox.length && (this.outbox[this.outboxHead] as OutboxItem).q <= this.forwarded) {
      this.outboxHead++;
    }
    if (this.outboxHead > 1024 && this.outboxHead * 2 > this.outbox.length) {
      this.outbox = this.outbox.slice(this.outboxHead);
      this.outboxHead = 0;
    }
  }

  private replay(index: unknown, parts: RawRef[], lineBytes: number): void {
    const rec = index as { k: string };
    if (rec.k === 'g') {
      const r = index as GroupIndex;
      const sum = parts[0];
      if (typeof r.id !== 'string' || typeof r.s !== 'string' || typeof r.p !== 'string' || typeof r.t !== 'number' || !sum) {
        throw new Error('a group record without its id, source, time or summary');
      }
      const f = typeof r.f === 'number' ? r.f : 0;
      const row = rowFromIndex(r.r);
      const muted = (f & 2) !== 0;
      const resolved = (f & 4) !== 0;
      this.put({
        id: r.id,
        sourceId: this.intern(r.s),
        provider: this.intern(r.p),
        t: r.t,
        read: (f & 1) !== 0,
        muted,
        resolved,
        test: (f & 8) !== 0,
        resolvedBy: resolved && typeof r.rb === 'string' ? this.intern(r.rb) : null,
        mutedBy: muted && typeof r.mb === 'string' ? this.intern(r.mb) : null,
        text: typeof r.x === 'string' ? r.x : '',
        row: row === null ? null : this.shareNames(row),
        sum,
        raw: parts[1] ?? null,
        bytes: lineBytes,
        prev: null,
        next: null,
      });
      if (typeof r.q === 'number' && parts[2]) this.pushOutbox({ q: r.q, ev: parts[2], raw: parts[1] ?? null, durable: true });
      if (typeof r.rs === 'number') this.relaySeq = r.rs;
      if (r.w && typeof r.w === 'object') addAway(this.away, r.id, r.w);
    } else if (rec.k === 'm') {
      const r = index as MarkRecord;
      const e = typeof r.id === 'string' ? this.groups.get(r.id) : undefined;
      if (e && r.m && typeof r.m === 'object') this.setMarks(e, pickMarks(r.m), typeof r.by === 'string' ? r.by : null);
    } else if (rec.k === 'o') {
      const r = index as OutboxRecord;
      if (typeof r.q !== 'number' || !parts[0]) throw new Error('an outbox record without its sequence or event');
      this.pushOutbox({ q: r.q, ev: parts[0], raw: parts[1] ?? null, durable: true });
    } else if (rec.k === 'f') {
      const r = index as ForwardRecord;
      if (typeof r.q !== 'number') throw new Error('a forward record without its sequence');
      if (r.q > this.forwarded) this.forwarded = r.q;
      if (r.q >= this.nextQ) this.nextQ = r.q + 1;
      this.forwardWritten = this.forwarded;
      this.trimOutbox();
    } else if (rec.k === 'r') {
      const r = index as RelayRecord;
      if (r.st !== undefined) this.relayStream = typeof r.st === 'string' ? r.st : null;
      if (typeof r.seq === 'number') this.relaySeq = r.seq;
      if (r.away === null) this.away = emptyAway();
      else if (r.away !== undefined) this.away = awayFrom(r.away);
    } else if (rec.k === 'p') {
      const r = index as PruneRecord;
      if (!Array.isArray(r.ids)) throw new Error('a prune record without ids');
      for (const id of r.ids) {
        const e = typeof id === 'string' ? this.groups.get(id) : undefined;
        if (e) this.drop(e);
      }
    } else if (rec.k === 'c') {
      this.dropAll();
    } else if (rec.k === 'a') {
      const r = index as MarkAllRecord;
      if (!r.m || typeof r.m !== 'object') throw new Error('a mark-all record without marks');
      const m = pickMarks(r.m);
      for (const e of this.groups.values()) this.setMarks(e, m);
    } else {
      // A kind this version does not know (a newer Crashbell wrote it, then the user went back): its checksum
      // held, so it is data, kept as it is through compaction for the version that knows what it means.
      this.foreign.push({ index: JSON.stringify(index), parts });
      this.foreignKinds.set(rec.k, (this.foreignKinds.get(rec.k) ?? 0) + 1);
      this.liveBytes += lineBytes;
    }
  }

  /** Says, once per kind, which records were kept without being understood. */
  private reportForeign(): void {
    for (const [kind, n] of this.foreignKinds) {
      this.opts.onWarning?.(
        `History: ${n} record${n === 1 ? '' : 's'} of the kind "${kind}" that this version of Crashbell does not know (a newer version wrote ${n === 1 ? 'it' : 'them'}?) ${n === 1 ? 'is' : 'are'} kept as ${n === 1 ? 'it is' : 'they are'}, through compaction`,
      );
    }
    this.foreignKinds.clear();
  }

  private indexOf(
    e: Pick<
      Entry,
      'id' | 'sourceId' | 'provider' | 't' | 'read' | 'muted' | 'resolved' | 'test' | 'resolvedBy' | 'mutedBy' | 'text' | 'row'
    >,
    relay: Pick<GroupIndex, 'q' | 'rs' | 'w'> = {},
  ): string {
    const f = (e.read ? 1 : 0) | (e.muted ? 2 : 0) | (e.resolved ? 4 : 0) | (e.test ? 8 : 0);
    const r = e.row === null ? undefined : rowIndex(e.row);
    const index: GroupIndex = { k: 'g', id: e.id, s: e.sourceId, p: e.provider, t: e.t, f, x: e.text, r };
    if (e.resolvedBy) index.rb = e.resolvedBy;
    if (e.mutedBy) index.mb = e.mutedBy;
    if (relay.q !== undefined) index.q = relay.q;
    if (relay.rs !== undefined) index.rs = relay.rs;
    if (relay.w !== undefined) index.w = relay.w;
    return JSON.stringify(index);
  }

  private snapshot(): LiveRecord[] {
    const out: LiveRecord[] = [];
    // The relay's state first (what load needs before the records it applies to), then the outbox entries
    // not yet forwarded (group records are rewritten as their latest state, without the events they carried).
    if (this.forwarded > 0) out.push({ index: JSON.stringify({ k: 'f', q: this.forwarded } satisfies ForwardRecord), parts: [] });
    if (this.relayStream !== null || this.relaySeq > 0 || this.away.held > 0) {
      const r: RelayRecord = { k: 'r', st: this.relayStream, seq: this.relaySeq, away: this.away.held > 0 ? this.away : null };
      out.push({ index: JSON.stringify(r), parts: [] });
    }
    for (let i = this.outboxHead; i < this.outbox.length; i++) {
      const item = this.outbox[i] as OutboxItem;
      out.push({ index: JSON.stringify({ k: 'o', q: item.q } satisfies OutboxRecord), parts: item.raw ? [item.ev, item.raw] : [item.ev] });
    }
    for (let e = this.head; e !== null; e = e.next) {
      const index = this.indexOf(e);
      out.push({ index, parts: e.raw ? [e.sum, e.raw] : [e.sum] });
      // The compacted record is this group's whole state now.
      const bytes = index.length + 2 + e.sum.len + (e.raw ? e.raw.len + 1 : 0);
      this.liveBytes += bytes - e.bytes;
      e.bytes = bytes;
    }
    // Records of unknown kinds last, in their order: like marks, they may name groups, which a version that
    // knows them must have read first.
    for (const r of this.foreign) out.push({ index: r.index, parts: r.parts });
    return out;
  }

  /** The group's full state: from the cache, else read from the log. Marks come from the entry. */
  private state(e: Entry): GroupState {
    let st = this.cache.get(e.id)?.st;
    if (st === undefined) {
      const text = this.store.readPart(e.sum);
      const parsed = text === null ? null : (JSON.parse(text) as GroupState);
      if (parsed === null || typeof parsed !== 'object' || !parsed.g) throw new Error(`group ${e.id} could not be read from the history`);
      // Bigger than any bounded event makes: written before the limits (or by a build without them).
      const g = e.sum.len > BOUNDED_SUMMARY_MAX_BYTES ? boundedSummary(parsed.g) : parsed.g;
      st = { g, dk: Array.isArray(parsed.dk) ? parsed.dk : [] };
    }
    this.remember(e.id, st, e.sum.len);
    const g = st.g;
    if (
      g.read !== e.read ||
      g.muted !== e.muted ||
      g.resolved !== e.resolved ||
      (g.test === true) !== e.test ||
      (g.resolvedBy ?? null) !== e.resolvedBy ||
      (g.mutedBy ?? null) !== e.mutedBy
    ) {
      const marked: GroupSummary = { ...g, read: e.read, muted: e.muted, resolved: e.resolved, test: e.test };
      // Who marked it shows only on team marks, so a local group reads the same as before the relay existed.
      if (e.resolvedBy) marked.resolvedBy = e.resolvedBy;
      else delete marked.resolvedBy;
      if (e.mutedBy) marked.mutedBy = e.mutedBy;
      else delete marked.mutedBy;
      st = { g: marked, dk: st.dk };
      this.remember(e.id, st, e.sum.len);
    }
    return st;
  }

  /** Keeps a parsed state at hand (most recently used), within the cache's count and bytes. */
  private remember(id: string, st: GroupState, bytes: number): void {
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

  private forget(id: string): void {
    const held = this.cache.get(id);
    if (held === undefined) return;
    this.cache.delete(id);
    this.cacheBytes -= held.bytes;
  }

  /** The summary to show for an entry; a placeholder when its record cannot be read. */
  private summaryOf(e: Entry): GroupSummary {
    try {
      return this.state(e).g;
    } catch {
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
  }

  // ---- the contract ----

  async ingest(unbounded: NormalizedEvent, context: IngestContext = NO_CONTEXT): Promise<IngestResult> {
    if (this.closed) throw new Error('The inbox is closed');
    // Nothing reaches the history unbounded, whoever calls (the core has usually bounded it already: then free).
    const event = boundedEvent(unbounded);
    const id = groupIdFor(event.sourceId, event.groupKey);
    // Hooks of one group are folded one after another, each on the last one's durable outcome: folded
    // concurrently, a failed write could leave memory holding a state that never reached the disk (and a
    // retry answered as a redelivery). Different groups still share each group commit.
    const previous = this.ingesting.get(id);
    const run = previous ? previous.then(() => this.ingestNow(id, event, context)) : this.ingestNow(id, event, context);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.ingesting.set(id, settled);
    void settled.then(() => {
      if (this.ingesting.get(id) === settled) this.ingesting.delete(id);
    });
    return run;
  }

  private async ingestNow(id: string, event: NormalizedEvent, context: IngestContext): Promise<IngestResult> {
    if (this.closed) throw new Error('The inbox is closed');
    const now = this.now();
    const entry = this.groups.get(id);
    let prior: GroupState | null = null;
    if (entry) {
      try {
        prior = this.state(entry);
      } catch (e) {
        // Its record is unreadable (disk damage): start the group afresh rather than refuse the hook forever.
        this.opts.onWarning?.(`${(e as Error).message}; starting it afresh`);
      }
    }
    if (prior && isRedelivery(prior.dk, event, now)) {
      // The first delivery may still be in flight: answer only once it is on disk.
      await this.store.barrier();
      // A relayed redelivery still moves the cursor past it, so it is not read again after a restart.
      if (context.relay) await this.setRelayCursor(this.relayStream, Math.max(this.relaySeq, context.relay.seq));
      const decision: Decision = {
        notify: false,
        code: 'duplicate',
        reason: 'A redelivery of a hook already recorded: nothing changed',
        at: new Date(now).toISOString(),
      };
      return { group: prior.g, isNew: false, duplicate: true, decision, notification: null };
    }

    const settings = this.opts.getSettings();
    const source = context.source;
    const before = prior?.g ?? null;
    const isNew = entry === undefined;
    const folded = applyEvent(before, event, id);
    const hold = context.relay?.hold === true;
    const outcome = decide({
      before,
      after: folded,
      event,
      isNew,
      source,
      settings,
      // A catch-up's notifications go into its one summary: storm control neither counts nor digests them.
      recent: hold ? [] : this.storm.recent(now),
      stormActive: hold ? false : this.storm.active(now),
      now,
    });
    let awayItem: AwayItem | undefined;
    if (hold && outcome.notification) {
      const held = outcome.notification;
      const regression = outcome.trigger === 'regressed' || outcome.trigger === 'regressed-after-resolve';
      awayItem = { p: placeOf(folded, source), t: held.title, ...(regression ? { rg: 1 as const } : {}) };
      outcome.notification = null;
      outcome.decision = {
        notify: false,
        code: 'away',
        reason: `${outcome.decision.reason}; held for the "while you were away" summary`,
        at: outcome.decision.at,
        digested: true,
      };
    }
    // `folded` is a fresh object of our own (the policy has finished reading it): complete it in place.
    const after: GroupSummary = folded;
    if (outcome.resolved !== null) after.resolved = outcome.resolved;
    after.lastDecision = outcome.decision;
    if (outcome.notification || awayItem) after.notifiedAt = new Date(now).toISOString();
    if (outcome.notification) this.storm.noteNotified(now);
    if (after.resolved && entry?.resolvedBy) after.resolvedBy = entry.resolvedBy;
    else delete after.resolvedBy;
    if (after.muted && entry?.mutedBy) after.mutedBy = entry.mutedBy;
    else delete after.mutedBy;

    const dk = rememberKey(prior?.dk ?? [], event, now);
    const next: Entry = {
      id,
      sourceId: this.intern(after.sourceId),
      provider: this.intern(after.provider),
      t: timeOf(after.lastReceivedAt, now),
      read: after.read,
      muted: after.muted,
      resolved: after.resolved,
      test: after.test === true,
      resolvedBy: after.resolvedBy ?? null,
      mutedBy: after.mutedBy ?? null,
      text: searchText(after),
      row: this.shareNames(rowFactsOf(after)),
      sum: { off: -1, len: 0, text: null },
      raw: null,
      bytes: 0,
      prev: null,
      next: null,
    };
    const q = context.outbox ? this.nextQ++ : undefined;
    const relaySeq = context.relay?.seq;
    const index = this.indexOf(next, {
      ...(q !== undefined ? { q } : {}),
      ...(relaySeq !== undefined ? { rs: relaySeq } : {}),
      ...(awayItem ? { w: awayItem } : {}),
    });
    const sumText = JSON.stringify({ g: after, dk } satisfies GroupState);
    const rawText = rawPart(event.raw, context.rawJson);
    const parts = [sumText, rawText];
    // The gateway's outbox entry rides in the group's own record: one write, so it is on disk exactly when the
    // hook is, and a crash can never keep the one without the other.
    if (q !== undefined) parts.push(outboxPart(event, source));
    const { refs, done } = this.store.append(index, parts);
    next.sum = refs[0] ?? next.sum;
    next.raw = refs[1] ?? null;
    next.bytes = index.length + sumText.length + rawText.length + 3;
    this.put(next);
    this.remember(id, { g: after, dk }, sumText.length);
    const item: OutboxItem | null = q !== undefined && refs[2] ? { q, ev: refs[2], raw: refs[1] ?? null, durable: false } : null;
    if (item) this.pushOutbox(item);
    // The relay state moves with the append (a compaction's snapshot may be taken the moment it lands) and is
    // put back if the write fails.
    const relayBefore = relaySeq !== undefined ? this.relaySeq : null;
    const awayBefore = awayItem ? this.awayTally() : null;
    if (relaySeq !== undefined && relaySeq > this.relaySeq) this.relaySeq = relaySeq;
    if (awayItem) addAway(this.away, id, awayItem);
    const pruned = this.pruneNow(now, id);

    try {
      await done;
      if (item) {
        item.durable = true;
        for (const l of [...this.outboxListeners]) l();
      }
      await pruned;
    } catch (e) {
      if (relayBefore !== null) this.relaySeq = relayBefore;
      if (awayBefore) this.away = awayBefore;
      if (item && !item.durable) {
        const at = this.outbox.indexOf(item);
        if (at >= this.outboxHead) this.outbox.splice(at, 1);
      }
      // Not on disk, so not accepted: put the group back as it was, so a retry is not taken for a redelivery,
      // and take back the notification it counted against storm control.
      if (this.groups.get(id) === next) {
        this.drop(next);
        if (entry) {
          this.put(entry);
          if (prior) this.remember(id, prior, entry.sum.len);
        }
      }
      if (outcome.notification) this.storm.forgetNotified(now);
      throw e;
    }

    if (outcome.digested) {
      this.storm.hold({ groupId: id, title: after.title, place: placeOf(after, source), isNew });
    }
    return { group: after, isNew, duplicate: false, decision: outcome.decision, notification: outcome.notification };
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
      if (e.id !== keep) {
        ids.push(e.id);
        this.drop(e);
      } else if (!over) {
        break;
      }
      e = nextE;
    }
    if (ids.length === 0) return Promise.resolve(0);
    const { done } = this.store.append(JSON.stringify({ k: 'p', ids, why: 'retention' } satisfies PruneRecord));
    return done.then(() => ids.length);
  }

  async enforceRetention(): Promise<number> {
    if (this.closed) return 0;
    return this.pruneNow(this.now(), null);
  }

  list(query: GroupQuery): GroupPage {
    return page(this.sortedEntries(), query, (e) => this.rowOf(e), this.opts.getSettings().sources);
  }

  /** A group's list row from memory; an older record's row facts are read from its summary once, then kept. */
  private rowOf(e: Entry): GroupRow {
    let facts = e.row;
    if (facts === null) {
      try {
        facts = e.row = this.shareNames(rowFactsOf(this.state(e).g));
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
    };
  }

  private sortedEntries(): Entry[] {
    if (this.sorted === null) {
      const arr: Entry[] = [];
      for (let e = this.tail; e !== null; e = e.prev) arr.push(e);
      // Receive order is nearly newest-first already; the sort only fixes clock ties and skew.
      arr.sort(compareKeys);
      this.sorted = arr;
    }
    return this.sorted;
  }

  get(groupId: string): Group | null {
    const e = this.groups.get(groupId);
    if (!e) return null;
    let latestRaw: unknown = null;
    try {
      const text = this.store.readPart(e.raw);
      latestRaw = text === null ? null : (JSON.parse(text) as unknown);
    } catch {
      latestRaw = null;
    }
    return { ...this.summaryOf(e), latestRaw };
  }

  async mark(groupId: string, marks: GroupMarks, by: string | null = null): Promise<GroupSummary | null> {
    if (this.closed) throw new Error('The inbox is closed');
    const e = this.groups.get(groupId);
    if (!e) return null;
    const m = pickMarks(marks);
    const prev = { read: e.read, muted: e.muted, resolved: e.resolved, resolvedBy: e.resolvedBy, mutedBy: e.mutedBy };
    this.setMarks(e, m, by);
    const at = new Date(this.now()).toISOString();
    const record: MarkRecord = { k: 'm', id: groupId, m, at };
    if (by) record.by = by;
    const { done } = this.store.append(JSON.stringify(record));
    try {
      await done;
    } catch (err) {
      if (this.groups.get(groupId) === e) {
        this.setMarks(e, prev);
        e.resolvedBy = prev.resolvedBy;
        e.mutedBy = prev.mutedBy;
      }
      throw err;
    }
    return this.summaryOf(e);
  }

  outboxNext(limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (let i = this.outboxHead; i < this.outbox.length && out.length < limit; i++) {
      const item = this.outbox[i] as OutboxItem;
      // In order: an entry whose write is still under way holds back the ones after it.
      if (!item.durable) break;
      const text = this.store.readPart(item.ev);
      let parsed: { e?: unknown; s?: unknown } | null = null;
      try {
        parsed = text === null ? null : (JSON.parse(text) as { e?: unknown; s?: unknown });
      } catch {
        parsed = null;
      }
      if (parsed === null || typeof parsed.e !== 'object' || parsed.e === null) {
        this.opts.onWarning?.(`Relay: outbox entry ${item.q} could not be read from the history; it is skipped`);
        continue;
      }
      const source = parsed.s && typeof parsed.s === 'object' ? (parsed.s as OutboxEntry['source']) : null;
      out.push({
        seq: item.q,
        event: parsed.e as OutboxEntry['event'],
        source,
        rawJson: this.store.readPart(item.raw) ?? 'null',
      });
    }
    return out;
  }

  outboxForwarded(seq: number): Promise<void> {
    if (seq <= this.forwarded) return this.forwardWriting ?? Promise.resolve();
    this.forwarded = seq;
    this.trimOutbox();
    return this.writeForwarded();
  }

  /** One forward record at a time, always the latest value: acks coalesce into the store's group commits. */
  private writeForwarded(): Promise<void> {
    if (this.forwardWriting !== null || this.closed) return this.forwardWriting ?? Promise.resolve();
    if (this.forwardWritten >= this.forwarded) return Promise.resolve();
    const q = this.forwarded;
    const { done } = this.store.append(JSON.stringify({ k: 'f', q } satisfies ForwardRecord));
    this.forwardWriting = done.then(
      () => {
        this.forwardWritten = Math.max(this.forwardWritten, q);
        this.forwardWriting = null;
        return this.writeForwarded();
      },
      (err: unknown) => {
        this.forwardWriting = null;
        // Not fatal: a restart forwards those entries again and JetStream drops them as duplicates.
        this.opts.onWarning?.(`Relay: the forward position could not be saved (${(err as Error).message})`);
      },
    );
    return this.forwardWriting;
  }

  outboxStats(): { pending: number; forwarded: number; last: number } {
    return { pending: this.outbox.length - this.outboxHead, forwarded: this.forwarded, last: this.nextQ - 1 };
  }

  onOutbox(listener: () => void): () => void {
    this.outboxListeners.add(listener);
    return () => this.outboxListeners.delete(listener);
  }

  relayCursor(): RelayCursor {
    return { stream: this.relayStream, seq: this.relaySeq };
  }

  async setRelayCursor(stream: string | null, seq: number): Promise<void> {
    if (this.closed) throw new Error('The inbox is closed');
    const record: RelayRecord = { k: 'r', seq };
    if (stream !== this.relayStream) record.st = stream;
    const before = { stream: this.relayStream, seq: this.relaySeq };
    const { done } = this.store.append(JSON.stringify(record));
    this.relayStream = stream;
    this.relaySeq = seq;
    try {
      await done;
    } catch (err) {
      this.relayStream = before.stream;
      this.relaySeq = before.seq;
      throw err;
    }
  }

  awayTally(): AwayTally {
    return { ...this.away, places: [...this.away.places], titles: [...this.away.titles], groups: [...this.away.groups] };
  }

  async takeAway(): Promise<AwayTally> {
    const tally = this.awayTally();
    if (tally.held === 0) return tally;
    const { done } = this.store.append(JSON.stringify({ k: 'r', away: null } satisfies RelayRecord));
    this.away = emptyAway();
    try {
      await done;
    } catch (err) {
      this.away = tally;
      throw err;
    }
    return tally;
  }

  async delete(groupId: string): Promise<boolean> {
    if (this.closed) throw new Error('The inbox is closed');
    const e = this.groups.get(groupId);
    if (!e) return false;
    this.drop(e);
    const { done } = this.store.append(JSON.stringify({ k: 'p', ids: [groupId], why: 'deleted' } satisfies PruneRecord));
    try {
      await done;
    } catch (err) {
      // Not on disk: the group is still in the history, so it stays in the list (unless a hook brought it back).
      if (!this.groups.has(groupId)) this.put(e);
      throw err;
    }
    return true;
  }

  async clear(): Promise<number> {
    if (this.closed) throw new Error('The inbox is closed');
    const foreign = this.foreign.slice();
    const removed = this.dropAll();
    const { done } = this.store.append(JSON.stringify({ k: 'c', at: new Date(this.now()).toISOString() } satisfies ClearRecord));
    try {
      await done;
    } catch (err) {
      for (const e of removed) if (!this.groups.has(e.id)) this.put(e);
      if (this.foreign.length === 0) this.foreign.push(...foreign);
      throw err;
    }
    // The records stay in the file until it is rewritten: rewrite it now, so the bodies are gone from the disk.
    await this.store.compactNow();
    return removed.length;
  }

  async markAllRead(): Promise<number> {
    if (this.closed) throw new Error('The inbox is closed');
    const changed: Entry[] = [];
    for (const e of this.groups.values()) {
      if (e.read) continue;
      this.setMarks(e, { read: true });
      changed.push(e);
    }
    if (changed.length === 0) return 0;
    const at = new Date(this.now()).toISOString();
    const { done } = this.store.append(JSON.stringify({ k: 'a', m: { read: true }, at } satisfies MarkAllRecord));
    try {
      await done;
    } catch (err) {
      for (const e of changed) if (this.groups.get(e.id) === e) this.setMarks(e, { read: false });
      throw err;
    }
    return changed.length;
  }

  /** Forgets every group (in memory only); answers them, oldest first. */
  private dropAll(): Entry[] {
    const all: Entry[] = [];
    for (let e = this.head; e !== null; e = e.next) all.push(e);
    this.groups.clear();
    this.cache.clear();
    this.cacheBytes = 0;
    // Clearing the history forgets what a newer version wrote too: the user asked for all of it to go.
    this.foreign.length = 0;
    this.head = this.tail = null;
    for (const e of all) e.prev = e.next = null;
    this.unread = 0;
    this.liveBytes = 0;
    this.sorted = null;
    return all;
  }

  counts(): { groups: number; unread: number } {
    return { groups: this.groups.size, unread: this.unread };
  }

  latest(n: number): GroupRow[] {
    const out: GroupRow[] = [];
    for (let e = this.tail; e !== null && out.length < n; e = e.prev) out.push(this.rowOf(e));
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
    // Groups held back by storm control are not left unsaid: the pending digest goes out now.
    this.storm.flushDigest(this.now(), true);
    this.storm.close();
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
    await this.forwardWriting?.catch(() => undefined);
    try {
      await this.store.close();
    } finally {
      this.lock?.release();
    }
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
