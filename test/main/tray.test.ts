import { describe, expect, it, vi } from 'vitest';
import {
  buildTrayMenu,
  desktopHasTray,
  menuLabel,
  TrayController,
  trayIconKind,
  trayGroup,
  trayStateOf,
  trayTooltip,
  type TrayActions,
  type TrayMenuItem,
  type TrayState,
} from '../../main/tray';
import type { AppState, UpdateState } from '../../shared/ipc';
import { groupRow } from '../../shared/events';
import { makeGroup, makeState } from '../helpers/fake-api';

function state(over: Partial<TrayState> = {}): TrayState {
  return {
    listening: true,
    localBaseUrl: 'http://127.0.0.1:7317',
    tunnel: { status: 'online', url: 'https://bell.ngrok.app' },
    publicBaseUrl: 'https://bell.ngrok.app',
    unread: 0,
    dnd: { active: false, until: null },
    pausedAll: false,
    startAtLogin: false,
    latest: [],
    sources: [],
    ...over,
  };
}

function actions(): TrayActions & { calls: Array<[string, unknown?]> } {
  const calls: Array<[string, unknown?]> = [];
  return {
    calls,
    openWindow: () => calls.push(['openWindow']),
    openGroup: (id) => calls.push(['openGroup', id]),
    act: (id, action) => calls.push(['act', [id, action]]),
    markAllRead: () => calls.push(['markAllRead']),
    copyWebhookUrl: (id) => calls.push(['copyWebhookUrl', id]),
    setDnd: (mode) => calls.push(['setDnd', mode]),
    setPausedAll: (p) => calls.push(['setPausedAll', p]),
    setStartAtLogin: (e) => calls.push(['setStartAtLogin', e]),
    installUpdate: () => calls.push(['installUpdate']),
    quit: () => calls.push(['quit']),
  };
}

const labels = (items: TrayMenuItem[]) => items.map((i) => (i.type === 'separator' ? '---' : i.label));
const find = (items: TrayMenuItem[], label: string) => items.find((i) => i.label === label)!;

describe('tray menu (pure, from state)', () => {
  it('has the full menu in order for a fresh install', () => {
    expect(labels(buildTrayMenu(state(), actions()))).toEqual([
      'Open Crashbell',
      '---',
      'No errors yet',
      '---',
      'Copy webhook URL',
      'Do Not Disturb',
      'Pause all',
      'Start at login',
      '---',
      'Quit Crashbell',
    ]);
  });

  it('lists the latest 5 errors, each a submenu with Open, Resolve and Snooze 1 h; unread ones are marked', () => {
    const a = actions();
    const latest = Array.from({ length: 7 }, (_, i) => ({
      id: `g${i}`,
      title: `TypeError ${i}`,
      unread: i === 0,
      resolved: false,
      snoozed: false,
    }));
    const menu = buildTrayMenu(state({ latest }), a);
    const errorItems = menu.filter((i) => i.label?.includes('TypeError'));
    expect(errorItems.map((i) => i.label)).toEqual(['• TypeError 0', 'TypeError 1', 'TypeError 2', 'TypeError 3', 'TypeError 4']);
    const sub = errorItems[2]!.submenu!;
    expect(labels(sub)).toEqual(['Open', 'Resolve', 'Snooze 1 h']);
    for (const item of sub) item.click!();
    expect(a.calls).toEqual([
      ['openGroup', 'g2'],
      ['act', ['g2', { kind: 'resolve' }]],
      ['act', ['g2', { kind: 'snooze', minutes: 60 }]],
    ]);
  });

  it('offers no Resolve for a resolved error, nor Snooze for one snoozed until a time still ahead', () => {
    const g = { id: 'g0', title: 'TypeError', unread: false, resolved: true, snoozed: true };
    const sub = buildTrayMenu(state({ latest: [g] }), actions()).find((i) => i.label === 'TypeError')!.submenu!;
    expect(sub.map((i) => [i.label, i.enabled ?? true])).toEqual([
      ['Open', true],
      ['Resolved', false],
      ['Snoozed', false],
    ]);
    const row = { ...groupRow(makeGroup({ id: 'g1' })), snoozedUntil: '2026-01-01T01:00:00.000Z' };
    const at = Date.parse('2026-01-01T00:30:00.000Z');
    expect(trayGroup(row, at)).toMatchObject({ snoozed: true, resolved: false });
    expect(trayGroup(row, at + 3_600_000)).toMatchObject({ snoozed: false });
  });

  it('marks no test event as unread in the menu (they are not unread errors)', () => {
    const row = { id: 'g1', sourceId: 's', provider: 'backtrace', title: 'sample', application: null, project: null, occurrences: 1 };
    const rest = { hosts: null, lastSeen: '', lastReceivedAt: '', read: false, muted: false, resolved: false };
    const latest = [
      { ...row, ...rest, test: true },
      { ...row, ...rest, id: 'g2', test: false },
    ];
    const tray = trayStateOf({ ...makeState(), latest });
    expect(tray.latest.map((g) => g.unread)).toEqual([false, true]);
  });

  it('offers Mark all read under the latest errors, enabled while some are unread', () => {
    const a = actions();
    const latest = [{ id: 'g0', title: 'TypeError', unread: true, resolved: false, snoozed: false }];
    expect(find(buildTrayMenu(state({ latest, unread: 0 }), a), 'Mark all read').enabled).toBe(false);
    const item = find(buildTrayMenu(state({ latest, unread: 2 }), a), 'Mark all read');
    expect(item.enabled).toBe(true);
    item.click!();
    expect(a.calls).toEqual([['markAllRead']]);
    expect(labels(buildTrayMenu(state(), a))).not.toContain('Mark all read');
  });

  it('has a copy item per source, and the toggles and DND choices call their actions', () => {
    const a = actions();
    const menu = buildTrayMenu(
      state({
        sources: [
          { id: 's1', name: 'Backtrace prod', webhookUrl: 'https://bell.ngrok.app/hooks/s1' },
          { id: 's2', name: 'Site & shop', webhookUrl: 'https://bell.ngrok.app/hooks/s2' },
        ],
        pausedAll: true,
        startAtLogin: false,
        dnd: { active: true, until: '2026-01-01T10:00:00.000Z' },
      }),
      a,
    );
    const copy = find(menu, 'Copy webhook URL').submenu!;
    expect(copy.map((i) => i.label)).toEqual(['Backtrace prod', 'Site && shop']);
    copy[1]!.click!();
    const dnd = find(menu, 'Do Not Disturb (on)').submenu!;
    expect(dnd.map((i) => i.label)).toEqual(['For 1 hour', 'Until tomorrow', 'Off']);
    dnd[0]!.click!();
    dnd[1]!.click!();
    dnd[2]!.click!();
    const pause = find(menu, 'Pause all');
    expect(pause).toMatchObject({ type: 'checkbox', checked: true });
    pause.click!();
    find(menu, 'Start at login').click!();
    find(menu, 'Open Crashbell').click!();
    find(menu, 'Quit Crashbell').click!();
    expect(a.calls).toEqual([
      ['copyWebhookUrl', 's2'],
      ['setDnd', '1h'],
      ['setDnd', 'tomorrow'],
      ['setDnd', 'off'],
      ['setPausedAll', false],
      ['setStartAtLogin', true],
      ['openWindow'],
      ['quit'],
    ]);
  });

  it('DND "Off" is disabled when DND is not on', () => {
    const menu = buildTrayMenu(state(), actions());
    expect(find(menu, 'Do Not Disturb').submenu![2]).toMatchObject({ label: 'Off', enabled: false });
  });

  it('keeps labels from the internet short, one line, and free of mnemonics', () => {
    expect(menuLabel('a\nb\t c')).toBe('a b c');
    expect(menuLabel('x'.repeat(100))).toHaveLength(60);
    expect(menuLabel('   ')).toBe('(untitled error)');
    expect(menuLabel('R&D')).toBe('R&&D');
  });
});

describe('tray icon and tooltip', () => {
  it('shows listening, tunnel down, unread and DND, DND first', () => {
    expect(trayIconKind(state())).toBe('listening');
    expect(trayIconKind(state({ unread: 3 }))).toBe('unread');
    expect(trayIconKind(state({ unread: 3, tunnel: { status: 'error', reason: 'x', code: null, retryAt: null } }))).toBe('down');
    expect(trayIconKind(state({ listening: false }))).toBe('down');
    expect(trayIconKind(state({ unread: 3, dnd: { active: true, until: null } }))).toBe('dnd');
  });

  it('tooltip says until when Do Not Disturb holds, in the core’s words (local time, not ISO)', () => {
    const dnd = { active: true, until: '2026-01-01T10:00:00.000Z', reason: 'Do Not Disturb until 11:00' };
    expect(trayTooltip(state({ dnd }))).toBe('Crashbell\nhttps://bell.ngrok.app\nDo Not Disturb until 11:00');
    expect(trayTooltip(state({ dnd: { active: true, until: null } }))).toContain('\nDo Not Disturb');
  });

  it('tooltip shows the public URL, or the local one, and counts', () => {
    expect(trayTooltip(state())).toBe('Crashbell\nhttps://bell.ngrok.app');
    expect(trayTooltip(state({ tunnel: { status: 'off', reason: 'No ngrok authtoken' }, unread: 1 }))).toBe(
      'Crashbell\nLocal only: http://127.0.0.1:7317\n1 unread error',
    );
    expect(
      trayTooltip(state({ tunnel: { status: 'error', reason: 'y'.repeat(300), code: null, retryAt: null } })).length,
    ).toBeLessThanOrEqual(127);
  });

  it('knows where a tray is missing', () => {
    expect(desktopHasTray('win32', {})).toBe(true);
    expect(desktopHasTray('darwin', {})).toBe(true);
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'GNOME' })).toBe(false);
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' })).toBe(true);
    expect(desktopHasTray('linux', { XDG_CURRENT_DESKTOP: 'KDE' })).toBe(true);
  });

  it('the controller swaps the icon only when the kind changes and rebuilds the menu only when the state changed', () => {
    const tray = { setImage: vi.fn(), setToolTip: vi.fn(), setContextMenu: vi.fn(), on: vi.fn(), destroy: vi.fn() };
    const createTray = vi.fn(() => tray);
    const buildMenu = vi.fn((t: TrayMenuItem[]) => ({ template: t }));
    const c = new TrayController(
      { createTray, buildMenu, iconPath: (k) => `/icons/${k}.png`, actions: actions(), platform: 'linux' },
      state(),
    );
    expect(createTray).toHaveBeenCalledWith('/icons/listening.png');
    expect(tray.on).toHaveBeenCalledWith('click', expect.any(Function));
    c.update(state());
    expect(tray.setImage).not.toHaveBeenCalled();
    expect(buildMenu).toHaveBeenCalledTimes(1);
    c.update(state({ unread: 2 }));
    expect(tray.setImage).toHaveBeenCalledWith('/icons/unread.png');
    expect(buildMenu).toHaveBeenCalledTimes(2);
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Crashbell\nhttps://bell.ngrok.app\n2 unread errors');
  });
});

describe('tray and the team relay', () => {
  it('shows the relay state in the menu and tooltip, and the down icon while it is in error or disconnected', () => {
    const reason = 'NATS refused: permissions violation for subscribe to crashbell.events.>';
    const down = state({ relay: { status: 'error', reason } });
    expect(trayIconKind(down)).toBe('down');
    expect(trayIconKind(state({ relay: { status: 'disconnected', reason: 'Lost the connection to NATS' } }))).toBe('down');
    expect(trayIconKind(state({ relay: { status: 'connected', reason: null } }))).toBe('listening');
    expect(trayTooltip(state({ relay: { status: 'connected', reason: null } }))).toContain('Team relay: connected');
    const items = buildTrayMenu(down, actions());
    const line = items.find((i) => i.label?.startsWith('Team relay: error'));
    expect(line).toMatchObject({ enabled: false });
    expect(labels(buildTrayMenu(state(), actions()))).not.toContain('Team relay: off');
  });
});

describe('tray and the app’s own updates', () => {
  it('offers "Restart to update (vX)" right under Open Crashbell while an update is ready, and says so in the tooltip', () => {
    const a = actions();
    const menu = buildTrayMenu(state({ updateReady: '1.4.0' }), a);
    expect(labels(menu).slice(0, 3)).toEqual(['Open Crashbell', 'Restart to update (v1.4.0)', '---']);
    find(menu, 'Restart to update (v1.4.0)').click!();
    expect(a.calls).toEqual([['installUpdate']]);
    expect(trayTooltip(state({ updateReady: '1.4.0' }))).toContain('\nUpdate ready: 1.4.0');
    expect(labels(buildTrayMenu(state({ updateReady: null }), a))).not.toContain('Restart to update (v1.4.0)');
  });

  it('the controller follows the update state besides the app state, and keeps it across app state pushes', () => {
    const tray = { setImage: vi.fn(), setToolTip: vi.fn(), setContextMenu: vi.fn(), on: vi.fn(), destroy: vi.fn() };
    const buildMenu = vi.fn((t: TrayMenuItem[]) => ({ template: t }));
    const c = new TrayController({ createTray: () => tray, buildMenu, iconPath: (k) => k, actions: actions(), platform: 'linux' }, state());
    let pushUpdate: (s: UpdateState) => void = () => undefined;
    let pushApp: (s: AppState) => void = () => undefined;
    c.followUpdates({ status: 'downloading', version: '1.4.0', percent: 40 }, (l) => {
      pushUpdate = l;
      return () => undefined;
    });
    c.follow((l) => {
      pushApp = l;
      return () => undefined;
    });
    const lastMenu = () => labels(buildMenu.mock.calls.at(-1)![0]);
    expect(lastMenu()).not.toContain('Restart to update (v1.4.0)');
    pushUpdate({ status: 'ready', version: '1.4.0' });
    expect(lastMenu()).toContain('Restart to update (v1.4.0)');
    pushApp(makeState({ unread: 1 }));
    expect(lastMenu()).toContain('Restart to update (v1.4.0)');
    pushUpdate({ status: 'error', reason: 'The update could not be installed: x' });
    expect(lastMenu()).not.toContain('Restart to update (v1.4.0)');
  });
});

describe('tray and snoozes that run out', () => {
  it('offers Snooze 1 h again when a snooze ends, though no state push comes then', () => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00.000Z') });
    try {
      const tray = { setImage: vi.fn(), setToolTip: vi.fn(), setContextMenu: vi.fn(), on: vi.fn(), destroy: vi.fn() };
      const buildMenu = vi.fn((t: TrayMenuItem[]) => ({ template: t }));
      const c = new TrayController(
        { createTray: () => tray, buildMenu, iconPath: (k) => k, actions: actions(), platform: 'linux' },
        state(),
      );
      const row = { ...groupRow(makeGroup({ id: 'g1', title: 'TypeError' })), snoozedUntil: '2026-01-01T01:00:00.000Z' };
      let push: (s: AppState) => void = () => undefined;
      const off = c.follow((l) => {
        push = l;
        return () => undefined;
      });
      push(makeState({ latest: [row] }));
      const submenu = () => (buildMenu.mock.calls.at(-1)![0].find((i) => i.submenu)?.submenu ?? []) as TrayMenuItem[];
      expect(labels(submenu())).toContain('Snoozed');
      vi.advanceTimersByTime(59 * 60_000);
      expect(labels(submenu())).toContain('Snoozed');
      vi.advanceTimersByTime(2 * 60_000);
      expect(labels(submenu())).toContain('Snooze 1 h');
      expect(find(submenu(), 'Snooze 1 h').enabled).toBe(true);
      off();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
