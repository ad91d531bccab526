import { describe, expect, it } from 'vitest';
import { notificationText, receivedLine, receivedText, rejectedText } from '../../../../main/core/headless/lines';
import type { IngestResult } from '../../../../main/core/inbox/types';
import type { GroupSummary } from '../../../../shared/events';
import { backtraceEvent } from '../../../helpers/make-event';

const event = backtraceEvent({ sourceId: 'src-0000000000000001' });
const result: IngestResult = {
  group: { id: 'g1', occurrences: 42 } as GroupSummary,
  isNew: false,
  duplicate: false,
  decision: { notify: true, code: 'milestone', reason: 'Crossed 10 occurrences', at: event.receivedAt },
  notification: null,
};
const names = (id: string | null) => (id === 'src-0000000000000001' ? 'Game client' : null);

describe('headless output lines', () => {
  it('the received line says each fact once, without the raw body', () => {
    const line = receivedLine(event, result);
    expect(line).toMatchObject({ type: 'received', source: event.sourceId, group: 'g1', occurrences: 42, isNew: false, duplicate: false });
    for (const gone of ['raw', 'sourceId', 'groupId', 'eventOccurrences', 'redelivery']) expect(line).not.toHaveProperty(gone);
    expect(line['groupKey']).toBe(event.groupKey);
    expect(line['decision']).toEqual(result.decision);
  });

  it('human lines name sources by name, falling back to the id or provider', () => {
    expect(receivedText(event, result, names)).toMatch(/^received {2}\[Game client\] /);
    expect(receivedText({ ...event, sourceId: 'gone' }, result, names)).toMatch(/^received {2}\[backtrace\] /);
    const record = { status: 401, method: 'POST', path: '/hooks/x', sourceId: 'src-0000000000000001', reason: 'wrong password' };
    expect(rejectedText(record as never, names)).toBe('rejected  401 POST /hooks/x [Game client]: wrong password');
    expect(notificationText({ title: 'T', body: 'B', url: null, group: null, digest: true })).toBe('notify    [digest] T: B');
  });
});
