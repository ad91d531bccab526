import { describe, expect, it } from 'vitest';
import { groupChips } from '../../../../renderer/src/lib/group-chips';
import { localClock } from '../../../../renderer/src/lib/format';
import { groupRow } from '../../../../shared/events';
import { makeGroup } from '../../../helpers/fake-api';

const NOW = new Date(2026, 2, 4, 10, 0).getTime();
const at = (h: number, m = 0, day = 4) => new Date(2026, 2, day, h, m);

describe('a group’s state as chips', () => {
  it('says each state, in order, with who and until when in the detail', () => {
    const g = makeGroup({
      test: true,
      muted: true,
      mutedBy: 'bo',
      resolved: true,
      resolvedBy: 'ana',
      ignored: true,
      snoozedUntil: at(17, 30).toISOString(),
      claimedBy: 'ana',
      claimedUntil: at(8, 0, 5).toISOString(),
      assignee: 'ana@example.com',
    });
    expect(groupChips(g, NOW, true)).toEqual([
      { kind: 'test', text: 'Test' },
      { kind: 'muted', text: 'Muted by bo' },
      { kind: 'resolved', text: 'Resolved by ana' },
      { kind: 'ignored', text: 'Ignored' },
      { kind: 'snoozed', text: `Snoozed until ${localClock(at(17, 30))}` },
      { kind: 'claimed', text: `ana is on it until tomorrow ${localClock(at(8, 0, 5))}` },
      { kind: 'assigned', text: 'Assigned to ana@example.com' },
    ]);
    // A row says the state alone (its fields have no who, no assignee).
    expect(groupChips(groupRow(g), NOW).map((c) => c.text)).toEqual(['Test', 'Muted', 'Resolved', 'Ignored', 'Snoozed', 'ana is on it']);
  });

  it('says nothing of a snooze or a claim whose time has passed, and a snooze by count as a count', () => {
    const past = at(9, 59).toISOString();
    expect(groupChips(makeGroup({ snoozedUntil: past, claimedBy: 'ana', claimedUntil: past }), NOW, true)).toEqual([]);
    expect(groupChips(makeGroup({ snoozeCount: 1200 }), NOW, true)).toEqual([{ kind: 'snoozed', text: 'Snoozed until 1,200 occurrences' }]);
    // A claim without an end holds until released.
    expect(groupChips(makeGroup({ claimedBy: 'ana', claimedUntil: null }), NOW)).toEqual([{ kind: 'claimed', text: 'ana is on it' }]);
    expect(groupChips(makeGroup({ snoozedUntil: 'not a date' }), NOW)).toEqual([]);
  });
});
