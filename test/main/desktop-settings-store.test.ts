import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultSettings, SETTINGS_VERSION, type Settings } from '../../shared/settings';

// electron-store reads app.getPath('userData') and registers an ipcMain listener at construction.
vi.mock('electron', () => {
  const electron = {
    app: { getPath: () => tmpdir(), getVersion: () => '0.1.0' },
    ipcMain: { on: () => undefined },
    shell: { openPath: async () => '' },
  };
  return { ...electron, default: electron };
});

const { DesktopSettingsStore, electronStoreBacking, MIGRATIONS } = await import('../../main/desktop-settings-store');
type SecretCipher = import('../../main/desktop-settings-store').SecretCipher;

/** A stand-in for safeStorage: reversible, and visibly not the plain text. */
function cipher(available: boolean, backend?: string): SecretCipher & { encrypted: string[] } {
  const encrypted: string[] = [];
  return {
    encrypted,
    isEncryptionAvailable: () => available,
    encryptString: (plain) => {
      if (!available) throw new Error('Encryption is not available.');
      encrypted.push(plain);
      return Buffer.from(`enc:${Buffer.from(plain).toString('hex')}`);
    },
    decryptString: (buf) => {
      const text = buf.toString();
      if (!available || !text.startsWith('enc:'))
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(text.slice(4), 'hex').toString();
    },
    ...(backend ? { getSelectedStorageBackend: () => backend } : {}),
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = '2abcDEFsecretTOKEN_0123456789';
const PASSWORD = 'pw-very-secret-0123456789abcdef';
/** A replaced password still accepted during its overlap: a secret like the current one. */
const OLD_PASSWORD = 'pw-old-secret-fedcba9876543210';

function withSecrets(base: Settings): Settings {
  return {
    ...base,
    tunnel: { ...base.tunnel, authtoken: TOKEN, domain: 'crash.ngrok.app' },
    sources: [
      {
        id: 'src_0123456789abcdef',
        provider: 'backtrace',
        name: 'Backtrace prod',
        paused: false,
        sound: 'default',
        credentials: { username: 'cb-user', password: PASSWORD },
        previous: { credentials: { password: OLD_PASSWORD }, until: '2030-01-01T00:00:00.000Z' },
        webUrl: '',
        config: {},
        filters: { minOccurrences: null, attribute: null },
      },
    ],
  };
}

const fileText = () => readFileSync(join(dir, 'settings.json'), 'utf8');

describe('DesktopSettingsStore', () => {
  it('starts from the defaults in a fresh userData folder', () => {
    const store = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: cipher(true), platform: 'darwin' });
    expect(store.get()).toEqual(defaultSettings());
    expect(store.get().startAtLogin).toBe(false);
    expect(store.secretStorage()).toEqual({ available: true, note: null });
  });

  it('encrypts secrets with safeStorage when available and never writes them in plain text', () => {
    const c = cipher(true);
    const store = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: c, platform: 'win32' });
    const seen: Settings[] = [];
    store.subscribe((s) => seen.push(s));
    store.set(withSecrets(store.get()));
    expect(seen).toHaveLength(1);
    const text = fileText();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(OLD_PASSWORD);
    expect(text).toContain('crash.ngrok.app');
    expect(JSON.parse(text).secrets['tunnel.authtoken'].scheme).toBe('safeStorage');
    expect(c.encrypted).toContain(TOKEN);

    const reopened = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: cipher(true), platform: 'win32' });
    expect(reopened.get().tunnel.authtoken).toBe(TOKEN);
    expect(reopened.get().sources[0]!.credentials).toEqual({ username: 'cb-user', password: PASSWORD });
    // The replaced password, still accepted for a while, comes back from the secrets section too.
    expect(reopened.get().sources[0]!.previous).toEqual({ credentials: { password: OLD_PASSWORD }, until: '2030-01-01T00:00:00.000Z' });
  });

  it('keeps the relay password and token in the secrets section, like the other credentials', () => {
    const RELAY_PASS = 'nats-pass-0123456789-secret';
    const store = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: cipher(true), platform: 'darwin' });
    const base = store.get();
    store.set({
      ...base,
      relay: { ...base.relay, servers: ['nats://nats.example.com:4222'], member: 'ana', auth: { user: 'ana', pass: RELAY_PASS } },
    });
    const doc = JSON.parse(fileText());
    expect(fileText()).not.toContain(RELAY_PASS);
    expect(doc.relay.auth).toBeNull();
    expect(doc.relay.servers).toEqual(['nats://nats.example.com:4222']);
    expect(doc.secrets['relay.auth'].scheme).toBe('safeStorage');
    const reopened = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: cipher(true), platform: 'darwin' });
    expect(reopened.get().relay.auth).toEqual({ user: 'ana', pass: RELAY_PASS });
    expect(reopened.get().relay.member).toBe('ana');

    // A token is a secret too; a .creds file's path is not, and stays in the document.
    reopened.set({ ...reopened.get(), relay: { ...reopened.get().relay, auth: { token: 's3cr3t-token-value' } } });
    expect(fileText()).not.toContain('s3cr3t-token-value');
    reopened.set({ ...reopened.get(), relay: { ...reopened.get().relay, auth: { credsFile: '/home/ana/team.creds' } } });
    expect(JSON.parse(fileText()).relay.auth).toEqual({ credsFile: '/home/ana/team.creds' });
    expect(JSON.parse(fileText()).secrets['relay.auth']).toBeUndefined();
  });

  it('falls back to plain text where safeStorage is unavailable, and says so in plain words', () => {
    const store = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: cipher(false), platform: 'linux' });
    const state = store.secretStorage();
    expect(state.available).toBe(false);
    expect(state.note).toMatch(/Secrets are stored in plain text: no system keyring/);
    expect(state.note).toContain(join(dir, 'settings.json'));
    store.set(withSecrets(store.get()));
    expect(JSON.parse(fileText()).secrets['tunnel.authtoken']).toEqual({ scheme: 'plain', data: TOKEN });
    const reopened = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: cipher(false), platform: 'linux' });
    expect(reopened.get().tunnel.authtoken).toBe(TOKEN);
  });

  it.skipIf(process.platform === 'win32')('keeps settings.json (plain-text secrets without a keyring) readable by this user only', () => {
    // One written by an older version, readable by everyone.
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, port: 7317 }), { mode: 0o644 });
    chmodSync(join(dir, 'settings.json'), 0o644);
    chmodSync(dir, 0o755);
    const store = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: cipher(false), platform: 'linux' });
    expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    store.set(withSecrets(store.get()));
    expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
  });

  it("treats Linux's basic_text backend (a hard-coded key) as no encryption", () => {
    const store = new DesktopSettingsStore({
      backing: electronStoreBacking(dir),
      cipher: cipher(true, 'basic_text'),
      platform: 'linux',
    });
    expect(store.secretStorage().available).toBe(false);
  });

  it('says so when secrets saved encrypted can no longer be decrypted, and keeps them on disk', () => {
    const first = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: cipher(true), platform: 'linux' });
    first.set(withSecrets(first.get()));
    const broken: SecretCipher = {
      ...cipher(true),
      decryptString: () => {
        throw new Error('keyring locked');
      },
    };
    const second = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: broken, platform: 'linux' });
    expect(second.get().tunnel.authtoken).toBe('');
    expect(second.secretStorage().note).toMatch(/could not be decrypted \(keyring locked\)/);
    second.set({ ...second.get(), theme: 'dark' });
    const again = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: cipher(true), platform: 'linux' });
    expect(again.get().tunnel.authtoken).toBe(TOKEN);
    expect(again.get().theme).toBe('dark');
  });

  it('migrates a version-0 document: inline secrets and the legacy token key are moved and encrypted', () => {
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        port: 9000,
        ngrokAuthtoken: TOKEN,
        sources: [{ id: 'src_0123456789abcdef', provider: 'errorception', name: 'Site', credentials: { secret: PASSWORD } }],
      }),
    );
    const store = new DesktopSettingsStore({ backing: electronStoreBacking(dir), cipher: cipher(true), platform: 'darwin' });
    expect(store.get().version).toBe(SETTINGS_VERSION);
    expect(store.get().port).toBe(9000);
    expect(store.get().tunnel.authtoken).toBe(TOKEN);
    expect(store.get().sources[0]!.credentials).toEqual({ secret: PASSWORD });
    const text = fileText();
    expect(JSON.parse(text).version).toBe(SETTINGS_VERSION);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('ngrokAuthtoken');
    expect(Object.keys(MIGRATIONS).map(Number)).toEqual([0]);
  });

  it('drops blank previous credentials kept by an older version, and keeps the source', () => {
    const id = 'src_0123456789abcdef';
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const stored = { credentials: { secret: ' ', other: 'kept' }, until };
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        version: 1,
        sources: [{ id, provider: 'errorception', name: 'Site', credentials: {}, previous: null }],
        secrets: {
          [`source:${id}:credentials`]: { scheme: 'plain', data: JSON.stringify({ secret: PASSWORD }) },
          [`source:${id}:previous`]: { scheme: 'plain', data: JSON.stringify(stored) },
        },
      }),
    );
    const logs: string[] = [];
    const store = new DesktopSettingsStore({
      backing: electronStoreBacking(dir),
      cipher: cipher(false),
      platform: 'linux',
      log: (m) => logs.push(m),
    });
    expect(store.get().sources).toHaveLength(1);
    expect(store.get().sources[0]!.credentials).toEqual({ secret: PASSWORD });
    expect(store.get().sources[0]!.previous).toEqual({ credentials: { other: 'kept' }, until });
    expect(logs).toContain(`settings: blank previous credentials of source ${id} were dropped (a blank credential is none)`);
  });

  it("checks each stored source's provider against the registry, and names a source stored without a name", () => {
    const sources = [
      { id: 'src_0123456789abcdef', provider: 'errorception', credentials: { secret: PASSWORD } },
      { id: 'src_fedcba9876543210', provider: 'pagerduty', name: 'Pager', credentials: {} },
    ];
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, port: 0, sources }));
    const logs: string[] = [];
    const store = new DesktopSettingsStore({
      backing: electronStoreBacking(dir),
      cipher: cipher(true),
      platform: 'darwin',
      log: (m) => logs.push(m),
    });
    expect(store.get().sources.map((s) => [s.id, s.name])).toEqual([['src_0123456789abcdef', 'Errorception']]);
    expect(store.get().port).toBe(0);
    expect(logs.join('\n')).toMatch(
      /^settings: source "Pager" is left out: Crashbell has no "pagerduty" provider: use one of backtrace, /m,
    );
    expect(fileText()).not.toContain(PASSWORD);
  });

  it('resets only the invalid keys of a damaged document, and moves a non-JSON file aside', () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, port: 'nope', theme: 'dark' }));
    const logs: string[] = [];
    const store = new DesktopSettingsStore({
      backing: electronStoreBacking(dir),
      cipher: cipher(true),
      platform: 'darwin',
      log: (m) => logs.push(m),
    });
    expect(store.get().port).toBe(defaultSettings().port);
    expect(store.get().theme).toBe('dark');
    expect(logs.join('\n')).toMatch(/"port" was not valid/);

    writeFileSync(join(dir, 'settings.json'), '{ not json');
    const store2 = new DesktopSettingsStore({
      backing: electronStoreBacking(dir, (m) => logs.push(m)),
      cipher: cipher(true),
      platform: 'darwin',
    });
    expect(store2.get()).toEqual(defaultSettings());
    expect(readdirSync(dir).some((f) => f.startsWith('settings.json.corrupt-'))).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('refuses a settings folder others may write, saying how to fix it', () => {
    const folder = join(dir, 'userData');
    mkdirSync(folder);
    chmodSync(folder, 0o775);
    expect(() => electronStoreBacking(folder)).toThrow(`the settings folder ${folder} can be written by its group (mode 0775)`);
    expect(() => electronStoreBacking(folder)).toThrow(`chmod 700 ${folder}`);
    expect(readdirSync(folder)).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a settings folder of another user (as root)', async () => {
    const { chownSync } = await import('node:fs');
    const folder = join(dir, 'userData');
    mkdirSync(folder, { mode: 0o700 });
    chownSync(folder, 65534, 65534);
    expect(() => electronStoreBacking(folder)).toThrow(/the settings folder .* belongs to another user \(uid 65534/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('a settings.json planted as a link is refused, and the file it points to is untouched', () => {
    const target = join(mkdtempSync(join(tmpdir(), 'crashbell-target-')), 'precious.json');
    writeFileSync(target, '{"precious":true}');
    chmodSync(target, 0o644);
    symlinkSync(target, join(dir, 'settings.json'));
    try {
      // Today's code read the target as the settings, made it 0600, and rewrote it through its real path.
      expect(() => electronStoreBacking(dir)).toThrow(`${join(dir, 'settings.json')} is a symbolic link`);
      expect(readFileSync(target, 'utf8')).toBe('{"precious":true}');
      expect(statSync(target).mode & 0o777).toBe(0o644);
    } finally {
      rmSync(join(target, '..'), { recursive: true, force: true });
    }
  });

  it.skipIf(process.platform === 'win32')('a link put in place of settings.json after start is refused at the next write', () => {
    const backing = electronStoreBacking(dir);
    const target = join(mkdtempSync(join(tmpdir(), 'crashbell-target-')), 'precious.json');
    writeFileSync(target, '{"precious":true}');
    rmSync(join(dir, 'settings.json'), { force: true });
    symlinkSync(target, join(dir, 'settings.json'));
    try {
      expect(() => backing.write({ version: SETTINGS_VERSION })).toThrow('is a symbolic link');
      expect(readFileSync(target, 'utf8')).toBe('{"precious":true}');
    } finally {
      rmSync(join(target, '..'), { recursive: true, force: true });
    }
  });
});
