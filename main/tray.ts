/**
 * The tray: an icon that shows the app's state, a tooltip with the public URL, and a menu built by a pure
 * function from that state (so it is tested without Electron): each of the latest errors with Open, Resolve and
 * Snooze 1 h. The controller only applies it to Electron.
 */
import type { GroupAction } from '../shared/actions';
import type { GroupRow, RelayState, TunnelState } from '../shared/events';
import type { AppState, DndMode, UpdateState } from '../shared/ipc';

/** What the tray shows. Built from the app service's state. */
export interface TrayState {
  listening: boolean;
  localBaseUrl: string | null;
  tunnel: TunnelState;
  publicBaseUrl: string | null;
  unread: number;
  /** `reason` in words, its end in local time ("Do Not Disturb until 09:07"), as the core says it. */
  dnd: { active: boolean; until: string | null; reason?: string | null };
  pausedAll: boolean;
  startAtLogin: boolean;
  /** The latest groups, newest first (at most 5 are shown), with what their submenu offers. */
  latest: TrayGroup[];
  /** Every source, with the URL to paste into the provider. */
  sources: Array<{ id: string; name: string; webhookUrl: string }>;
  /** The team relay, when one is configured. */
  relay?: { status: RelayState['status']; reason: string | null } | null;
  /** The version of a downloaded update waiting for "Restart to update"; null when none is. */
  updateReady?: string | null;
}

/** One of the latest errors as the tray lists it. */
export interface TrayGroup {
  id: string;
  title: string;
  unread: boolean;
  /** Already resolved: Resolve has nothing to do. */
  resolved: boolean;
  /** Snoozed now (until a time still ahead): Snooze 1 h has nothing to do. */
  snoozed: boolean;
}

/** What the menu's items do. */
export interface TrayActions {
  openWindow(): void;
  openGroup(groupId: string): void;
  /** Resolve or Snooze 1 h on one of the latest errors (the shell reports how it ended). */
  act(groupId: string, action: GroupAction): void;
  markAllRead(): void;
  copyWebhookUrl(sourceId: string): void;
  setDnd(mode: DndMode): void;
  setPausedAll(paused: boolean): void;
  setStartAtLogin(enabled: boolean): void;
  /** "Restart to update": installs the downloaded update. */
  installUpdate(): void;
  quit(): void;
}

/** A menu item as Electron's `Menu.buildFromTemplate` takes it (the subset used here). */
export interface TrayMenuItem {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox' | 'submenu';
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
  submenu?: TrayMenuItem[];
}

/** The icon variants under `build/tray/` (16/32 px and @2x). */
export type TrayIconKind = 'listening' | 'down' | 'unread' | 'dnd';

export const TRAY_LATEST = 5;
const MAX_LABEL = 60;

/** Menu labels come from the internet: keep them one short line, and keep `&` from becoming a mnemonic. */
export function menuLabel(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > MAX_LABEL ? `${oneLine.slice(0, MAX_LABEL - 1)}…` : oneLine;
  return (short === '' ? '(untitled error)' : short).replace(/&/g, '&&');
}

/** A version as the menu shows it: "v1.2.3". */
export function versionLabel(version: string): string {
  return /^\d/.test(version) ? `v${version}` : version;
}

/**
 * Which icon: Do Not Disturb wins (the user chose silence), then a problem with reachability (the receiver is
 * not listening or the tunnel is in error), then unread errors, else listening.
 */
export function trayIconKind(state: TrayState): TrayIconKind {
  if (state.dnd.active) return 'dnd';
  if (!state.listening || state.tunnel.status === 'error') return 'down';
  // Events come through the relay too: while it is down, silence does not mean all is well.
  if (state.relay && (state.relay.status === 'error' || state.relay.status === 'disconnected')) return 'down';
  if (state.unread > 0) return 'unread';
  return 'listening';
}

function tunnelLine(state: TrayState): string {
  const t = state.tunnel;
  switch (t.status) {
    case 'online':
      return t.url;
    case 'connecting':
      return 'Tunnel connecting…';
    case 'error':
      return `Tunnel down: ${t.reason}`;
    case 'off':
      return state.localBaseUrl ? `Local only: ${state.localBaseUrl}` : 'Tunnel off';
  }
}

/** One line for the team relay: its state, and why when it is not connected. */
export function relayLabel(relay: NonNullable<TrayState['relay']>): string {
  const words = { off: 'off', connecting: 'connecting…', connected: 'connected', disconnected: 'disconnected', error: 'error' }[
    relay.status
  ];
  return `Team relay: ${words}${relay.status !== 'connected' && relay.reason ? ` (${relay.reason})` : ''}`;
}

/** The tooltip: the public URL (or why there is none), unread count and DND. */
export function trayTooltip(state: TrayState): string {
  const lines = ['Crashbell', state.listening ? tunnelLine(state) : 'Not listening'];
  if (state.unread > 0) lines.push(`${state.unread} unread error${state.unread === 1 ? '' : 's'}`);
  if (state.dnd.active) lines.push(state.dnd.reason ?? 'Do Not Disturb');
  if (state.pausedAll) lines.push('All sources paused');
  if (state.relay) lines.push(relayLabel(state.relay));
  if (state.updateReady) lines.push(`Update ready: ${menuLabel(state.updateReady)}`);
  // Windows truncates tooltips at 127 characters.
  const text = lines.join('\n');
  return text.length > 127 ? `${text.slice(0, 126)}…` : text;
}

/** One latest error's submenu: Open (its page through the link rule), Resolve, Snooze 1 h. */
export function groupSubmenu(g: TrayGroup, actions: TrayActions): TrayMenuItem[] {
  return [
    { label: 'Open', click: () => actions.openGroup(g.id) },
    { label: g.resolved ? 'Resolved' : 'Resolve', enabled: !g.resolved, click: () => actions.act(g.id, { kind: 'resolve' }) },
    {
      label: g.snoozed ? 'Snoozed' : 'Snooze 1 h',
      enabled: !g.snoozed,
      click: () => actions.act(g.id, { kind: 'snooze', minutes: 60 }),
    },
  ];
}

/** Builds the tray menu from state. Pure: the same state gives the same menu. */
export function buildTrayMenu(state: TrayState, actions: TrayActions): TrayMenuItem[] {
  const items: TrayMenuItem[] = [{ label: 'Open Crashbell', click: () => actions.openWindow() }];
  if (state.updateReady) {
    items.push({ label: `Restart to update (${menuLabel(versionLabel(state.updateReady))})`, click: () => actions.installUpdate() });
  }
  items.push({ type: 'separator' });

  const latest = state.latest.slice(0, TRAY_LATEST);
  if (latest.length === 0) {
    items.push({ label: 'No errors yet', enabled: false });
  } else {
    items.push({ label: 'Latest errors', enabled: false });
    for (const g of latest) items.push({ label: `${g.unread ? '• ' : ''}${menuLabel(g.title)}`, submenu: groupSubmenu(g, actions) });
    items.push({ label: 'Mark all read', enabled: state.unread > 0, click: () => actions.markAllRead() });
  }
  items.push({ type: 'separator' });
  if (state.relay) {
    items.push({ label: menuLabel(relayLabel(state.relay)), enabled: false });
    items.push({ type: 'separator' });
  }

  if (state.sources.length === 0) {
    items.push({ label: 'Copy webhook URL', enabled: false });
  } else {
    items.push({
      label: 'Copy webhook URL',
      submenu: state.sources.map((s) => ({ label: menuLabel(s.name), click: () => actions.copyWebhookUrl(s.id) })),
    });
  }

  items.push({
    label: state.dnd.active ? 'Do Not Disturb (on)' : 'Do Not Disturb',
    submenu: [
      { label: 'For 1 hour', click: () => actions.setDnd('1h') },
      { label: 'Until tomorrow', click: () => actions.setDnd('tomorrow') },
      { label: 'Off', enabled: state.dnd.active, click: () => actions.setDnd('off') },
    ],
  });
  items.push({
    label: 'Pause all',
    type: 'checkbox',
    checked: state.pausedAll,
    click: () => actions.setPausedAll(!state.pausedAll),
  });
  items.push({
    label: 'Start at login',
    type: 'checkbox',
    checked: state.startAtLogin,
    click: () => actions.setStartAtLogin(!state.startAtLogin),
  });
  items.push({ type: 'separator' }, { label: 'Quit Crashbell', click: () => actions.quit() });
  return items;
}

/**
 * Whether this desktop shows tray icons. Windows and macOS always do; on Linux, stock GNOME has no tray without
 * an extension, so there the window (minimized, not hidden) stays the way back in.
 */
export function desktopHasTray(platform: string, env: Record<string, string | undefined>): boolean {
  if (platform !== 'linux') return true;
  const desktop = `${env['XDG_CURRENT_DESKTOP'] ?? ''}:${env['DESKTOP_SESSION'] ?? ''}`.toLowerCase();
  if (desktop.includes('gnome') && !desktop.includes('ubuntu') && !desktop.includes('unity')) return false;
  return true;
}

/** The Electron objects the controller uses (from `main/electron.ts`). */
export interface TrayDeps {
  createTray(iconPath: string): {
    setImage(iconPath: string): void;
    setToolTip(text: string): void;
    setContextMenu(menu: unknown): void;
    on(event: 'click', listener: () => void): void;
    destroy(): void;
  };
  buildMenu(template: TrayMenuItem[]): unknown;
  /** Path of a tray icon for a kind (the right size and @2x for the platform). */
  iconPath(kind: TrayIconKind): string;
  actions: TrayActions;
  /** Left click: macOS opens the menu itself; elsewhere a click opens the window. */
  platform: string;
}

/** One latest error as the tray lists it, at `now`. Crashbell's own test events are not unread errors: no dot for them. */
export function trayGroup(g: GroupRow, now: number): TrayGroup {
  const until = g.snoozedUntil ? Date.parse(g.snoozedUntil) : Number.NaN;
  return { id: g.id, title: g.title, unread: !g.read && !g.test, resolved: g.resolved, snoozed: Number.isFinite(until) && until > now };
}

/** setTimeout's largest delay (about 24.8 days); a later snooze end is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** When the first snooze among the tray's latest errors runs out, after `now`; null when none does. */
export function nextSnoozeEnd(state: AppState, now: number): number | null {
  let next: number | null = null;
  for (const g of state.latest.slice(0, TRAY_LATEST)) {
    const until = g.snoozedUntil ? Date.parse(g.snoozedUntil) : Number.NaN;
    if (Number.isFinite(until) && until > now && (next === null || until < next)) next = until;
  }
  return next;
}

/** What the tray shows, from the state the app service pushes (so the tray never asks for it itself). */
export function trayStateOf(state: AppState, now: number = Date.now()): TrayState {
  return {
    listening: state.receiver.listening,
    localBaseUrl: state.receiver.localBaseUrl,
    tunnel: state.tunnel,
    publicBaseUrl: state.publicBaseUrl,
    unread: state.unread,
    dnd: { active: state.dnd.active, until: state.dnd.until, reason: state.dnd.reason },
    pausedAll: state.pausedAll,
    startAtLogin: state.startAtLogin,
    latest: state.latest.slice(0, TRAY_LATEST).map((g) => trayGroup(g, now)),
    sources: state.sources.map((s) => ({ id: s.id, name: s.name, webhookUrl: s.webhookUrl })),
    relay: state.relay && state.relay.status !== 'off' ? { status: state.relay.status, reason: state.relay.reason } : null,
  };
}

/** Applies tray state to Electron's Tray. */
export class TrayController {
  private readonly tray: ReturnType<TrayDeps['createTray']>;
  private kind: TrayIconKind | null = null;
  private current: TrayState;
  private shown = '';

  constructor(
    private readonly deps: TrayDeps,
    initial: TrayState,
  ) {
    this.current = initial;
    this.tray = deps.createTray(deps.iconPath(trayIconKind(initial)));
    this.kind = trayIconKind(initial);
    if (deps.platform !== 'darwin') this.tray.on('click', () => deps.actions.openWindow());
    this.update(initial);
  }

  /** The state shown now (the menu's actions read the sources' URLs from it). */
  get state(): TrayState {
    return this.current;
  }

  /** Follows the app service's state pushes; the first state comes with the controller. */
  follow(subscribe: (listener: (state: AppState) => void) => () => void): () => void {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const apply = (state: AppState): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      const now = Date.now();
      this.update({ ...trayStateOf(state, now), updateReady: this.current.updateReady ?? null });
      // No push comes when a snooze runs out: the menu offers Snooze again at that time by itself.
      const next = nextSnoozeEnd(state, now);
      if (next !== null) {
        timer = setTimeout(() => apply(state), Math.min(next - now + 50, MAX_TIMER_MS));
        timer.unref?.();
      }
    };
    const off = subscribe(apply);
    return () => {
      if (timer) clearTimeout(timer);
      off();
    };
  }

  /** Follows the app's update state (the shell's, not the service's): "Restart to update" while one is ready. */
  followUpdates(initial: UpdateState, subscribe: (listener: (state: UpdateState) => void) => () => void): () => void {
    const apply = (u: UpdateState) => this.update({ ...this.current, updateReady: u.status === 'ready' ? u.version : null });
    apply(initial);
    return subscribe(apply);
  }

  update(state: TrayState): void {
    // State pushes come several times a second in a storm, and rebuilding a native menu is not free.
    const shown = JSON.stringify(state);
    if (shown === this.shown) return;
    this.shown = shown;
    this.current = state;
    const kind = trayIconKind(state);
    if (kind !== this.kind) {
      this.tray.setImage(this.deps.iconPath(kind));
      this.kind = kind;
    }
    this.tray.setToolTip(trayTooltip(state));
    this.tray.setContextMenu(this.deps.buildMenu(buildTrayMenu(state, this.deps.actions)));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
