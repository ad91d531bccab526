/**
 * Listing groups: filters, text search and cursor paging over groups sorted newest first.
 * Pure helpers; the inbox supplies the sorted groups.
 */
import type { GroupPage, GroupQuery, GroupSummary } from '../../../shared/ipc';

/** Default and largest page sizes. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** A position in the newest-first order: last received time (ms) and group id (tie-break). */
export interface SortKey {
  t: number;
  id: string;
}

/** Newest first; ties by id, so the order is total and a cursor is unambiguous. */
export function compareKeys(a: SortKey, b: SortKey): number {
  if (a.t !== b.t) return b.t - a.t;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** An opaque cursor naming the last group of a page. */
export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify([key.t, key.id]), 'utf8').toString('base64url');
}

/** The position a cursor names, or null when it is not one of ours (then paging starts over). */
export function decodeCursor(cursor: string | null | undefined): SortKey | null {
  if (!cursor) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && Number.isFinite(v[0]) && typeof v[1] === 'string') {
      return { t: v[0], id: v[1] };
    }
  } catch {
    /* not ours */
  }
  return null;
}

/** The lower-cased text a search looks through: title, application, project, callstack, page. */
export function searchText(g: GroupSummary): string {
  return [g.title, g.application ?? '', g.project ?? '', g.callstack.join('\n'), g.page ?? ''].join('\n').toLowerCase();
}

/** Whether a group passes the query's filters (not the text). */
export function matchesFilters(g: GroupSummary, q: GroupQuery): boolean {
  if (q.sourceId !== undefined && g.sourceId !== q.sourceId) return false;
  if (q.provider !== undefined && g.provider !== q.provider) return false;
  if (q.unread !== undefined && g.read === q.unread) return false;
  if (q.muted !== undefined && g.muted !== q.muted) return false;
  if (q.resolved !== undefined && g.resolved !== q.resolved) return false;
  return true;
}

/** One item the pager sees: a group, its sort key and a lazily built search text. */
export interface Listable {
  key: SortKey;
  summary: GroupSummary;
  text: () => string;
}

/** Pages through items already sorted newest first. */
export function page(items: readonly Listable[], q: GroupQuery): GroupPage {
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(q.limit ?? DEFAULT_PAGE_SIZE)));
  const after = decodeCursor(q.cursor);
  const needle = (q.text ?? '').trim().toLowerCase();
  const groups: GroupSummary[] = [];
  let total = 0;
  let last: SortKey | null = null;
  let more = false;
  for (const it of items) {
    if (!matchesFilters(it.summary, q)) continue;
    if (needle !== '' && !it.text().includes(needle)) continue;
    total++;
    if (after !== null && compareKeys(it.key, after) <= 0) continue;
    if (groups.length < limit) {
      groups.push(it.summary);
      last = it.key;
    } else {
      more = true;
    }
  }
  return { groups, nextCursor: more && last !== null ? encodeCursor(last) : null, total };
}
