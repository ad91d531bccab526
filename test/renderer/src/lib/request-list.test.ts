import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../../shared/events';
import { isRejected, prependRecord, shownRecords, sortedHeaders } from '../../../../renderer/src/lib/request-list';

function record(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'r1',
    time: '2026-01-01T00:00:00.000Z',
    method: 'POST',
    path: '/hooks/src-aaaaaaaaaaaaaaaa',
    sourceId: 'src-aaaaaaaaaaaaaaaa',
    provider: 'backtrace',
    status: 401,
    reason: 'wrong Basic credentials',
    headers: {},
    body: '',
    bodyBytes: 0,
    bodyTruncated: false,
    eventId: null,
    replayable: true,
    ...over,
  };
}

describe('the inspector’s list', () => {
  it('keeps at most 200 records and no duplicates', () => {
    let list: RequestRecord[] = [];
    for (let i = 0; i < 250; i++) list = prependRecord(list, record({ id: `r${i}` }));
    list = prependRecord(list, record({ id: 'r249' }));
    expect(list).toHaveLength(200);
    expect(list[0]!.id).toBe('r249');
    expect(new Set(list.map((r) => r.id)).size).toBe(200);
  });

  it('counts anything but a 2xx as rejected, and narrows to those on demand', () => {
    const records = [200, 204, 299, 300, 401, 500, 0].map((status, i) => record({ id: `r${i}`, status }));
    expect(records.map(isRejected)).toEqual([false, false, false, true, true, true, true]);
    expect(shownRecords(records, false)).toBe(records);
    expect(shownRecords(records, true).map((r) => r.status)).toEqual([300, 401, 500, 0]);
  });

  it('lists headers by name', () => {
    expect(sortedHeaders({ 'x-b': '2', authorization: 'Basic ••••••', 'content-type': 'application/json' })).toEqual([
      ['authorization', 'Basic ••••••'],
      ['content-type', 'application/json'],
      ['x-b', '2'],
    ]);
  });
});
