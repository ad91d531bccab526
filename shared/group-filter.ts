/**
 * Which groups a list query keeps: one rule for main's pager (over the inbox's in-memory entries) and for the
 * window's live updates (over the rows it holds), so a group never shows in one and not the other.
 */
import { groupRow, type GroupQuery, type GroupSummary, type GroupUpdate } from './events';

/** How much of a group's search text is kept (title, application, project, page come first). */
export const SEARCH_TEXT_MAX = 1024;

/** The lower-cased text a search looks through: title, application, project, page, callstack; capped. */
export function searchText(g: Pick<GroupSummary, 'title' | 'application' | 'project' | 'callstack' | 'page'>): string {
  const text = [g.title, g.application ?? '', g.project ?? '', g.page ?? '', g.callstack.join('\n')].join('\n').toLowerCase();
  return text.length > SEARCH_TEXT_MAX ? text.slice(0, SEARCH_TEXT_MAX) : text;
}

/** What the filters read of a group (a row, an inbox entry or a whole summary all have it). */
export interface FilterFields {
  sourceId: string;
  provider: string;
  read: boolean;
  muted: boolean;
  resolved: boolean;
}

/** The filter part of a query: the paging fields (`cursor`, `limit`) play no part. */
export type GroupFilterQuery = Omit<GroupQuery, 'cursor' | 'limit'>;

/**
 * The test for the groups `q` keeps: every filter that is set (a mark filter keeps the groups whose mark
 * equals it; `unread` compares with not read), and the query's text, trimmed and lower-cased, within the
 * group's {@link searchText}. Built once per query, so the pager's loop does no per-group set-up.
 */
export function groupFilter(q: GroupFilterQuery): (g: FilterFields, text: string) => boolean {
  const sourceId = q.sourceId ?? null;
  const provider = q.provider ?? null;
  const unread = q.unread ?? null;
  const muted = q.muted ?? null;
  const resolved = q.resolved ?? null;
  const needle = (q.text ?? '').trim().toLowerCase();
  return (g, text) =>
    (sourceId === null || g.sourceId === sourceId) &&
    (provider === null || g.provider === provider) &&
    (unread === null || g.read !== unread) &&
    (muted === null || g.muted === muted) &&
    (resolved === null || g.resolved === resolved) &&
    (needle === '' || text.includes(needle));
}

/** What the window hears of a group that changed: its row and its search text. */
export function groupUpdate(g: GroupSummary): GroupUpdate {
  return { row: groupRow(g), text: searchText(g) };
}
