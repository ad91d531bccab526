/**
 * Which groups a list query keeps: one rule for main's pager (over the inbox's in-memory entries) and for the
 * window's live updates (over the rows it holds), so a group never shows in one and not the other.
 */
import { type AgentPart, groupRow, type GroupQuery, type GroupSummary, type GroupUpdate } from './events';

/** How much of a group's search text is kept (the short facts come first, the callstack last). */
export const SEARCH_TEXT_MAX = 1024;

/** How many values of each attribute the search text holds (a histogram's first, that is its most frequent). */
export const SEARCH_ATTRIBUTE_VALUES = 5;

/** How much of one attribute value is searched: enough for a version or an environment, not a blob. */
const ATTRIBUTE_VALUE_MAX = 64;

/** What {@link searchText} reads of a group. */
export type Searchable = Pick<
  GroupSummary,
  'title' | 'application' | 'project' | 'environment' | 'page' | 'browser' | 'os' | 'attributes' | 'callstack'
>;

function agent(part: AgentPart | null): string {
  if (part === null) return '';
  return [part.name ?? '', part.version ?? ''].filter((p) => p !== '').join(' ');
}

/**
 * The lower-cased text a search looks through, one fact per line: title, application, project, environment,
 * page, browser, operating system, each attribute as `name value value…` (its first
 * {@link SEARCH_ATTRIBUTE_VALUES} values), then the callstack; capped at {@link SEARCH_TEXT_MAX}, so the
 * memory a group's text takes stays bounded whatever the payload, and a long callstack is what gets cut.
 */
export function searchText(g: Searchable): string {
  const lines = [g.title, g.application ?? '', g.project ?? '', g.environment ?? '', g.page ?? '', agent(g.browser), agent(g.os)];
  let length = lines.reduce((n, l) => n + l.length + 1, 0);
  for (const [name, histogram] of Object.entries(g.attributes ?? {})) {
    if (length > SEARCH_TEXT_MAX) break;
    const values = histogram.slice(0, SEARCH_ATTRIBUTE_VALUES).map(([value]) => String(value).slice(0, ATTRIBUTE_VALUE_MAX));
    const line = [name, ...values].join(' ');
    lines.push(line);
    length += line.length + 1;
  }
  for (const frame of g.callstack) {
    if (length > SEARCH_TEXT_MAX) break;
    lines.push(frame);
    length += frame.length + 1;
  }
  const text = lines.join('\n').toLowerCase();
  // A slice is a view that keeps the whole lower-cased text alive as long as the group is listed (V8 shares the
  // original): the kept part is copied (a JSON round trip is exact, lone surrogates included).
  return text.length > SEARCH_TEXT_MAX ? (JSON.parse(JSON.stringify(text.slice(0, SEARCH_TEXT_MAX))) as string) : text;
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

/** A source's id and name, as main's settings and the window's state both have them. */
export interface NamedSource {
  id: string;
  name: string;
}

/**
 * The test for the groups `q` keeps: every filter that is set (a mark filter keeps the groups whose mark
 * equals it; `unread` compares with not read), and the query's text, trimmed and lower-cased, within the
 * group's {@link searchText} or the name of its source. Source names are looked up here rather than kept in
 * each group's text, so renaming a source needs no rewrite of the history. Built once per query, so the
 * pager's loop does no per-group set-up.
 */
export function groupFilter(q: GroupFilterQuery, sources: readonly NamedSource[] = []): (g: FilterFields, text: string) => boolean {
  const sourceId = q.sourceId ?? null;
  const provider = q.provider ?? null;
  const unread = q.unread ?? null;
  const muted = q.muted ?? null;
  const resolved = q.resolved ?? null;
  const needle = (q.text ?? '').trim().toLowerCase();
  const named = new Set(needle === '' ? [] : sources.filter((s) => s.name.toLowerCase().includes(needle)).map((s) => s.id));
  return (g, text) =>
    (sourceId === null || g.sourceId === sourceId) &&
    (provider === null || g.provider === provider) &&
    (unread === null || g.read !== unread) &&
    (muted === null || g.muted === muted) &&
    (resolved === null || g.resolved === resolved) &&
    (needle === '' || text.includes(needle) || named.has(g.sourceId));
}

/** What the window hears of a group that changed: its row and its search text. */
export function groupUpdate(g: GroupSummary): GroupUpdate {
  return { row: groupRow(g), text: searchText(g) };
}
