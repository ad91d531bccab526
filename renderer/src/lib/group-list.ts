/**
 * The list's read model in the window: applying live group updates to the loaded rows without a reload.
 * Pure functions over arrays, so the ordering and filter rules are tested on their own; which groups a
 * filter keeps is main's own rule (`shared/group-filter.ts`).
 */
import type { ActionResult, GroupAction } from '../../../shared/actions';
import type { GroupQuery, GroupRow, GroupUpdate } from '../../../shared/events';
import { groupFilter, type GroupFilterQuery, type NamedSource } from '../../../shared/group-filter';

/** The filters the list view offers, as the query sent to main. */
export interface ListFilters {
  text: string;
  sourceId: string;
  provider: string;
  unread: boolean;
  muted: boolean;
  resolved: boolean;
}

/** No filter set: every group. */
export const EMPTY_FILTERS: ListFilters = {
  text: '',
  sourceId: '',
  provider: '',
  unread: false,
  muted: false,
  resolved: false,
};

/** The query for main: only the filters that are set (a toggle that is off filters nothing). */
export function toQuery(filters: ListFilters, limit: number, cursor: string | null = null): GroupQuery {
  return { limit, cursor, ...filterQuery(filters) };
}

/** The filters that are set, as the query's filter part. */
function filterQuery(filters: ListFilters): GroupFilterQuery {
  const q: GroupFilterQuery = {};
  const text = filters.text.trim();
  if (text) q.text = text;
  if (filters.sourceId) q.sourceId = filters.sourceId;
  if (filters.provider) q.provider = filters.provider as GroupQuery['provider'];
  if (filters.unread) q.unread = true;
  if (filters.muted) q.muted = true;
  if (filters.resolved) q.resolved = true;
  return q;
}

/** True when any filter narrows the list (for the empty state's wording). */
export function isFiltered(filters: ListFilters): boolean {
  return (
    filters.text.trim() !== '' || filters.sourceId !== '' || filters.provider !== '' || filters.unread || filters.muted || filters.resolved
  );
}

/** True when two sets of filters ask for the same list. */
export function sameFilters(a: ListFilters, b: ListFilters): boolean {
  return (
    a.text.trim() === b.text.trim() &&
    a.sourceId === b.sourceId &&
    a.provider === b.provider &&
    a.unread === b.unread &&
    a.muted === b.muted &&
    a.resolved === b.resolved
  );
}

/**
 * Whether a changed group belongs in the list under these filters, by the rule main lists with (`sources`: the
 * configured sources, whose names a search also matches).
 */
export function matchesFilters(update: GroupUpdate, filters: ListFilters, sources: readonly NamedSource[] = []): boolean {
  return groupFilter(filterQuery(filters), sources)(update.row, update.text);
}

/** Newest first by last received; ties broken by id so the order is stable. */
export function compareNewestFirst(a: GroupRow, b: GroupRow): number {
  if (a.lastReceivedAt !== b.lastReceivedAt) return a.lastReceivedAt < b.lastReceivedAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The rows after one group changed, and how the match count moved. */
export interface Upserted {
  rows: GroupRow[];
  /** +1 when a new matching group arrived, -1 when one left the filter, 0 otherwise. */
  totalDelta: number;
}

/**
 * Applies one live update: replaces the row in place when its position does not change (counts,
 * marks), moves it when it became newer, inserts it when new, drops it when it no longer matches.
 * The input array is not modified.
 */
export function upsertGroup(
  rows: readonly GroupRow[],
  update: GroupUpdate,
  filters: ListFilters,
  sources: readonly NamedSource[] = [],
): Upserted {
  const g = update.row;
  const at = rows.findIndex((r) => r.id === g.id);
  const matches = matchesFilters(update, filters, sources);
  if (!matches) {
    if (at < 0) return { rows: rows as GroupRow[], totalDelta: 0 };
    const next = rows.slice();
    next.splice(at, 1);
    return { rows: next, totalDelta: -1 };
  }
  if (at >= 0) {
    const prev = rows[at]!;
    if (prev.lastReceivedAt === g.lastReceivedAt) {
      const next = rows.slice();
      next[at] = g;
      return { rows: next, totalDelta: 0 };
    }
  }
  const next = at >= 0 ? [...rows.slice(0, at), ...rows.slice(at + 1)] : rows.slice();
  // Live updates are nearly always the newest group: search from the top.
  let i = 0;
  while (i < next.length && compareNewestFirst(next[i]!, g) < 0) i++;
  next.splice(i, 0, g);
  return { rows: next, totalDelta: at >= 0 ? 0 : 1 };
}

/** The rows without a group that was deleted, and how the match count moved. */
export function removeGroup(rows: readonly GroupRow[], groupId: string): Upserted {
  const at = rows.findIndex((r) => r.id === groupId);
  if (at < 0) return { rows: rows as GroupRow[], totalDelta: 0 };
  return { rows: [...rows.slice(0, at), ...rows.slice(at + 1)], totalDelta: -1 };
}

/** Appends a fetched page, dropping rows already present (a live update may have inserted them). */
export function appendPage(rows: readonly GroupRow[], page: readonly GroupRow[]): GroupRow[] {
  const seen = new Set(rows.map((r) => r.id));
  const next = rows.slice();
  for (const g of page) if (!seen.has(g.id)) next.push(g);
  return next;
}

/** The keys the list understands. */
export type ListAction = 'up' | 'down' | 'home' | 'end' | 'open' | 'mute' | 'resolve' | 'read' | null;

/** Maps a key press to a list action; modifier chords are left to the browser. */
export function listAction(key: string, mods: { ctrl: boolean; meta: boolean; alt: boolean }): ListAction {
  if (mods.ctrl || mods.meta || mods.alt) return null;
  switch (key) {
    case 'ArrowDown':
    case 'j':
      return 'down';
    case 'ArrowUp':
    case 'k':
      return 'up';
    case 'Home':
      return 'home';
    case 'End':
      return 'end';
    case 'Enter':
      return 'open';
    case 'm':
    case 'M':
      return 'mute';
    case 'r':
    case 'R':
      return 'resolve';
    case 'u':
    case 'U':
      return 'read';
    default:
      return null;
  }
}

/** The marks a list key toggles on the selected group (R resolves through an action instead: {@link resolveOf}). */
export type ListMark = 'muted' | 'read';

const MARK_WORDS: Record<ListMark, readonly [set: string, cleared: string]> = {
  muted: ['Muted', 'Unmuted'],
  read: ['Marked read', 'Marked unread'],
};

/** What R asks for: reopen a resolved or ignored group, resolve any other. */
export function resolveOf(row: Pick<GroupRow, 'resolved' | 'ignored'>): Extract<GroupAction, { kind: 'resolve' | 'unresolve' }> {
  return row.resolved || row.ignored === true ? { kind: 'unresolve' } : { kind: 'resolve' };
}

/**
 * What the list says of R: while it runs ("Resolving: TypeError…"), then how it ended, in the words main answered
 * ("Resolved in Sentry: TypeError", or why not).
 */
export function resolveNote(action: GroupAction, result: ActionResult | null, title: string): string {
  const reopen = action.kind === 'unresolve';
  if (result === null) return `${reopen ? 'Reopening' : 'Resolving'}: ${title}…`;
  if (result.state === 'done') return `${result.words}: ${title}`;
  return `${reopen ? 'Not reopened' : 'Not resolved'}: ${title}. ${result.words}`;
}

/** What the list says once main took a mark: "Muted: exception in printf". */
export function markNote(mark: ListMark, value: boolean, title: string): string {
  const [set, cleared] = MARK_WORDS[mark];
  return `${value ? set : cleared}: ${title}`;
}

/** Moves a selection index within [0, count), starting at the top when nothing is selected. */
export function moveSelection(index: number, action: 'up' | 'down' | 'home' | 'end', count: number): number {
  if (count <= 0) return -1;
  switch (action) {
    case 'home':
      return 0;
    case 'end':
      return count - 1;
    case 'down':
      return index < 0 ? 0 : Math.min(count - 1, index + 1);
    case 'up':
      return index < 0 ? 0 : Math.max(0, index - 1);
  }
}
