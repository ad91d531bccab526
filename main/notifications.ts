/**
 * Native notifications for what the inbox's policy raises, and the ones a state change withdraws.
 *
 * Where the platform has notification buttons (macOS and Windows), a group's notification offers Open, Resolve
 * and Snooze 1 h; Open, and a click, open the group's page through the app service's `openGroup`, so they meet
 * the same link rule as the window and the tray (the provider's own hosts, or the source's web app URL): the URL
 * came from the internet. Linux has no buttons through Electron (its libnotify notifications show no actions), so
 * there a click opens the error in the window, where the actions are (and the tray carries them too). A digest
 * opens the window on the list.
 *
 * The notifier keeps each group's notifications still on screen: once the group settles (resolved, ignored,
 * snoozed, muted or claimed, by any route) they are closed, as they have nothing left to ask. Each source's
 * sound choice: `silent` everywhere; a named macOS system sound on macOS only (Windows and Linux give an app no
 * choice of sound, so they play their default).
 */
import type { ActionResult, GroupAction } from '../shared/actions';
import type { GroupStateChange, NotificationRequest, TunnelState } from '../shared/events';
import type { AppState, OpenResult, ViewName } from '../shared/ipc';
import { Emitter } from './core/base/event';
import { cut } from './core/bounded-event';
import { SETTLING_STATUSES } from './core/group-state';
import { withoutControls } from './core/plain-text';

/** Longest title and body a notification shows; desktops cut far shorter anyway. */
export const MAX_NOTIFICATION_TITLE = 200;
export const MAX_NOTIFICATION_BODY = 1_000;

/** Escapes what a markup-rendering body would read as markup. */
function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A notification's title and body as the platform will show them, exactly as the text reads: control characters
 * stripped, lengths capped, and on Linux the body escaped, because notification daemons render a subset of HTML
 * markup in the body (the freedesktop "body-markup" capability) and Electron's libnotify path passes it through,
 * so a title such as `<b>SIGSEGV</b> in std::vector<int>` would lose its `<b>` and `<int>`. The title (the
 * summary) is plain text in the freedesktop spec, so it is not escaped anywhere; macOS and Windows (toast XML is
 * built from text nodes) show text as it is.
 */
export function notificationText(title: string, body: string, platform: string): { title: string; body: string } {
  // Cut a first time before looking at every character, so a huge text costs no more than a long one.
  const rawTitle = withoutControls(title.slice(0, 4 * MAX_NOTIFICATION_TITLE)).replace(/[\t\r\n]+/g, ' ');
  const rawBody = withoutControls(body.slice(0, 4 * MAX_NOTIFICATION_BODY))
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ');
  const cleanTitle = cut(rawTitle.trim(), MAX_NOTIFICATION_TITLE);
  const cleanBody = cut(rawBody.trim(), MAX_NOTIFICATION_BODY);
  return { title: cleanTitle, body: platform === 'linux' ? escapeMarkup(cleanBody) : cleanBody };
}

/** The part of an Electron Notification used here. */
export interface NativeNotification {
  on(event: 'click' | 'close' | 'failed' | 'action', listener: (...args: unknown[]) => void): void;
  show(): void;
  /** Takes it off the screen (and, on Windows, out of the Action Center). */
  close(): void;
}

/** What the notifier asks Electron's Notification for (a subset of its constructor options). */
export interface NotificationOptions {
  title: string;
  body: string;
  icon?: string;
  silent?: boolean;
  /** macOS: a system sound by name. */
  sound?: string;
  /** macOS and Windows: buttons, in order. */
  actions?: Array<{ type: 'button'; text: string }>;
}

/** The buttons a group's notification has where the platform shows them, in order. */
export const NOTIFICATION_ACTIONS = ['Open', 'Resolve', 'Snooze 1 h'] as const;

/** What "Snooze 1 h" asks for, from a notification or the tray. */
export const QUICK_SNOOZE: GroupAction = { kind: 'snooze', minutes: 60 };

/** What each button asks of the group; Open has its own way (the link rule). */
const BUTTON_ACTIONS: Record<Exclude<(typeof NOTIFICATION_ACTIONS)[number], 'Open'>, GroupAction> = {
  Resolve: { kind: 'resolve' },
  'Snooze 1 h': QUICK_SNOOZE,
};

/** The first words of a failed action's notification: "Not resolved". */
const NOT_DONE: Record<GroupAction['kind'], string> = {
  resolve: 'Not resolved',
  'resolve-next-release': 'Not resolved',
  unresolve: 'Not reopened',
  snooze: 'Not snoozed',
  'snooze-occurrences': 'Not snoozed',
  ignore: 'Not ignored',
  'assign-to-me': 'Not assigned',
  claim: 'Not claimed',
  release: 'Claim not released',
};

/** `words` as a sentence that another may follow. */
function sentence(words: string): string {
  const w = words.trim();
  return /[.!?]$/.test(w) ? w : `${w}.`;
}

/** The notification that says an action from the tray or a notification failed, with the provider's words. */
export function actionFailedNotification(title: string, result: ActionResult): { title: string; body: string } {
  return { title: `${NOT_DONE[result.action]}: ${title}`, body: `${sentence(result.words)} Click to see the error in Crashbell.` };
}

/** Whether Electron shows notification buttons on this platform. */
export function hasNotificationActions(platform: string): boolean {
  return platform === 'darwin' || platform === 'win32';
}

/** What the desktop adds to a digest, whose text from the core is only the facts: a click opens the list. */
export const DIGEST_CALL_TO_ACTION = 'Click to see them all.';

/** The options for one request on one platform: text cut to size, its source's sound, and buttons where there are any. */
export function notificationOptions(request: NotificationRequest, platform: string, icon?: string): NotificationOptions {
  const body = request.digest ? `${request.body} ${DIGEST_CALL_TO_ACTION}` : request.body;
  const options: NotificationOptions = notificationText(request.title, body, platform);
  if (icon) options.icon = icon;
  if (request.sound === 'silent') options.silent = true;
  else if (request.sound && request.sound !== 'default' && platform === 'darwin') options.sound = request.sound;
  if (request.group && !request.digest && hasNotificationActions(platform)) {
    options.actions = NOTIFICATION_ACTIONS.map((text) => ({ type: 'button', text }));
  }
  return options;
}

/** The index of the button pressed, from Electron's 'action' event (its details, or the older index argument). */
function actionIndexOf(args: unknown[]): number | null {
  const [details, index] = args;
  if (details && typeof details === 'object' && typeof (details as { actionIndex?: unknown }).actionIndex === 'number') {
    return (details as { actionIndex: number }).actionIndex;
  }
  return typeof index === 'number' ? index : null;
}

/** A refused link, kept so the window (and a bug report) can show what happened. */
export interface RefusedLink {
  at: string;
  url: string;
  reason: string;
  groupId: string | null;
}

export interface NotifierDeps {
  createNotification(options: NotificationOptions): NativeNotification;
  isSupported(): boolean;
  /** `process.platform`: which of Electron's notification features there are (buttons, named sounds). */
  platform?: string;
  /** The app icon (PNG path); macOS uses the bundle's icon and ignores it. */
  icon?: string;
  /**
   * Opens a group's page if the link rule lets it (the app service's `openGroup`, which also marks it read);
   * says why not otherwise.
   */
  openGroup(groupId: string): Promise<OpenResult>;
  showWindow(): void;
  navigate(view: ViewName, groupId?: string): void;
  /** Marks a group read: clicking its notification means the user has seen it. */
  markRead?(groupId: string): void;
  /** Runs an action a button asked for (Resolve, Snooze 1 h); the shell reports how it ended. `title` names the group. */
  act?(groupId: string, action: GroupAction, title: string): void;
  log(message: string): void;
  now?: () => number;
}

/** Keeps notifications referenced until closed: Electron drops click handlers of collected notifications. */
const MAX_LIVE = 50;
const MAX_REFUSED = 100;

/** Raises notifications, routes their clicks and buttons, and withdraws the ones a state change settled. */
export class Notifier {
  /** Each notification on screen, with the group it is about (null: a digest, a URL change, a failure). */
  private readonly live = new Map<NativeNotification, string | null>();
  /** The notifications on screen about each group. */
  private readonly byGroup = new Map<string, Set<NativeNotification>>();
  private readonly refused: RefusedLink[] = [];
  private readonly refusals = new Emitter<RefusedLink>();
  private announcedUrl: string | null = null;

  constructor(private readonly deps: NotifierDeps) {}

  private get platform(): string {
    return this.deps.platform ?? 'linux';
  }

  /** Raises one notification; returns false when the platform cannot show notifications. */
  show(request: NotificationRequest): boolean {
    if (!this.deps.isSupported()) {
      this.deps.log(`notifications: not supported on this desktop; "${request.title}" was not shown`);
      return false;
    }
    const options = notificationOptions(request, this.platform, this.deps.icon);
    const n = this.deps.createNotification(options);
    this.keep(n, request.group && !request.digest ? request.group : null);
    n.on('click', () => {
      this.forget(n);
      void this.onClick(request);
    });
    if (options.actions) {
      n.on('action', (...args: unknown[]) => {
        this.forget(n);
        this.onButton(request, NOTIFICATION_ACTIONS[actionIndexOf(args) ?? -1]);
      });
    }
    n.on('close', () => this.forget(n));
    n.on('failed', (...args: unknown[]) => {
      this.forget(n);
      this.deps.log(`notifications: failed to show "${request.title}": ${String(args[1] ?? 'unknown error')}`);
    });
    n.show();
    return true;
  }

  /** What a button does: Open as a click where there are buttons; Resolve and Snooze 1 h through the shell's actions. */
  private onButton(request: NotificationRequest, pressed: (typeof NOTIFICATION_ACTIONS)[number] | undefined): void {
    if (!pressed || !request.group) return;
    if (pressed === 'Open') {
      void this.openRequest(request);
      return;
    }
    this.deps.act?.(request.group, BUTTON_ACTIONS[pressed], request.title);
  }

  /**
   * Closes the group's notifications still on screen (a state change settled it); answers how many. A platform
   * that refuses to close one is logged, not thrown.
   */
  withdraw(groupId: string): number {
    const shown = this.byGroup.get(groupId);
    if (!shown) return 0;
    let closed = 0;
    for (const n of [...shown]) {
      this.forget(n);
      try {
        n.close();
        closed++;
      } catch (err) {
        this.deps.log(`notifications: could not withdraw one: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return closed;
  }

  /**
   * Follows a group's state, whatever changed it (an action here, the provider's own state hook, a teammate): once
   * it is resolved, ignored, snoozed, muted or claimed, its notification has nothing left to ask and is withdrawn.
   */
  followState(change: GroupStateChange): void {
    if (!SETTLING_STATUSES.has(change.status)) return;
    const closed = this.withdraw(change.group);
    if (closed > 0) this.deps.log(`notifications: withdrew ${closed} about a group now ${change.status} (${change.via})`);
  }

  /**
   * Says that an action from a notification or the tray failed, with the provider's words; a click shows the
   * error in the window, where the action's state is. Returns false when notifications cannot be shown.
   */
  showActionFailure(groupId: string, title: string, result: ActionResult): boolean {
    if (!this.deps.isSupported()) return false;
    const message = actionFailedNotification(title, result);
    this.showToWindow(message.title, message.body, () => this.deps.navigate('errors', groupId));
    return true;
  }

  /** Shows a notification whose click brings the window up where `go` leads. */
  private showToWindow(title: string, body: string, go: () => void): void {
    const options: NotificationOptions = this.text(title, body);
    if (this.deps.icon) options.icon = this.deps.icon;
    const n = this.deps.createNotification(options);
    this.keep(n, null);
    n.on('click', () => {
      this.forget(n);
      this.deps.showWindow();
      go();
    });
    n.on('close', () => this.forget(n));
    n.show();
  }

  /**
   * Says once per new URL that the public URL changed from the one the user pasted into providers (the
   * tunnel came back on another address), listing each source's new webhook URL; a click opens Setup.
   * Returns true when it announced one.
   */
  announceUrlChange(state: AppState, lastCopiedUrl: string | null): boolean {
    const current = urlChangeToAnnounce(state.tunnel, lastCopiedUrl, state.sources.length, this.announcedUrl);
    if (!current || !this.deps.isSupported()) return false;
    this.announcedUrl = current;
    const message = urlChangedNotification(
      current,
      state.sources.map((s) => ({ name: s.name, webhookUrl: s.webhookUrl })),
    );
    this.showToWindow(message.title, message.body, () => this.deps.navigate('setup'));
    this.deps.log(`public URL changed to ${current}: providers must be updated`);
    return true;
  }

  private text(title: string, body: string): { title: string; body: string } {
    return notificationText(title, body, this.platform);
  }

  /**
   * What a click does: a digest → the list; a group → its page through the link rule where the notification has
   * buttons, or the error in the window on Linux (where the actions are, as the notification has none).
   */
  async onClick(request: NotificationRequest): Promise<void> {
    if (request.group && !request.digest && !hasNotificationActions(this.platform)) {
      this.deps.markRead?.(request.group);
      if (request.refusedLink) this.recordRefusal(request.refusedLink.url, request.refusedLink.reason, request.group);
      this.deps.showWindow();
      this.deps.navigate('errors', request.group);
      return;
    }
    await this.openRequest(request);
  }

  /** Opens the group's page through the link rule, or the window when there is none or it is refused. */
  private async openRequest(request: NotificationRequest): Promise<void> {
    if (request.group && !request.digest) this.deps.markRead?.(request.group);
    // The core took the link out: record why, as a refusal at the click would be.
    if (request.refusedLink) this.recordRefusal(request.refusedLink.url, request.refusedLink.reason, request.group);
    if (request.digest || !request.url || !request.group) {
      this.deps.showWindow();
      this.deps.navigate('errors', request.group ?? undefined);
      return;
    }
    const result = await this.openGroup(request.group, request.url);
    if (!result.opened) {
      // Still take the user to the error, inside the app, where the refusal is explained.
      this.deps.showWindow();
      this.deps.navigate('errors', request.group);
    }
  }

  /** Opens a group's page when the link rule accepts it; records refusals (with the URL the notification carried). */
  async openGroup(groupId: string, url: string): Promise<OpenResult> {
    let result: OpenResult;
    try {
      result = await this.deps.openGroup(groupId);
    } catch (err) {
      result = { opened: false, reason: `the link could not be opened: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!result.opened) this.recordRefusal(url, result.reason ?? 'refused', groupId);
    return result;
  }

  /** Refused links, newest last. */
  refusedLinks(): readonly RefusedLink[] {
    return this.refused;
  }

  /** Subscribes to refusals (the shell logs them and tells the window); returns an unsubscribe. */
  onRefused(listener: (r: RefusedLink) => void): () => void {
    const sub = this.refusals.event(listener);
    return () => sub.dispose();
  }

  /** How many notifications are on screen (about `groupId`, when given), as far as the notifier knows. */
  onScreen(groupId?: string): number {
    return groupId === undefined ? this.live.size : (this.byGroup.get(groupId)?.size ?? 0);
  }

  private recordRefusal(url: string, reason: string, groupId: string | null): void {
    const record: RefusedLink = {
      at: new Date((this.deps.now ?? Date.now)()).toISOString(),
      url: url.slice(0, 300),
      reason,
      groupId,
    };
    this.refused.push(record);
    if (this.refused.length > MAX_REFUSED) this.refused.shift();
    this.deps.log(`links: refused ${JSON.stringify(record.url)}: ${reason}`);
    this.refusals.fire(record);
  }

  private keep(n: NativeNotification, groupId: string | null): void {
    this.live.set(n, groupId);
    if (groupId !== null) {
      const shown = this.byGroup.get(groupId) ?? new Set<NativeNotification>();
      shown.add(n);
      this.byGroup.set(groupId, shown);
    }
    if (this.live.size > MAX_LIVE) {
      const oldest = this.live.keys().next();
      if (!oldest.done) this.forget(oldest.value);
    }
  }

  private forget(n: NativeNotification): void {
    const groupId = this.live.get(n);
    this.live.delete(n);
    if (groupId === undefined || groupId === null) return;
    const shown = this.byGroup.get(groupId);
    shown?.delete(n);
    if (shown?.size === 0) this.byGroup.delete(groupId);
  }
}

/** The notification that says providers must be told the new public URL. */
export function urlChangedNotification(
  publicBaseUrl: string,
  sources: Array<{ name: string; webhookUrl: string }>,
): { title: string; body: string } {
  const lines = sources.slice(0, 3).map((s) => `${s.name}: ${s.webhookUrl}`);
  if (sources.length > 3) lines.push(`and ${sources.length - 3} more in Setup`);
  return {
    title: 'Crashbell has a new public URL',
    body: `Update the webhook URL in your providers' settings. ${lines.length > 0 ? lines.join('\n') : publicBaseUrl}`,
  };
}

function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * The new public base URL to announce, or null. Announced when the tunnel is online at an origin other than the
 * one the user last copied into a provider (nothing to update when they never copied one, or have no source),
 * once per new URL.
 */
export function urlChangeToAnnounce(
  state: TunnelState,
  lastCopiedUrl: string | null,
  sourceCount: number,
  alreadyAnnounced: string | null,
): string | null {
  if (state.status !== 'online' || sourceCount === 0) return null;
  const current = originOf(state.url);
  const last = originOf(lastCopiedUrl);
  if (!current || !last || current === last || current === alreadyAnnounced) return null;
  return current;
}
