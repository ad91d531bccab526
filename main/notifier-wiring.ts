/**
 * Native notifications wired to the rest of the shell: what a click, Open and Mute do, and the one-off
 * "your webhook URL changed" announcement.
 */
import type { AppService } from './core/app-service';
import type { SettingsStore } from './core/settings-access';
import { Notification } from './electron';
import { Notifier } from './notifications';
import { appIconPath } from './resources';
import type { ShellParts } from './shell-parts';
import { log, reportTo } from './shell-log';

/**
 * The notifier. Built before the engine, so a hook that arrives the moment the port opens still shows: what it
 * needs of the window and the service is looked up in `parts` when a notification is clicked.
 */
export function createNotifier(parts: ShellParts): Notifier {
  const service = () => parts.engine?.service;
  const notifier = new Notifier({
    createNotification: (options) => new Notification(options),
    isSupported: () => Notification.isSupported(),
    platform: process.platform,
    icon: appIconPath(),
    openGroup: (groupId) => service()?.openGroup(groupId) ?? Promise.resolve({ opened: false, reason: 'Crashbell is still starting' }),
    showWindow: () => parts.showWindow(),
    navigate: (view, groupId) => parts.navigate(view, groupId),
    markRead: (groupId) => void service()?.markGroup(groupId, { read: true }).catch(reportTo('notifications')),
    mute: (groupId) => void service()?.markGroup(groupId, { muted: true, read: true }).catch(reportTo('notifications')),
    log,
  });
  notifier.onRefused((r) => log(`notification link refused (${r.reason})`));
  return notifier;
}

/** Announces a changed public URL once per new URL, from the state at start on; returns the unsubscribe. */
export async function announceUrlChanges(service: AppService, notifier: Notifier, settings: SettingsStore): Promise<() => void> {
  const announce = (state: Awaited<ReturnType<AppService['getState']>>) =>
    notifier.announceUrlChange(state, settings.get().tunnel.lastCopiedUrl);
  const off = service.subscribe('state:changed', announce);
  announce(await service.getState());
  log('notifications ready');
  return off;
}
