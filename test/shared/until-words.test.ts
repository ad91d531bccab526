import { describe, expect, it } from 'vitest';
import { clockTime, untilWords } from '../../shared/until-words';

const local = (d: number, h: number, m = 0): number => new Date(2026, 10, d, h, m).getTime();

describe('untilWords', () => {
  it('says the time alone on the same day, then tomorrow, a weekday, or the date', () => {
    const now = local(24, 8); // Tuesday 24 November 2026
    expect(untilWords(local(24, 9, 7), now)).toBe('09:07');
    expect(untilWords(local(25, 8), now)).toBe('tomorrow 08:00');
    expect(untilWords(local(27, 18, 30), now)).toBe('Fri 18:30');
    expect(untilWords(local(30, 7, 5), now)).toBe('Mon 07:05');
    expect(untilWords(local(24, 8) + 8 * 86_400_000, now)).toBe('2026-12-02 08:00');
  });

  it('takes the reader’s own clock format for the time of day', () => {
    expect(untilWords(local(24, 21, 15), local(24, 8), (d) => `${d.getHours() - 12}:${d.getMinutes()} PM`)).toBe('9:15 PM');
    expect(clockTime(new Date(2026, 0, 1, 0, 5))).toBe('00:05');
  });
});
