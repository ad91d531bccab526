import { describe, expect, it } from 'vitest';
import { parseMilestones } from '../../../../renderer/src/lib/milestones';

describe('parseMilestones', () => {
  it('reads commas, spaces and digit separators, sorted and without repeats', () => {
    expect(parseMilestones('1000, 10 100,10')).toEqual({ ok: true, value: [10, 100, 1000] });
    expect(parseMilestones('100, 10 1000,10')).toEqual({ ok: true, value: [10, 100, 1000] });
    expect(parseMilestones('1_000_000')).toEqual({ ok: true, value: [1_000_000] });
    expect(parseMilestones('  ')).toEqual({ ok: true, value: [] });
  });

  it('names the entry that is not a positive whole number', () => {
    expect(parseMilestones('10, 2.5')).toEqual({ ok: false, error: '“2.5” is not a positive whole number' });
    expect(parseMilestones('0')).toEqual({ ok: false, error: '“0” is not a positive whole number' });
    expect(parseMilestones('ten')).toEqual({ ok: false, error: '“ten” is not a positive whole number' });
    expect(parseMilestones('10, ten')).toEqual({ ok: false, error: '“ten” is not a positive whole number' });
  });
});
