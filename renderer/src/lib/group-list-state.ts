/**
 * The errors list's state as one value, and the events that move it: the rows main answered, the match count,
 * the keyboard selection and the group open in the detail pane. One pure reducer, so the rows, the count and
 * the selection always move together (a live update keeps the selection on its group, an answer to an older
 * query is dropped, an open detail follows the selection) and each rule is tested without React.
 * `use-group-list.ts` feeds it main's answers and pushes.
 */
import type { GroupPage, GroupRow, GroupUpdate } from '../../../shared/events';
import type { NamedSource } from '../../../shared/group-filter';
import type { GroupsReset } from '../../../shared/ipc';
import { appendPage, EMPTY_FILTERS, isFiltered, type ListFilters, removeGroup, sameFilters, upsertGroup } from './group-list';

/**
 * One load of the list: a new object each time the list must be loaded again, with the same filters or not, so
 * an answer is matched to the request it answers by identity.
 */
export interface ListRequest {
  readonly filters: ListFilters;
}

/** Where the first page stands: asked, answered, or failed. */
export type ListPhase = 'loading' | 'ready' | 'error';

/** Everything the errors list shows that changes: one value, moved only by {@link groupListReducer}. */
export interface GroupListState {
  /** What the list asks main for now; answers to an earlier request are dropped. */
  request: ListRequest;
  /** The filters the rows answer: the empty state and the count speak of these, not of a query still running. */
  loaded: ListFilters | null;
  rows: GroupRow[];
  /** How many groups match in all (more than `rows` while pages remain). */
  total: number;
  /** Where the next page starts; null when every match is loaded. */
  cursor: string | null;
  loadingMore: boolean;
  phase: ListPhase;
  /** Why the first page failed, while `phase` is 'error'. */
  error: string | null;
  /** The keyboard selection, an index into `rows`; -1 for none. */
  selected: number;
  /** The group open in the detail pane. */
  openId: string | null;
  /** The latest row main pushed for the open group since it opened (the detail refetches on a newer hook). */
  liveOpen: GroupRow | null;
  /** What the last action came to ("Muted: …", or why it failed). */
  note: string | null;
}

/** What can happen to the list: the user's moves, main's answers and main's pushes. */
export type GroupListEvent =
  /** The user set the filters (every change loads again, as a select or a toggle asks). */
  | { type: 'filtered'; filters: ListFilters }
  /** The search text settled after typing. */
  | { type: 'searched'; text: string }
  /** Load the same list again (Try again). */
  | { type: 'reloadAsked' }
  | { type: 'loaded'; request: ListRequest; page: GroupPage }
  | { type: 'loadFailed'; request: ListRequest; error: string }
  | { type: 'moreAsked' }
  | { type: 'moreLoaded'; request: ListRequest; page: GroupPage }
  | { type: 'moreFailed'; error: string }
  /** A group changed: `pushed` by main, or the answer to a mark this window set. `sources` name the sources a search matches. */
  | { type: 'updated'; update: GroupUpdate; sources: readonly NamedSource[]; pushed: boolean }
  | { type: 'removed'; groupId: string }
  /** Main cleared the history or marked every group read: the list loads again. */
  | { type: 'reset'; change: GroupsReset['change'] }
  /** The keyboard selection moved to `index`; an open detail follows it. */
  | { type: 'selected'; index: number }
  /** The keyboard came into the list from the search box: the selection starts at the top when there is none. */
  | { type: 'entered' }
  /** Open a group in the detail pane (and select its row when it is loaded). */
  | { type: 'opened'; groupId: string }
  | { type: 'closed' }
  | { type: 'noted'; note: string };

/** The list before its first answer: loading everything. */
export const INITIAL_GROUP_LIST: GroupListState = {
  request: { filters: EMPTY_FILTERS },
  loaded: null,
  rows: [],
  total: 0,
  cursor: null,
  loadingMore: false,
  phase: 'loading',
  error: null,
  selected: -1,
  openId: null,
  liveOpen: null,
  note: null,
};

/** Moves the list's state by one event. Pure: React may call it twice. */
export function groupListReducer(state: GroupListState, event: GroupListEvent): GroupListState {
  switch (event.type) {
    case 'filtered':
      return ask(state, event.filters);
    case 'searched':
      return state.request.filters.text === event.text ? state : ask(state, { ...state.request.filters, text: event.text });
    case 'reloadAsked':
      return ask(state, state.request.filters);
    case 'reset':
      return ask(event.change === 'cleared' ? { ...state, openId: null } : state, state.request.filters);
    case 'loaded':
      return event.request === state.request ? firstPage(state, event.page) : state;
    case 'loadFailed':
      return event.request === state.request ? { ...state, error: event.error, phase: 'error' } : state;
    case 'moreAsked':
      return { ...state, loadingMore: true };
    case 'moreLoaded':
      return event.request === state.request ? nextPage(state, event.page) : { ...state, loadingMore: false };
    case 'moreFailed':
      return { ...state, loadingMore: false, note: event.error };
    case 'updated':
      return updated(state, event.update, event.sources, event.pushed);
    case 'removed':
      return removed(state, event.groupId);
    default:
      return selection(state, event);
  }
}

/** The events that move only the selection, the open detail or the note. */
type SelectionEvent = Extract<GroupListEvent, { type: 'selected' | 'entered' | 'opened' | 'closed' | 'noted' }>;

function selection(state: GroupListState, event: SelectionEvent): GroupListState {
  switch (event.type) {
    case 'selected': {
      const to = state.rows[event.index];
      const follows = state.openId !== null && to !== undefined && to.id !== state.openId;
      return follows ? { ...state, selected: event.index, openId: to.id, liveOpen: null } : { ...state, selected: event.index };
    }
    case 'entered':
      return state.rows.length > 0 && state.selected < 0 ? { ...state, selected: 0 } : state;
    case 'opened': {
      const at = state.rows.findIndex((r) => r.id === event.groupId);
      return { ...state, openId: event.groupId, liveOpen: null, selected: at >= 0 ? at : state.selected };
    }
    case 'closed':
      return { ...state, openId: null };
    case 'noted':
      return { ...state, note: event.note };
  }
}

/** A new request for `filters`. The rows shown stay until its answer is in, so a search never flashes empty. */
function ask(state: GroupListState, filters: ListFilters): GroupListState {
  return { ...state, request: { filters }, phase: state.phase === 'ready' ? 'ready' : 'loading' };
}

function firstPage(state: GroupListState, page: GroupPage): GroupListState {
  const rows = page.groups;
  return {
    ...state,
    rows,
    total: page.total,
    cursor: page.nextCursor,
    loaded: state.request.filters,
    phase: 'ready',
    error: null,
    selected: rows.length === 0 ? -1 : Math.min(Math.max(state.selected, 0), rows.length - 1),
  };
}

function nextPage(state: GroupListState, page: GroupPage): GroupListState {
  return { ...state, rows: appendPage(state.rows, page.groups), cursor: page.nextCursor, total: page.total, loadingMore: false };
}

/**
 * A changed group moves to its place (or in or out of the filter) without a reload. Rows move under the
 * keyboard selection (a new group on top, one leaving the filter): it stays on the same group, or where it was
 * when that group left, so M, R and Enter act on what the user chose.
 */
function updated(state: GroupListState, update: GroupUpdate, sources: readonly NamedSource[], pushed: boolean): GroupListState {
  const selectedId = state.rows[state.selected]?.id;
  const { rows, totalDelta } = upsertGroup(state.rows, update, state.request.filters, sources);
  let selected = state.selected;
  if (selectedId !== undefined) {
    const at = rows.findIndex((r) => r.id === selectedId);
    selected = at >= 0 ? at : Math.min(state.selected, rows.length - 1);
  }
  const liveOpen = pushed && update.row.id === state.openId ? update.row : state.liveOpen;
  return { ...state, rows, total: Math.max(0, state.total + totalDelta), selected, liveOpen };
}

/** A deleted group leaves the list (and the detail, when it was open) where it is. */
function removed(state: GroupListState, groupId: string): GroupListState {
  const { rows, totalDelta } = removeGroup(state.rows, groupId);
  return {
    ...state,
    rows,
    total: Math.max(0, state.total + totalDelta),
    selected: Math.min(state.selected, rows.length - 1),
    openId: state.openId === groupId ? null : state.openId,
  };
}

/** The filters the rows shown answer (before the first answer, the ones asked). */
export function shownFilters(state: GroupListState): ListFilters {
  return state.loaded ?? state.request.filters;
}

/** True when the rows shown are narrowed by a filter or a search (for the count and the empty state's words). */
export function shownFiltered(state: GroupListState): boolean {
  return isFiltered(shownFilters(state));
}

/**
 * True while the rows shown do not answer what the user asked: a search typed (`searchText`, not settled yet) or
 * a query still running. The count is then not said, so it is never stale.
 */
export function isSearching(state: GroupListState, searchText: string): boolean {
  const asked = state.request.filters;
  return state.phase === 'ready' && (!sameFilters(shownFilters(state), asked) || searchText.trim() !== asked.text.trim());
}

/** The row of the keyboard selection, if any. */
export function selectedRow(state: GroupListState): GroupRow | undefined {
  return state.selected >= 0 ? state.rows[state.selected] : undefined;
}
