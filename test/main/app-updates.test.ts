/**
 * The shell's side of the app's updates, with Electron's boundary (`main/electron.ts`) mocked: which copies
 * update, the network rule, the setting, and the whole way through the real electron-updater 6.8.10 under plain
 * Node against a local HTTPS feed (its generic provider), as electron-builder's own updater tests drive it
 * (an `AppAdapter` in place of Electron's app, a Node HTTP executor in place of Electron's net): the metadata
 * parsed, the file downloaded and its sha512 checked, the AppImage replaced and the new one asked to start.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ClientRequest, IncomingMessage } from 'node:http';
import https, { type RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureRequestOptions, configureRequestUrl, type DownloadOptions, HttpExecutor } from 'builder-util-runtime';
import * as electronUpdater from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createAppUpdates,
  installKindOf,
  loadUpdaterSupport,
  refusePlainHttp,
  type SessionLike,
  unsupportedReason,
} from '../../main/app-updates';
import { UPDATE_FEED } from '../../main/update-feed';
import { MemorySettingsStore } from '../../main/core/settings-access';
import { type ElectronUpdaterModule, loadElectronUpdater } from '../../main/electron';
import type { UpdateController } from '../../main/updater';
import type { UpdateState } from '../../shared/ipc';
import { parseSettings } from '../../shared/settings';
import { hasOpenssl, makeTestCa } from '../helpers/nats-server';

vi.mock('../../main/electron', () => ({ loadElectronUpdater: vi.fn() }));

const load = vi.mocked(loadElectronUpdater);

/**
 * electron-updater's module as the shell reads it, with `autoUpdater` the updater a test built: the real
 * module's getter would build one over Electron's app, and requiring the `electron` package under plain Node
 * tries to download Electron.
 */
function moduleWith(autoUpdater: electronUpdater.AppUpdater): ElectronUpdaterModule {
  const { AppImageUpdater, DebUpdater, RpmUpdater, PacmanUpdater, NsisUpdater, MacUpdater } = electronUpdater;
  return {
    AppImageUpdater,
    DebUpdater,
    RpmUpdater,
    PacmanUpdater,
    NsisUpdater,
    MacUpdater,
    autoUpdater,
  } as unknown as ElectronUpdaterModule;
}

/** Electron's app as electron-updater sees it (its AppAdapter interface), over a temp folder. */
class TestAppAdapter implements AppAdapter {
  readonly name = 'Crashbell';
  readonly isPackaged = true;
  readonly quitHandlers: Array<(exitCode: number) => void> = [];
  quits = 0;

  constructor(
    readonly version: string,
    private readonly dir: string,
  ) {}

  get appUpdateConfigPath(): string {
    return join(this.dir, 'resources', 'app-update.yml');
  }
  get userDataPath(): string {
    return join(this.dir, 'user-data');
  }
  get baseCachePath(): string {
    return join(this.dir, 'cache');
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  relaunch(): void {
    throw new Error('the shell restarts the app itself (Lifecycle.restartInto), never through the updater');
  }
  quit(): void {
    this.quits += 1;
  }
  onQuit(handler: (exitCode: number) => void): void {
    this.quitHandlers.push(handler);
  }
}

/**
 * electron-updater's HTTP executor with Node's https in place of Electron's net (as builder-util's
 * NodeHttpExecutor, which electron-builder's updater tests use), trusting the test CA. `download` is
 * ElectronHttpExecutor's entry point over builder-util-runtime's `doDownload`, which streams the file and
 * checks its sha512, as in the app.
 */
class TrustingExecutor extends HttpExecutor<ClientRequest> {
  constructor(private readonly ca: string) {
    super();
  }

  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return https.request({ ...options, ca: this.ca }, callback);
  }

  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        { destination, options, onCancel, responseHandler: null, callback: (error) => (error ? reject(error) : resolve(destination)) },
        0,
      );
    });
  }
}

/** An Electron session's webRequest, recording the filter and answering for it as Electron would. */
function fakeSession(): SessionLike & { listener: ((url: string) => boolean) | null; urls: string[] } {
  const s = {
    listener: null as ((url: string) => boolean) | null,
    urls: [] as string[],
    webRequest: {
      onBeforeRequest(filter: { urls: string[] }, listener: (d: { url: string }, cb: (r: { cancel?: boolean }) => void) => void) {
        s.urls = filter.urls;
        s.listener = (url) => {
          let cancelled = false;
          listener({ url }, (r) => (cancelled = r.cancel === true));
          return cancelled;
        };
      },
    },
  };
  return s;
}

/** A real electron-updater updater of `Kind`, over `adapter`, whose session is a stand-in (Electron's is not here). */
function realUpdater<T extends electronUpdater.AppUpdater>(Kind: new (o: null, a: AppAdapter) => T, adapter: AppAdapter, ca?: string) {
  const updater = new Kind(null, adapter);
  if (ca) (updater as unknown as { httpExecutor: HttpExecutor<ClientRequest> }).httpExecutor = new TrustingExecutor(ca);
  const session = fakeSession();
  Object.defineProperty(updater, 'netSession', { value: session });
  return { updater, session };
}

function reach(controller: UpdateController, test: (s: UpdateState) => boolean): Promise<UpdateState> {
  if (test(controller.state)) return Promise.resolve(controller.state);
  return new Promise((resolve) => {
    const off = controller.onChange((s) => {
      if (test(s)) {
        off();
        resolve(s);
      }
    });
  });
}

let dir: string;
const logs: string[] = [];
const log = (m: string) => void logs.push(m);
const savedAppImage = process.env['APPIMAGE'];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-updates-'));
  logs.length = 0;
  load.mockReset();
});

afterEach(() => {
  if (savedAppImage === undefined) delete process.env['APPIMAGE'];
  else process.env['APPIMAGE'] = savedAppImage;
  rmSync(dir, { recursive: true, force: true });
});

describe('which copies update (asked of electron-updater)', () => {
  it('a copy run from source does not, and never loads electron-updater', async () => {
    const support = await loadUpdaterSupport(UPDATE_FEED, { packaged: false, restartInto: vi.fn(), log });
    expect(support).toEqual({ unsupported: expect.stringMatching(/^This copy runs from source \(npm start or npm run dev\)/) });
    expect(load).not.toHaveBeenCalled();
  });

  it('the deb does not: it says to use the package manager, and asks nothing of the network', async () => {
    const { updater, session } = realUpdater(electronUpdater.DebUpdater, new TestAppAdapter('0.1.0', dir));
    const setFeedURL = vi.spyOn(updater, 'setFeedURL');
    load.mockResolvedValue(moduleWith(updater));
    const support = await loadUpdaterSupport(UPDATE_FEED, { packaged: true, restartInto: vi.fn(), log });
    expect(support).toEqual({ unsupported: expect.stringContaining('Installed from the .deb package, which your package manager owns') });
    expect((support as { unsupported: string }).unsupported).toContain('sudo apt install ./crashbell_<version>_amd64.deb');
    expect(setFeedURL).not.toHaveBeenCalled();
    expect(session.listener).toBeNull();
  });

  it('an AppImage does only when run as one ($APPIMAGE), by electron-updater’s own rule', async () => {
    delete process.env['APPIMAGE'];
    const { updater } = realUpdater(electronUpdater.AppImageUpdater, new TestAppAdapter('0.1.0', dir));
    load.mockResolvedValue(moduleWith(updater));
    const support = await loadUpdaterSupport(UPDATE_FEED, { packaged: true, restartInto: vi.fn(), log });
    expect(support).toEqual({ unsupported: expect.stringContaining('not running from its AppImage file ($APPIMAGE is not set)') });
  });

  it('the Windows installer does: the feed is set, web installers refused, plain HTTP refused on its session', async () => {
    const { updater, session } = realUpdater(electronUpdater.NsisUpdater, new TestAppAdapter('0.1.0', dir));
    const setFeedURL = vi.spyOn(updater, 'setFeedURL');
    load.mockResolvedValue(moduleWith(updater));
    const support = await loadUpdaterSupport(UPDATE_FEED, { packaged: true, restartInto: vi.fn(), log });
    expect(support).toEqual({ updater });
    expect(setFeedURL).toHaveBeenCalledWith(UPDATE_FEED);
    expect(updater.disableWebInstaller).toBe(true);
    expect(session.urls).toEqual(['http://*/*']);
    expect(session.listener!('http://objects.example.com/Crashbell-Setup-0.2.0.exe?x=1')).toBe(true);
    expect(logs).toContain('updates: refused a plain-HTTP request to http://objects.example.com');
    // Its log lines go to the shell's log.
    updater.logger?.info('Checking for update');
    expect(logs).toContain('updater: Checking for update');
  });

  it('knows each installer by electron-updater’s class, and says why the package managers’ do not update', () => {
    const adapter = new TestAppAdapter('0.1.0', dir);
    const kinds = [
      electronUpdater.AppImageUpdater,
      electronUpdater.DebUpdater,
      electronUpdater.RpmUpdater,
      electronUpdater.PacmanUpdater,
      electronUpdater.NsisUpdater,
    ].map((Kind) => installKindOf(moduleWith(new Kind(null, adapter)), new Kind(null, adapter)));
    expect(kinds).toEqual(['appimage', 'deb', 'rpm', 'pacman', 'nsis']);
    expect(installKindOf(moduleWith(new electronUpdater.NsisUpdater(null, adapter)), {})).toBe('other');
    expect(unsupportedReason('rpm')).toMatch(/^Installed from the rpm package/);
    for (const kind of ['appimage', 'nsis', 'mac'] as const) expect(unsupportedReason(kind)).toBeNull();
  });
});

describe('the setting', () => {
  it('follows autoUpdate as it changes, and stops following once disposed', async () => {
    const settings = new MemorySettingsStore(parseSettings({ autoUpdate: false }));
    const updates = createAppUpdates({ settings, packaged: false, beforeInstall: vi.fn(), restartInto: vi.fn(), log });
    expect(updates.controller.state).toMatchObject({ status: 'disabled', by: 'setting' });
    settings.set(parseSettings({ autoUpdate: true }));
    // On again: this copy runs from source, which it now says.
    expect(await updates.controller.check()).toMatchObject({ status: 'disabled', by: 'install' });
    updates.dispose();
    settings.set(parseSettings({ autoUpdate: false }));
    expect(updates.controller.state).toMatchObject({ by: 'install' });
  });

  it('is on by default', () => {
    expect(parseSettings({}).autoUpdate).toBe(true);
  });

  it('refusePlainHttp lets nothing but its filter through it', () => {
    const session = fakeSession();
    refusePlainHttp(session, log);
    expect(session.urls).toEqual(['http://*/*']);
    expect(session.listener!('not a url')).toBe(true);
    expect(logs).toEqual(['updates: refused a plain-HTTP request to not a url']);
  });
});

describe.skipIf(!hasOpenssl())('the real electron-updater against a local HTTPS feed', () => {
  const NEW = '0.2.0';
  const FILE = `Crashbell-${NEW}-x86_64.AppImage`;
  const CHANNEL = process.arch === 'x64' ? 'latest-linux.yml' : `latest-linux-${process.arch}.yml`;
  let tls: { ca: string; cert: string; key: string };
  let caDir: string;
  let server: https.Server;
  let base: string;
  const served = new Map<string, Buffer>();
  const requested: string[] = [];

  /**
   * A release as electron-builder publishes it for Linux: the AppImage and latest-linux.yml naming it with its
   * size and base64 sha512 (the UpdateInfo and UpdateFileInfo types of builder-util-runtime 9.7.0,
   * out/updateInfo.d.ts). The AppImage is a script that exits at once, as the real one does when the updater
   * runs it with APPIMAGE_EXIT_AFTER_INSTALL (app-builder-lib's AppRun template).
   */
  function publish(payload: Buffer, sha512Of: Buffer = payload): void {
    const sha512 = createHash('sha512').update(sha512Of).digest('base64');
    served.set(`/${FILE}`, payload);
    served.set(
      `/${CHANNEL}`,
      Buffer.from(
        [
          `version: ${NEW}`,
          'files:',
          `  - url: ${FILE}`,
          `    sha512: ${sha512}`,
          `    size: ${payload.length}`,
          `path: ${FILE}`,
          `sha512: ${sha512}`,
          "releaseDate: '2026-12-01T10:00:00.000Z'",
          '',
        ].join('\n'),
      ),
    );
  }

  function appImagePayload(): Buffer {
    const padding = Array.from({ length: 512 }, () => `# ${randomBytes(96).toString('base64')}`).join('\n');
    return Buffer.from(`#!/bin/sh\n# Crashbell ${NEW} (a test payload)\nexit 0\n${padding}\n`);
  }

  beforeAll(async () => {
    caDir = mkdtempSync(join(tmpdir(), 'crashbell-updates-ca-'));
    const files = makeTestCa(caDir);
    tls = { ca: readFileSync(files.ca, 'utf8'), cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') };
    server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      const path = new URL(req.url ?? '/', 'https://127.0.0.1').pathname;
      requested.push(path);
      const body = served.get(path);
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(caDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    served.clear();
    requested.length = 0;
  });

  /** This copy: Crashbell 0.1.0 run from its AppImage, with the app-update.yml electron-builder packs. */
  function installed() {
    mkdirSync(join(dir, 'resources'), { recursive: true });
    mkdirSync(join(dir, 'apps'), { recursive: true });
    writeFileSync(join(dir, 'resources', 'app-update.yml'), `provider: generic\nurl: ${base}\nupdaterCacheDirName: crashbell-updater\n`);
    const appImage = join(dir, 'apps', 'Crashbell-0.1.0-x86_64.AppImage');
    writeFileSync(appImage, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    process.env['APPIMAGE'] = appImage;
    const adapter = new TestAppAdapter('0.1.0', dir);
    const { updater, session } = realUpdater(electronUpdater.AppImageUpdater, adapter, tls.ca);
    load.mockResolvedValue(moduleWith(updater));
    const restartInto = vi.fn();
    const beforeInstall = vi.fn();
    const updates = createAppUpdates({
      settings: new MemorySettingsStore(parseSettings({})),
      packaged: true,
      feed: { provider: 'generic', url: base },
      beforeInstall,
      restartInto,
      log,
    });
    const states: UpdateState[] = [];
    updates.controller.onChange((s) => states.push(s));
    return { updates, controller: updates.controller, adapter, appImage, restartInto, beforeInstall, states, session };
  }

  it('finds the new version, downloads it, checks its sha512 and offers "Restart to update"', async () => {
    const payload = appImagePayload();
    publish(payload);
    const { controller, states, session, updates } = installed();
    controller.start();
    expect(await reach(controller, (s) => s.status === 'ready' || s.status === 'error')).toEqual({ status: 'ready', version: NEW });
    expect(states[0]).toEqual({ status: 'checking' });
    expect(states[1]).toEqual({ status: 'available', version: NEW });
    expect(requested).toContain(`/${CHANNEL}`);
    expect(requested).toContain(`/${FILE}`);
    expect(session.urls).toEqual(['http://*/*']);
    // The verified download waits in electron-updater's cache, byte for byte.
    const cached = join(dir, 'cache', 'crashbell-updater', 'pending', FILE);
    expect(readFileSync(cached).equals(payload)).toBe(true);
    updates.dispose();
  });

  it('"Restart to update" replaces the AppImage with the new one and asks the shell to start it once this one exits', async () => {
    publish(appImagePayload());
    const { controller, appImage, restartInto, beforeInstall, updates } = installed();
    controller.start();
    await reach(controller, (s) => s.status === 'ready' || s.status === 'error');
    controller.install();
    // The file's name carries the version, so the new one is renamed for its version and the old one is gone.
    const replaced = join(dir, 'apps', FILE);
    expect(beforeInstall).toHaveBeenCalledTimes(1);
    expect(restartInto).toHaveBeenCalledWith(replaced);
    expect(existsSync(appImage)).toBe(false);
    expect(readFileSync(replaced, 'utf8')).toContain(`# Crashbell ${NEW} (a test payload)`);
    updates.dispose();
  });

  it('a download that does not match its published sha512 is discarded, said in words, and never offered', async () => {
    const payload = appImagePayload();
    publish(payload, Buffer.concat([payload, Buffer.from('tampered')]));
    const { controller, states, updates } = installed();
    controller.start();
    expect(await reach(controller, (s) => s.status === 'ready' || s.status === 'error')).toEqual({
      status: 'error',
      reason:
        'The downloaded update did not match the sha512 published with the release, so it was discarded; the next check downloads it again.',
    });
    expect(states.some((s) => s.status === 'ready')).toBe(false);
    expect(existsSync(join(dir, 'cache', 'crashbell-updater', 'pending', FILE))).toBe(false);
    expect(() => controller.install()).toThrow(/No update is ready to install/);
    updates.dispose();
  });

  it('a release without the metadata file is said so', async () => {
    served.set(`/${FILE}`, appImagePayload());
    const { controller, updates } = installed();
    controller.start();
    const state = await reach(controller, (s) => s.status === 'error' || s.status === 'ready');
    expect(state).toMatchObject({ status: 'error' });
    expect((state as { reason: string }).reason).toMatch(/^The latest release lacks the update files for this system/);
    expect((state as { reason: string }).reason).toContain(CHANNEL);
    updates.dispose();
  });

  it('nothing newer: up to date, nothing downloaded', async () => {
    publish(appImagePayload());
    served.set(`/${CHANNEL}`, Buffer.from(served.get(`/${CHANNEL}`)!.toString().replace(`version: ${NEW}`, 'version: 0.1.0')));
    const { controller, updates } = installed();
    controller.start();
    expect(await reach(controller, (s) => s.status === 'not-available' || s.status === 'error')).toMatchObject({ status: 'not-available' });
    expect(requested).not.toContain(`/${FILE}`);
    updates.dispose();
  });

  it('refuses a plain-HTTP feed before electron-updater is even loaded', async () => {
    const updates = createAppUpdates({
      settings: new MemorySettingsStore(parseSettings({})),
      packaged: true,
      feed: { provider: 'generic', url: base.replace('https:', 'http:') },
      beforeInstall: vi.fn(),
      restartInto: vi.fn(),
      log,
    });
    updates.controller.start();
    expect(await updates.controller.check()).toMatchObject({ status: 'disabled', by: 'feed' });
    expect(load).not.toHaveBeenCalled();
    expect(requested).toEqual([]);
    updates.dispose();
  });
});
