/**
 * Do Not Disturb wording for the window. Main computes whether DND is active; this says it in plain words.
 */
import type { AppState } from '../../../shared/ipc';
import type { DndSettings } from '../../../shared/settings';

/** The hour "until tomorrow" ends at, in local time; main uses the same (next local 08:00). */
export const TOMORROW_HOUR = 8;

/** "Do Not Disturb until 14:05", "Quiet hours 22:00–08:00", or "Off". */
export function dndLabel(state: AppState['dnd'], settings: DndSettings | null, nowMs: number): string {
  if (state.active && state.until) {
    const until = new Date(state.until);
    const sameDay = new Date(nowMs).toDateString() === until.toDateString();
    const time = until.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return sameDay ? `On until ${time}` : `On until ${until.toLocaleDateString([], { weekday: 'short' })} ${time}`;
  }
  if (state.active && settings?.quietWindow.enabled) {
    return `Quiet hours (${settings.quietWindow.start}–${settings.quietWindow.end})`;
  }
  if (state.active) return 'On';
  return 'Off';
}
