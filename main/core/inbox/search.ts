/**
 * Listing groups: cursor paging over groups sorted newest first, kept by the filter the window shares
 * (`shared/group-filter.ts`). Pure helpers; the inbox supplies the sorted groups.
 */
import type { GroupPage, GroupQuery, GroupRow } from '../../../shared/events';
import { groupFilter, type FilterFields, type NamedSource } from '../../../shared/group-filter';

export { SEARCH_TEXT_MAX, searchText } from '../../../shared/group-filter';

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

/** What the pager needs of a group without loading it: sort key, filter fields, search text. */
export interface Listable extends SortKey, FilterFields {
  /** The group's {@link searchText}. */
  text: string;
}

/**
 * Pages through items already sorted newest first. Only the rows on the page are built (`load`), so a
 * page costs the same whatever the history holds. `sources` are the configured sources, whose names a search
 * also matches.
 */
export function page<T extends Listable>(
  items: readonly T[],
  q: GroupQuery,
  load: (item: T) => GroupRow,
  sources: readonly NamedSource[] = [],
): GroupPage {
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(Number(q.limit ?? DEFAULT_PAGE_SIZE)) || DEFAULT_PAGE_SIZE));
  const after = decodeCursor(q.cursor);
  const keeps = groupFilter(q, sources);
  const picked: T[] = [];
  let total = 0;
  let more = false;
  for (const it of items) {
    if (!keeps(it, it.text)) continue;
    total++;
    if (after !== null && compareKeys(it, after) <= 0) continue;
    if (picked.length < limit) picked.push(it);
    else more = true;
  }
  const last = picked.at(-1);
  return { groups: picked.map(load), nextCursor: more && last !== undefined ? encodeCursor(last) : null, total };
}
