/** The tray wired to the app service and the updater: its menu's actions, and the state it follows. */
import type { AppService } from './core/app-service';
import type { Lifecycle } from './app-lifecycle';
import { Menu, type MenuItemConstructorOptions, nativeImage, Tray } from './electron';
import { trayIconPath } from './resources';
import type { ShellAct } from './shell-actions';
import type { ShellParts } from './shell-parts';
import { log, reportTo } from './shell-log';
import { desktopHasTray, TrayController, trayStateOf } from './tray';
import type { UpdateController } from './updater';

export interface TrayWiring {
  tray: TrayController;
  /** Whether this desktop shows tray icons (else the window minimizes on close instead of hiding). */
  hasTray: boolean;
  dispose(): void;
}

/**
 * The tray icon and menu, following the service's state pushes and the update state. `act` runs the latest
 * errors' Resolve and Snooze 1 h and reports how they ended (the notifier's wiring makes it).
 */
export async function createTray(
  service: AppService,
  updates: UpdateController,
  parts: ShellParts,
  lifecycle: Lifecycle,
  act: ShellAct,
): Promise<TrayWiring> {
  const hasTray = desktopHasTray(process.platform, process.env);
  const tray: TrayController = new TrayController(
    {
      createTray: (icon) => new Tray(nativeImage.createFromPath(icon)),
      buildMenu: (template) => Menu.buildFromTemplate(template as MenuItemConstructorOptions[]),
      iconPath: trayIconPath,
      platform: process.platform,
      actions: {
        openWindow: () => parts.showWindow(),
        openGroup: (groupId) => {
          void service.openGroup(groupId).then((result) => {
            if (result.opened) return;
            log(`tray: not opened: ${result.reason ?? 'unknown reason'}`);
            parts.navigate('errors', groupId);
          }, reportTo('tray'));
        },
        act: (groupId, action) => {
          const title = tray.state.latest.find((g) => g.id === groupId)?.title ?? 'an error';
          void act(groupId, action, title, 'tray');
        },
        markAllRead: () => void service.markAllRead().catch(reportTo('tray')),
        copyWebhookUrl: (sourceId) => {
          const source = tray.state.sources.find((s) => s.id === sourceId);
          if (source) void service.copy(source.webhookUrl, { sourceId, webhookUrl: true }).catch(reportTo('tray'));
        },
        setDnd: (mode) => void service.setDnd(mode).catch(reportTo('tray')),
        setPausedAll: (paused) => void service.updateSettings({ pausedAll: paused }).catch(reportTo('tray')),
        setStartAtLogin: (enabled) => void service.updateSettings({ startAtLogin: enabled }).catch(reportTo('tray')),
        installUpdate: () => {
          try {
            updates.install();
          } catch (err) {
            reportTo('tray')(err);
          }
        },
        quit: () => lifecycle.quit(),
      },
    },
    trayStateOf(await service.getState()),
  );
  const offs = [
    tray.follow((listener) => service.subscribe('state:changed', listener)),
    tray.followUpdates(updates.state, (l) => updates.onChange(l)),
  ];
  log(`tray created (${hasTray ? 'hides to tray on close' : 'no tray on this desktop: the window minimizes on close'})`);
  return {
    tray,
    hasTray,
    dispose() {
      for (const off of offs) off();
      tray.destroy();
    },
  };
}
