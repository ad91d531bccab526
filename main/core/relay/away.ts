/**
 * The "while you were away" summary: what a catch-up held back, in one notification.
 */
import type { NotificationRequest } from '../../../shared/events';
import type { AwayTally } from './cursor';

/** A backlog above this many events is a catch-up: its notifications become one summary. */
export const CATCH_UP_THRESHOLD = 3;

/** How many titles the summary's body names before "and N more", as the storm digests do. */
const SHOWN_TITLES = 3;

/**
 * The body: the first few distinct titles, regressions first, each with its count when it repeats, and how many
 * more ("TypeError in checkout ×3, KeyError in cart, and 10 more."), as the storm digests word it (inbox/storm.ts).
 */
function awayBody(t: AwayTally): string {
  const titled: Array<[string, number]> = [
    ...t.regressionTitles.map((title, i): [string, number] => [title, t.regressionCounts[i] ?? 1]),
    ...t.titles.map((title, i): [string, number] => [title, t.titleCounts[i] ?? 1]),
  ];
  const shown = titled.slice(0, SHOWN_TITLES);
  if (shown.length === 0) return '';
  const rest = t.held - shown.reduce((n, [, c]) => n + c, 0);
  return `${shown.map(([title, c]) => (c > 1 ? `${title} ×${c}` : title)).join(', ')}${rest > 0 ? `, and ${rest} more` : ''}.`;
}

/** The "while you were away" notification for what a catch-up held back. */
export function awaySummary(t: AwayTally): NotificationRequest {
  const fresh = t.held - t.regressions;
  const parts: string[] = [];
  // Places are sources (one per provider project), as the policy's digests count them: named when only one.
  const places = t.places.length === 1 ? (t.places[0] as string) : `${t.places.length} projects`;
  if (t.held === 1) {
    const only = t.regressionTitles[0] ?? t.titles[0] ?? 'a new error';
    return { title: `While you were away: ${only}`, body: '', url: null, group: null, digest: true, groups: t.groups };
  }
  const first = t.regressionTitles[0];
  const regressions = `${t.regressions} regression${t.regressions === 1 ? '' : 's'}`;
  if (fresh > 0) {
    parts.push(`${fresh} new error${fresh === 1 ? '' : 's'} in ${places}`);
    if (t.regressions > 0) parts.push(`${regressions}${first ? `: ${first}` : ''}`);
  } else {
    parts.push(`${regressions} in ${places}${first ? `: ${first}` : ''}`);
  }
  return {
    title: `While you were away: ${parts.join('; ')}`,
    body: awayBody(t),
    url: null,
    group: null,
    digest: true,
    groups: t.groups,
  };
}
