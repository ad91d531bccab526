/**
 * The app's own updates as a small state machine over electron-updater's `AppUpdater`, with no Electron in it:
 * the shell hands it the updater (loaded through `main/electron.ts` when first needed) and it turns the
 * updater's events into one {@link UpdateState} for the window and the tray. It checks at start and daily,
 * downloads in the background as soon as a newer version is published, and installs only when asked
 * ("Restart to update") or when the app quits.
 *
 * What is verified is electron-updater's to verify: the downloaded file's sha512 against the release's
 * metadata (latest.yml, latest-mac.yml, latest-linux.yml), everywhere; on Windows the installer's Authenticode
 * signature against the publisher the app was signed by (only for a signed app); on macOS Squirrel.Mac's check
 * that the update is signed like the running app. This module adds the feed rule (HTTPS only) and the words.
 */
import type { ShellCalls, UpdateState } from '../shared/ipc';
import { Emitter } from './core/base/event';

/** The part of electron-updater's `UpdateInfo` read here. */
export interface ReleaseInfo {
  version: string;
}

/** The part of electron-updater's `ProgressInfo` read here (`percent` is 0 to 100). */
export interface DownloadProgress {
  percent: number;
}

/**
 * The part of electron-updater's `AppUpdater` the controller drives (its documented events and methods);
 * electron-updater's own classes satisfy it, and tests drive it with a stand-in.
 */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  on(event: 'checking-for-update', listener: () => void): unknown;
  on(event: 'update-available' | 'update-not-available' | 'update-downloaded', listener: (info: ReleaseInfo) => void): unknown;
  on(event: 'download-progress', listener: (progress: DownloadProgress) => void): unknown;
  on(event: 'error', listener: (error: Error, message?: string) => void): unknown;
  checkForUpdates(): Promise<unknown>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

/**
 * Where updates come from, as electron-builder's publish options name it: the project's GitHub Releases (what
 * the app ships with), or a generic server (the tests' local feed).
 */
export type UpdateFeed =
  | { provider: 'github'; owner: string; repo: string; host?: string; protocol?: 'https' | 'http' }
  | { provider: 'generic'; url: string };

/**
 * Whether this copy of the app can update itself: its updater (and, where the updater's own "quit and install"
 * does not fit, how to install instead), or why not in words.
 */
export type UpdaterSupport = { updater: UpdaterLike; install?: () => void } | { unsupported: string };

/** How often the app checks again after the check at start. */
export const CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** Longest reason kept from an updater error: its messages can carry a whole server response. */
const MAX_REASON = 300;

/** The words for an update switched off in Settings. */
export const OFF_IN_SETTINGS = 'Automatic updates are off (Settings → App).';

/** "Restart to update" asked for while no update is downloaded. */
export class UpdateNotReadyError extends Error {
  constructor(state: UpdateState) {
    super(`No update is ready to install (${describeUpdate(state)}): wait for the download to finish, or check for updates first.`);
    this.name = 'UpdateNotReadyError';
  }
}

/**
 * Why a feed is refused, or null when it is fine. Only HTTPS: the sha512 an update is checked against comes
 * from the same feed, so over plain HTTP anyone on the path could swap both the file and its checksum.
 */
export function feedProblem(feed: UpdateFeed): string | null {
  const https =
    'Crashbell updates only over HTTPS: over plain HTTP anyone on the network path could swap the update and the sha512 it is checked against, which come from the same feed.';
  if (feed.provider === 'github') {
    if (feed.protocol === 'http') return `The update feed (GitHub ${feed.owner}/${feed.repo}) is set to plain HTTP. ${https}`;
    if (!feed.owner || !feed.repo) return 'The update feed names no GitHub repository (owner and repo).';
    return null;
  }
  let url: URL;
  try {
    url = new URL(feed.url);
  } catch {
    return `The update feed ${JSON.stringify(feed.url.slice(0, 200))} is not a URL.`;
  }
  if (url.protocol !== 'https:') return `The update feed ${url.origin} is not HTTPS. ${https}`;
  return null;
}

/** One line of plain text, without control characters, at most {@link MAX_REASON} characters. */
function oneLine(text: string): string {
  const flat = text.replace(/[\p{Cc}\s]+/gu, ' ').trim();
  return flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON - 1)}…` : flat;
}

/**
 * Plain words for what electron-updater (or Squirrel.Mac under it) reported. Its messages can be long (a stack,
 * a server's whole answer): the words name what happened and what to do, with the first line of the original.
 */
export function updateErrorWords(err: unknown): string {
  const error = err instanceof Error ? err : new Error(String(err));
  const code = (error as { code?: unknown }).code;
  const first = oneLine(error.message.split('\n')[0] ?? '');
  const text = `${String(code ?? '')} ${error.message}`;
  if (code === 'ERR_CHECKSUM_MISMATCH' || /checksum mismatch/i.test(text)) {
    return 'The downloaded update did not match the sha512 published with the release, so it was discarded; the next check downloads it again.';
  }
  if (code === 'ERR_UPDATER_INVALID_SIGNATURE') {
    return oneLine(`The downloaded installer is not signed by Crashbell's publisher, so it was not installed (${first}).`);
  }
  if (/code ?signature|codesign|SQRL/i.test(text)) {
    return oneLine(
      `macOS installs an update only into a copy of Crashbell signed by the same developer as the update, and this one is not: download the new version from the releases page (${first}).`,
    );
  }
  if (
    code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' ||
    code === 'ERR_UPDATER_ZIP_FILE_NOT_FOUND' ||
    code === 'ERR_UPDATER_NO_FILES_PROVIDED'
  ) {
    return oneLine(
      `The latest release lacks the update files for this system (latest.yml, latest-mac.yml with a .zip, or latest-linux.yml), so there is nothing to update from yet: ${first}`,
    );
  }
  if (code === 'ERR_UPDATER_LATEST_VERSION_NOT_FOUND' || code === 'ERR_UPDATER_NO_PUBLISHED_VERSIONS') {
    return oneLine(`No published release was found to update from: ${first}`);
  }
  if (code === 'ERR_UPDATER_INVALID_UPDATE_INFO' || code === 'ERR_UPDATER_INVALID_VERSION' || code === 'ERR_UPDATER_NO_CHECKSUM') {
    return oneLine(`The release's update metadata is not usable, so nothing was downloaded: ${first}`);
  }
  if (/ERR_BLOCKED_BY_CLIENT/.test(text)) {
    return 'The update server sent Crashbell to a plain-HTTP address, which it refuses: updates come only over HTTPS.';
  }
  if (/ERR_CERT|CERT_|certificate|self[- ]signed/i.test(text)) {
    return oneLine(`The update server's certificate is not trusted, so Crashbell did not talk to it: ${first}`);
  }
  if (
    /ERR_INTERNET_DISCONNECTED|ERR_NAME_NOT_RESOLVED|ERR_NETWORK|ERR_CONNECTION|ERR_TIMED_OUT|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN/.test(
      text,
    )
  ) {
    return oneLine(`Crashbell could not reach the update server (${first}); it tries again at the next daily check.`);
  }
  return oneLine(`The update failed: ${first || String(code ?? 'unknown error')}`);
}

/** The state in a few words, for logs and refusals. */
export function describeUpdate(state: UpdateState): string {
  switch (state.status) {
    case 'idle':
      return 'not checked yet';
    case 'checking':
      return 'checking';
    case 'available':
      return `version ${state.version} found`;
    case 'downloading':
      return `downloading version ${state.version}, ${state.percent}%`;
    case 'ready':
      return `version ${state.version} ready to install`;
    case 'not-available':
      return 'up to date';
    case 'error':
      return `error: ${state.reason}`;
    case 'disabled':
      return `off: ${state.reason}`;
  }
}

export interface UpdateControllerOptions {
  feed: UpdateFeed;
  /**
   * Loads the updater and says whether this copy can update (not run from source, not a package manager's
   * install); called once, when first needed, so start-up never waits for electron-updater to load.
   */
  load(feed: UpdateFeed): Promise<UpdaterSupport>;
  /** The setting (`autoUpdate`) at start; {@link UpdateController.setEnabled} follows it. */
  enabled: boolean;
  intervalMs?: number;
  now?: () => number;
  /** Called right before quitAndInstall: the window hides on close unless the app is known to be quitting. */
  beforeInstall?: () => void;
  log?: (message: string) => void;
}

/** The app's updates: one state, its changes pushed to listeners, checks at start and daily. */
export class UpdateController {
  private current: UpdateState = { status: 'idle' };
  // A failing listener (a closed window) must not stop the others, nor the updater's event: the emitter isolates it.
  private readonly changes = new Emitter<UpdateState>({
    onListenerError: (err) => this.log(`updates: a state listener failed: ${(err as Error).message}`),
  });
  private enabled: boolean;
  private support: Promise<UpdaterSupport> | null = null;
  private updater: UpdaterLike | null = null;
  private installOverride: (() => void) | null = null;
  /** "Restart to update" was asked for: an error now is the install's, and is shown even over "ready". */
  private installing = false;
  private checking: Promise<UpdateState> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private started = false;
  private closed = false;
  /** The version being downloaded, for the progress events (which do not name it). */
  private version: string | null = null;
  private readonly log: (message: string) => void;

  constructor(private readonly options: UpdateControllerOptions) {
    this.enabled = options.enabled;
    this.log = options.log ?? (() => undefined);
    const refused = feedProblem(options.feed);
    if (refused) this.current = { status: 'disabled', by: 'feed', reason: refused };
    else if (!this.enabled) this.current = { status: 'disabled', by: 'setting', reason: OFF_IN_SETTINGS };
  }

  get state(): UpdateState {
    return this.current;
  }

  /** Listens to state changes; returns the function that stops it. */
  onChange(listener: (state: UpdateState) => void): () => void {
    const sub = this.changes.event(listener);
    return () => sub.dispose();
  }

  /** Checks now and then every day (the timer never keeps the process alive). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.log(`updates: ${describeUpdate(this.current)}`);
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? CHECK_INTERVAL_MS);
    this.timer.unref?.();
    void this.check();
  }

  /**
   * Checks for a new version (a newer one starts downloading at once); answers the state once the check is
   * done. Never rejects: a failure is the `error` state, in words. Nothing is asked while an update is being
   * downloaded or waits to be installed.
   */
  async check(): Promise<UpdateState> {
    if (this.closed || !this.enabled || this.current.status === 'disabled') return this.current;
    if (this.current.status === 'downloading' || this.current.status === 'ready') return this.current;
    this.checking ??= this.runCheck().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  /** Follows the setting: off stops checking and keeps a downloaded update from installing on quit. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled || this.closed) return;
    this.enabled = enabled;
    if (this.updater) this.updater.autoInstallOnAppQuit = enabled;
    // A copy that cannot update, or a refused feed, stays off for its own reason whatever the setting says.
    if (this.current.status === 'disabled' && this.current.by !== 'setting') return;
    if (!enabled) {
      this.set({ status: 'disabled', by: 'setting', reason: OFF_IN_SETTINGS });
      return;
    }
    this.set({ status: 'idle' });
    if (this.started) void this.check();
  }

  /** "Restart to update": quits, installs and starts the new version. Throws {@link UpdateNotReadyError} unless one is ready. */
  install(): void {
    const state = this.current;
    if (state.status !== 'ready' || !this.updater) throw new UpdateNotReadyError(state);
    this.log(`updates: restarting to install version ${state.version}`);
    this.installing = true;
    this.options.beforeInstall?.();
    if (this.installOverride) this.installOverride();
    // Silent: the installer the user already agreed to runs without its wizard; then the new version starts.
    else this.updater.quitAndInstall(true, true);
  }

  /** Stops the daily check and the pushes. */
  dispose(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.changes.dispose();
  }

  private async runCheck(): Promise<UpdateState> {
    const updater = await this.ready();
    if (!updater || this.closed || !this.enabled) return this.current;
    try {
      const result = await updater.checkForUpdates();
      // electron-updater answers null when it considers itself inactive (not packaged, not an AppImage...).
      if (result === null) this.disable('install', 'electron-updater says this copy of Crashbell cannot update itself.');
    } catch (err) {
      this.fail(err);
    }
    return this.current;
  }

  /** The updater, loaded and subscribed once; null when this copy cannot update (the state then says why). */
  private async ready(): Promise<UpdaterLike | null> {
    this.support ??= this.options.load(this.options.feed).catch((err: unknown) => ({
      unsupported: `The updater could not be loaded: ${updateErrorWords(err)}`,
    }));
    const support = await this.support;
    if ('unsupported' in support) {
      this.disable('install', support.unsupported);
      return null;
    }
    if (!this.updater) {
      this.updater = support.updater;
      this.installOverride = support.install ?? null;
      this.subscribe(support.updater);
    }
    return this.updater;
  }

  private subscribe(updater: UpdaterLike): void {
    // The download is started here, not by electron-updater, so its promise has an owner.
    updater.autoDownload = false;
    updater.autoInstallOnAppQuit = this.enabled;
    updater.on('checking-for-update', () => this.follow({ status: 'checking' }));
    updater.on('update-not-available', () => this.follow({ status: 'not-available', checkedAt: this.isoNow() }));
    updater.on('update-available', (info) => {
      this.version = info.version;
      if (!this.follow({ status: 'available', version: info.version })) return;
      // A failed download also arrives as an 'error' event, which sets the state.
      updater.downloadUpdate().catch((err: unknown) => this.fail(err));
    });
    updater.on('download-progress', (progress) => {
      const percent = Math.max(0, Math.min(100, Math.floor(Number(progress.percent) || 0)));
      const s = this.current;
      // Pushed once per whole percent: the updater reports many times a second.
      if (s.status === 'downloading' && s.percent === percent) return;
      this.follow({ status: 'downloading', version: this.version ?? '?', percent });
    });
    updater.on('update-downloaded', (info) => this.follow({ status: 'ready', version: info.version }));
    updater.on('error', (err) => this.fail(err));
  }

  /** Applies a state the updater reported, unless updates were turned off meanwhile; true when applied. */
  private follow(state: UpdateState): boolean {
    if (this.closed || !this.enabled || this.current.status === 'disabled') return false;
    this.set(state);
    return true;
  }

  private fail(err: unknown): void {
    if (this.installing) {
      this.installing = false;
      this.follow({ status: 'error', reason: `The update could not be installed: ${updateErrorWords(err)}` });
      return;
    }
    // A downloaded update stays ready: a later failed check does not take "Restart to update" away.
    if (this.current.status === 'ready') return;
    this.follow({ status: 'error', reason: updateErrorWords(err) });
  }

  private disable(by: 'install' | 'feed', reason: string): void {
    if (this.current.status === 'disabled' && this.current.reason === reason) return;
    this.set({ status: 'disabled', by, reason });
  }

  private set(state: UpdateState): void {
    // The updater reports some failures twice (its 'error' event and the rejected call): push a state once.
    if (JSON.stringify(state) === JSON.stringify(this.current)) return;
    this.current = state;
    if (state.status !== 'downloading') this.log(`updates: ${describeUpdate(state)}`);
    this.changes.fire(state);
  }

  private isoNow(): string {
    return new Date((this.options.now ?? Date.now)()).toISOString();
  }
}

/** The IPC table's update calls over a controller: the shell answers them, not the app service. */
export function updateCalls(controller: UpdateController): ShellCalls {
  return {
    getUpdateState: async () => controller.state,
    checkForUpdates: () => controller.check(),
    installUpdate: async () => controller.install(),
  };
}
