import { describe, expect, it } from 'vitest';
import { groupRow } from '../../../../shared/events';
import {
  decisionReason,
  type GroupDetailEvent,
  type GroupDetailState,
  groupDetailReducer,
  INITIAL_GROUP_DETAIL,
  liveStep,
} from '../../../../renderer/src/lib/group-detail';
import { makeGroupDetail } from '../../../helpers/fake-api';

function run(state: GroupDetailState, ...events: GroupDetailEvent[]): GroupDetailState {
  return events.reduce(groupDetailReducer, state);
}

const G1 = makeGroupDetail({ id: 'g1', latestRaw: { fingerprint: 'fp1' } });
const shown = (): GroupDetailState => run(INITIAL_GROUP_DETAIL, { type: 'loaded', group: G1 });

describe('groupDetailReducer', () => {
  it('shows a loaded group, or says it is gone', () => {
    expect(shown()).toMatchObject({ phase: 'ready', group: G1 });
    expect(run(INITIAL_GROUP_DETAIL, { type: 'loaded', group: null })).toMatchObject({ phase: 'missing', group: null });
  });

  it('keeps the previous group while the next loads, without what was said about it', () => {
    const said = run(shown(), { type: 'noted', notice: 'Link copied' }, { type: 'deleteAsked' });
    const asking = run(said, { type: 'asked' });
    expect(asking).toMatchObject({ phase: 'loading', group: G1, notice: null, confirmingDelete: false });
  });

  it('says why a load failed', () => {
    expect(run(INITIAL_GROUP_DETAIL, { type: 'failed', error: 'disk on fire' })).toMatchObject({ phase: 'error', error: 'disk on fire' });
  });

  it('merges a mark’s answer, keeping the stored body and the checked link the summary does not carry', () => {
    const { latestRaw: _raw, link: _link, ...summary } = makeGroupDetail({ id: 'g1', muted: true });
    const s = run(shown(), { type: 'marked', group: summary });
    expect(s.group).toMatchObject({ muted: true, latestRaw: { fingerprint: 'fp1' }, link: G1.link });
    // An answer for a group no longer shown changes nothing.
    expect(run(shown(), { type: 'marked', group: { ...summary, id: 'g2' } }).group).toBe(G1);
  });

  it('takes a pushed row’s marks, and a refetched group, only for the group shown', () => {
    const row = groupRow({ ...G1, muted: true, read: true });
    expect(run(shown(), { type: 'followed', row }).group).toMatchObject({ muted: true, read: true, latestRaw: G1.latestRaw });
    expect(run(shown(), { type: 'followed', row: { ...row, id: 'g2' } }).group).toBe(G1);
    const again = makeGroupDetail({ id: 'g1', resolvedBy: 'ana', resolved: true });
    expect(run(shown(), { type: 'refreshed', group: again }).group).toBe(again);
    expect(run(shown(), { type: 'refreshed', group: { ...again, id: 'g2' } }).group).toBe(G1);
  });

  it('opens and closes the Delete confirmation', () => {
    expect(run(shown(), { type: 'deleteAsked' }).confirmingDelete).toBe(true);
    expect(run(shown(), { type: 'deleteAsked' }, { type: 'deleteKept' }).confirmingDelete).toBe(false);
  });
});

describe('liveStep', () => {
  const row = groupRow(G1);

  it('asks nothing without a row, for another group, or when nothing changed', () => {
    expect(liveStep(G1, null)).toEqual({ marks: false, refetch: false });
    expect(liveStep(null, row)).toEqual({ marks: false, refetch: false });
    expect(liveStep(G1, { ...row, id: 'g2', muted: true })).toEqual({ marks: false, refetch: false });
    expect(liveStep(G1, row)).toEqual({ marks: false, refetch: false });
  });

  it('refetches on a newer hook, so the callstack and body follow', () => {
    expect(liveStep(G1, { ...row, lastReceivedAt: '2026-02-01T00:00:00.000Z', muted: true })).toEqual({ marks: false, refetch: true });
  });

  it('shows a new read mark at once, and refetches for a muted or resolved one (a team mark says who)', () => {
    expect(liveStep(G1, { ...row, read: !G1.read })).toEqual({ marks: true, refetch: false });
    expect(liveStep(G1, { ...row, muted: true })).toEqual({ marks: true, refetch: true });
    expect(liveStep(G1, { ...row, resolved: true })).toEqual({ marks: true, refetch: true });
  });

  it('shows an action’s state at once (ignored, snoozed, claimed), and refetches for who and the action behind it', () => {
    const later = '2026-05-01T00:00:00.000Z';
    for (const change of [{ ignored: true }, { snoozedUntil: later }, { claimedBy: 'ana', claimedUntil: later }]) {
      const moved = { ...row, ...change };
      expect(liveStep(G1, moved)).toEqual({ marks: true, refetch: true });
      const next = groupDetailReducer({ ...INITIAL_GROUP_DETAIL, group: G1, phase: 'ready' }, { type: 'followed', row: moved });
      expect(next.group).toMatchObject(change);
      // Nothing else moved: the same row asks nothing more.
      expect(liveStep(next.group, moved)).toEqual({ marks: false, refetch: false });
    }
  });
});

describe('decisionReason', () => {
  it('says a Do Not Disturb end in the reader’s clock, from when it was decided, never as ISO', () => {
    const at = new Date(2026, 10, 24, 8, 0).toISOString();
    const until = new Date(2026, 10, 24, 9, 7).toISOString();
    const words = decisionReason({ notify: false, code: 'dnd', reason: 'Do Not Disturb until 09:07', until, at });
    expect(words).toMatch(/^Do Not Disturb until \S*9.07/);
    expect(words).not.toContain('T');
    expect(decisionReason({ notify: true, code: 'new-group', reason: 'New group', at })).toBe('New group');
  });
});
