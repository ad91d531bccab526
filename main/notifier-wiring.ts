/**
 * Native notifications wired to the rest of the shell: what a click, Open, Resolve and Snooze 1 h do, the
 * actions of the notifications and the tray reported where the user is, notifications withdrawn once their group
 * settles, and the one-off "your webhook URL changed" announcement.
 */
import type { AppService } from './core/app-service';
import type { SettingsStore } from './core/settings-access';
import { Notification } from './electron';
import { Notifier } from './notifications';
import { appIconPath } from './resources';
import { type ShellAct, shellActions } from './shell-actions';
import type { ShellParts } from './shell-parts';
import { log, reportTo } from './shell-log';

/** The notifier, and the runner of the actions asked for from it and from the tray. */
export interface NotifierWiring {
  notifier: Notifier;
  act: ShellAct;
}

/**
 * The notifier. Built before the engine, so a hook that arrives the moment the port opens still shows: what it
 * needs of the window and the service is looked up in `parts` when a notification is clicked or a button pressed.
 */
export function createNotifier(parts: ShellParts): NotifierWiring {
  const service = () => parts.engine?.service;
  let act: ShellAct | null = null;
  const notifier = new Notifier({
    createNotification: (options) => new Notification(options),
    isSupported: () => Notification.isSupported(),
    platform: process.platform,
    icon: appIconPath(),
    openGroup: (groupId) => service()?.openGroup(groupId) ?? Promise.resolve({ opened: false, reason: 'Crashbell is still starting' }),
    showWindow: () => parts.showWindow(),
    navigate: (view, groupId) => parts.navigate(view, groupId),
    markRead: (groupId) => void service()?.markGroup(groupId, { read: true }).catch(reportTo('notifications')),
    act: (groupId, action, title) => void act?.(groupId, action, title, 'notification'),
    log,
  });
  act = shellActions({
    run: async (groupId, action) => {
      const s = service();
      if (!s) throw new Error('Crashbell is still starting: try again in a moment');
      return s.runAction(groupId, action);
    },
    notifyFailure: (groupId, title, result) => notifier.showActionFailure(groupId, title, result),
    showGroup: (groupId) => parts.navigate('errors', groupId),
    titleOf: (groupId) => parts.engine?.core.group(groupId)?.title ?? null,
    log,
  });
  notifier.onRefused((r) => log(`notification link refused (${r.reason})`));
  return { notifier, act };
}

/**
 * Withdraws a group's notifications still on screen once it settles, whatever settled it (the service's
 * `group:state` pushes: an action here, the provider's own state hook, a teammate); returns the unsubscribe.
 */
export function withdrawSettled(service: AppService, notifier: Notifier): () => void {
  return service.subscribe('group:state', (change) => notifier.followState(change));
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
