import { describe, expect, it } from 'vitest';
import { dndAfter, dndStatus, dndUntil, inQuietWindow, nextLocalHour, quietWindowEnd } from '../../../../main/core/inbox/dnd';
import { defaultSettings } from '../../../../shared/settings';

const at = (h: number, m = 0): number => new Date(2026, 10, 24, h, m).getTime(); // local time

describe('Do Not Disturb', () => {
  it('a daily window within one day', () => {
    expect(inQuietWindow('09:00', '17:00', 9 * 60)).toBe(true);
    expect(inQuietWindow('09:00', '17:00', 17 * 60)).toBe(false);
    expect(inQuietWindow('09:00', '17:00', 8 * 60 + 59)).toBe(false);
  });

  it('a window across midnight', () => {
    expect(inQuietWindow('22:00', '08:00', 23 * 60)).toBe(true);
    expect(inQuietWindow('22:00', '08:00', 3 * 60)).toBe(true);
    expect(inQuietWindow('22:00', '08:00', 8 * 60)).toBe(false);
    expect(inQuietWindow('22:00', '08:00', 12 * 60)).toBe(false);
  });

  it('evaluates the quiet window in local time, only when enabled', () => {
    const dnd = { until: null, quietWindow: { enabled: true, start: '22:00', end: '08:00' }, quietSkippedUntil: null };
    expect(dndStatus(dnd, at(23, 30))).toMatchObject({ active: true, kind: 'quiet-window' });
    expect(dndStatus(dnd, at(12))).toMatchObject({ active: false, kind: null });
    expect(dndStatus({ ...dnd, quietWindow: { ...dnd.quietWindow, enabled: false } }, at(23, 30)).active).toBe(false);
  });

  it('says when a one-off DND ends in local time, not as an ISO string', () => {
    const dnd = { ...defaultSettings().dnd, until: new Date(at(9, 7)).toISOString() };
    expect(dndStatus(dnd, at(8)).reason).toBe('Do Not Disturb until 09:07');
    const tomorrow = { ...dnd, until: new Date(nextLocalHour(at(23))).toISOString() };
    expect(dndStatus(tomorrow, at(23)).reason).toBe('Do Not Disturb until tomorrow 08:00');
  });

  it('a one-off until: on before, off after, ignored when unreadable', () => {
    const until = new Date(at(13)).toISOString();
    expect(
      dndStatus({ until, quietWindow: { enabled: false, start: '22:00', end: '08:00' }, quietSkippedUntil: null }, at(12)),
    ).toMatchObject({
      active: true,
      kind: 'until',
      until,
    });
    expect(
      dndStatus({ until, quietWindow: { enabled: false, start: '22:00', end: '08:00' }, quietSkippedUntil: null }, at(14)).active,
    ).toBe(false);
    expect(
      dndStatus({ until: 'soon', quietWindow: { enabled: false, start: '22:00', end: '08:00' }, quietSkippedUntil: null }, at(14)).active,
    ).toBe(false);
  });

  it('"Off" during quiet hours skips the window until it ends; it comes back the next night', () => {
    const dnd = { until: null, quietWindow: { enabled: true, start: '22:00', end: '08:00' }, quietSkippedUntil: null };
    expect(new Date(quietWindowEnd(dnd, at(23, 30))).getHours()).toBe(8);
    expect(quietWindowEnd(dnd, at(23, 30))).toBe(new Date(2026, 10, 25, 8, 0).getTime());
    expect(quietWindowEnd(dnd, at(3))).toBe(at(8));
    const skipped = { ...dnd, quietSkippedUntil: new Date(quietWindowEnd(dnd, at(23, 30))).toISOString() };
    expect(dndStatus(skipped, at(23, 30)).active).toBe(false);
    expect(dndStatus(skipped, new Date(2026, 10, 25, 7, 59).getTime()).active).toBe(false);
    expect(dndStatus(skipped, new Date(2026, 10, 25, 22, 0).getTime())).toMatchObject({ active: true, kind: 'quiet-window' });
  });
});

describe('Do Not Disturb modes', () => {
  it('computes the next local 08:00', () => {
    const at0200 = new Date(2026, 0, 10, 2, 0).getTime();
    const at0900 = new Date(2026, 0, 10, 9, 0).getTime();
    expect(new Date(nextLocalHour(at0200)).getDate()).toBe(10);
    expect(new Date(nextLocalHour(at0900)).getDate()).toBe(11);
    expect(dndUntil('off', at0200)).toBeNull();
    expect(Date.parse(dndUntil('1h', at0200)!) - at0200).toBe(3_600_000);
  });

  it('"off" during quiet hours skips the window until it ends; outside them it clears only the one-off', () => {
    const quiet = { ...defaultSettings().dnd, quietWindow: { enabled: true, start: '22:00', end: '08:00' } };
    const inside = dndAfter(quiet, 'off', at(23));
    expect(inside.until).toBeNull();
    expect(new Date(inside.quietSkippedUntil!).getHours()).toBe(8);
    expect(dndStatus(inside, at(23, 30)).active).toBe(false);
    const outside = dndAfter({ ...quiet, until: new Date(at(12)).toISOString() }, 'off', at(11));
    expect(outside).toMatchObject({ until: null, quietSkippedUntil: null });
    expect(dndAfter(quiet, 'tomorrow', at(11)).quietSkippedUntil).toBeNull();
  });
});
