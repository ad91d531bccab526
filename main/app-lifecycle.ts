import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * App-level behaviour that has nothing to do with crashes: one instance, Quit versus close, start at login,
 * and reconnecting after the machine wakes.
 */

/** The part of Electron's `app` used here. */
export interface AppLike {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance' | 'before-quit' | 'window-all-closed' | 'activate', listener: (...args: unknown[]) => void): void;
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
  setAppUserModelId?(id: string): void;
  relaunch?(options: { execPath?: string; args?: string[] }): void;
}

/** The part of Electron's `powerMonitor` used here. */
export interface PowerMonitorLike {
  on(event: 'resume' | 'unlock-screen', listener: () => void): void;
}

/** The argument Crashbell adds to its login item, so a launch at login starts hidden in the tray. */
export const HIDDEN_ARG = '--hidden';

/** Tracks whether the user asked to quit (closing the window only hides it otherwise). */
export class Lifecycle {
  private quitting = false;

  constructor(private readonly app: AppLike) {
    app.on('before-quit', () => {
      this.quitting = true;
    });
  }

  /** True once quitting: the window's close handler lets the window close. */
  isQuitting(): boolean {
    return this.quitting;
  }

  /** Quits for real. */
  quit(): void {
    this.quitting = true;
    this.app.quit();
  }

  /**
   * Lets windows close without quitting yet: for an updater that closes the windows and then quits the app
   * itself (Squirrel.Mac, the Windows installer), as a window's close otherwise only hides it.
   */
  prepareToQuit(): void {
    this.quitting = true;
  }

  /**
   * Quits, and starts `execPath` (the app's new version) once this process has exited, so the new one finds
   * the single-instance lock and the history free. A launch at login's `--hidden` is not carried over.
   */
  restartInto(execPath: string, argv: readonly string[]): void {
    this.app.relaunch?.({ execPath, args: argv.slice(1).filter((a) => a !== HIDDEN_ARG) });
    this.quit();
  }
}

/**
 * Takes the single-instance lock. Returns false when another Crashbell runs: that one is focused (it gets
 * 'second-instance') and this one must quit at once.
 */
export function acquireSingleInstance(app: AppLike, onSecondInstance: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => onSecondInstance());
  return true;
}

/** Where Linux desktops look for autostart entries, and what to run. */
export interface LinuxAutostart {
  /** `$XDG_CONFIG_HOME/autostart`, by default `~/.config/autostart`. */
  dir: string;
  /** The executable: the AppImage file (`$APPIMAGE`) or the installed binary. */
  exec: string;
}

/**
 * Where this Linux install's autostart entry goes and what it runs: only for an installed app (a development
 * run has no launcher to start), so undefined when not packaged.
 */
export function linuxAutostartFor(packaged: boolean, env: NodeJS.ProcessEnv, execPath: string): LinuxAutostart | undefined {
  if (!packaged) return undefined;
  return {
    dir: join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'autostart'),
    exec: env['APPIMAGE'] || execPath,
  };
}

/** The XDG autostart file name Crashbell owns. */
export const AUTOSTART_FILE = 'crashbell.desktop';

/** The autostart entry for Linux desktops (freedesktop.org Desktop Application Autostart). */
export function autostartEntry(exec: string): string {
  // Desktop-entry Exec quoting: the path in double quotes, with ", `, $ and \ escaped.
  const quoted = `"${exec.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Crashbell',
    'Comment=Crash-monitoring webhooks as native desktop notifications',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Applies the "start at login" setting (off by default); a launch at login starts hidden in the tray. macOS and
 * Windows use Electron's login items; Linux has none, so there an XDG autostart entry is written or removed.
 */
export function applyStartAtLogin(app: AppLike, enabled: boolean, platform: string, linux?: LinuxAutostart): void {
  if (platform === 'linux') {
    if (!linux) return;
    const file = join(linux.dir, AUTOSTART_FILE);
    if (enabled) {
      mkdirSync(linux.dir, { recursive: true });
      writeFileSync(file, autostartEntry(linux.exec));
    } else {
      rmSync(file, { force: true });
    }
    return;
  }
  // Starting hidden is the --hidden argument's job: Electron 44 removed `openAsHidden` (it was macOS-only).
  app.setLoginItemSettings({ openAtLogin: enabled, args: enabled ? [HIDDEN_ARG] : [] });
}

/** Whether this launch should start hidden (at login). */
export function startsHidden(app: AppLike, argv: readonly string[], platform: string): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  if (platform === 'darwin') {
    try {
      return app.getLoginItemSettings().wasOpenedAtLogin === true;
    } catch {
      return false;
    }
  }
  return false;
}

/** Calls `reconnect` when the machine wakes or the screen unlocks (the network may have changed meanwhile). */
export function reconnectOnResume(power: PowerMonitorLike, reconnect: () => void): void {
  power.on('resume', reconnect);
}
