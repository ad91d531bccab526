/**
 * One group in the detail pane, as a hook over `group-detail.ts`: loads it (marking it read), follows the row
 * main pushes for it, and runs the actions on it, each saying what it came to. The rules are the reducer's,
 * tested without React; this module only talks to main.
 */
import { type Dispatch, type RefObject, useCallback, useEffect, useReducer, useRef } from 'react';
import type { GroupMarks, GroupRow, GroupSummary } from '../../../shared/events';
import type { GroupDetail } from '../../../shared/ipc';
import { copy, deleteGroup, errorMessage, getGroup, markGroup, onGroupState, openGroup } from '../api';
import { type GroupDetailEvent, type GroupDetailState, groupDetailReducer, INITIAL_GROUP_DETAIL, liveStep } from './group-detail';

/** What the pane tells its list. */
export interface GroupDetailCallbacks {
  /** Main answered a mark set here: the list places the group at once. */
  onChanged: (group: GroupSummary) => void;
  /** The group was deleted from here: the pane closes. */
  onGone: () => void;
}

/** The detail pane: its state, and the actions on the group shown. */
export interface GroupDetailModel extends GroupDetailState {
  /** Loads the group again (after a failed load). */
  reload: () => void;
  /** Sets marks through main; `done` is said once main took them. */
  mark: (marks: GroupMarks, done: string) => void;
  /** Opens the group's page at its provider, through main's link rule; `providerName` is for the words said. */
  openInProvider: (providerName: string) => void;
  /** Copies text to the clipboard through main; `done` is said once it is there. */
  copyText: (text: string, done: string) => void;
  /** Shows the Delete confirmation; nothing is deleted yet. */
  askToDelete: () => void;
  /** Closes the Delete confirmation, deleting nothing. */
  keep: () => void;
  /** Deletes the group from the history (the confirmed choice). */
  remove: () => void;
  /** Shows the group as fetched again (an action's progress or its end), when it is still the one shown. */
  refreshed: (group: GroupDetail) => void;
}

/**
 * The detail of `groupId`. `live` is the latest row main pushed for it: a newer hook refetches, new marks show at
 * once. When `groupId` changes the new group shows as soon as it arrives, the previous one staying until then.
 */
export function useGroupDetail(groupId: string, live: GroupRow | null, callbacks: GroupDetailCallbacks): GroupDetailModel {
  const [state, dispatch] = useReducer(groupDetailReducer, INITIAL_GROUP_DETAIL);
  const on = useRef(callbacks);
  on.current = callbacks;
  /** The group last asked for: an answer for an earlier one (the selection moved on) is dropped. */
  const asked = useRef(groupId);
  const reload = useLoad(groupId, asked, dispatch, on);
  useFollowLive(state.group, live, groupId, asked, dispatch);
  useFollowState(groupId, asked, dispatch);

  /** Runs a call to main and says what it came to: `words` of its answer, or why it failed. */
  const report = <T>(call: Promise<T>, words: (answer: T) => string | null) => {
    call.then(
      (answer) => {
        const notice = words(answer);
        if (notice !== null) dispatch({ type: 'noted', notice });
      },
      (err) => dispatch({ type: 'noted', notice: errorMessage(err) }),
    );
  };
  const id = state.group?.id ?? groupId;
  return {
    ...state,
    reload,
    mark: (marks, done) =>
      report(markGroup(id, marks), (group) => {
        if (group) {
          dispatch({ type: 'marked', group });
          on.current.onChanged(group);
        }
        return done;
      }),
    openInProvider: (providerName) =>
      report(openGroup(id), (r) => (r.opened ? `Opened in ${providerName}` : `Not opened: ${r.reason ?? 'refused'}`)),
    copyText: (text, done) => report(copy(text, {}), () => done),
    refreshed: (group) => {
      if (asked.current === group.id) dispatch({ type: 'refreshed', group });
    },
    askToDelete: () => dispatch({ type: 'deleteAsked' }),
    keep: () => dispatch({ type: 'deleteKept' }),
    remove: () => {
      dispatch({ type: 'deleteKept' });
      report(deleteGroup(id), (deleted) => {
        if (!deleted) return 'It was already gone from the history';
        on.current.onGone();
        return null;
      });
    },
  };
}

/** Loads the group whenever another is asked for, and marks it read when it opens unread. */
function useLoad(
  groupId: string,
  asked: RefObject<string>,
  dispatch: Dispatch<GroupDetailEvent>,
  on: RefObject<GroupDetailCallbacks>,
): () => void {
  const load = useCallback(() => {
    asked.current = groupId;
    dispatch({ type: 'asked' });
    getGroup(groupId).then(
      (group) => {
        if (asked.current !== groupId) return;
        dispatch({ type: 'loaded', group });
        if (group && !group.read) {
          markGroup(group.id, { read: true }).then(
            (s) => s && on.current.onChanged(s),
            () => undefined,
          );
        }
      },
      (err) => {
        if (asked.current === groupId) dispatch({ type: 'failed', error: errorMessage(err) });
      },
    );
  }, [groupId, asked, dispatch, on]);
  useEffect(load, [load]);
  return load;
}

/**
 * Fetches the group again when its state changed, whatever the route (the tray, a notification, the command
 * line, the provider's own hook, a teammate): the row does not carry all of it (who, an assignee, the action).
 */
function useFollowState(groupId: string, asked: RefObject<string>, dispatch: Dispatch<GroupDetailEvent>): void {
  useEffect(
    () =>
      onGroupState((change) => {
        if (change.group !== groupId) return;
        getGroup(groupId).then(
          (g) => g && asked.current === g.id && dispatch({ type: 'refreshed', group: g }),
          () => undefined,
        );
      }),
    [groupId, asked, dispatch],
  );
}

/** Follows the row main pushes for the group shown: its marks at once, and the group again when it asks. */
function useFollowLive(
  group: GroupDetailState['group'],
  live: GroupRow | null,
  groupId: string,
  asked: RefObject<string>,
  dispatch: Dispatch<GroupDetailEvent>,
): void {
  useEffect(() => {
    const step = liveStep(group, live);
    if (step.marks && live) dispatch({ type: 'followed', row: live });
    if (step.refetch) {
      getGroup(groupId).then(
        (g) => g && asked.current === g.id && dispatch({ type: 'refreshed', group: g }),
        () => undefined,
      );
    }
  }, [group, live, groupId, asked, dispatch]);
}
