/**
 * The errors list in the window, as a hook over `group-list-state.ts`: it loads pages from main as the filters
 * and the search change, follows main's pushes, and offers the commands the view binds to keys and buttons.
 * The rules themselves (where a changed row goes, what the selection does) are the reducer's, tested without
 * React; this module only talks to main.
 */
import { type Dispatch, type RefObject, useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { GroupRow, GroupSummary } from '../../../shared/events';
import { groupUpdate, type NamedSource } from '../../../shared/group-filter';
import { errorMessage, listGroups, markGroup, onGroupRemoved, onGroupsReset, onGroupUpdated, runAction } from '../api';
import {
  EMPTY_FILTERS,
  type ListAction,
  type ListFilters,
  type ListMark,
  markNote,
  moveSelection,
  resolveNote,
  resolveOf,
  toQuery,
} from './group-list';
import {
  type GroupListEvent,
  type GroupListState,
  groupListReducer,
  INITIAL_GROUP_LIST,
  isSearching,
  type ListRequest,
  selectedRow,
  shownFiltered,
} from './group-list-state';

/** Rows per page asked of main. */
export const PAGE_SIZE = 500;
/** How long typing pauses before the search is sent: one request per pause, not per keystroke. */
export const SEARCH_PAUSE_MS = 150;

/** The mark each mark key toggles (R is an action: see `resolve`). */
const KEY_MARKS = { mute: 'muted', read: 'read' } as const satisfies Record<string, ListMark>;

/** The errors list: its state, and what the view can ask of it. */
export interface GroupList extends GroupListState {
  /** The search box's text as typed (it reaches `filters` once typing pauses). */
  searchText: string;
  setSearchText: (text: string) => void;
  /** The filters asked for now (the rows may still answer earlier ones: see `searching`). */
  filters: ListFilters;
  setFilters: (filters: ListFilters) => void;
  /** Empties the search box and every filter. */
  clearFilters: () => void;
  /** The rows shown are narrowed by a filter or a search. */
  filtered: boolean;
  /** A search typed or a query still running: the rows and count shown are not its answer yet. */
  searching: boolean;
  /** Loads the list again with the same filters (after a failed load). */
  reload: () => void;
  /** Loads the next page, unless every match is loaded or a page is already coming. */
  loadMore: () => void;
  /** Does what a list key asks; answers the new selection after a move (for the view to scroll to), else null. */
  act: (action: NonNullable<ListAction>) => number | null;
  /** The keyboard comes into the list from the search box. */
  enter: () => void;
  /** Opens a group in the detail pane and selects its row when it is loaded. */
  open: (groupId: string) => void;
  close: () => void;
  /** Toggles a mark on a group through main, and says what it came to. */
  toggleMark: (row: GroupRow, mark: ListMark) => void;
  /**
   * Resolves a group (or reopens one resolved or ignored) through main's `runAction`: in its provider too when
   * its source says so, else here; says what it came to in the provider's words.
   */
  resolve: (row: GroupRow) => void;
  /** Places a group changed elsewhere in the window (the detail pane's marks) without waiting for main's push. */
  changed: (group: GroupSummary) => void;
  /** Shows a note under the toolbar (an action's outcome). */
  say: (note: string) => void;
}

/**
 * The errors list's state and commands. `sources` are the configured sources: a search matches their names,
 * so a live update is placed by the same rule main lists with.
 */
export function useGroupList(sources: readonly NamedSource[]): GroupList {
  const [state, dispatch] = useReducer(groupListReducer, INITIAL_GROUP_LIST);
  const sourcesRef = useRef(sources);
  sourcesRef.current = sources;
  const [searchText, setSearchText] = useState('');
  useSettledSearch(searchText, dispatch);
  useFirstPage(state.request, dispatch);
  useLivePushes(dispatch, sourcesRef);
  const commands = useCommands(dispatch, sourcesRef, setSearchText);
  const loadMore = useLoadMore(state, dispatch);

  const act = (action: NonNullable<ListAction>): number | null => {
    const current = selectedRow(state);
    switch (action) {
      case 'up':
      case 'down':
      case 'home':
      case 'end': {
        const next = moveSelection(state.selected, action, state.rows.length);
        dispatch({ type: 'selected', index: next });
        return next;
      }
      case 'open':
        if (current) commands.open(current.id);
        return null;
      case 'resolve':
        if (current) commands.resolve(current);
        return null;
      default:
        if (current) commands.toggleMark(current, KEY_MARKS[action]);
        return null;
    }
  };

  return {
    ...state,
    ...commands,
    searchText,
    filters: state.request.filters,
    filtered: shownFiltered(state),
    searching: isSearching(state, searchText),
    loadMore,
    act,
  };
}

/** Sends the search once typing pauses, not on every keystroke. */
function useSettledSearch(text: string, dispatch: Dispatch<GroupListEvent>): void {
  useEffect(() => {
    const t = setTimeout(() => dispatch({ type: 'searched', text }), SEARCH_PAUSE_MS);
    return () => clearTimeout(t);
  }, [text, dispatch]);
}

/** Asks main for the first page of each new request. */
function useFirstPage(request: ListRequest, dispatch: Dispatch<GroupListEvent>): void {
  useEffect(() => {
    listGroups(toQuery(request.filters, PAGE_SIZE)).then(
      (page) => dispatch({ type: 'loaded', request, page }),
      (err) => dispatch({ type: 'loadFailed', request, error: errorMessage(err) }),
    );
  }, [request, dispatch]);
}

/** Follows main's pushes: a changed group, a deleted one, and the whole history reset. */
function useLivePushes(dispatch: Dispatch<GroupListEvent>, sourcesRef: RefObject<readonly NamedSource[]>): void {
  useEffect(() => {
    const offUpdated = onGroupUpdated((update) => dispatch({ type: 'updated', update, sources: sourcesRef.current, pushed: true }));
    const offRemoved = onGroupRemoved(({ groupId }) => dispatch({ type: 'removed', groupId }));
    const offReset = onGroupsReset(({ change }) => dispatch({ type: 'reset', change }));
    return () => {
      offUpdated();
      offRemoved();
      offReset();
    };
  }, [dispatch, sourcesRef]);
}

/** Loads the next page; an answer to an earlier request is dropped by the reducer. */
function useLoadMore(state: GroupListState, dispatch: Dispatch<GroupListEvent>): () => void {
  const { cursor, loadingMore, request } = state;
  return useCallback(() => {
    if (!cursor || loadingMore) return;
    dispatch({ type: 'moreAsked' });
    listGroups(toQuery(request.filters, PAGE_SIZE, cursor)).then(
      (page) => dispatch({ type: 'moreLoaded', request, page }),
      (err) => dispatch({ type: 'moreFailed', error: errorMessage(err) }),
    );
  }, [cursor, loadingMore, request, dispatch]);
}

/** The commands that need no render's state: stable for the life of the list. */
function useCommands(
  dispatch: Dispatch<GroupListEvent>,
  sourcesRef: RefObject<readonly NamedSource[]>,
  setSearchText: (text: string) => void,
): Pick<
  GroupList,
  'setSearchText' | 'setFilters' | 'clearFilters' | 'reload' | 'enter' | 'open' | 'close' | 'toggleMark' | 'resolve' | 'changed' | 'say'
> {
  const [commands] = useState(() => {
    const changed = (group: GroupSummary) =>
      dispatch({ type: 'updated', update: groupUpdate(group), sources: sourcesRef.current, pushed: false });
    const say = (note: string) => dispatch({ type: 'noted', note });
    return {
      setSearchText,
      setFilters: (filters: ListFilters) => dispatch({ type: 'filtered', filters }),
      clearFilters: () => {
        setSearchText('');
        dispatch({ type: 'filtered', filters: EMPTY_FILTERS });
      },
      reload: () => dispatch({ type: 'reloadAsked' }),
      enter: () => dispatch({ type: 'entered' }),
      open: (groupId: string) => dispatch({ type: 'opened', groupId }),
      close: () => dispatch({ type: 'closed' }),
      changed,
      say,
      toggleMark: (row: GroupRow, mark: ListMark) => {
        const value = !row[mark];
        markGroup(row.id, { [mark]: value }).then(
          (group) => {
            if (group) changed(group);
            say(markNote(mark, value, row.title));
          },
          (err) => say(errorMessage(err)),
        );
      },
      resolve: (row: GroupRow) => {
        const action = resolveOf(row);
        say(resolveNote(action, null, row.title));
        runAction(row.id, action).then(
          (result) => say(resolveNote(action, result, row.title)),
          (err) => say(errorMessage(err)),
        );
      },
    };
  });
  return commands;
}
