/**
 * A group's state as chips, for its row and its detail: Test, Muted, Resolved (by), Ignored, Snoozed until a
 * local time (or an occurrence count), "ana is on it" (a claim, until when), Assigned to. Pure, so the words and
 * when a snooze or a claim has lapsed are tested without a DOM.
 */
import type { Group } from '../../../shared/events';
import { untilWords } from '../../../shared/until-words';
import { localClock } from './format';

/** What the chips read of a group (a row has fewer of these; the detail has them all). */
export type ChipSource = Pick<Group, 'muted' | 'resolved'> &
  Partial<
    Pick<Group, 'test' | 'mutedBy' | 'resolvedBy' | 'ignored' | 'snoozedUntil' | 'snoozeCount' | 'claimedBy' | 'claimedUntil' | 'assignee'>
  >;

/** One chip: its words, and the look of its kind. */
export interface Chip {
  kind: 'test' | 'muted' | 'resolved' | 'ignored' | 'snoozed' | 'claimed' | 'assigned';
  text: string;
}

/** A time still ahead of `now`, as epoch ms, or null (absent, unreadable or past). */
function ahead(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) && t > now ? t : null;
}

/** "until 17:30", "until tomorrow 08:00": when something ends, in the reader's own clock. */
function until(ms: number, now: number): string {
  return `until ${untilWords(ms, now, localClock)}`;
}

/**
 * The group's chips at `now`, in order. `full` (the detail) names who resolved or muted it, until when it is
 * snoozed or claimed, and who it is assigned to; a row shows the state alone.
 */
export function groupChips(g: ChipSource, now: number, full = false): Chip[] {
  const chips: Chip[] = [];
  if (g.test === true) chips.push({ kind: 'test', text: 'Test' });
  if (g.muted) chips.push({ kind: 'muted', text: full && g.mutedBy ? `Muted by ${g.mutedBy}` : 'Muted' });
  if (g.resolved) chips.push({ kind: 'resolved', text: full && g.resolvedBy ? `Resolved by ${g.resolvedBy}` : 'Resolved' });
  if (g.ignored === true) chips.push({ kind: 'ignored', text: 'Ignored' });
  const snoozed = ahead(g.snoozedUntil, now);
  // A row is narrow: its chips say the state, the detail says until when.
  if (snoozed !== null) chips.push({ kind: 'snoozed', text: full ? `Snoozed ${until(snoozed, now)}` : 'Snoozed' });
  else if (typeof g.snoozeCount === 'number') {
    chips.push({ kind: 'snoozed', text: full ? `Snoozed until ${g.snoozeCount.toLocaleString('en-US')} occurrences` : 'Snoozed' });
  }
  if (g.claimedBy) {
    const end = g.claimedUntil ? Date.parse(g.claimedUntil) : Number.NaN;
    if (!Number.isFinite(end)) chips.push({ kind: 'claimed', text: `${g.claimedBy} is on it` });
    else if (end > now)
      chips.push({ kind: 'claimed', text: full ? `${g.claimedBy} is on it ${until(end, now)}` : `${g.claimedBy} is on it` });
  }
  if (full && g.assignee) chips.push({ kind: 'assigned', text: `Assigned to ${g.assignee}` });
  return chips;
}
