/**
 * A source's API token is a secret like its credentials: its settings schema, safeStorage in the app, masked in
 * what the window sees, and named when a readable config file holds it.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sourceView } from '../../main/core/app-state';
import { configExposureWarning } from '../../main/core/config-file';
import { defaultSettings, parseSettings, sourceSchema } from '../../shared/settings';

vi.mock('electron', () => {
  const electron = {
    app: { getPath: () => tmpdir(), getVersion: () => '0.1.0' },
    ipcMain: { on: () => undefined },
    shell: { openPath: async () => '' },
  };
  return { ...electron, default: electron };
});

const { DesktopSettingsStore, electronStoreBacking } = await import('../../main/desktop-settings-store');

const API_TOKEN = 'sntrys_secret-api-token-0123456789';

const reversible = {
  isEncryptionAvailable: () => true,
  encryptString: (plain: string) => Buffer.from(`enc:${Buffer.from(plain).toString('hex')}`),
  decryptString: (buf: Buffer) => Buffer.from(buf.toString().slice(4), 'hex').toString(),
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-api-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const withToken = () =>
  parseSettings({
    sources: [
      {
        id: 'src_0123456789abcdef',
        provider: 'sentry',
        name: 'Sentry',
        api: { token: API_TOKEN, url: 'https://sentry.example.com', assignee: 'ana@example.com' },
      },
    ],
  });

describe('the settings schema', () => {
  it('takes a source without api, and an api with only some fields', () => {
    expect(sourceSchema.parse({ id: 'a-source-id-0123', provider: 'sentry', name: 'S' }).api).toBeUndefined();
    expect(sourceSchema.parse({ id: 'a-source-id-0123', provider: 'sentry', name: 'S', api: { token: ' t ' } }).api).toEqual({
      token: 't',
      url: '',
      assignee: '',
      resolveInProvider: true,
    });
  });

  it('refuses an API URL that is not https (but a loopback one), or has a user, query or fragment', () => {
    const ok = (url: string) => sourceSchema.safeParse({ id: 'a-source-id-0123', provider: 'sentry', name: 'S', api: { url } }).success;
    expect(ok('https://sentry.example.com')).toBe(true);
    expect(ok('https://sentry.example.com:8443/sentry/')).toBe(true);
    expect(ok('http://127.0.0.1:9000')).toBe(true);
    expect(ok('http://[::1]:9000/')).toBe(true);
    expect(ok('http://sentry.example.com')).toBe(false);
    expect(ok('https://ana:pw@sentry.example.com')).toBe(false);
    expect(ok('https://sentry.example.com/?x=1')).toBe(false);
    expect(ok('https://sentry.example.com/#x')).toBe(false);
    expect(ok('ftp://sentry.example.com')).toBe(false);
  });

  it('refuses a token with spaces or control characters (a header could carry them)', () => {
    const ok = (token: string) => sourceSchema.safeParse({ id: 'a-source-id-0123', provider: 'sentry', name: 'S', api: { token } }).success;
    expect(ok('abc.DEF_123-~')).toBe(true);
    expect(ok('abc def')).toBe(false);
    expect(ok('abc\r\nX-Evil: 1')).toBe(false);
  });
});

describe('in the desktop app', () => {
  it('goes through safeStorage like every credential, never into the settings file', () => {
    const store = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: reversible, platform: 'darwin' });
    store.set({ ...defaultSettings(), ...withToken() });
    const text = readFileSync(join(dir, 'settings.json'), 'utf8');
    expect(text).not.toContain(API_TOKEN);
    const doc = JSON.parse(text);
    expect(doc.secrets['source:src_0123456789abcdef:api-token'].scheme).toBe('safeStorage');
    // The rest of the API settings are not secrets.
    expect(doc.sources[0].api).toEqual({
      token: '',
      url: 'https://sentry.example.com',
      assignee: 'ana@example.com',
      resolveInProvider: true,
    });
    const reopened = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: reversible, platform: 'darwin' });
    expect(reopened.get().sources[0]!.api).toEqual({
      token: API_TOKEN,
      url: 'https://sentry.example.com',
      assignee: 'ana@example.com',
      resolveInProvider: true,
    });
  });

  it('moves a token written in the clear by hand into the secrets section at the next start', () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, sources: withToken().sources }));
    const store = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: reversible, platform: 'linux' });
    expect(store.get().sources[0]!.api?.token).toBe(API_TOKEN);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain(API_TOKEN);
  });

  it('reaches the window only as "there is one"', () => {
    const view = sourceView(withToken().sources[0]!, 'http://127.0.0.1:7317', null);
    expect(JSON.stringify(view)).not.toContain(API_TOKEN);
    expect(view.api).toEqual({ url: 'https://sentry.example.com', assignee: 'ana@example.com', resolveInProvider: true, hasToken: true });
  });
});

describe.skipIf(process.platform === 'win32')('in a headless config file', () => {
  it('is named among the secrets when other users can read the file', () => {
    const path = join(dir, 'crashbell.json');
    writeFileSync(path, '{}');
    chmodSync(path, 0o644);
    expect(configExposureWarning(path, withToken())).toBe(
      `config file ${path} holds secrets (source API tokens) and other users can read it (mode 0644): chmod 600 ${path}`,
    );
    chmodSync(path, 0o600);
    expect(configExposureWarning(path, withToken())).toBeNull();
  });
});
