import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CHECK_INTERVAL_MS,
  feedProblem,
  OFF_IN_SETTINGS,
  UpdateController,
  type UpdateControllerOptions,
  type UpdateFeed,
  UpdateNotReadyError,
  type UpdaterSupport,
  updateErrorWords,
} from '../../main/updater';
import type { UpdateState } from '../../shared/ipc';
import { ScriptedUpdater } from '../helpers/scripted-updater';

const FEED: UpdateFeed = { provider: 'github', owner: 'crashbell', repo: 'crashbell' };
const NOW = Date.parse('2026-12-01T10:00:00.000Z');

/** An error as electron-updater makes them (builder-util-runtime's newError: a message and a code). */
function updaterError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

function setup(over: Partial<UpdateControllerOptions> & { support?: UpdaterSupport } = {}) {
  const updater = new ScriptedUpdater();
  const support = over.support ?? { updater };
  const load = vi.fn(async () => support);
  const beforeInstall = vi.fn();
  const log: string[] = [];
  const controller = new UpdateController({
    feed: FEED,
    load,
    enabled: true,
    now: () => NOW,
    beforeInstall,
    log: (m) => log.push(m),
    ...over,
  });
  const states: UpdateState[] = [];
  controller.onChange((s) => states.push(s));
  return { controller, updater, load, beforeInstall, log, states };
}

/** Resolves once the controller's state matches (checked now and at each change). */
function reach(controller: UpdateController, test: (s: UpdateState) => boolean): Promise<UpdateState> {
  if (test(controller.state)) return Promise.resolve(controller.state);
  return new Promise((resolve) => {
    const off = controller.onChange((s) => {
      if (!test(s)) return;
      off();
      resolve(s);
    });
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the update state machine', () => {
  it('checks, downloads in the background and offers the restart once the download is done', async () => {
    const { controller, updater, states, log } = setup();
    expect(controller.state).toEqual({ status: 'idle' });
    controller.start();
    expect(await reach(controller, (s) => s.status === 'ready')).toEqual({ status: 'ready', version: '1.2.0' });
    // The controller starts the download itself (electron-updater's autoDownload is off), once.
    expect(updater.autoDownload).toBe(false);
    expect(updater.downloads).toBe(1);
    expect(states).toEqual([
      { status: 'checking' },
      { status: 'available', version: '1.2.0' },
      // 12.5 and 12.9 are the same whole percent: pushed once.
      { status: 'downloading', version: '1.2.0', percent: 12 },
      { status: 'downloading', version: '1.2.0', percent: 55 },
      { status: 'downloading', version: '1.2.0', percent: 100 },
      { status: 'ready', version: '1.2.0' },
    ]);
    expect(log).toContain('updates: version 1.2.0 ready to install');
    controller.dispose();
  });

  it('says when the app is up to date, with the time of the check', async () => {
    const { controller, updater } = setup();
    updater.latest = null;
    expect(await controller.check()).toEqual({ status: 'not-available', checkedAt: '2026-12-01T10:00:00.000Z' });
    expect(updater.downloads).toBe(0);
  });

  it('turns a failed check into words once (electron-updater reports it twice), and the next check starts afresh', async () => {
    const { controller, updater, states } = setup();
    updater.checkFailure = updaterError('net::ERR_INTERNET_DISCONNECTED');
    const failed = await controller.check();
    expect(failed).toEqual({
      status: 'error',
      reason: 'Crashbell could not reach the update server (net::ERR_INTERNET_DISCONNECTED); it tries again at the next daily check.',
    });
    expect(states.filter((s) => s.status === 'error')).toHaveLength(1);
    updater.latest = null;
    expect((await controller.check()).status).toBe('not-available');
  });

  it('a download that fails its sha512 check is discarded and said so', async () => {
    const { controller, updater } = setup();
    updater.downloadFailure = updaterError('sha512 checksum mismatch, expected 2qRl…==, got Xb7…==', 'ERR_CHECKSUM_MISMATCH');
    controller.start();
    expect(await reach(controller, (s) => s.status === 'error')).toEqual({
      status: 'error',
      reason:
        'The downloaded update did not match the sha512 published with the release, so it was discarded; the next check downloads it again.',
    });
    controller.dispose();
  });

  it('shares one check among callers, and asks nothing while a download runs or an update waits', async () => {
    const { controller, updater } = setup();
    updater.downloadsAtOnce = false;
    const [a, b] = await Promise.all([controller.check(), controller.check()]);
    expect(updater.checks).toBe(1);
    expect(a).toEqual(b);
    await reach(controller, (s) => s.status === 'available');
    updater.finishDownload();
    await reach(controller, (s) => s.status === 'ready');
    await controller.check();
    expect(updater.checks).toBe(1);
    // A failed check later does not take "Restart to update" away.
    updater.emit('error', updaterError('net::ERR_NETWORK_CHANGED'));
    expect(controller.state).toEqual({ status: 'ready', version: '1.2.0' });
  });

  it('checks at start and then daily, never keeping the process alive for it', async () => {
    vi.useFakeTimers();
    const { controller, updater } = setup();
    updater.latest = null;
    controller.start();
    controller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(updater.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS - 1);
    expect(updater.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(updater.checks).toBe(2);
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS);
    expect(updater.checks).toBe(3);
    controller.dispose();
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS * 3);
    expect(updater.checks).toBe(3);
  });
});

describe('turning updates off', () => {
  it('off at start: never loads electron-updater, and says where to turn it on', async () => {
    const { controller, load } = setup({ enabled: false });
    controller.start();
    expect(await controller.check()).toEqual({ status: 'disabled', by: 'setting', reason: OFF_IN_SETTINGS });
    expect(load).not.toHaveBeenCalled();
  });

  it('on again: checks at once; off while an update waits: it is not installed on quit either', async () => {
    const { controller, updater, load } = setup({ enabled: false });
    controller.start();
    controller.setEnabled(true);
    expect(await reach(controller, (s) => s.status === 'ready')).toEqual({ status: 'ready', version: '1.2.0' });
    expect(load).toHaveBeenCalledTimes(1);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    controller.setEnabled(false);
    expect(controller.state).toEqual({ status: 'disabled', by: 'setting', reason: OFF_IN_SETTINGS });
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(() => controller.install()).toThrow(UpdateNotReadyError);
    // Events that were on their way when it was turned off change nothing.
    updater.emit('update-downloaded', { version: '1.3.0' });
    expect(controller.state.status).toBe('disabled');
    controller.dispose();
  });

  it('a copy that cannot update says why, whatever the setting says', async () => {
    const reason = 'Installed from the .deb package, which your package manager owns.';
    const { controller } = setup({ support: { unsupported: reason } });
    expect(await controller.check()).toEqual({ status: 'disabled', by: 'install', reason });
    controller.setEnabled(false);
    controller.setEnabled(true);
    expect(controller.state).toEqual({ status: 'disabled', by: 'install', reason });
  });

  it('an updater that will not load, or that calls itself inactive, is a reason too', async () => {
    const broken = setup({ load: async () => Promise.reject(new Error('Cannot find module electron-updater')) });
    expect(await broken.controller.check()).toEqual({
      status: 'disabled',
      by: 'install',
      reason: 'The updater could not be loaded: The update failed: Cannot find module electron-updater',
    });
    const inactive = setup();
    inactive.updater.checkForUpdates = async () => null;
    expect(await inactive.controller.check()).toMatchObject({ status: 'disabled', by: 'install' });
  });
});

describe('the feed', () => {
  it('refuses plain HTTP before anything is loaded or asked, and says why', async () => {
    const { controller, load } = setup({ feed: { provider: 'generic', url: 'http://updates.example.com/crashbell/' } });
    controller.start();
    expect(controller.state).toMatchObject({ status: 'disabled', by: 'feed' });
    const reason = (controller.state as { reason: string }).reason;
    expect(reason).toContain('http://updates.example.com is not HTTPS');
    expect(reason).toContain('the update and the sha512 it is checked against, which come from the same feed');
    controller.setEnabled(false);
    controller.setEnabled(true);
    await controller.check();
    expect(load).not.toHaveBeenCalled();
    controller.dispose();
  });

  it.each<[UpdateFeed, string | null]>([
    [{ provider: 'github', owner: 'crashbell', repo: 'crashbell' }, null],
    [{ provider: 'github', owner: 'crashbell', repo: 'crashbell', protocol: 'https' }, null],
    [{ provider: 'github', owner: 'crashbell', repo: 'crashbell', protocol: 'http' }, 'set to plain HTTP'],
    [{ provider: 'github', owner: '', repo: 'crashbell' }, 'names no GitHub repository'],
    [{ provider: 'generic', url: 'https://127.0.0.1:8443/updates/' }, null],
    [{ provider: 'generic', url: 'HTTP://UPDATES.EXAMPLE.COM/' }, 'is not HTTPS'],
    [{ provider: 'generic', url: 'ftp://updates.example.com/' }, 'is not HTTPS'],
    [{ provider: 'generic', url: 'updates.example.com' }, 'is not a URL'],
  ])('%j → %s', (feed, problem) => {
    const found = feedProblem(feed);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});

describe('installing', () => {
  it('refuses "Restart to update" until an update is ready, saying where it stands', async () => {
    const { controller, updater } = setup();
    expect(() => controller.install()).toThrow('No update is ready to install (not checked yet)');
    updater.latest = null;
    await controller.check();
    expect(() => controller.install()).toThrow(/\(up to date\)/);
    expect(updater.installs).toEqual([]);
  });

  it('lets the window close, then quits, installs silently and starts the new version', async () => {
    const { controller, updater, beforeInstall } = setup();
    controller.start();
    await reach(controller, (s) => s.status === 'ready');
    controller.install();
    expect(beforeInstall).toHaveBeenCalledTimes(1);
    expect(updater.installs).toEqual([[true, true]]);
    controller.dispose();
  });

  it('uses the shell’s own install where it has one (the AppImage), and shows an install failure even over "ready"', async () => {
    const updater = new ScriptedUpdater();
    const install = vi.fn(() => {
      updater.emit('error', updaterError('EACCES: permission denied, unlink /opt/Crashbell.AppImage'));
    });
    const { controller } = setup({ support: { updater, install } });
    controller.start();
    await reach(controller, (s) => s.status === 'ready');
    controller.install();
    expect(install).toHaveBeenCalledTimes(1);
    expect(updater.installs).toEqual([]);
    expect(controller.state).toEqual({
      status: 'error',
      reason: 'The update could not be installed: The update failed: EACCES: permission denied, unlink /opt/Crashbell.AppImage',
    });
    controller.dispose();
  });
});

describe('words for what went wrong', () => {
  it('names the cause and keeps one short line of the original', () => {
    const huge = updaterError(
      `Cannot find latest-linux.yml in the latest release artifacts (https://github.com/crashbell/crashbell/releases/download/v1.2.0/latest-linux.yml): HttpError: 404 \n${'<html>'.repeat(5_000)}`,
      'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND',
    );
    const words = updateErrorWords(huge);
    expect(words).toMatch(/^The latest release lacks the update files for this system/);
    expect(words.length).toBeLessThanOrEqual(300);
    expect(words).not.toContain('\n');
    expect(
      updateErrorWords(
        updaterError(
          'New version 1.2.0 is not signed by the application owner: publisherNames: Crashbell',
          'ERR_UPDATER_INVALID_SIGNATURE',
        ),
      ),
    ).toMatch(/^The downloaded installer is not signed by Crashbell's publisher, so it was not installed/);
    expect(updateErrorWords(new Error('Could not get code signature for running application'))).toMatch(
      /^macOS installs an update only into a copy of Crashbell signed by the same developer/,
    );
    expect(updateErrorWords(updaterError('No published versions on GitHub', 'ERR_UPDATER_NO_PUBLISHED_VERSIONS'))).toBe(
      'No published release was found to update from: No published versions on GitHub',
    );
    expect(updateErrorWords(new Error('net::ERR_BLOCKED_BY_CLIENT'))).toMatch(/plain-HTTP address, which it refuses/);
    expect(updateErrorWords(new Error('self-signed certificate'))).toMatch(/certificate is not trusted/);
    expect(updateErrorWords('a string \u0007 with a bell')).toBe('The update failed: a string with a bell');
  });
});
