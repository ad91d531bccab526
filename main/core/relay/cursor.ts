/**
 * The subscriber's place in the team relay's stream, and what a catch-up holds for its "while you were away"
 * summary. A ledger of the relay's own in the history:
 *
 * - `rs` in a group record is the stream sequence of the event it stores, and `w` a notification held for the
 *   summary: both in the same line as the event, so a crash can neither lose nor repeat it;
 * - `r` moves the cursor without an event (a skipped message, a redelivery, a recreated stream) or records that
 *   the summary was raised (`away: null`).
 *
 * Clear history keeps it: the stream must not be read again.
 */
import type { BoundedEvent } from '../bounded-event';
import { type Ledger, type LedgerStore, type LiveRecord, type StoredRecord, unbound } from '../history/ledger';
import type { Fold } from '../inbox/fold';
import { placeOf } from '../inbox/policy';
import type { Contribution, IngestContext, IngestContributor } from '../pipeline/extension';

/** Where the subscriber stands in the relay stream, as stored with the events it ingested. */
export interface RelayCursor {
  /** The stream it was read from (name and creation time), or null before the first relayed event. */
  stream: string | null;
  /** The last stream sequence ingested (0: none). */
  seq: number;
}

/** What a catch-up held back for its "while you were away" summary, kept durably until it is raised. */
export interface AwayTally {
  /** Notifications held. */
  held: number;
  /** Distinct projects (or applications, or sources) they came from, at most 50. */
  places: string[];
  /** How many of them were regressions. */
  regressions: number;
  /** The first few distinct titles of held notifications (not regressions), and how many times each was held. */
  titles: string[];
  titleCounts: number[];
  /** The same for the regressions. */
  regressionTitles: string[];
  regressionCounts: number[];
  /** The groups concerned, at most 100. */
  groups: string[];
}

/** One held notification, as a group record carries it for the away summary. */
interface AwayItem {
  /** Where (the source's name). */
  p: string;
  /** The notification's title. */
  t: string;
  /** 1 when it was a regression. */
  rg?: 1;
}

/** A cursor record. */
interface CursorRecord {
  k: 'r';
  st?: string | null;
  seq?: number;
  away?: AwayTally | null;
}

const AWAY_PLACES = 50;
const AWAY_TITLES = 3;
const AWAY_GROUPS = 100;

/** An empty tally. */
export function emptyAway(): AwayTally {
  return { held: 0, places: [], regressions: 0, titles: [], titleCounts: [], regressionTitles: [], regressionCounts: [], groups: [] };
}

function addAway(t: AwayTally, groupId: string, item: AwayItem): void {
  t.held++;
  if (typeof item.p === 'string' && !t.places.includes(item.p) && t.places.length < AWAY_PLACES) t.places.push(item.p);
  if (item.rg === 1) {
    t.regressions++;
    countTitle(t.regressionTitles, t.regressionCounts, item.t);
  } else {
    countTitle(t.titles, t.titleCounts, item.t);
  }
  if (!t.groups.includes(groupId) && t.groups.length < AWAY_GROUPS) t.groups.push(groupId);
}

/** One more of a title: counted when it is among the first few, else only in the total. */
function countTitle(titles: string[], counts: number[], title: unknown): void {
  if (typeof title !== 'string') return;
  const at = titles.indexOf(title);
  if (at >= 0) counts[at] = (counts[at] ?? 1) + 1;
  else if (titles.length < AWAY_TITLES) {
    titles.push(title);
    counts.push(1);
  }
}

function copyAway(t: AwayTally): AwayTally {
  return {
    ...t,
    places: [...t.places],
    titles: [...t.titles],
    titleCounts: [...t.titleCounts],
    regressionTitles: [...t.regressionTitles],
    regressionCounts: [...t.regressionCounts],
    groups: [...t.groups],
  };
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
  // A tally stored before titles were counted holds each title once.
  const counts = (x: unknown, n: number): number[] =>
    Array.from({ length: n }, (_, i) => {
      const c = Array.isArray(x) ? x[i] : undefined;
      return typeof c === 'number' && c >= 1 ? c : 1;
    });
  t.titles = strings(o['titles'], AWAY_TITLES);
  t.titleCounts = counts(o['titleCounts'], t.titles.length);
  t.regressionTitles = strings(o['regressionTitles'], AWAY_TITLES);
  t.regressionCounts = counts(o['regressionCounts'], t.regressionTitles.length);
  t.groups = strings(o['groups'], AWAY_GROUPS);
  return t;
}

/** The subscriber's cursor and away tally (see the module comment). */
export class StreamCursor implements Ledger, IngestContributor {
  readonly name = 'relay cursor';
  readonly kinds = ['r'] as const;
  readonly fields = ['rs', 'w'] as const;
  private stream: string | null = null;
  private seq = 0;
  private away: AwayTally = emptyAway();

  private history: LedgerStore = unbound;

  bind(store: LedgerStore): void {
    this.history = store;
  }

  // ---- the ledger ----

  replay(record: StoredRecord): void {
    const r = record.index as unknown as CursorRecord;
    if (r.st !== undefined) this.stream = typeof r.st === 'string' ? r.st : null;
    if (typeof r.seq === 'number') this.seq = r.seq;
    if (r.away === null) this.away = emptyAway();
    else if (r.away !== undefined) this.away = awayFrom(r.away);
  }

  replayFields(record: StoredRecord): void {
    const { index } = record;
    if (typeof index['rs'] === 'number') this.seq = index['rs'];
    const w = index['w'];
    if (w && typeof w === 'object' && typeof index['id'] === 'string') addAway(this.away, index['id'], w as AwayItem);
  }

  snapshot(): LiveRecord[] {
    if (this.stream === null && this.seq === 0 && this.away.held === 0) return [];
    const r: CursorRecord = { k: 'r', st: this.stream, seq: this.seq, away: this.away.held > 0 ? this.away : null };
    return [{ index: JSON.stringify(r), parts: [] }];
  }

  liveBytes(): number {
    return 256;
  }

  // ---- each relayed event ----

  contribute(fold: Fold, _event: BoundedEvent, context: IngestContext): Contribution | null {
    const origin = context.origin;
    if (origin.kind !== 'relay') return null;
    const before = { seq: this.seq, away: this.away };
    const restore = (): void => {
      this.seq = before.seq;
      this.away = before.away;
    };
    if (fold.duplicate) {
      // A relayed redelivery still moves the cursor past it, so it is not read again after a restart.
      const seq = Math.max(this.seq, origin.seq);
      this.seq = seq;
      return { record: JSON.stringify({ k: 'r', seq } satisfies CursorRecord), failed: restore };
    }
    const fields: Record<string, unknown> = { rs: origin.seq };
    if (origin.seq > this.seq) this.seq = origin.seq;
    if (fold.held) {
      const regression = fold.trigger === 'regressed' || fold.trigger === 'regressed-after-resolve';
      const item: AwayItem = { p: placeOf(fold.group, context.source), t: fold.held.title, ...(regression ? { rg: 1 as const } : {}) };
      fields['w'] = item;
      // The tally moves with the append (a compaction's snapshot may be taken the moment it lands).
      this.away = copyAway(this.away);
      addAway(this.away, fold.id, item);
    }
    return { addition: { fields }, failed: restore };
  }

  // ---- the subscriber's side ----

  /** Where the subscriber stands. */
  cursor(): RelayCursor {
    return { stream: this.stream, seq: this.seq };
  }

  /**
   * Moves the cursor without an event: to another stream (a new name or a recreated stream, `seq` 0), or past a
   * message that is not ingested (the gateway's own event, a test event, one that does not parse).
   */
  async moveTo(stream: string | null, seq: number): Promise<void> {
    const record: CursorRecord = { k: 'r', seq };
    if (stream !== this.stream) record.st = stream;
    const before = { stream: this.stream, seq: this.seq };
    const { done } = this.history.append(JSON.stringify(record));
    this.stream = stream;
    this.seq = seq;
    try {
      await done;
    } catch (err) {
      this.stream = before.stream;
      this.seq = before.seq;
      throw err;
    }
  }

  /** What the current catch-up has held back so far. */
  awayTally(): AwayTally {
    return copyAway(this.away);
  }

  /** Returns the held tally and records durably that its summary was raised. */
  async takeAway(): Promise<AwayTally> {
    const tally = copyAway(this.away);
    if (tally.held === 0) return tally;
    const { done } = this.history.append(JSON.stringify({ k: 'r', away: null } satisfies CursorRecord));
    this.away = emptyAway();
    try {
      await done;
    } catch (err) {
      this.away = tally;
      throw err;
    }
    return tally;
  }
}
