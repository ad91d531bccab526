/**
 * What became of a group between two of its states: resolved, reopened, ignored, snoozed, muted, claimed... The
 * core reports each change as a `GroupStateChange`, whatever made it (an action, the provider's own state hook, a
 * teammate), so a notification still on screen can be withdrawn and scripts can clear a pager.
 */
import type { GroupStatus, GroupSummary } from '../../shared/events';

/** The state of a group as the statuses see it. */
type StateOf = Pick<GroupSummary, 'resolved' | 'muted' | 'ignored' | 'snoozedUntil' | 'snoozeCount' | 'claimedBy' | 'assignee'>;

function snoozed(g: StateOf | null): boolean {
  return g !== null && ((g.snoozedUntil ?? null) !== null || (g.snoozeCount ?? null) !== null);
}

/** The statuses a group went through from `before` (null: it did not exist) to `after`, in a fixed order. */
export function statusChanges(before: StateOf | null, after: StateOf): GroupStatus[] {
  const out: GroupStatus[] = [];
  const was = (k: 'resolved' | 'muted' | 'ignored') => before !== null && before[k] === true;
  const is = (k: 'resolved' | 'muted' | 'ignored') => after[k] === true;
  if (!was('resolved') && is('resolved')) out.push('resolved');
  if (!was('ignored') && is('ignored')) out.push('ignored');
  if (((was('resolved') && !is('resolved')) || (was('ignored') && !is('ignored'))) && !out.includes('resolved')) out.push('reopened');
  if (!snoozed(before) && snoozed(after)) out.push('snoozed');
  if (snoozed(before) && !snoozed(after)) out.push('unsnoozed');
  if (!was('muted') && is('muted')) out.push('muted');
  if (was('muted') && !is('muted')) out.push('unmuted');
  const claimBefore = before?.claimedBy ?? null;
  const claimAfter = after.claimedBy ?? null;
  if (claimAfter !== null && claimAfter !== claimBefore) out.push('claimed');
  if (claimAfter === null && claimBefore !== null) out.push('released');
  if ((after.assignee ?? null) !== null && (after.assignee ?? null) !== (before?.assignee ?? null)) out.push('assigned');
  return out;
}

/** The statuses after which a notification still on screen about the group has nothing left to ask. */
export const SETTLING_STATUSES: ReadonlySet<GroupStatus> = new Set(['resolved', 'ignored', 'snoozed', 'muted', 'claimed']);

/**
 * Whether setting `marks` on a group settles it (resolved, ignored, snoozed, muted or claimed, by any route):
 * the group then needs nobody's attention, so it stops counting as unread.
 */
export function marksSettle(before: StateOf, marks: Partial<StateOf>): boolean {
  return statusChanges(before, { ...before, ...marks }).some((s) => SETTLING_STATUSES.has(s));
}
