/**
 * The detail pane's state as one value and the events that move it, what a pushed row asks of it, and the
 * words for a policy decision. Pure, so the rules (a mark's answer keeps the stored body, a pushed row's marks
 * show at once, a newer hook or a team mark refetches) are tested without React; `use-group-detail.ts` talks to
 * main.
 */
import type { Decision, GroupRow, GroupSummary } from '../../../shared/events';
import type { GroupDetail } from '../../../shared/ipc';
import { untilWords } from '../../../shared/until-words';
import { localClock } from './format';

/** Where the group shown stands: asked, shown, gone from the history, or failed to load. */
export type DetailPhase = 'loading' | 'ready' | 'missing' | 'error';

/** Everything the detail pane shows that changes: one value, moved only by {@link groupDetailReducer}. */
export interface GroupDetailState {
  /** The group shown; when another is asked for, this one stays until it arrives. */
  group: GroupDetail | null;
  phase: DetailPhase;
  /** Why the group could not be loaded, while `phase` is 'error'. */
  error: string | null;
  /** What the last action came to ("Link copied", or why it failed). */
  notice: string | null;
  /** The Delete confirmation is showing. */
  confirmingDelete: boolean;
}

/** What can happen to the detail pane. The hook passes on only answers for the group still asked for. */
export type GroupDetailEvent =
  /** A group was asked for (opened, or loaded again): what was said about the previous one goes. */
  | { type: 'asked' }
  | { type: 'loaded'; group: GroupDetail | null }
  | { type: 'failed'; error: string }
  /** The same group fetched again after a push (a newer hook, a teammate's mark). */
  | { type: 'refreshed'; group: GroupDetail }
  /** Main's answer to a mark this pane set. */
  | { type: 'marked'; group: GroupSummary }
  /** Main pushed the group's row with other marks. */
  | { type: 'followed'; row: GroupRow }
  | { type: 'noted'; notice: string }
  | { type: 'deleteAsked' }
  | { type: 'deleteKept' };

/** The pane before its group arrived. */
export const INITIAL_GROUP_DETAIL: GroupDetailState = { group: null, phase: 'loading', error: null, notice: null, confirmingDelete: false };

/** Moves the detail pane's state by one event. Pure: React may call it twice. */
export function groupDetailReducer(state: GroupDetailState, event: GroupDetailEvent): GroupDetailState {
  switch (event.type) {
    case 'asked':
      return { ...state, phase: 'loading', notice: null, confirmingDelete: false };
    case 'loaded':
      return { ...state, group: event.group, phase: event.group ? 'ready' : 'missing' };
    case 'failed':
      return { ...state, phase: 'error', error: event.error };
    case 'refreshed':
      return state.group?.id === event.group.id ? { ...state, group: event.group } : state;
    case 'marked':
      // A summary carries no stored body nor checked link: the ones shown stay.
      return state.group?.id === event.group.id ? { ...state, group: { ...state.group, ...event.group } } : state;
    case 'followed':
      return state.group?.id === event.row.id ? { ...state, group: { ...state.group, ...rowMarks(event.row) } } : state;
    case 'noted':
      return { ...state, notice: event.notice };
    case 'deleteAsked':
      return { ...state, confirmingDelete: true };
    case 'deleteKept':
      return { ...state, confirmingDelete: false };
  }
}

/** The marks a row carries, as the detail shows them. */
function rowMarks(row: GroupRow): Partial<GroupDetail> {
  return {
    muted: row.muted,
    resolved: row.resolved,
    read: row.read,
    ignored: row.ignored === true,
    snoozedUntil: row.snoozedUntil ?? null,
    claimedBy: row.claimedBy ?? null,
    claimedUntil: row.claimedUntil ?? null,
  };
}

/** Whether the row's state (beyond read) differs from the group's: a change someone made, maybe elsewhere. */
function stateMoved(group: GroupDetail, row: GroupRow): boolean {
  return (
    row.muted !== group.muted ||
    row.resolved !== group.resolved ||
    (row.ignored === true) !== (group.ignored === true) ||
    (row.snoozedUntil ?? null) !== (group.snoozedUntil ?? null) ||
    (row.claimedBy ?? null) !== (group.claimedBy ?? null) ||
    (row.claimedUntil ?? null) !== (group.claimedUntil ?? null)
  );
}

/** What a pushed row asks of the detail: show its marks at once, fetch the group again, or both. */
export interface LiveStep {
  marks: boolean;
  refetch: boolean;
}

/**
 * What the row main pushed for the group shown asks of the pane. A newer hook refetches, so the callstack,
 * attributes and raw body follow. New marks show at once; a new state (muted, resolved, ignored, snoozed,
 * claimed) refetches too, since the row does not carry who set it ("Resolved by ana") nor the action behind it.
 */
export function liveStep(group: GroupDetail | null, live: GroupRow | null): LiveStep {
  if (!live || !group || live.id !== group.id) return { marks: false, refetch: false };
  if (live.lastReceivedAt !== group.lastReceivedAt) return { marks: false, refetch: true };
  const moved = stateMoved(group, live);
  return { marks: moved || live.read !== group.read, refetch: moved };
}

/**
 * Why the policy decided as it did, in words. A Do Not Disturb that held it back says its end in the reader's
 * own clock format (the core's stored words use the engine's 24-hour clock).
 */
export function decisionReason(decision: Decision): string {
  if (decision.code === 'dnd' && decision.until) {
    const until = Date.parse(decision.until);
    const at = Date.parse(decision.at);
    if (Number.isFinite(until) && Number.isFinite(at)) return `Do Not Disturb until ${untilWords(until, at, localClock)}`;
  }
  return decision.reason;
}
