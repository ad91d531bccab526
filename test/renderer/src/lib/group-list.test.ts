import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupRow, type GroupRow, type GroupSummary, type GroupUpdate } from '../../../../shared/events';
import { groupUpdate, SEARCH_TEXT_MAX } from '../../../../shared/group-filter';
import {
  appendPage,
  compareNewestFirst,
  EMPTY_FILTERS,
  listAction,
  markNote,
  resolveNote,
  resolveOf,
  matchesFilters,
  moveSelection,
  removeGroup,
  sameFilters,
  toQuery,
  upsertGroup,
} from '../../../../renderer/src/lib/group-list';
import { makeGroup } from '../../../helpers/fake-api';

function summary(id: string, at: string, over: Partial<GroupSummary> = {}): GroupSummary {
  const { latestRaw: _raw, ...rest } = makeGroup({ id, lastReceivedAt: at, ...over });
  return rest;
}

/** A live update for a group, as main pushes it. */
function g(id: string, at: string, over: Partial<GroupSummary> = {}): GroupUpdate {
  return groupUpdate(summary(id, at, over));
}

/** A list row, as a page carries it. */
function row(id: string, at: string, over: Partial<GroupSummary> = {}): GroupRow {
  return groupRow(summary(id, at, over));
}

describe('toQuery', () => {
  it('sends only the filters that are set', () => {
    expect(toQuery(EMPTY_FILTERS, 500)).toEqual({ limit: 500, cursor: null });
    expect(toQuery({ ...EMPTY_FILTERS, text: '  printf ', unread: true, provider: 'backtrace' }, 10, 'c1')).toEqual({
      limit: 10,
      cursor: 'c1',
      text: 'printf',
      unread: true,
      provider: 'backtrace',
    });
  });
});

describe('matchesFilters', () => {
  it('searches title, application, project, callstack and page, case-insensitively, in the pushed text', () => {
    const update = g('a', '2026-01-01T00:00:00Z', { page: 'https://shop.example/cart' });
    // The row itself carries no callstack or page: the search runs over the text that came with it.
    expect(update.row).not.toHaveProperty('callstack');
    for (const text of ['PRINTF', 'my_app', 'my_project', 'my_fn', 'shop.example', '  Printf  ']) {
      expect(matchesFilters(update, { ...EMPTY_FILTERS, text })).toBe(true);
    }
    expect(matchesFilters(update, { ...EMPTY_FILTERS, text: 'nowhere' })).toBe(false);
  });

  it('searches no further than main does (the search text is capped)', () => {
    const deep = g('a', '2026-01-01T00:00:00Z', { callstack: [...Array.from({ length: 200 }, (_, i) => `frame_${i}`), 'deep_frame'] });
    expect(deep.text.length).toBe(SEARCH_TEXT_MAX);
    expect(matchesFilters(deep, { ...EMPTY_FILTERS, text: 'frame_1' })).toBe(true);
    expect(matchesFilters(deep, { ...EMPTY_FILTERS, text: 'deep_frame' })).toBe(false);
  });

  it('applies source, provider and mark filters', () => {
    const update = g('a', '2026-01-01T00:00:00Z', { read: true, muted: true });
    expect(matchesFilters(update, { ...EMPTY_FILTERS, unread: true })).toBe(false);
    expect(matchesFilters(update, { ...EMPTY_FILTERS, muted: true })).toBe(true);
    expect(matchesFilters(update, { ...EMPTY_FILTERS, resolved: true })).toBe(false);
    expect(matchesFilters(update, { ...EMPTY_FILTERS, provider: 'errorception' })).toBe(false);
    expect(matchesFilters(update, { ...EMPTY_FILTERS, sourceId: 'other' })).toBe(false);
  });
});

describe('upsertGroup', () => {
  const rows = [row('c', '2026-01-03T00:00:00Z'), row('b', '2026-01-02T00:00:00Z'), row('a', '2026-01-01T00:00:00Z')];

  it('puts a new group on top and counts it', () => {
    const out = upsertGroup(rows, g('d', '2026-01-04T00:00:00Z'), EMPTY_FILTERS);
    expect(out.rows.map((r) => r.id)).toEqual(['d', 'c', 'b', 'a']);
    expect(out.totalDelta).toBe(1);
  });

  it('updates counts in place when the group did not get newer', () => {
    const out = upsertGroup(rows, g('b', '2026-01-02T00:00:00Z', { occurrences: 99, muted: true }), EMPTY_FILTERS);
    expect(out.rows.map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(out.rows[1]).toEqual(row('b', '2026-01-02T00:00:00Z', { occurrences: 99, muted: true }));
    expect(out.totalDelta).toBe(0);
  });

  it('moves a group that received a new hook to the top', () => {
    const out = upsertGroup(rows, g('a', '2026-01-05T00:00:00Z'), EMPTY_FILTERS);
    expect(out.rows.map((r) => r.id)).toEqual(['a', 'c', 'b']);
    expect(out.totalDelta).toBe(0);
  });

  it('drops a group that left the filter, and ignores one that never matched', () => {
    const unreadOnly = { ...EMPTY_FILTERS, unread: true };
    const out = upsertGroup(rows, g('b', '2026-01-02T00:00:00Z', { read: true }), unreadOnly);
    expect(out.rows.map((r) => r.id)).toEqual(['c', 'a']);
    expect(out.totalDelta).toBe(-1);
    const none = upsertGroup(rows, g('z', '2026-01-09T00:00:00Z', { read: true }), unreadOnly);
    expect(none.rows).toBe(rows);
    expect(none.totalDelta).toBe(0);
  });

  it('under a search, keeps or drops a changed group by the text pushed with it', () => {
    const search = { ...EMPTY_FILTERS, text: 'Deep_Fn' };
    const hit = upsertGroup(rows, g('d', '2026-01-04T00:00:00Z', { callstack: ['deep_fn', 'main'] }), search);
    expect(hit.rows.map((r) => r.id)).toEqual(['d', 'c', 'b', 'a']);
    expect(hit.totalDelta).toBe(1);
    const miss = upsertGroup(rows, g('b', '2026-01-05T00:00:00Z'), search);
    expect(miss.rows.map((r) => r.id)).toEqual(['c', 'a']);
    expect(miss.totalDelta).toBe(-1);
  });

  it('keeps any sequence of updates sorted newest first and free of duplicates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer({ min: 0, max: 50 })), { maxLength: 60 }),
        (updates) => {
          let list: GroupRow[] = [];
          for (const [id, t] of updates)
            list = upsertGroup(list, g(id, new Date(Date.UTC(2026, 0, 1, 0, t)).toISOString()), EMPTY_FILTERS).rows;
          const ids = list.map((r) => r.id);
          expect(new Set(ids).size).toBe(ids.length);
          for (let i = 1; i < list.length; i++) expect(compareNewestFirst(list[i - 1]!, list[i]!)).toBeLessThanOrEqual(0);
        },
      ),
    );
  });

  it('appends a page without duplicating rows a push already inserted', () => {
    expect(appendPage(rows, [row('a', '2026-01-01T00:00:00Z'), row('z', '2025-01-01T00:00:00Z')]).map((r) => r.id)).toEqual([
      'c',
      'b',
      'a',
      'z',
    ]);
  });
});

describe('removeGroup and sameFilters', () => {
  it('drops a deleted row and says the count moved; an unknown one changes nothing', () => {
    const rows = [row('a', '2026-01-01T00:00:02.000Z'), row('b', '2026-01-01T00:00:01.000Z')];
    expect(removeGroup(rows, 'a')).toEqual({ rows: [rows[1]], totalDelta: -1 });
    expect(removeGroup(rows, 'zz')).toEqual({ rows, totalDelta: 0 });
  });

  it('tells when two filter sets ask for the same list (text trimmed)', () => {
    expect(sameFilters(EMPTY_FILTERS, { ...EMPTY_FILTERS, text: '  ' })).toBe(true);
    expect(sameFilters(EMPTY_FILTERS, { ...EMPTY_FILTERS, unread: true })).toBe(false);
    expect(sameFilters({ ...EMPTY_FILTERS, text: 'a' }, { ...EMPTY_FILTERS, text: 'b' })).toBe(false);
  });

  it('matches a group by its source’s name', () => {
    const u = groupUpdate(summary('a', '2026-01-01T00:00:02.000Z'));
    const sources = [{ id: u.row.sourceId, name: 'Marketing site' }];
    expect(matchesFilters(u, { ...EMPTY_FILTERS, text: 'marketing' }, sources)).toBe(true);
    expect(matchesFilters(u, { ...EMPTY_FILTERS, text: 'marketing' })).toBe(false);
  });
});

describe('keyboard', () => {
  const none = { ctrl: false, meta: false, alt: false };

  it('maps keys to list actions and leaves chords to the browser', () => {
    expect(listAction('ArrowDown', none)).toBe('down');
    expect(listAction('ArrowUp', none)).toBe('up');
    expect(listAction('Enter', none)).toBe('open');
    expect(listAction('m', none)).toBe('mute');
    expect(listAction('M', none)).toBe('mute');
    expect(listAction('r', none)).toBe('resolve');
    expect(listAction('r', { ...none, ctrl: true })).toBeNull();
    expect(listAction('x', none)).toBeNull();
  });

  it('moves the selection within bounds', () => {
    expect(moveSelection(-1, 'down', 3)).toBe(0);
    expect(moveSelection(2, 'down', 3)).toBe(2);
    expect(moveSelection(0, 'up', 3)).toBe(0);
    expect(moveSelection(1, 'end', 3)).toBe(2);
    expect(moveSelection(1, 'home', 3)).toBe(0);
    expect(moveSelection(0, 'down', 0)).toBe(-1);
  });

  it('says what a mark came to, set or cleared', () => {
    expect(markNote('muted', true, 'exception in printf')).toBe('Muted: exception in printf');
    expect(markNote('muted', false, 'x')).toBe('Unmuted: x');
    expect(markNote('read', true, 'x')).toBe('Marked read: x');
    expect(markNote('read', false, 'x')).toBe('Marked unread: x');
  });

  it('R resolves an open group and reopens a resolved or ignored one, and says what it came to', () => {
    expect(resolveOf({ resolved: false })).toEqual({ kind: 'resolve' });
    expect(resolveOf({ resolved: false, ignored: false })).toEqual({ kind: 'resolve' });
    expect(resolveOf({ resolved: true })).toEqual({ kind: 'unresolve' });
    expect(resolveOf({ resolved: false, ignored: true })).toEqual({ kind: 'unresolve' });
    const base = { where: null, code: null, status: null, retryAt: null } as const;
    expect(resolveNote({ kind: 'resolve' }, null, 'TypeError')).toBe('Resolving: TypeError…');
    expect(resolveNote({ kind: 'unresolve' }, null, 'TypeError')).toBe('Reopening: TypeError…');
    expect(
      resolveNote(
        { kind: 'resolve' },
        { ...base, state: 'done', action: 'resolve', words: 'Resolved in Sentry', where: 'provider' },
        'TypeError',
      ),
    ).toBe('Resolved in Sentry: TypeError');
    expect(
      resolveNote(
        { kind: 'resolve' },
        { ...base, state: 'failed', action: 'resolve', words: 'Sentry refused the token (401)', code: 'unauthorized', status: 401 },
        'TypeError',
      ),
    ).toBe('Not resolved: TypeError. Sentry refused the token (401)');
    expect(
      resolveNote({ kind: 'unresolve' }, { ...base, state: 'failed', action: 'unresolve', words: 'offline', code: 'offline' }, 'x'),
    ).toBe('Not reopened: x. offline');
  });
});
