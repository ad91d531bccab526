/**
 * The one owner of Crashbell's settings: schema, keys and defaults.
 *
 * The desktop app keeps these in electron-store (secrets through safeStorage); headless mode reads the same
 * shape from a JSON file. Nothing else in the code base spells a settings key: read them through the types
 * here and {@link SETTINGS_KEYS}.
 */
import { z } from 'zod';
import { NOTIFICATION_SOUNDS } from './events';
import { THEMES } from './themes';

/** Default receiver port on 127.0.0.1; 0 picks a free port. */
export const DEFAULT_PORT = 7317;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM');

/** Optional per-source filters applied by the notification policy. */
export const sourceFiltersSchema = z.object({
  /** Notify only once a group has at least this many occurrences. */
  minOccurrences: z.number().int().min(0).nullable().default(null),
  /** Notify only when an attribute matches, e.g. environment = production. */
  attribute: z
    .object({ name: z.string().min(1), value: z.string().min(1) })
    .nullable()
    .default(null),
});
export type SourceFilters = z.infer<typeof sourceFiltersSchema>;

/** The fields a source document has; anything else on a hand-written source is taken as a credential. */
const SOURCE_FIELDS = new Set([
  'id',
  'provider',
  'name',
  'paused',
  'sound',
  'credentials',
  'previous',
  'webUrl',
  'config',
  'filters',
  'createdAt',
  'api',
]);

/**
 * Hand-written config files (headless mode) sometimes put credentials beside the source's fields
 * (`"username": ...`): they are read the way the user meant them. A source written without a name gets its
 * provider's name from the core, which knows the providers, before the document is parsed here.
 */
function normalizeSourceDocument(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const doc = { ...(input as Record<string, unknown>) };
  if (doc['credentials'] === undefined) {
    const lifted: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc)) {
      if (!SOURCE_FIELDS.has(key) && typeof value === 'string') lifted[key] = value;
    }
    if (Object.keys(lifted).length > 0) {
      for (const key of Object.keys(lifted)) delete doc[key];
      doc['credentials'] = lifted;
    }
  }
  return doc;
}

/** How long replaced credentials stay accepted by default: a day to update the provider's settings. */
export const DEFAULT_CREDENTIAL_OVERLAP_HOURS = 24;

/** How long a claim holds by default: a working half-day. */
export const DEFAULT_CLAIM_HOURS = 4;

/** Longest overlap a user may choose: 30 days. */
export const MAX_CREDENTIAL_OVERLAP_HOURS = 24 * 30;

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 time such as 2026-01-02T08:00:00Z');

/**
 * Credentials a source had before an edit or a regeneration, still accepted until `until` so hooks keep
 * arriving while the provider's settings are updated. Only the keys that changed are kept; the current
 * value of every other key applies. In a headless config file:
 * `"previous": {"credentials": {"password": "the old one"}, "until": "2026-01-02T08:00:00Z"}`.
 * A blank value is refused: it is no credential (a blank credential is "not set" everywhere), and a previous
 * value that is not set would read as a check to skip.
 */
export const previousCredentialsSchema = z.object({
  credentials: z.record(
    z.string(),
    z
      .string()
      .refine(
        (value) => value.trim() !== '',
        'a previous credential must hold a value (a blank one is no credential): leave the key out, or "previous" altogether',
      ),
  ),
  /** ISO 8601; from then on only the current credentials are accepted. */
  until: isoTime,
});
export type PreviousCredentials = z.infer<typeof previousCredentialsSchema>;

/**
 * The source's own page in the provider's web app (optional), e.g. `https://sentry.example.com/organizations/acme/`
 * for a self-hosted Sentry, `https://backtrace.example.com/` on premises, `https://rollbar.com/acme/web/`, or a
 * generic source's app. Links on its host are opened besides the provider's own hosts (loopback and IP
 * addresses only this way), and links a provider leaves out are built from it (Sentry issues, Rollbar items).
 */
const webUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .pipe(z.union([z.literal(''), z.url({ protocol: /^https?$/, error: 'an http(s) URL such as https://sentry.example.com/' })]));

/** Loopback hosts: the only ones an `http:` API URL may name (a local test server, an SSH tunnel). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Where a source's provider API lives when not at the provider's default address: a region or a self-hosted
 * server, e.g. `https://sentry.example.com` or `https://api.bugsnag.com`. Every API call of the source goes
 * there, whatever host its hooks name. `https:` only, except a loopback address (a local server or tunnel);
 * no user name or password in it (the token has its own field).
 */
const apiUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    if (value === '') return true;
    // Scheme, host (a name, IPv4 or [IPv6]) and port, an optional path; no user, query or fragment.
    const match = /^(https?):\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(\/[^\s?#]*)?$/.exec(value);
    if (!match) return false;
    const port = match[3] === undefined ? null : Number(match[3]);
    if (port !== null && (port < 1 || port > 65535)) return false;
    return match[1] === 'https' || isLoopbackHost(match[2]!);
  }, 'an https URL of the API such as https://sentry.example.com (http only for a loopback address such as http://127.0.0.1:9000; no user, query or fragment)');

/**
 * A source's access to its provider's API, for acting from Crashbell (resolve, snooze, ignore, assign) and for
 * "Test token". Optional: without a token, actions stay in Crashbell. In a headless config file:
 * `"api": {"token": "...", "url": "https://sentry.example.com", "assignee": "ana@example.com"}`.
 */
export const sourceApiSchema = z.object({
  /**
   * Secret: the provider's API token (Sentry auth token with event:write, Bugsnag personal auth token, Rollbar
   * project token with write scope, Honeybadger personal auth token). Stored through safeStorage in the app;
   * never shown, logged or sent anywhere but the provider's API. Empty: none.
   */
  token: z
    .string()
    .trim()
    .max(4096, 'at most 4096 characters')
    .regex(/^[\x21-\x7e]*$/, 'a token is printable ASCII without spaces: paste it again')
    .default(''),
  /** See {@link apiUrlSchema}; empty: the provider's default, or the API host the source's hooks name. */
  url: apiUrlSchema.default(''),
  /**
   * Who "Assign to me" assigns to, as the provider names you (Sentry: your username or email; Bugsnag: your
   * collaborator id; Rollbar and Honeybadger: your numeric user id). Empty: "Assign to me" is not offered.
   */
  assignee: z.string().trim().max(200).default(''),
  /** The list's R (resolve) resolves in the provider too, once a token is set. */
  resolveInProvider: z.boolean().default(true),
});
export type SourceApi = z.infer<typeof sourceApiSchema>;

/** The shape of a source document. */
export const sourceObjectSchema = z.object({
  /**
   * URL-safe. Crashbell generates 128 random bits (22 characters); a short hand-written id is accepted but
   * guessable, and headless mode warns about it (see {@link MIN_UNGUESSABLE_ID_LENGTH}).
   */
  id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a URL-safe id (letters, digits, "-" and "_")'),
  /** An id of the core's provider registry; the core checks it where settings enter (shared/ knows no list). */
  provider: z.string().min(1, 'a provider id, e.g. "backtrace"'),
  name: z.string().min(1).max(200),
  paused: z.boolean().default(false),
  /**
   * How this source's notifications sound: the platform's default, none, or a macOS system sound by name
   * (Windows and Linux play their default for a named one).
   */
  sound: z.enum(NOTIFICATION_SOUNDS).default('default'),
  /** Provider-specific secrets (Backtrace username/password, Errorception secret...). */
  credentials: z.record(z.string(), z.string()).default({}),
  /** Replaced credentials still accepted for a while (see {@link previousCredentialsSchema}); null: none. */
  previous: previousCredentialsSchema.nullable().default(null),
  /** See {@link webUrlSchema}; empty: only the provider's own hosts. */
  webUrl: webUrlSchema.default(''),
  /** Provider-specific non-secret configuration (the generic provider's field mapping...). */
  config: z.record(z.string(), z.unknown()).default({}),
  filters: sourceFiltersSchema.default({ minOccurrences: null, attribute: null }),
  /** ISO 8601. */
  createdAt: z.string().optional(),
  /** Access to the provider's API for actions (see {@link sourceApiSchema}); absent: none. */
  api: sourceApiSchema.optional(),
});

/** A source: one provider endpoint the user configured, reached at `POST /hooks/<id>`. */
export const sourceSchema = z.preprocess(normalizeSourceDocument, sourceObjectSchema);
export type Source = z.infer<typeof sourceObjectSchema>;
export type SourceInput = z.input<typeof sourceObjectSchema>;

/** Ids shorter than this (16 characters, 96 bits of base64url) are guessable: the URL is then no secret. */
export const MIN_UNGUESSABLE_ID_LENGTH = 16;

/** The notification policy's rules. Each default is what the issue calls for. */
export const policySettingsSchema = z.object({
  notifyNewGroups: z.boolean().default(true),
  /** Errorception `isFirstOccurrence`. */
  notifyFirstOccurrence: z.boolean().default(true),
  /** A hook after the user marked the group resolved notifies again. */
  notifyOnRegression: z.boolean().default(true),
  /** A hook after this many hours of quiet notifies again; 0 turns it off. */
  quietHours: z.number().min(0).default(24),
  /** Occurrence counts whose crossing notifies ("my_fn crossed 100 occurrences"). */
  milestones: z.array(z.number().int().positive()).default([10, 100, 1000, 10000]),
  /** Storm control: at most this many notifications... */
  stormLimit: z.number().int().min(1).default(5),
  /** ...per this many seconds, across all sources; past that, one digest per window. */
  stormWindowSeconds: z.number().int().min(1).default(60),
});
export type PolicySettings = z.infer<typeof policySettingsSchema>;

/** Do Not Disturb: a one-off end time and/or a daily quiet window (local time). */
export const dndSettingsSchema = z.object({
  /** ISO 8601; DND is on until then. Null: off. */
  until: z.string().nullable().default(null),
  quietWindow: z
    .object({ enabled: z.boolean().default(false), start: hhmm.default('22:00'), end: hhmm.default('08:00') })
    .default({ enabled: false, start: '22:00', end: '08:00' }),
  /** ISO 8601: "Do Not Disturb → Off" during quiet hours skips the window until its end. Null: not skipped. */
  quietSkippedUntil: z.string().nullable().default(null),
});
export type DndSettings = z.infer<typeof dndSettingsSchema>;

export const retentionSettingsSchema = z.object({
  maxGroups: z.number().int().min(1).default(5000),
  maxDays: z.number().min(1).default(90),
});
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

export const tunnelSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  /** Secret: stored through safeStorage in the app. Empty: no tunnel, local URL only. */
  authtoken: z.string().default(''),
  /** A reserved ngrok domain so the URL survives restarts; empty for a random one. */
  domain: z.string().default(''),
  /** The public base URL the user last copied, to warn when it changes. */
  lastCopiedUrl: z.string().nullable().default(null),
});
export type TunnelSettings = z.infer<typeof tunnelSettingsSchema>;

/**
 * Headless mode: a command run for each notification, and for each change of a group's state, without a shell; the
 * notification is JSON on its stdin (the same object as the `notification` line of `--json`), a change the
 * `group-state` line: each document names its `type`.
 */
export const notifyCommandSchema = z.object({
  /** The program and its arguments, e.g. `["/usr/local/bin/page-me", "--team", "games"]`. */
  argv: z.array(z.string().min(1, 'a non-empty argument')).min(1, 'at least the program to run'),
  /** A run still going after this long is stopped (SIGTERM, then SIGKILL) and logged as failed. */
  timeoutSeconds: z.number().positive().max(3600).default(30),
  /** At most this many runs at once; later notifications wait in a bounded queue. */
  concurrency: z.number().int().min(1).max(16).default(2),
});
export type NotifyCommandSettings = z.infer<typeof notifyCommandSchema>;

/** Headless mode: publishing each notification to an ntfy topic (ntfy.sh or your own server), e.g. for a phone. */
export const ntfySettingsSchema = z.object({
  /** The topic's URL, e.g. `https://ntfy.sh/crashbell-alerts-3k9q`; on ntfy.sh the topic name is the only secret. */
  url: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL of an ntfy topic, e.g. https://ntfy.sh/my-crashbell-topic' })
    .regex(/^[a-z]+:\/\/[^/?#]+\/+[^/?#\s]/i, 'the URL must name the topic: https://ntfy.sh/<topic>'),
  /** An access token (`tk_...`) for a protected topic, sent as `Authorization: Bearer`; empty for none. */
  token: z.string().default(''),
  /** ntfy's priority, 1 (min) to 5 (max); null leaves ntfy's default (3). */
  priority: z.number().int().min(1).max(5).nullable().default(null),
});
export type NtfySettings = z.infer<typeof ntfySettingsSchema>;

/** Where headless mode sends notifications besides its own output (the app shows them natively instead). */
export const headlessNotifySchema = z.object({
  command: notifyCommandSchema.nullable().default(null),
  ntfy: ntfySettingsSchema.nullable().default(null),
});
export type HeadlessNotifySettings = z.infer<typeof headlessNotifySchema>;

/** Settings only headless mode reads; the desktop app keeps the defaults and never shows them. */
export const headlessSettingsSchema = z.object({
  notify: headlessNotifySchema.default({ command: null, ntfy: null }),
});
export type HeadlessSettings = z.infer<typeof headlessSettingsSchema>;

/** How a relay member or gateway proves who it is to NATS: a user and password, a token, or a `.creds` file. */
export const relayAuthSchema = z.union([
  z.strictObject({ user: z.string().min(1).max(200), pass: z.string().max(1_000) }),
  z.strictObject({ token: z.string().min(1).max(4_000) }),
  /** An NKey/JWT `.creds` file, as managed NATS services and `nsc` issue them: its path on this machine. */
  z.strictObject({ credsFile: z.string().min(1).max(4_096) }),
]);
export type RelayAuth = z.infer<typeof relayAuthSchema>;

/** NATS server URLs: `nats://host:4222`, `tls://host:4222` or `host:4222`. */
const natsServer = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .regex(/^(?:(?:nats|tls):\/\/)?[^\s/]+(?::\d{1,5})?\/?$/, 'a NATS server as nats://host:4222, tls://host:4222 or host:4222');

/** Defaults of the relay's stream, which a gateway creates when it is missing. */
export const RELAY_DEFAULT_STREAM = 'CRASHBELL';
export const RELAY_DEFAULT_MAX_AGE_DAYS = 7;
export const RELAY_DEFAULT_MAX_BYTES = 1024 ** 3;

/**
 * The team relay over NATS JetStream (same shape in the app and in headless config files). No servers: no
 * relay. `publish` makes this Crashbell a gateway (it forwards the hooks it accepts to the stream);
 * `subscribe` makes it read the stream into its own history.
 */
export const relaySettingsSchema = z.object({
  servers: z.array(natsServer).max(16).default([]),
  publish: z.boolean().default(false),
  subscribe: z.boolean().default(true),
  /** The JetStream stream; its subjects are `crashbell.events.<source id>`. */
  stream: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a stream name of letters, digits, "-" and "_"')
    .default(RELAY_DEFAULT_STREAM),
  /** How this person appears to the team ("Resolved by ana"); empty: the system user name. */
  member: z.string().trim().max(100).default(''),
  /** Secret (password, token): stored through safeStorage in the app. Null: no credentials. */
  auth: relayAuthSchema.nullable().default(null),
  /** A private CA's PEM file, for servers whose certificate the system does not trust. */
  tls: z.object({ ca: z.string().max(4_096).default('') }).default({ ca: '' }),
  /** Resolving or muting a group is shared with the team (off: marks stay on this machine). */
  shareMarks: z.boolean().default(true),
  /** What a gateway creates the stream with, when it is missing. */
  maxAgeDays: z.number().min(1).max(365).default(RELAY_DEFAULT_MAX_AGE_DAYS),
  maxBytes: z
    .number()
    .int()
    .min(1024 ** 2)
    .max(1024 ** 4)
    .default(RELAY_DEFAULT_MAX_BYTES),
  /** Stream replicas: 3 on a three-node JetStream cluster. */
  replicas: z.number().int().min(1).max(5).default(1),
});
export type RelaySettings = z.infer<typeof relaySettingsSchema>;

export { THEMES, type Theme } from './themes';

/** The whole settings document. Every field has a default, so `{}` parses. */
export const settingsSchema = z.object({
  /** Settings document version, for migrations. */
  version: z.number().int().default(1),
  port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
  sources: z.array(sourceSchema).default([]),
  pausedAll: z.boolean().default(false),
  policy: policySettingsSchema.default(() => policySettingsSchema.parse({})),
  dnd: dndSettingsSchema.default(() => dndSettingsSchema.parse({})),
  retention: retentionSettingsSchema.default(() => retentionSettingsSchema.parse({})),
  tunnel: tunnelSettingsSchema.default(() => tunnelSettingsSchema.parse({})),
  relay: relaySettingsSchema.default(() => relaySettingsSchema.parse({})),
  startAtLogin: z.boolean().default(false),
  /**
   * The desktop app checks the project's GitHub Releases at start and daily, downloads a new version in the
   * background and offers "Restart to update" (installs from the AppImage, dmg and nsis only; a deb updates
   * through the package manager). Off: it never asks. Headless mode ignores it.
   */
  autoUpdate: z.boolean().default(true),
  /** Hours an edited or regenerated credential's old value stays accepted; 0 replaces it at once. */
  credentialOverlapHours: z.number().min(0).max(MAX_CREDENTIAL_OVERLAP_HOURS).default(DEFAULT_CREDENTIAL_OVERLAP_HOURS),
  /** How long a claim ("ana is on it") holds unless released or the group is resolved, in hours. */
  claimHours: z
    .number()
    .positive()
    .max(24 * 7)
    .default(DEFAULT_CLAIM_HOURS),
  theme: z.enum(THEMES).default('system'),
  /** Set once the first-run guide has been seen. */
  onboarded: z.boolean().default(false),
  headless: headlessSettingsSchema.default(() => headlessSettingsSchema.parse({})),
});
export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;

/** The current settings document version. */
export const SETTINGS_VERSION = 1;

/** Top-level keys, for stores that persist one key at a time. */
export const SETTINGS_KEYS = Object.keys(settingsSchema.shape) as Array<keyof Settings>;

/** Fresh defaults (a new object each call). */
export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}

/**
 * Parses a settings document, filling defaults. Throws a ZodError naming the bad field.
 * Provider ids and credentials are checked by the core's provider registry and modules, not here.
 */
export function parseSettings(input: unknown): Settings {
  return settingsSchema.parse(input);
}
