/**
 * The gateway's outbox: every hook this Crashbell accepts while it publishes to the team relay, kept until
 * JetStream has it. A ledger of the relay's own in the history:
 *
 * - an entry rides in the group record of the hook it forwards: the index field `q` (its sequence) and a third
 *   part, the event without its raw body (the record's own raw part is the body), so it is on disk exactly when
 *   the hook is, and a crash can never keep the one without the other;
 * - `f` every entry up to `q` is in the stream (acknowledged by JetStream) or parked;
 * - `o` an entry not yet forwarded, as a compaction keeps it (parts: the event, the raw body);
 * - `pk` an entry that can never be forwarded as it is (NATS refuses that message, or it cannot be read back),
 *   set aside with the reason (`why`) so the entries after it still go: written without parts when it is
 *   parked (its group record, earlier in the log, holds them), and with them by a compaction, which keeps the
 *   newest {@link PARKED_KEPT}.
 *
 * The inbox never hears of it: the ingest pipeline asks it to contribute to each accepted hook.
 */
import type { NormalizedEvent } from '../../../shared/events';
import type { Source } from '../../../shared/settings';
import type { BoundedEvent } from '../bounded-event';
import { Emitter, type Event } from '../base/event';
import { errorText } from '../errors';
import { type Ledger, type LedgerStore, type LiveRecord, type RawRef, type StoredRecord, unbound } from '../history/ledger';
import type { Fold } from '../inbox/fold';
import { GROUP_PARTS, RAW_PART } from '../inbox/record-codec';
import type { Contribution, IngestContext, IngestContributor } from '../pipeline/extension';

/** One event waiting in the gateway's outbox: what the relay forwards to the stream. */
export interface OutboxEntry {
  /** Outbox sequence: strictly increasing in acceptance order, never reused. */
  seq: number;
  /** The event without its raw body. */
  event: Omit<NormalizedEvent, 'raw'>;
  /** The source as the gateway knew it, so members who do not have it configured can still name it. */
  source: { id: string; provider: string; name: string } | null;
  /** The raw body as stored (JSON text). */
  rawJson: string;
}

/** How many parked entries keep their parts through a compaction (the count goes on). */
export const PARKED_KEPT = 100;

/** An entry set aside because it cannot be forwarded, with why, for the relay's state. */
export interface ParkedEntry {
  /** Its outbox sequence. */
  seq: number;
  /** The event's title, when it could be read. */
  title: string | null;
  /** Why, in words. */
  reason: string;
  /** ISO 8601, when it was parked. */
  at: string;
}

/** A parked entry in memory: its parts stay in the history. */
interface ParkedItem extends ParkedEntry {
  ev: RawRef | null;
  raw: RawRef | null;
  /** How many entries were parked up to this one, since the outbox began. */
  n: number;
}

/** A park record. */
interface ParkRecord {
  k: 'pk';
  q: number;
  why: string;
  at: string;
  t: string | null;
  n: number;
}

/** An outbox entry in memory: where its parts are, and whether its record is on disk yet. */
interface OutboxItem {
  q: number;
  ev: RawRef;
  raw: RawRef | null;
  durable: boolean;
}

/** The outbox part of a gateway's group record: the event without its raw body, and its source's names. */
function outboxPart(event: BoundedEvent, source: Source | null): string {
  const { raw: _raw, ...rest } = event;
  const s = source ? { id: source.id, provider: source.provider, name: source.name } : null;
  return JSON.stringify({ e: rest, s });
}

/** The gateway's outbox (see the module comment). */
export class Outbox implements Ledger, IngestContributor {
  readonly name = 'relay outbox';
  readonly kinds = ['f', 'o', 'pk'] as const;
  readonly fields = ['q'] as const;
  readonly addsPartTo = ['g'] as const;
  /**
   * Whether accepted hooks go into the outbox (a gateway: relay `publish` on). Set by the relay from the
   * settings; what is already in the outbox stays until it is forwarded, whatever this says.
   */
  enabled = false;
  // Oldest first from `head`. Clearing the history keeps it: what was acknowledged is still owed to the team.
  private items: OutboxItem[] = [];
  private head = 0;
  private nextQ = 1;
  private forwardedQ = 0;
  private forwardWritten = 0;
  private forwardWriting: Promise<void> | null = null;
  private closed = false;
  /** The newest parked entries (at most {@link PARKED_KEPT}), oldest first, and how many were ever parked. */
  private parkedItems: ParkedItem[] = [];
  private parkedTotal = 0;
  private readonly durable = new Emitter<void>();
  /** An entry became durable (the forwarder wakes). */
  readonly onDurable: Event<void> = this.durable.event;

  private history: LedgerStore = unbound;

  constructor(private readonly onWarning: (message: string) => void = () => undefined) {}

  bind(store: LedgerStore): void {
    this.history = store;
  }

  // ---- the ledger ----

  replay(record: StoredRecord): void {
    const { index, parts } = record;
    const q = index['q'];
    if (index.k === 'pk') {
      if (typeof q !== 'number') throw new Error('a park record without its sequence');
      this.replayPark(index as unknown as ParkRecord, parts);
      return;
    }
    if (index.k === 'o') {
      if (typeof q !== 'number' || !parts[0]) throw new Error('an outbox record without its sequence or event');
      this.push({ q, ev: parts[0], raw: parts[1] ?? null, durable: true });
      return;
    }
    if (typeof q !== 'number') throw new Error('a forward record without its sequence');
    if (q > this.forwardedQ) this.forwardedQ = q;
    if (q >= this.nextQ) this.nextQ = q + 1;
    this.forwardWritten = this.forwardedQ;
    this.trim();
  }

  replayFields(record: StoredRecord, part: RawRef | null): void {
    const q = record.index['q'];
    if (typeof q === 'number' && part) this.push({ q, ev: part, raw: record.parts[RAW_PART] ?? null, durable: true });
  }

  snapshot(): LiveRecord[] {
    // What load needs before the entries it applies to: the forward position first.
    const out: LiveRecord[] = [];
    if (this.forwardedQ > 0) out.push({ index: JSON.stringify({ k: 'f', q: this.forwardedQ }), parts: [] });
    for (const p of this.parkedItems) {
      const r: ParkRecord = { k: 'pk', q: p.seq, why: p.reason, at: p.at, t: p.title, n: p.n };
      const parts = p.ev ? (p.raw ? [p.ev, p.raw] : [p.ev]) : [];
      out.push({ index: JSON.stringify(r), parts });
    }
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      out.push({ index: JSON.stringify({ k: 'o', q: item.q }), parts: item.raw ? [item.ev, item.raw] : [item.ev] });
    }
    return out;
  }

  liveBytes(): number {
    let bytes = 0;
    for (let i = this.head; i < this.items.length; i++) bytes += this.items[i]!.ev.len + 16;
    for (const p of this.parkedItems) bytes += (p.ev?.len ?? 0) + (p.raw?.len ?? 0) + p.reason.length + 64;
    return bytes;
  }

  // ---- each accepted hook ----

  contribute(fold: Fold, event: BoundedEvent, context: IngestContext): Contribution | null {
    // Events the relay brought in came from the stream: only hooks this machine accepted go to the outbox.
    if (!this.enabled || fold.duplicate || context.origin.kind !== 'hook') return null;
    const q = this.nextQ++;
    let item: OutboxItem | null = null;
    return {
      addition: { fields: { q }, part: outboxPart(event, context.source) },
      placed: (refs) => {
        const ev = refs[GROUP_PARTS];
        if (!ev) return;
        item = { q, ev, raw: refs[RAW_PART] ?? null, durable: false };
        this.push(item);
      },
      failed: () => {
        if (item && !item.durable) {
          const at = this.items.indexOf(item);
          if (at >= this.head) this.items.splice(at, 1);
        }
      },
      committed: () => {
        if (!item) return;
        item.durable = true;
        this.durable.fire();
      },
    };
  }

  // ---- the forwarder's side ----

  /** Up to `limit` entries not yet forwarded, oldest first, only those already on disk (in order). */
  next(limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    const unreadable: number[] = [];
    for (let i = this.head; i < this.items.length && out.length < limit; i++) {
      const item = this.items[i]!;
      // In order: an entry whose write is still under way holds back the ones after it.
      if (!item.durable) break;
      const entry = this.read(item);
      if (entry === null) unreadable.push(item.q);
      else out.push(entry);
    }
    // Set aside rather than retried: it would stop every entry after it. Its park record is appended now, before
    // any forward position the entries after it may bring.
    for (const q of unreadable) {
      const reason = 'it could not be read back from the history (the log is damaged there)';
      this.onWarning(`Relay: outbox entry ${q} ${reason}; it is parked and the entries after it go on`);
      void this.park(q, reason, null).catch((err: unknown) =>
        this.onWarning(`Relay: outbox entry ${q} could not be recorded as parked (${errorText(err)})`),
      );
    }
    return out;
  }

  private read(item: OutboxItem): OutboxEntry | null {
    let parsed: { e?: unknown; s?: unknown } | null = null;
    try {
      const text = this.history.readPart(item.ev);
      parsed = text === null ? null : (JSON.parse(text) as { e?: unknown; s?: unknown });
    } catch {
      parsed = null;
    }
    if (parsed === null || typeof parsed.e !== 'object' || parsed.e === null) return null;
    const source = parsed.s && typeof parsed.s === 'object' ? (parsed.s as OutboxEntry['source']) : null;
    return { seq: item.q, event: parsed.e as OutboxEntry['event'], source, rawJson: this.history.readPart(item.raw) ?? 'null' };
  }

  /** Every entry up to `seq` is in the stream: recorded durably (coalesced), and dropped from memory. */
  forwarded(seq: number): Promise<void> {
    if (seq <= this.forwardedQ) return this.forwardWriting ?? Promise.resolve();
    this.forwardedQ = seq;
    this.trim();
    return this.writeForwarded();
  }

  /**
   * Sets an entry aside for good: it is taken out of the queue at once (the ones after it go on) and recorded
   * with the reason. Resolves once that record is on disk; if it cannot be written, the entry goes back into the
   * queue (a later forward position must never pass an entry that is neither in the stream nor parked on disk).
   */
  park(seq: number, reason: string, title: string | null): Promise<void> {
    const at = this.items.findIndex((x, i) => i >= this.head && x.q === seq);
    if (at < 0) return Promise.resolve();
    const item = this.items[at]!;
    if (at === this.head) this.head++;
    else this.items.splice(at, 1);
    const parked: ParkedItem = { seq, title, reason, at: new Date().toISOString(), ev: item.ev, raw: item.raw, n: ++this.parkedTotal };
    this.keepParked(parked);
    const record: ParkRecord = { k: 'pk', q: seq, why: reason, at: parked.at, t: title, n: parked.n };
    const { done } = this.history.append(JSON.stringify(record));
    return done.catch((err: unknown) => {
      this.parkedItems = this.parkedItems.filter((p) => p !== parked);
      this.parkedTotal--;
      this.push(item);
      throw err;
    });
  }

  /** How many entries were parked, and the newest of them. */
  parked(): { count: number; last: ParkedEntry | null } {
    const p = this.parkedItems[this.parkedItems.length - 1];
    return { count: this.parkedTotal, last: p ? { seq: p.seq, title: p.title, reason: p.reason, at: p.at } : null };
  }

  private replayPark(r: ParkRecord, parts: RawRef[]): void {
    let ev: RawRef | null = parts[0] ?? null;
    let raw: RawRef | null = parts[1] ?? null;
    if (!ev) {
      // Parked at run time: its parts are in its group record, read back before this.
      const at = this.items.findIndex((x, i) => i >= this.head && x.q === r.q);
      if (at >= 0) {
        const item = this.items[at]!;
        ev = item.ev;
        raw = item.raw;
        if (at === this.head) this.head++;
        else this.items.splice(at, 1);
      }
    }
    if (r.q >= this.nextQ) this.nextQ = r.q + 1;
    const n = typeof r.n === 'number' && r.n > this.parkedTotal ? r.n : this.parkedTotal + 1;
    this.parkedTotal = n;
    const text = (v: unknown, max: number): string | null => (typeof v === 'string' ? v.slice(0, max) : null);
    this.keepParked({
      seq: r.q,
      title: text(r.t, 500),
      reason: text(r.why, 2_000) ?? 'no reason was recorded',
      at: text(r.at, 64) ?? '',
      ev,
      raw,
      n,
    });
  }

  private keepParked(p: ParkedItem): void {
    this.parkedItems.push(p);
    if (this.parkedItems.length > PARKED_KEPT) this.parkedItems.splice(0, this.parkedItems.length - PARKED_KEPT);
  }

  /** Entries waiting, the last sequence forwarded, and the last one given out. */
  stats(): { pending: number; forwarded: number; last: number } {
    return { pending: this.items.length - this.head, forwarded: this.forwardedQ, last: this.nextQ - 1 };
  }

  /** One forward record at a time, always the latest value: acks coalesce into the history's group commits. */
  private writeForwarded(): Promise<void> {
    if (this.forwardWriting !== null || this.closed) return this.forwardWriting ?? Promise.resolve();
    if (this.forwardWritten >= this.forwardedQ) return Promise.resolve();
    const q = this.forwardedQ;
    const { done } = this.history.append(JSON.stringify({ k: 'f', q }));
    this.forwardWriting = done.then(
      () => {
        this.forwardWritten = Math.max(this.forwardWritten, q);
        this.forwardWriting = null;
        return this.writeForwarded();
      },
      (err: unknown) => {
        this.forwardWriting = null;
        // Not fatal: a restart forwards those entries again and JetStream drops them as duplicates.
        this.onWarning(`Relay: the forward position could not be saved (${errorText(err)})`);
      },
    );
    return this.forwardWriting;
  }

  /** Waits for a forward position being written, then stops writing more (the history closes after). */
  async close(): Promise<void> {
    this.closed = true;
    await this.forwardWriting?.catch(() => undefined);
    this.durable.dispose();
  }

  private push(item: OutboxItem): void {
    if (item.q <= this.forwardedQ) return;
    if (item.q >= this.nextQ) this.nextQ = item.q + 1;
    const last = this.items[this.items.length - 1];
    if (last === undefined || last.q < item.q) {
      this.items.push(item);
      return;
    }
    // Out of order only if records were written so (a compaction's 'o' records, then older group records).
    const at = this.items.findIndex((x, i) => i >= this.head && x.q >= item.q);
    if (at >= 0 && this.items[at]?.q === item.q) return;
    this.items.splice(at < 0 ? this.items.length : at, 0, item);
  }

  private trim(): void {
    while (this.head < this.items.length && this.items[this.head]!.q <= this.forwardedQ) this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
