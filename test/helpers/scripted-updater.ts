/**
 * A stand-in for electron-updater's `AppUpdater`, for the update state machine's tests and the e2e window: it
 * emits electron-updater's documented events in the order electron-updater emits them (events:
 * https://www.electron.build/auto-update#events; their order read from electron-updater 6.8.10's
 * out/AppUpdater.js, `doCheckForUpdates` and `downloadUpdate`):
 * - `checkForUpdates()`: 'checking-for-update', then 'update-available' (info) or 'update-not-available'
 *   (info), resolving with the check's result; a failure emits 'error' and rejects with the same error.
 * - `downloadUpdate()`: 'download-progress' ({ percent } from 0 to 100) as bytes arrive, then
 *   'update-downloaded' (info); a failure emits 'error' and rejects.
 * - `quitAndInstall(isSilent, isForceRunAfter)`: recorded (the real one quits the app).
 * The real electron-updater is exercised against a local HTTPS feed in test/main/app-updates.test.ts.
 */
import { EventEmitter } from 'node:events';
import type { UpdaterLike } from '../../main/updater';

export class ScriptedUpdater extends EventEmitter implements UpdaterLike {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  /** The version the feed offers; null when nothing newer is published. */
  latest: string | null = '1.2.0';
  /** What the next check fails with (then cleared). */
  checkFailure: Error | null = null;
  /** What the next download fails with, after its progress (then cleared). */
  downloadFailure: Error | null = null;
  /** The progress events a download emits, in percent. */
  progress = [12.5, 12.9, 55.2, 100];
  /** False: downloads wait for {@link finishDownload}. */
  downloadsAtOnce = true;
  checks = 0;
  downloads = 0;
  readonly installs: Array<[isSilent?: boolean, isForceRunAfter?: boolean]> = [];
  private pending: (() => void) | null = null;

  async checkForUpdates(): Promise<unknown> {
    this.checks += 1;
    await Promise.resolve();
    this.emit('checking-for-update');
    await Promise.resolve();
    if (this.checkFailure) {
      const err = this.checkFailure;
      this.checkFailure = null;
      this.emit('error', err, String(err.stack ?? err));
      throw err;
    }
    const info = { version: this.latest ?? '1.0.0', files: [], path: '', sha512: '', releaseDate: '2026-12-01T00:00:00.000Z' };
    if (this.latest === null) {
      this.emit('update-not-available', info);
      return { isUpdateAvailable: false, updateInfo: info, versionInfo: info };
    }
    this.emit('update-available', info);
    return { isUpdateAvailable: true, updateInfo: info, versionInfo: info, downloadPromise: null };
  }

  async downloadUpdate(): Promise<unknown> {
    this.downloads += 1;
    const version = this.latest ?? '1.0.0';
    if (!this.downloadsAtOnce) await new Promise<void>((resolve) => (this.pending = resolve));
    for (const percent of this.progress) {
      await Promise.resolve();
      this.emit('download-progress', { percent, bytesPerSecond: 1000, total: 1000, transferred: percent * 10, delta: 1 });
    }
    if (this.downloadFailure) {
      const err = this.downloadFailure;
      this.downloadFailure = null;
      this.emit('error', err, String(err.stack ?? err));
      throw err;
    }
    this.emit('update-downloaded', { version, files: [], path: '', sha512: '', releaseDate: '', downloadedFile: `/cache/${version}` });
    return [`/cache/${version}`];
  }

  /** Lets a download held by `downloadsAtOnce = false` go on. */
  finishDownload(): void {
    this.pending?.();
    this.pending = null;
  }

  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push([isSilent, isForceRunAfter]);
  }
}
