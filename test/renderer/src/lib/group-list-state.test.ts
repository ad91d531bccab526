import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupRow, type GroupPage, type GroupRow, type GroupSummary, type GroupUpdate } from '../../../../shared/events';
import { groupUpdate } from '../../../../shared/group-filter';
import { EMPTY_FILTERS } from '../../../../renderer/src/lib/group-list';
import {
  type GroupListEvent,
  type GroupListState,
  groupListReducer,
  INITIAL_GROUP_LIST,
  isSearching,
  selectedRow,
  shownFiltered,
} from '../../../../renderer/src/lib/group-list-state';
import { makeGroup } from '../../../helpers/fake-api';

function summary(id: string, at: string, over: Partial<GroupSummary> = {}): GroupSummary {
  const { latestRaw: _raw, ...rest } = makeGroup({ id, title: `error ${id}`, lastReceivedAt: at, ...over });
  return rest;
}

function row(id: string, at: string, over: Partial<GroupSummary> = {}): GroupRow {
  return groupRow(summary(id, at, over));
}

function update(id: string, at: string, over: Partial<GroupSummary> = {}): GroupUpdate {
  return groupUpdate(summary(id, at, over));
}

function page(groups: GroupRow[], total = groups.length, nextCursor: string | null = null): GroupPage {
  return { groups, total, nextCursor };
}

/** Runs events through the reducer, from `state`. */
function run(state: GroupListState, ...events: GroupListEvent[]): GroupListState {
  return events.reduce(groupListReducer, state);
}

/** `state` with the answer to its own request in. */
function answered(state: GroupListState, groups: GroupRow[], total = groups.length, cursor: string | null = null): GroupListState {
  return groupListReducer(state, { type: 'loaded', request: state.request, page: page(groups, total, cursor) });
}

const A = row('a', '2026-01-01T00:00:03.000Z');
const B = row('b', '2026-01-01T00:00:02.000Z');
const C = row('c', '2026-01-01T00:00:01.000Z');
/** The list with A, B, C loaded, and B selected. */
const onB = (): GroupListState => ({ ...answered(INITIAL_GROUP_LIST, [A, B, C]), selected: 1 });

describe('the list’s first page', () => {
  it('starts loading everything, and takes the answer to its own request, selecting the top row', () => {
    expect(INITIAL_GROUP_LIST.phase).toBe('loading');
    expect(INITIAL_GROUP_LIST.request.filters).toEqual(EMPTY_FILTERS);
    const s = answered(INITIAL_GROUP_LIST, [A, B], 6000, 'c1');
    expect(s).toMatchObject({ phase: 'ready', rows: [A, B], total: 6000, cursor: 'c1', loaded: EMPTY_FILTERS, selected: 0 });
  });

  it('drops an answer to an earlier request, so a slow old query never replaces a newer one', () => {
    const ready = answered(INITIAL_GROUP_LIST, [A, B]);
    const asked = run(ready, { type: 'filtered', filters: { ...EMPTY_FILTERS, unread: true } });
    expect(run(asked, { type: 'loaded', request: ready.request, page: page([C]) })).toBe(asked);
    expect(run(asked, { type: 'loadFailed', request: ready.request, error: 'disk on fire' })).toBe(asked);
  });

  it('keeps the rows shown while a query runs and says it is searching, so there is no flash and no stale count', () => {
    const ready = answered(INITIAL_GROUP_LIST, [A, B], 6000);
    // Typed, not settled yet.
    expect(isSearching(ready, 'zz')).toBe(true);
    const asked = run(ready, { type: 'searched', text: 'zzz' });
    expect(asked).toMatchObject({ phase: 'ready', rows: [A, B], total: 6000, loaded: EMPTY_FILTERS });
    expect(isSearching(asked, 'zzz')).toBe(true);
    // The empty answer: "Nothing matches" speaks of the search it answers.
    const none = answered(asked, [], 0);
    expect(isSearching(none, 'zzz')).toBe(false);
    expect(shownFiltered(none)).toBe(true);
    expect(none.selected).toBe(-1);
    // Cleared: until the full list is back, what is shown still answers "zzz".
    const clearing = run(none, { type: 'searched', text: '' });
    expect(shownFiltered(clearing)).toBe(true);
    expect(isSearching(clearing, '')).toBe(true);
    expect(shownFiltered(answered(clearing, [A, B]))).toBe(false);
  });

  it('asks nothing when the settled search text is the one already asked', () => {
    const ready = answered(INITIAL_GROUP_LIST, [A]);
    expect(run(ready, { type: 'searched', text: '' })).toBe(ready);
  });

  it('says why a load failed, and Try again asks the same filters under a new request', () => {
    const failed = run(INITIAL_GROUP_LIST, { type: 'loadFailed', request: INITIAL_GROUP_LIST.request, error: 'disk on fire' });
    expect(failed).toMatchObject({ phase: 'error', error: 'disk on fire' });
    const retry = run(failed, { type: 'reloadAsked' });
    expect(retry.phase).toBe('loading');
    expect(retry.request).not.toBe(failed.request);
    expect(retry.request.filters).toEqual(failed.request.filters);
    expect(answered(retry, [A])).toMatchObject({ phase: 'ready', error: null });
  });

  it('keeps the selection within a new answer', () => {
    const s = { ...answered(INITIAL_GROUP_LIST, [A, B, C]), selected: 2 };
    expect(answered(run(s, { type: 'reloadAsked' }), [A, B]).selected).toBe(1);
    expect(answered(run(s, { type: 'reloadAsked' }), [A, B, C]).selected).toBe(2);
  });
});

describe('further pages', () => {
  it('appends a page, without rows a push already placed, and drops one asked under an earlier request', () => {
    const first = answered(INITIAL_GROUP_LIST, [A, B], 4, 'c1');
    const asking = run(first, { type: 'moreAsked' });
    expect(asking.loadingMore).toBe(true);
    const more = run(asking, { type: 'moreLoaded', request: first.request, page: page([B, C], 4, 'c2') });
    expect(more).toMatchObject({ rows: [A, B, C], cursor: 'c2', total: 4, loadingMore: false });
    const searched = run(asking, { type: 'searched', text: 'x' });
    expect(run(searched, { type: 'moreLoaded', request: first.request, page: page([C]) })).toMatchObject({
      rows: [A, B],
      cursor: 'c1',
      loadingMore: false,
    });
  });

  it('says why a page failed, keeping the rows', () => {
    const s = run(answered(INITIAL_GROUP_LIST, [A], 2, 'c1'), { type: 'moreAsked' }, { type: 'moreFailed', error: 'disk on fire' });
    expect(s).toMatchObject({ rows: [A], loadingMore: false, note: 'disk on fire' });
  });
});

describe('live updates', () => {
  it('keeps the selection on its group when a new group arrives on top, and counts it', () => {
    const s = run(onB(), { type: 'updated', update: update('n', '2026-01-01T00:00:09.000Z'), sources: [], pushed: true });
    expect(s.rows.map((r) => r.id)).toEqual(['n', 'a', 'b', 'c']);
    expect(s.total).toBe(4);
    expect(selectedRow(s)?.id).toBe('b');
  });

  it('keeps the selection where it was when its group leaves the filter', () => {
    const unread = answered(run(INITIAL_GROUP_LIST, { type: 'filtered', filters: { ...EMPTY_FILTERS, unread: true } }), [A, B, C]);
    const s = run(
      { ...unread, selected: 1 },
      { type: 'updated', update: update('b', B.lastReceivedAt, { read: true }), sources: [], pushed: true },
    );
    expect(s.rows.map((r) => r.id)).toEqual(['a', 'c']);
    expect(s.total).toBe(2);
    expect(selectedRow(s)?.id).toBe('c');
  });

  it('matches a search by the source names it is given', () => {
    const searched = answered(run(INITIAL_GROUP_LIST, { type: 'searched', text: 'marketing' }), []);
    const u = update('n', '2026-01-01T00:00:09.000Z');
    expect(run(searched, { type: 'updated', update: u, sources: [], pushed: true }).rows).toEqual([]);
    const named = run(searched, { type: 'updated', update: u, sources: [{ id: u.row.sourceId, name: 'Marketing site' }], pushed: true });
    expect(named.rows.map((r) => r.id)).toEqual(['n']);
  });

  it('hands the open group’s pushed row to the detail; the answer to this window’s own mark does not', () => {
    const open = run(onB(), { type: 'opened', groupId: 'b' });
    const answer = run(open, { type: 'updated', update: update('b', B.lastReceivedAt, { muted: true }), sources: [], pushed: false });
    expect(answer.rows[1]!.muted).toBe(true);
    expect(answer.liveOpen).toBeNull();
    const pushed = run(open, { type: 'updated', update: update('b', B.lastReceivedAt, { muted: true }), sources: [], pushed: true });
    expect(pushed.liveOpen?.muted).toBe(true);
    const other = run(open, { type: 'updated', update: update('a', A.lastReceivedAt, { muted: true }), sources: [], pushed: true });
    expect(other.liveOpen).toBeNull();
  });

  it('drops a deleted group where it is, and closes its detail', () => {
    const open = run({ ...onB(), selected: 2 }, { type: 'opened', groupId: 'c' });
    const s = run(open, { type: 'removed', groupId: 'c' });
    expect(s).toMatchObject({ total: 2, selected: 1, openId: null });
    expect(s.rows.map((r) => r.id)).toEqual(['a', 'b']);
    const kept = run(run(onB(), { type: 'opened', groupId: 'a' }), { type: 'removed', groupId: 'c' });
    expect(kept.openId).toBe('a');
    expect(run(onB(), { type: 'removed', groupId: 'zz' }).total).toBe(3);
  });

  it('loads again on a reset, closing the detail only when the history was cleared', () => {
    const open = run(onB(), { type: 'opened', groupId: 'b' });
    const cleared = run(open, { type: 'reset', change: 'cleared' });
    expect(cleared.openId).toBeNull();
    expect(cleared.request).not.toBe(open.request);
    expect(cleared.phase).toBe('ready');
    const read = run(open, { type: 'reset', change: 'all-read' });
    expect(read.openId).toBe('b');
    expect(read.request).not.toBe(open.request);
  });

  it('keeps the selection on its group through any sequence of other groups’ updates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'c', 'd', 'e'), fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 40 }),
        (updates) => {
          let s = onB();
          for (const [id, t, read] of updates) {
            const at = new Date(Date.UTC(2026, 0, 1, 0, 0, t)).toISOString();
            s = run(s, { type: 'updated', update: update(id, at, { read }), sources: [], pushed: true });
            expect(selectedRow(s)?.id).toBe('b');
            expect(s.total).toBe(s.rows.length);
          }
        },
      ),
    );
  });
});

describe('selection and the detail', () => {
  it('moves the open detail with the selection, and leaves a closed one closed', () => {
    const open = run(onB(), { type: 'opened', groupId: 'b' });
    expect(run(open, { type: 'selected', index: 2 })).toMatchObject({ selected: 2, openId: 'c', liveOpen: null });
    expect(run(onB(), { type: 'selected', index: 2 })).toMatchObject({ selected: 2, openId: null });
  });

  it('selects the opened group’s row, or keeps the selection when that group is not loaded', () => {
    expect(run(onB(), { type: 'opened', groupId: 'c' })).toMatchObject({ openId: 'c', selected: 2 });
    expect(run(onB(), { type: 'opened', groupId: 'far-down' })).toMatchObject({ openId: 'far-down', selected: 1 });
    expect(run(onB(), { type: 'opened', groupId: 'c' }, { type: 'closed' }).openId).toBeNull();
  });

  it('starts at the top when the keyboard enters the list with nothing selected', () => {
    expect(run({ ...onB(), selected: -1 }, { type: 'entered' }).selected).toBe(0);
    expect(run(onB(), { type: 'entered' }).selected).toBe(1);
    expect(run(INITIAL_GROUP_LIST, { type: 'entered' }).selected).toBe(-1);
  });

  it('keeps the last note', () => {
    expect(run(onB(), { type: 'noted', note: 'Muted: error b' }).note).toBe('Muted: error b');
  });
});
