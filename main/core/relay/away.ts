/**
 * The "while you were away" summary: what a catch-up held back, in one notification.
 */
import type { NotificationRequest } from '../../../shared/events';
import type { AwayTally } from './cursor';

/** A backlog above this many events is a catch-up: its notifications become one summary. */
export const CATCH_UP_THRESHOLD = 3;

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
    body: t.titles.join('\n'),
    url: null,
    group: null,
    digest: true,
    groups: t.groups,
  };
}
