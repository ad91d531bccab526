/**
 * Do Not Disturb, evaluated in the machine's local time. Pure: the clock is a parameter.
 */
import type { DndMode } from '../../../shared/ipc';
import type { DndSettings } from '../../../shared/settings';
import { untilWords } from '../../../shared/until-words';

/** Whether DND is in force at a moment, why, and until when. */
export interface DndStatus {
  active: boolean;
  /** `until` for a one-off DND, `quiet-window` for the daily window, null when off. */
  kind: 'until' | 'quiet-window' | null;
  /** ISO 8601 end of a one-off DND in force; null otherwise. */
  until: string | null;
  /**
   * Plain words, or null when off. The end of a one-off DND is said in the engine's local time ("until 09:07",
   * "until tomorrow 08:00"): this text is stored with each decision and printed by headless mode; the window
   * words `until` in its user's locale itself.
   */
  reason: string | null;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/**
 * True when a local time of day (minutes since local midnight) falls in the window [start, end).
 * A window whose end is before its start crosses midnight (22:00–08:00). Equal start and end: empty.
 */
export function inQuietWindow(start: string, end: string, minuteOfDay: number): boolean {
  const s = minutesOf(start);
  const e = minutesOf(end);
  if (s === e) return false;
  if (s < e) return minuteOfDay >= s && minuteOfDay < e;
  return minuteOfDay >= s || minuteOfDay < e;
}

/** Evaluates DND at `nowMs` in local time. */
export function dndStatus(dnd: DndSettings, nowMs: number): DndStatus {
  if (dnd.until !== null) {
    const until = Date.parse(dnd.until);
    if (Number.isFinite(until) && until > nowMs) {
      const iso = new Date(until).toISOString();
      return { active: true, kind: 'until', until: iso, reason: `Do Not Disturb until ${untilWords(until, nowMs)}` };
    }
  }
  const w = dnd.quietWindow;
  const skippedUntil = dnd.quietSkippedUntil === null ? NaN : Date.parse(dnd.quietSkippedUntil);
  const skipped = Number.isFinite(skippedUntil) && skippedUntil > nowMs;
  if (w.enabled && !skipped) {
    const d = new Date(nowMs);
    if (inQuietWindow(w.start, w.end, d.getHours() * 60 + d.getMinutes())) {
      return {
        active: true,
        kind: 'quiet-window',
        until: null,
        reason: `Quiet hours (${w.start}–${w.end}): no notification`,
      };
    }
  }
  return { active: false, kind: null, until: null, reason: null };
}

/**
 * When the quiet window in force at `nowMs` ends (the next local `end` time), for "Do Not Disturb → Off"
 * during quiet hours: the window is skipped until then and comes back the next night.
 */
export function quietWindowEnd(dnd: DndSettings, nowMs: number): number {
  const [h, m] = dnd.quietWindow.end.split(':').map(Number) as [number, number];
  const d = new Date(nowMs);
  const today = new Date(d.getFullYear(), d.getMonth(), d.getDate(), h, m, 0, 0).getTime();
  return today > nowMs ? today : new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1, h, m, 0, 0).getTime();
}

/** The hour of local time that "Do Not Disturb until tomorrow" ends at. */
export const DND_TOMORROW_HOUR = 8;
const HOUR_MS = 3_600_000;

/** The next local `hour`:00 strictly after `nowMs` (today's when it is still ahead, else tomorrow's). */
export function nextLocalHour(nowMs: number, hour = DND_TOMORROW_HOUR): number {
  const d = new Date(nowMs);
  d.setHours(hour, 0, 0, 0);
  if (d.getTime() <= nowMs) d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** When Do Not Disturb ends for a mode, as ISO 8601, or null for off. */
export function dndUntil(mode: DndMode, nowMs: number): string | null {
  switch (mode) {
    case '1h':
      return new Date(nowMs + HOUR_MS).toISOString();
    case 'tomorrow':
      return new Date(nextLocalHour(nowMs)).toISOString();
    case 'off':
      return null;
  }
}

/**
 * The Do Not Disturb settings after the user picks a mode at `nowMs`. "Off" during quiet hours means off now:
 * the daily window is skipped until it ends (and comes back the next night).
 */
export function dndAfter(dnd: DndSettings, mode: DndMode, nowMs: number): DndSettings {
  const inQuietHours = mode === 'off' && dndStatus(dnd, nowMs).kind === 'quiet-window';
  const quietSkippedUntil = inQuietHours
    ? new Date(quietWindowEnd(dnd, nowMs)).toISOString()
    : mode === 'off'
      ? dnd.quietSkippedUntil
      : null;
  return { ...dnd, until: dndUntil(mode, nowMs), quietSkippedUntil };
}
