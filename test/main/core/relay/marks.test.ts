import { describe, expect, it } from 'vitest';
import { parseTeamMark, teamMarkAction, type TeamMark } from '../../../../main/core/relay/marks';
import { awaySummary } from '../../../../main/core/relay/away';
import { type AwayTally, emptyAway } from '../../../../main/core/relay/cursor';

const mark = (over: Partial<TeamMark> = {}): TeamMark => ({
  resolved: true,
  by: 'ana',
  at: '2026-01-02T00:00:00.000Z',
  origin: 'x',
  ...over,
});
const local = (over: Record<string, unknown> = {}) => ({
  resolved: false,
  muted: false,
  lastReceivedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('team marks by event time', () => {
  it('a resolve made after the group’s latest hook applies; one older than it is stale (the error came back)', () => {
    expect(teamMarkAction(local(), mark())).toEqual({ resolved: true });
    expect(teamMarkAction(local({ lastReceivedAt: '2026-01-03T00:00:00.000Z' }), mark())).toBeNull();
  });

  it('nothing to do for a group not here yet, or one already marked so by the same member', () => {
    expect(teamMarkAction(null, mark())).toBeNull();
    expect(teamMarkAction(local({ resolved: true, resolvedBy: 'ana' }), mark())).toBeNull();
    // Resolved here already, but by someone else: it now shows who resolved it for the team.
    expect(teamMarkAction(local({ resolved: true }), mark())).toEqual({ resolved: true });
  });

  it('mute and reopen are not a matter of time', () => {
    expect(teamMarkAction(local({ lastReceivedAt: '2026-02-01T00:00:00.000Z' }), mark({ resolved: undefined, muted: true }))).toEqual({
      muted: true,
    });
    expect(teamMarkAction(local({ resolved: true }), mark({ resolved: false }))).toEqual({ resolved: false });
  });

  it('reads only well-formed bucket values', () => {
    const ok = new TextEncoder().encode(JSON.stringify({ v: 1, resolved: true, by: 'ana', at: '2026-01-02T00:00:00.000Z', origin: 'o' }));
    expect(parseTeamMark(ok)).toEqual({ resolved: true, by: 'ana', at: '2026-01-02T00:00:00.000Z', origin: 'o' });
    expect(parseTeamMark(new TextEncoder().encode('{"by": 3}'))).toBeNull();
    expect(parseTeamMark(new TextEncoder().encode('nope'))).toBeNull();
    expect(parseTeamMark(new TextEncoder().encode(JSON.stringify({ by: 'a', at: 'not a date', origin: 'o' })))).toBeNull();
  });
});

describe('the "while you were away" summary', () => {
  const tally = (over: Partial<AwayTally>): AwayTally => ({ ...emptyAway(), ...over });

  it('counts new errors, places and regressions in one notification that opens the list', () => {
    expect(
      awaySummary(
        tally({
          held: 15,
          places: ['web', 'api', 'game'],
          regressions: 1,
          titles: ['TypeError in checkout', 'KeyError in cart'],
          titleCounts: [3, 1],
          regressionTitles: ['Regressed in web: crash in login'],
          regressionCounts: [1],
          groups: ['g1', 'g2'],
        }),
      ),
    ).toEqual({
      title: 'While you were away: 14 new errors in 3 projects; 1 regression: Regressed in web: crash in login',
      // A few titles, regressions first, with their counts, and how many more: as the storm digests say it.
      body: 'Regressed in web: crash in login, TypeError in checkout ×3, KeyError in cart, and 10 more.',
      url: null,
      group: null,
      digest: true,
      groups: ['g1', 'g2'],
    });
  });

  it('says "and N more" only when there are more, and nothing when no title was kept', () => {
    const two = awaySummary(tally({ held: 2, places: ['web'], titles: ['a', 'b'], titleCounts: [1, 1] }));
    expect(two.body).toBe('a, b.');
    const many = awaySummary(tally({ held: 40, places: ['web'], titles: ['a', 'b', 'c'], titleCounts: [1, 1, 1] }));
    expect(many.title).toBe('While you were away: 40 new errors in web');
    expect(many.body).toBe('a, b, c, and 37 more.');
    expect(awaySummary(tally({ held: 5, places: ['web'] })).body).toBe('');
  });

  it('names the one error when there is only one, and regressions alone', () => {
    expect(
      awaySummary(tally({ held: 1, places: ['web'], titles: ['New error in web: boom'], titleCounts: [1], groups: ['g'] })).title,
    ).toBe('While you were away: New error in web: boom');
    expect(
      awaySummary(
        tally({
          held: 2,
          places: ['web'],
          regressions: 2,
          regressionTitles: ['Regressed in web: a', 'Regressed in web: b'],
          regressionCounts: [1, 1],
        }),
      ).title,
    ).toBe('While you were away: 2 regressions in web: Regressed in web: a');
  });
});
