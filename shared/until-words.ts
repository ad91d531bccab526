/**
 * When something ends, in the local time of whoever reads it: "09:07", "tomorrow 08:00", "Fri 09:07",
 * "2026-03-04 09:07". One wording for the core (the reasons it stores and headless prints, in the engine's local
 * time) and the window (which passes its own locale's clock format for the time of day).
 */

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const DAY_MS = 86_400_000;

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** A local time of day as HH:MM, 24-hour: how the quiet-hours settings are written. */
export function clockTime(d: Date): string {
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** Whole local days from `from`'s date to `to`'s date (0: the same day), across daylight-saving changes. */
function daysBetween(from: Date, to: Date): number {
  const a = Date.UTC(from.getFullYear(), from.getMonth(), from.getDate());
  const b = Date.UTC(to.getFullYear(), to.getMonth(), to.getDate());
  return Math.round((b - a) / DAY_MS);
}

/**
 * `untilMs` in words, as seen at `nowMs`: the time alone on the same local day, "tomorrow" and the time on the
 * next, the weekday and the time within the week, else the local date and the time. `time` formats the time
 * of day ({@link clockTime} unless given).
 */
export function untilWords(untilMs: number, nowMs: number, time: (d: Date) => string = clockTime): string {
  const until = new Date(untilMs);
  const days = daysBetween(new Date(nowMs), until);
  const at = time(until);
  if (days === 0) return at;
  if (days === 1) return `tomorrow ${at}`;
  if (days > 1 && days < 7) return `${WEEKDAYS[until.getDay()]} ${at}`;
  return `${until.getFullYear()}-${two(until.getMonth() + 1)}-${two(until.getDate())} ${at}`;
}
