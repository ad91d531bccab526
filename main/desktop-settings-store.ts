/**
 * The desktop app's settings: electron-store on disk, secrets through Electron's `safeStorage`.
 *
 * The document on disk is the settings shape from `shared/settings.ts` with every secret (the ngrok authtoken,
 * each source's credentials and the team relay's NATS password or token) taken out and kept, encrypted, in a `secrets` section. Where `safeStorage`
 * cannot encrypt (Linux without a keyring), secrets are written as plain text and {@link SecretStorageState}
 * says so in plain words for the window. Migrations run by the document's own `version`, not the app version.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Store from 'electron-store';
import { checkPrivateFile, ensurePrivateDir, PRIVATE_FILE_MODE, type PrivateFolder } from './core/private-files';
import type { SecretStorageState } from '../shared/ipc';
import { parseSettings, SETTINGS_VERSION, settingsSchema, sourceSchema, type Settings } from '../shared/settings';
import { Emitter } from './core/base/event';
import type { SettingsStore } from './core/settings-access';
import { nameSourcesByProvider, unknownProviderSources } from './core/sources';
import { explainZodError } from '../shared/zod-words';

/** The part of Electron's `safeStorage` used here. */
export interface SecretCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron; absent elsewhere. */
  getSelectedStorageBackend?(): string;
}

/** Where the document lives: electron-store in the app, memory in tests. */
export interface SettingsBacking {
  read(): Record<string, unknown>;
  write(doc: Record<string, unknown>): void;
  /** The file's path, for messages. */
  readonly path: string;
}

/** A secret as written on disk. */
export type StoredSecret = { scheme: 'safeStorage'; data: string } | { scheme: 'plain'; data: string };

/** The on-disk document: settings without secrets, plus the secrets section. */
export type StoredSettings = Record<string, unknown> & { version?: number; secrets?: Record<string, StoredSecret> };

/** One migration: takes a document of version `n` and returns version `n + 1`. */
export type Migration = (doc: StoredSettings) => StoredSettings;

/**
 * Migrations keyed by the version they start from. Version 0 is a document written before `version` existed,
 * which kept secrets inline (`tunnel.authtoken`, `sources[].credentials`) and spelled the authtoken
 * `ngrokAuthtoken` at the top level: both move into place and are encrypted by the next write.
 */
export const MIGRATIONS: Record<number, Migration> = {
  0: (doc) => {
    const next: StoredSettings = { ...doc, version: 1 };
    const legacyToken = next['ngrokAuthtoken'];
    delete next['ngrokAuthtoken'];
    if (typeof legacyToken === 'string' && legacyToken !== '') {
      const tunnel = isRecord(next['tunnel']) ? { ...next['tunnel'] } : {};
      if (typeof tunnel['authtoken'] !== 'string' || tunnel['authtoken'] === '') tunnel['authtoken'] = legacyToken;
      next['tunnel'] = tunnel;
    }
    return next;
  },
};

const AUTHTOKEN_KEY = 'tunnel.authtoken';
/** The relay's NATS credentials (password or token), kept whole so the user name stays beside its password. */
const RELAY_AUTH_KEY = 'relay.auth';
const sourceKey = (id: string) => `source:${id}:credentials`;
/** A source's replaced credentials, still accepted for a while: secrets like the current ones. */
const previousKey = (id: string) => `source:${id}:previous`;
/** A source's provider API token (for actions in the provider): a secret like its credentials. */
const apiTokenKey = (id: string) => `source:${id}:api-token`;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Relay credentials holding a secret (a password or a token); a `.creds` file's path is not one. */
function hasRelaySecret(auth: unknown): boolean {
  return isRecord(auth) && (typeof auth['pass'] === 'string' || typeof auth['token'] === 'string');
}

/** Options for {@link DesktopSettingsStore}. */
export interface DesktopSettingsOptions {
  backing: SettingsBacking;
  cipher: SecretCipher;
  /** `process.platform`, for the plain-words note. */
  platform: string;
  log?: (message: string) => void;
}

/**
 * Settings for the desktop app. Implements the core's {@link SettingsStore}: reads come from memory, each `set`
 * writes the document (atomically, by electron-store) with secrets encrypted.
 */
export class DesktopSettingsStore implements SettingsStore {
  private settings: Settings;
  private readonly changes = new Emitter<Settings>();
  private readonly backing: SettingsBacking;
  private readonly cipher: SecretCipher;
  private readonly platform: string;
  private readonly log: (message: string) => void;
  private secretState: SecretStorageState;
  /** Secrets that could not be decrypted on load; kept as they were so a later fix of the keyring recovers them. */
  private undecryptable = new Map<string, StoredSecret>();

  constructor(options: DesktopSettingsOptions) {
    this.backing = options.backing;
    this.cipher = options.cipher;
    this.platform = options.platform;
    this.log = options.log ?? (() => undefined);
    this.secretState = this.probeSecretStorage();
    const { settings, dirty } = this.load();
    this.settings = settings;
    if (dirty) this.persist();
  }

  get(): Settings {
    return this.settings;
  }

  set(next: Settings): void {
    this.settings = parseSettings(next);
    this.persist();
    this.changes.fire(this.settings);
  }

  subscribe(listener: (settings: Settings) => void): () => void {
    const sub = this.changes.event(listener);
    return () => sub.dispose();
  }

  /** Whether secrets are encrypted on this machine, with plain words when not. */
  secretStorage(): SecretStorageState {
    return this.secretState;
  }

  /** The settings file's path. */
  get path(): string {
    return this.backing.path;
  }

  private probeSecretStorage(): SecretStorageState {
    let available = false;
    try {
      available = this.cipher.isEncryptionAvailable();
    } catch {
      available = false;
    }
    const backend = this.cipher.getSelectedStorageBackend?.();
    if (available && this.platform === 'linux' && backend === 'basic_text') {
      // Electron falls back to a hard-coded password when no keyring is found: that is not protection.
      available = false;
    }
    if (available) return { available: true, note: null };
    const where =
      this.platform === 'linux' ? 'no system keyring (GNOME Keyring or KWallet) was found' : 'the system keychain is not available';
    return {
      available: false,
      note: `Secrets are stored in plain text: ${where}, so the ngrok authtoken, source credentials and API tokens, and relay credentials are saved unencrypted in ${this.backing.path}. Anyone who can read your files can read them.`,
    };
  }

  /** Reads, migrates and decrypts the document; `dirty` when it must be written back (migrated, repaired). */
  private load(): { settings: Settings; dirty: boolean } {
    let doc: StoredSettings = this.backing.read();
    let dirty = false;
    const stored = typeof doc.version === 'number' && Number.isInteger(doc.version) ? doc.version : 0;
    if (stored > SETTINGS_VERSION) {
      this.log(
        `settings: the file was written by a newer Crashbell (settings version ${stored}); fields it does not know are kept as defaults here`,
      );
    }
    for (let v = stored; v < SETTINGS_VERSION; v += 1) {
      const migrate = MIGRATIONS[v];
      if (!migrate) throw new Error(`No settings migration from version ${v}`);
      doc = migrate(doc);
      dirty = true;
    }
    const secrets = isRecord(doc.secrets) ? doc.secrets : {};
    const plain: Record<string, unknown> = { ...doc };
    delete plain['secrets'];
    const withSecrets = this.injectSecrets(plain, secrets);
    if (withSecrets.hadInlineSecrets) dirty = true;
    const known = this.keepKnownProviders(nameSourcesByProvider(withSecrets.doc));
    if (known.dropped) dirty = true;
    const settings = this.parseSalvaging(known.doc);
    if (settings.repaired) dirty = true;
    return { settings: { ...settings.value, version: SETTINGS_VERSION }, dirty };
  }

  /**
   * Leaves out sources whose provider this Crashbell's registry does not hold (shared/ accepts any id), each
   * named in the log with the providers it has, so the other sources still load.
   */
  private keepKnownProviders(doc: Record<string, unknown>): { doc: Record<string, unknown>; dropped: boolean } {
    const unknown = unknownProviderSources(doc);
    if (unknown.length === 0) return { doc, dropped: false };
    const sources = doc['sources'] as unknown[];
    for (const u of unknown) {
      const source = sources[u.index] as Record<string, unknown>;
      const which = typeof source['name'] === 'string' ? `"${source['name']}"` : String(source['id']);
      this.log(`settings: source ${which} is left out: ${u.message}`);
    }
    const skip = new Set(unknown.map((u) => u.index));
    return { doc: { ...doc, sources: sources.filter((_, i) => !skip.has(i)) }, dropped: true };
  }

  /** Parses, and when one top-level key is bad, keeps the others and resets only that one. */
  private parseSalvaging(doc: Record<string, unknown>): { value: Settings; repaired: boolean } {
    const whole = settingsSchema.safeParse(doc);
    if (whole.success) return { value: whole.data, repaired: false };
    const salvaged: Record<string, unknown> = {};
    for (const key of Object.keys(settingsSchema.shape) as Array<keyof typeof settingsSchema.shape>) {
      if (!(key in doc)) continue;
      const field = settingsSchema.shape[key].safeParse(doc[key]);
      if (field.success) salvaged[key] = doc[key];
      else this.log(`settings: "${key}" was not valid and is reset to its default (${explainZodError(field.error, doc[key]).words})`);
    }
    // Sources are checked one by one, so one bad source does not lose the others.
    if (!('sources' in salvaged) && Array.isArray(doc['sources'])) {
      salvaged['sources'] = (doc['sources'] as unknown[]).filter((s) => sourceSchema.safeParse(s).success);
    }
    return { value: parseSettings(salvaged), repaired: true };
  }

  private injectSecrets(
    doc: Record<string, unknown>,
    secrets: Record<string, unknown>,
  ): { doc: Record<string, unknown>; hadInlineSecrets: boolean } {
    let hadInlineSecrets = false;
    const tunnel = isRecord(doc['tunnel']) ? { ...doc['tunnel'] } : {};
    if (typeof tunnel['authtoken'] === 'string' && tunnel['authtoken'] !== '') hadInlineSecrets = true;
    const token = this.decrypt(AUTHTOKEN_KEY, secrets[AUTHTOKEN_KEY]);
    if (token !== null) tunnel['authtoken'] = token;
    const relay = isRecord(doc['relay']) ? { ...doc['relay'] } : null;
    if (relay && hasRelaySecret(relay['auth'])) hadInlineSecrets = true;
    const relayAuth = this.decrypt(RELAY_AUTH_KEY, secrets[RELAY_AUTH_KEY]);
    let relayOut = relay;
    if (relayAuth !== null) {
      try {
        const auth: unknown = JSON.parse(relayAuth);
        relayOut = { ...(relay ?? {}), auth };
      } catch {
        this.log('settings: the relay credentials could not be read');
      }
    }
    const sources = Array.isArray(doc['sources'])
      ? (doc['sources'] as unknown[]).map((s) => {
          if (!isRecord(s) || typeof s['id'] !== 'string') return s;
          if (isRecord(s['credentials']) && Object.keys(s['credentials']).length > 0) hadInlineSecrets = true;
          if (isRecord(s['previous'])) hadInlineSecrets = true;
          if (isRecord(s['api']) && typeof s['api']['token'] === 'string' && s['api']['token'] !== '') hadInlineSecrets = true;
          const injected = this.injectJson(s, 'previous', previousKey(s['id']), secrets);
          const withPrevious = isRecord(injected['previous'])
            ? { ...injected, previous: this.withoutBlankPrevious(injected, injected['previous']) }
            : injected;
          return this.injectApiToken(this.injectJson(withPrevious, 'credentials', sourceKey(s['id']), secrets), secrets);
        })
      : doc['sources'];
    return {
      doc: { ...doc, tunnel, ...(sources === undefined ? {} : { sources }), ...(relayOut === null ? {} : { relay: relayOut }) },
      hadInlineSecrets,
    };
  }

  /** Puts a source's decrypted JSON secret (`credentials`, `previous`) back in its field. */
  private injectJson(
    source: Record<string, unknown>,
    field: 'credentials' | 'previous',
    key: string,
    secrets: Record<string, unknown>,
  ): Record<string, unknown> {
    const json = this.decrypt(key, secrets[key]);
    if (json === null) return source;
    try {
      const value: unknown = JSON.parse(json);
      return isRecord(value) ? { ...source, [field]: value } : source;
    } catch {
      this.log(
        `settings: the ${field === 'previous' ? 'previous credentials' : 'credentials'} of source ${String(source['id'])} could not be read`,
      );
      return source;
    }
  }

  /**
   * Previous credentials as stored, without blank values: the schema refuses them (a blank credential is no
   * credential), and a version before that rule could keep one; dropped here, with a word in the log, so the source
   * itself still loads. Null when nothing is left.
   */
  private withoutBlankPrevious(source: Record<string, unknown>, previous: Record<string, unknown>): Record<string, unknown> | null {
    if (!isRecord(previous['credentials'])) return previous;
    const kept = Object.entries(previous['credentials']).filter(([, v]) => typeof v !== 'string' || v.trim() !== '');
    if (kept.length === Object.keys(previous['credentials']).length) return previous;
    this.log(`settings: blank previous credentials of source ${String(source['id'])} were dropped (a blank credential is none)`);
    return kept.length === 0 ? null : { ...previous, credentials: Object.fromEntries(kept) };
  }

  /** Puts a source's decrypted API token back in `api.token` (its other API settings are stored in the clear). */
  private injectApiToken(source: Record<string, unknown>, secrets: Record<string, unknown>): Record<string, unknown> {
    const token = this.decrypt(apiTokenKey(String(source['id'])), secrets[apiTokenKey(String(source['id']))]);
    if (token === null) return source;
    const api = isRecord(source['api']) ? source['api'] : {};
    return { ...source, api: { ...api, token } };
  }

  private decrypt(key: string, stored: unknown): string | null {
    if (!isRecord(stored) || typeof stored['data'] !== 'string') return null;
    if (stored['scheme'] === 'plain') return stored['data'];
    if (stored['scheme'] !== 'safeStorage') return null;
    try {
      return this.cipher.decryptString(Buffer.from(stored['data'], 'base64'));
    } catch (err) {
      this.undecryptable.set(key, { scheme: 'safeStorage', data: stored['data'] });
      this.secretState = {
        available: this.secretState.available,
        note: `Some secrets saved earlier could not be decrypted (${err instanceof Error ? err.message : 'unknown error'}); enter the ngrok authtoken, source credentials and relay credentials again.`,
      };
      return null;
    }
  }

  private encrypt(value: string): StoredSecret {
    if (this.secretState.available) {
      return { scheme: 'safeStorage', data: this.cipher.encryptString(value).toString('base64') };
    }
    return { scheme: 'plain', data: value };
  }

  /** Writes the document: secrets moved into the `secrets` section, encrypted when possible. */
  private persist(): void {
    const s = this.settings;
    const secrets: Record<string, StoredSecret> = {};
    if (s.tunnel.authtoken !== '') secrets[AUTHTOKEN_KEY] = this.encrypt(s.tunnel.authtoken);
    else if (this.undecryptable.has(AUTHTOKEN_KEY)) secrets[AUTHTOKEN_KEY] = this.undecryptable.get(AUTHTOKEN_KEY)!;
    const sources = s.sources.map((source) => {
      const key = sourceKey(source.id);
      if (Object.keys(source.credentials).length > 0) secrets[key] = this.encrypt(JSON.stringify(source.credentials));
      else if (this.undecryptable.has(key)) secrets[key] = this.undecryptable.get(key)!;
      const pk = previousKey(source.id);
      if (source.previous) secrets[pk] = this.encrypt(JSON.stringify(source.previous));
      else if (this.undecryptable.has(pk)) secrets[pk] = this.undecryptable.get(pk)!;
      const ak = apiTokenKey(source.id);
      if (source.api && source.api.token !== '') secrets[ak] = this.encrypt(source.api.token);
      else if (this.undecryptable.has(ak)) secrets[ak] = this.undecryptable.get(ak)!;
      const api = source.api ? { api: { ...source.api, token: '' } } : {};
      return { ...source, credentials: {}, previous: null, ...api };
    });
    let relay = s.relay;
    if (hasRelaySecret(s.relay.auth)) {
      secrets[RELAY_AUTH_KEY] = this.encrypt(JSON.stringify(s.relay.auth));
      relay = { ...s.relay, auth: null };
    } else if (s.relay.auth === null && this.undecryptable.has(RELAY_AUTH_KEY)) {
      secrets[RELAY_AUTH_KEY] = this.undecryptable.get(RELAY_AUTH_KEY)!;
    }
    const doc: StoredSettings = {
      ...s,
      version: SETTINGS_VERSION,
      tunnel: { ...s.tunnel, authtoken: '' },
      sources,
      relay,
      secrets,
    };
    this.backing.write(doc);
  }
}

/**
 * Backs settings with electron-store 11 in `cwd` (the app's userData). A file that is not JSON is moved aside
 * (`settings.json.corrupt-<time>`) rather than silently lost, and a fresh one starts.
 *
 * The folder gets the data folder's rule (private-files.ts): refused with `UnsafeDataDirError` when another user
 * owns it or may write it, because electron-store reads settings.json through a link and writes it through the
 * link's real path. In a folder only this user may write, nobody else can plant one; a settings.json that is a
 * link anyway is refused before electron-store opens it, and looked for again before every write.
 */
export function electronStoreBacking(cwd: string, log: (message: string) => void = () => undefined): SettingsBacking {
  // Without a keyring, secrets are in this file as plain text: the folder and the file are this user's only.
  const folder: PrivateFolder = {
    dir: cwd,
    what: 'settings folder',
    elsewhere: '',
    onWarning: log,
  };
  ensurePrivateDir(folder);
  const file = join(cwd, 'settings.json');
  checkPrivateFile(file, folder);
  const open = () =>
    new Store<Record<string, unknown>>({
      name: 'settings',
      cwd,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
      // Every write (atomic: a temporary file renamed over it) gets this mode.
      configFileMode: PRIVATE_FILE_MODE,
    });
  let store: Store<Record<string, unknown>>;
  try {
    store = open();
  } catch (err) {
    const probe = file;
    if (!existsSync(probe)) throw err;
    const aside = `${probe}.corrupt-${Date.now()}`;
    renameSync(probe, aside);
    log(`settings: ${probe} could not be read (${err instanceof Error ? err.message : 'unknown error'}); it was moved to ${aside}`);
    store = open();
  }
  // A file written before this mode was set keeps its mode until the next write: tighten it now (through a
  // descriptor, never through a link).
  checkPrivateFile(store.path, folder);
  return {
    path: store.path,
    read: () => ({ ...store.store }),
    write: (doc) => {
      checkPrivateFile(store.path, folder);
      store.store = doc;
    },
  };
}
