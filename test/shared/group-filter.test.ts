import { describe, expect, it } from 'vitest';
import { groupRow, type GroupSummary } from '../../shared/events';
import { groupFilter, groupUpdate, SEARCH_ATTRIBUTE_VALUES, SEARCH_TEXT_MAX, searchText } from '../../shared/group-filter';
import { makeGroup } from '../helpers/fake-api';

function summary(over: Partial<GroupSummary> = {}): GroupSummary {
  const { latestRaw: _raw, ...rest } = makeGroup(over);
  return rest;
}

describe('searchText', () => {
  it('is title, application, project, environment, page, browser, OS, attributes and callstack, lower-cased, in that order', () => {
    const g = summary({
      title: 'TypeError',
      application: 'Shop',
      project: null,
      environment: 'Staging',
      page: 'https://x.example/Cart',
      browser: { name: 'Chrome', version: '120.0' },
      os: { name: 'Android', version: null },
      attributes: {
        version: [
          ['1.2.3', 4],
          ['1.2.4', 1],
        ],
        region: [['EU', 2]],
      },
      callstack: ['A', 'b'],
    });
    expect(searchText(g)).toBe(
      'typeerror\nshop\n\nstaging\nhttps://x.example/cart\nchrome 120.0\nandroid\nversion 1.2.3 1.2.4\nregion eu\na\nb',
    );
  });

  it('holds the first few values of each attribute, each cut short', () => {
    const values: Array<[string, number]> = Array.from({ length: 20 }, (_, i) => [`v${i}-${'x'.repeat(100)}`, 20 - i]);
    const text = searchText(summary({ attributes: { build: values }, callstack: [] }));
    const line = text.split('\n').find((l) => l.startsWith('build '))!;
    expect(line.split(' ')).toHaveLength(1 + SEARCH_ATTRIBUTE_VALUES);
    expect(line).not.toContain(`v${SEARCH_ATTRIBUTE_VALUES}-`);
    expect(line.split(' ')[1]).toHaveLength(64);
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

  it('matches the name of the group’s source, as the sources are named now', () => {
    const sources = [
      { id: g.sourceId, name: 'Game Client' },
      { id: 'other', name: 'Marketing site' },
    ];
    expect(groupFilter({ text: 'client' }, sources)(g, text)).toBe(true);
    expect(groupFilter({ text: 'marketing' }, sources)(g, text)).toBe(false);
    expect(groupFilter({ text: 'client' })(g, text)).toBe(false);
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
        'claimedBy',
        'claimedUntil',
        'hosts',
        'id',
        'ignored',
        'lastReceivedAt',
        'lastSeen',
        'muted',
        'occurrences',
        'project',
        'provider',
        'read',
        'resolved',
        'snoozedUntil',
        'sourceId',
        'test',
        'title',
      ].sort(),
    );
  });
});
