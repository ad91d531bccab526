import { describe, expect, it } from 'vitest';
import { groupRow, type GroupSummary } from '../../shared/events';
import { groupFilter, groupUpdate, SEARCH_TEXT_MAX, searchText } from '../../shared/group-filter';
import { makeGroup } from '../helpers/fake-api';

function summary(over: Partial<GroupSummary> = {}): GroupSummary {
  const { latestRaw: _raw, ...rest } = makeGroup(over);
  return rest;
}

describe('searchText', () => {
  it('is title, application, project, page and callstack, lower-cased, in that order', () => {
    const g = summary({ title: 'TypeError', application: 'Shop', project: null, page: 'https://x.example/Cart', callstack: ['A', 'b'] });
    expect(searchText(g)).toBe('typeerror\nshop\n\nhttps://x.example/cart\na\nb');
  });

  it('is capped, so what comes first (title, application, project, page) is always searched', () => {
    const g = summary({ callstack: Array.from({ length: 500 }, (_, i) => `frame_${i}`) });
    const text = searchText(g);
    expect(text).toHaveLength(SEARCH_TEXT_MAX);
    expect(text.startsWith('exception in printf\nmy_app.exe\nmy_project\n')).toBe(true);
  });
});

describe('groupFilter', () => {
  const g = summary({ read: true, muted: true, resolved: false });
  const text = searchText(g);

  it('keeps everything when nothing is set', () => {
    expect(groupFilter({})(g, text)).toBe(true);
    expect(groupFilter({ text: '   ' })(g, text)).toBe(true);
  });

  it('keeps a group whose marks equal the filter, and `unread` is not read', () => {
    expect(groupFilter({ muted: true })(g, text)).toBe(true);
    expect(groupFilter({ muted: false })(g, text)).toBe(false);
    expect(groupFilter({ resolved: false })(g, text)).toBe(true);
    expect(groupFilter({ resolved: true })(g, text)).toBe(false);
    expect(groupFilter({ unread: true })(g, text)).toBe(false);
    expect(groupFilter({ unread: false })(g, text)).toBe(true);
  });

  it('matches source and provider exactly', () => {
    expect(groupFilter({ sourceId: g.sourceId, provider: 'backtrace' })(g, text)).toBe(true);
    expect(groupFilter({ sourceId: `${g.sourceId}x` })(g, text)).toBe(false);
    expect(groupFilter({ provider: 'sentry' })(g, text)).toBe(false);
  });

  it('searches the text it is given, trimmed and case-insensitively', () => {
    expect(groupFilter({ text: '  MY_FN ' })(g, text)).toBe(true);
    expect(groupFilter({ text: 'my_fn' })(g, 'something else')).toBe(false);
    expect(groupFilter({ text: 'my_fn', muted: false })(g, text)).toBe(false);
  });
});

describe('groupUpdate', () => {
  it('is the row, with only a row’s fields, and the search text', () => {
    const g = summary();
    const u = groupUpdate(g);
    expect(u).toEqual({ row: groupRow(g), text: searchText(g) });
    expect(Object.keys(u.row).sort()).toEqual(
      [
        'application',
        'hosts',
        'id',
        'lastReceivedAt',
        'lastSeen',
        'muted',
        'occurrences',
        'project',
        'provider',
        'read',
        'resolved',
        'sourceId',
        'title',
      ].sort(),
    );
  });
});
