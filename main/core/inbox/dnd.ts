/**
 * Do Not Disturb, evaluated in the machine's local time. Pure: the clock is a parameter.
 */
import type { DndSettings } from '../../../shared/settings';

/** Whether DND is in force at a moment, why, and until when. */
export interface DndStatus {
  active: boolean;
  /** `until` for a one-off DND, `quiet-window` for the daily window, null when off. */
  kind: 'until' | 'quiet-window' | null;
  /** ISO 8601 end of a one-off DND in force; null otherwise. */
  until: string | null;
  /** Plain words for the UI, or null when off. */
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
      return { active: true, kind: 'until', until: iso, reason: `Do Not Disturb until ${iso}` };
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
