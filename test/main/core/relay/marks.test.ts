import { describe, expect, it } from 'vitest';
import { parseTeamMark, teamMarkAction, type TeamMark } from '../../../../main/core/relay/marks';
import { awaySummary } from '../../../../main/core/relay/away';

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
  it('counts new errors, places and regressions in one notification that opens the list', () => {
    expect(
      awaySummary({
        held: 15,
        places: ['web', 'api', 'game'],
        regressions: 1,
        titles: ['TypeError in checkout', 'KeyError in cart'],
        regressionTitles: ['Regressed in web: crash in login'],
        groups: ['g1', 'g2'],
      }),
    ).toEqual({
      title: 'While you were away: 14 new errors in 3 projects; 1 regression: Regressed in web: crash in login',
      body: 'TypeError in checkout\nKeyError in cart',
      url: null,
      group: null,
      digest: true,
      groups: ['g1', 'g2'],
    });
  });

  it('names the one error when there is only one, and regressions alone', () => {
    expect(
      awaySummary({ held: 1, places: ['web'], regressions: 0, titles: ['New error in web: boom'], regressionTitles: [], groups: ['g'] })
        .title,
    ).toBe('While you were away: New error in web: boom');
    expect(
      awaySummary({
        held: 2,
        places: ['web'],
        regressions: 2,
        titles: [],
        regressionTitles: ['Regressed in web: a', 'Regressed in web: b'],
        groups: [],
      }).title,
    ).toBe('While you were away: 2 regressions in web: Regressed in web: a');
  });
});
