/**
 * The inbox's records in the history log, and how they are written and read back. One line per record
 * (history/store-format.ts describes the line format); the inbox owns these kinds:
 *
 * - `g` a group's whole state: its index carries what the list needs (marks and the test bit as flags, the capped
 *   search text, the row's facts), then two parts: the summary with its redelivery keys, and the latest raw body;
 * - `m` marks set on one group (`by`: the team member behind a shared mark);
 * - `p` groups leaving (retention, or `why: "deleted"` when the user deleted one);
 * - `a` marks set on every group recorded before it (Mark all read);
 * - `c` every group recorded before it is gone (Clear history).
 *
 * Other ledgers may add fields and a part of their own to a `g` record (history/ledger.ts); this file neither
 * writes nor reads them.
 */
import type { GroupMarks, GroupRow, GroupSummary, ProviderId } from '../../../shared/events';
import { keysFrom, type RedeliveryKeys } from './redelivery-keys';

/** The inbox's record kinds. */
export const INBOX_KINDS = ['g', 'm', 'p', 'a', 'c'] as const;

/** A group record has two parts of its own: the summary (with redelivery keys) and the raw body. */
export const GROUP_PARTS = 2;
/** Where the raw body is among a group record's parts (another ledger may point at it rather than copy it). */
export const RAW_PART = 1;

/** The summary part of a group record: the group and its redelivery keys (compact: see redelivery-keys.ts). */
export interface GroupState {
  g: GroupSummary;
  dk: RedeliveryKeys;
}

/**
 * What a list row shows beyond the entry's own fields: a few short strings and numbers. The row's
 * `lastReceivedAt` is the entry's time written out again.
 */
export type RowFacts = Pick<GroupRow, 'title' | 'application' | 'project' | 'occurrences' | 'hosts' | 'lastSeen'>;

/** {@link RowFacts} in a group record's index, as a tuple: no key names repeated on every line. */
type RowIndex = [
  title: string,
  application: string | null,
  project: string | null,
  occurrences: number,
  hosts: number | null,
  lastSeen: string,
];

/** The index of a group record: what load needs to rebuild a group's entry without parsing the rest. */
export interface GroupIndex {
  k: 'g';
  id: string;
  /** Source id. */
  s: string;
  p: ProviderId;
  /** Last received, ms since the epoch. */
  t: number;
  /** Marks as bits: 1 read, 2 muted, 4 resolved; and 8: only test events so far. */
  f: number;
  /** The capped, lower-cased search text; absent when it is the group's previous record's (most hooks). */
  x?: string;
  /** The rest of the list row; absent in records written before rows were indexed. */
  r?: RowIndex;
  /** Who resolved / muted it through the team relay. */
  rb?: string;
  mb?: string;
  /** Ignored, snoozed, assigned or claimed (see {@link Triage}); absent when none of it. */
  tr?: TriageIndex;
}

/** Marks set on one group. */
export interface MarkRecord {
  k: 'm';
  id: string;
  m: GroupMarks;
  at: string;
  /** The team member behind a shared mark. */
  by?: string;
}

/** Groups leaving the history: pruned by retention (`why: 'retention'`) or deleted by the user (`'deleted'`). */
export interface PruneRecord {
  k: 'p';
  ids: string[];
  why?: string;
}

/** The user cleared the history: every group recorded before this line is gone. */
export interface ClearRecord {
  k: 'c';
  at: string;
}

/** Marks set on every group recorded before this line ("Mark all read"). */
export interface MarkAllRecord {
  k: 'a';
  m: GroupMarks;
  at: string;
}

/**
 * What an action or a teammate set on a group beyond read, muted and resolved: ignored, snoozed, assigned,
 * claimed. Most groups have none of it, so an entry holds null rather than an object of defaults.
 */
export interface Triage {
  ignored: boolean;
  snoozedUntil: string | null;
  snoozeCount: number | null;
  assignee: string | null;
  claimedBy: string | null;
  claimedUntil: string | null;
}

/** {@link Triage} in a group record's index, as a tuple. */
type TriageIndex = [
  ignored: 0 | 1,
  snoozedUntil: string | null,
  snoozeCount: number | null,
  assignee: string | null,
  claimedBy: string | null,
  claimedUntil: string | null,
];

/** The triage of `t` with `m`'s fields applied; null when nothing is set any more. */
export function triageWith(t: Triage | null, m: GroupMarks): Triage | null {
  const next: Triage = t
    ? { ...t }
    : { ignored: false, snoozedUntil: null, snoozeCount: null, assignee: null, claimedBy: null, claimedUntil: null };
  if (m.ignored !== undefined) next.ignored = m.ignored;
  if (m.snoozedUntil !== undefined) next.snoozedUntil = m.snoozedUntil;
  if (m.snoozeCount !== undefined) next.snoozeCount = m.snoozeCount;
  if (m.assignee !== undefined) next.assignee = m.assignee;
  if (m.claimedBy !== undefined) {
    next.claimedBy = m.claimedBy;
    next.claimedUntil = m.claimedBy === null ? null : (m.claimedUntil ?? next.claimedUntil);
  } else if (m.claimedUntil !== undefined) next.claimedUntil = m.claimedUntil;
  // A resolve or a reopen ends what held the group: its snooze, and whoever was on it.
  if (m.resolved !== undefined) {
    next.snoozedUntil = null;
    next.snoozeCount = null;
    next.claimedBy = null;
    next.claimedUntil = null;
    if (m.resolved === false && m.ignored === undefined) next.ignored = false;
  }
  const empty =
    !next.ignored && next.snoozedUntil === null && next.snoozeCount === null && next.assignee === null && next.claimedBy === null;
  return empty ? null : next;
}

/**
 * The triage as it stands at `now`: a claim past its end has lapsed and is not shown as held (the history keeps
 * it until the next change; nothing needs to be written when it lapses).
 */
export function triageAt(t: Triage | null, now: number): Triage | null {
  if (t === null || t.claimedBy === null || t.claimedUntil === null) return t;
  const until = Date.parse(t.claimedUntil);
  return Number.isNaN(until) || until > now ? t : triageWith(t, { claimedBy: null });
}

/** The triage a summary holds; null when none. */
export function triageOf(g: GroupSummary): Triage | null {
  return triageWith(null, {
    ignored: g.ignored === true,
    snoozedUntil: g.snoozedUntil ?? null,
    snoozeCount: g.snoozeCount ?? null,
    assignee: g.assignee ?? null,
    claimedBy: g.claimedBy ?? null,
    claimedUntil: g.claimedUntil ?? null,
  });
}

/** Whether marks touch the triage at all. */
export function touchesTriage(m: GroupMarks): boolean {
  return (
    m.ignored !== undefined ||
    m.snoozedUntil !== undefined ||
    m.snoozeCount !== undefined ||
    m.assignee !== undefined ||
    m.claimedBy !== undefined ||
    m.claimedUntil !== undefined ||
    m.resolved !== undefined
  );
}

/** A group's entry as its index describes it (what {@link groupIndex} writes and {@link readGroupIndex} reads). */
export interface IndexedGroup {
  id: string;
  sourceId: string;
  provider: ProviderId;
  t: number;
  read: boolean;
  muted: boolean;
  resolved: boolean;
  test: boolean;
  resolvedBy: string | null;
  mutedBy: string | null;
  text: string;
  row: RowFacts | null;
  triage: Triage | null;
}

/** The row facts of a summary, as a fresh object. */
export function rowFactsOf(g: RowFacts): RowFacts {
  return {
    title: g.title,
    application: g.application,
    project: g.project,
    occurrences: g.occurrences,
    hosts: g.hosts,
    lastSeen: g.lastSeen,
  };
}

/**
 * A group record's index, as JSON text. `sameText`: the search text is the one the group's previous record holds,
 * so it is left out (a load keeps the previous one); a compaction writes every record whole.
 */
export function groupIndex(e: IndexedGroup, sameText = false): string {
  const f = (e.read ? 1 : 0) | (e.muted ? 2 : 0) | (e.resolved ? 4 : 0) | (e.test ? 8 : 0);
  const r: RowIndex | undefined =
    e.row === null ? undefined : [e.row.title, e.row.application, e.row.project, e.row.occurrences, e.row.hosts, e.row.lastSeen];
  const index: GroupIndex = { k: 'g', id: e.id, s: e.sourceId, p: e.provider, t: e.t, f, r };
  if (!sameText) index.x = e.text;
  if (e.resolvedBy) index.rb = e.resolvedBy;
  if (e.mutedBy) index.mb = e.mutedBy;
  const t = e.triage;
  if (t) index.tr = [t.ignored ? 1 : 0, t.snoozedUntil, t.snoozeCount, t.assignee, t.claimedBy, t.claimedUntil];
  return JSON.stringify(index);
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

/**
 * Reads a group record's index back; throws (the record is then skipped) when it lacks what an entry needs. A
 * record without its search text takes `previousText` (its group's previous record's).
 */
export function readGroupIndex(index: Record<string, unknown>, previousText = ''): IndexedGroup {
  const { id, s, p, t } = index;
  if (typeof id !== 'string' || typeof s !== 'string' || typeof p !== 'string' || typeof t !== 'number') {
    throw new Error('a group record without its id, source, time or summary');
  }
  const f = typeof index['f'] === 'number' ? index['f'] : 0;
  const muted = (f & 2) !== 0;
  const resolved = (f & 4) !== 0;
  return {
    id,
    sourceId: s,
    provider: p,
    t,
    read: (f & 1) !== 0,
    muted,
    resolved,
    test: (f & 8) !== 0,
    resolvedBy: resolved && typeof index['rb'] === 'string' ? index['rb'] : null,
    mutedBy: muted && typeof index['mb'] === 'string' ? index['mb'] : null,
    text: typeof index['x'] === 'string' ? index['x'] : previousText,
    row: rowFromIndex(index['r']),
    triage: triageFromIndex(index['tr']),
  };
}

/** The triage a record's index carries; null when it carries none or not in this shape. */
function triageFromIndex(t: unknown): Triage | null {
  if (!Array.isArray(t) || t.length !== 6) return null;
  const [ignored, snoozedUntil, snoozeCount, assignee, claimedBy, claimedUntil] = t as unknown[];
  if (!stringOrNull(snoozedUntil) || !countOrNull(snoozeCount) || !stringOrNull(assignee)) return null;
  if (!stringOrNull(claimedBy) || !stringOrNull(claimedUntil)) return null;
  return { ignored: ignored === 1, snoozedUntil, snoozeCount, assignee, claimedBy, claimedUntil };
}

/** A time a mark may carry: ISO 8601 text of a sane length that parses, or null. */
function markTime(v: unknown): string | null | undefined {
  if (v === null) return null;
  return typeof v === 'string' && v.length <= 64 && Number.isFinite(Date.parse(v)) ? v : undefined;
}

/** A name a mark may carry (a member, an assignee), bounded, or null. */
function markName(v: unknown): string | null | undefined {
  if (v === null) return null;
  return typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined;
}

/** Only the marks a record may set, each in its shape, whatever else it holds. */
export function pickMarks(m: unknown): GroupMarks {
  const out: GroupMarks = {};
  if (m === null || typeof m !== 'object') return out;
  const given = m as Record<string, unknown>;
  if (typeof given['read'] === 'boolean') out.read = given['read'];
  if (typeof given['muted'] === 'boolean') out.muted = given['muted'];
  if (typeof given['resolved'] === 'boolean') out.resolved = given['resolved'];
  if (typeof given['ignored'] === 'boolean') out.ignored = given['ignored'];
  const snoozedUntil = markTime(given['snoozedUntil']);
  if (snoozedUntil !== undefined) out.snoozedUntil = snoozedUntil;
  const count = given['snoozeCount'];
  if (count === null || (typeof count === 'number' && Number.isFinite(count) && count >= 0)) out.snoozeCount = count;
  const assignee = markName(given['assignee']);
  if (assignee !== undefined) out.assignee = assignee;
  const claimedBy = markName(given['claimedBy']);
  if (claimedBy !== undefined) out.claimedBy = claimedBy;
  const claimedUntil = markTime(given['claimedUntil']);
  if (claimedUntil !== undefined) out.claimedUntil = claimedUntil;
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
export function rawPart(raw: unknown, rawJson: string | undefined, rawBytes?: Buffer): string | Buffer {
  if (rawBytes !== undefined && rawBytes.length > 0) return withoutSeparatorBytes(rawBytes);
  if (rawJson !== undefined && rawJson !== '') return rawJson.replace(SEPARATORS, ' ');
  try {
    return JSON.stringify(raw) ?? 'null';
  } catch {
    return JSON.stringify({ unreadable: 'the body could not be kept (nested too deeply to serialize)' });
  }
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/**
 * The body's bytes as a log part: the same rule as for text (tabs and line breaks become spaces), on the bytes as
 * they arrived. Most bodies hold none, and are used as they are; one that does is copied first (the request log
 * keeps the same buffer as it arrived).
 */
function withoutSeparatorBytes(bytes: Buffer): Buffer {
  let at = firstSeparator(bytes, 0);
  if (at < 0) return bytes;
  const copy = Buffer.from(bytes);
  while (at >= 0) {
    copy[at] = SPACE;
    at = firstSeparator(copy, at + 1);
  }
  return copy;
}

function firstSeparator(bytes: Buffer, from: number): number {
  let first = -1;
  for (const byte of [LF, TAB, CR]) {
    const at = bytes.indexOf(byte, from);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

/** The summary part of a group record. */
export function statePart(state: GroupState): string {
  return JSON.stringify(state);
}

/** Reads a summary part back; throws when it is not one. */
export function readStatePart(text: string | null, groupId: string): GroupState {
  const parsed = text === null ? null : (JSON.parse(text) as { g?: GroupSummary; dk?: unknown } | null);
  if (parsed === null || typeof parsed !== 'object' || !parsed.g) throw new Error(`group ${groupId} could not be read from the history`);
  // Keys an older version stored as pairs read back into the compact form.
  return { g: parsed.g, dk: keysFrom(parsed.dk) };
}
