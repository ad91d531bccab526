/** The notification sounds a source may have, in the window's words: which to offer on this system, and their names. */
import { NOTIFICATION_SOUNDS, type NotificationSound } from '../../../shared/events';

/** What each sound choice is called; named sounds are macOS's own and only play there. */
export function soundLabel(sound: NotificationSound, platform: string): string {
  if (sound === 'default') return 'System default';
  if (sound === 'silent') return 'Silent';
  return platform === 'darwin' ? sound : `${sound} (macOS; the default sound here)`;
}

/** The sounds worth offering: all on macOS; elsewhere default and silent (and a named one already chosen on a Mac). */
export function soundChoices(platform: string, current: NotificationSound): NotificationSound[] {
  if (platform === 'darwin') return [...NOTIFICATION_SOUNDS];
  return current === 'default' || current === 'silent' ? ['default', 'silent'] : ['default', 'silent', current];
}
