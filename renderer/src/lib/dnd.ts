/**
 * Do Not Disturb wording for the window. Main computes whether DND is active; this says it in plain words.
 */
import type { AppState } from '../../../shared/ipc';
import type { DndSettings } from '../../../shared/settings';
import { untilWords } from '../../../shared/until-words';
import { localClock } from './format';

/** The hour "until tomorrow" ends at, in local time; main uses the same (next local 08:00). */
export const TOMORROW_HOUR = 8;

/** "On until 14:05", "On until tomorrow 08:00" (the user's clock format), "Quiet hours (22:00–08:00)", or "Off". */
export function dndLabel(state: AppState['dnd'], settings: DndSettings | null, nowMs: number): string {
  if (state.active && state.until) {
    const until = Date.parse(state.until);
    if (Number.isFinite(until)) return `On until ${untilWords(until, nowMs, localClock)}`;
  }
  if (state.active && settings?.quietWindow.enabled) {
    return `Quiet hours (${settings.quietWindow.start}–${settings.quietWindow.end})`;
  }
  if (state.active) return 'On';
  return 'Off';
}
