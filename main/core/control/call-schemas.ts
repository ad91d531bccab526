/**
 * The argument schemas of every call of the IPC table: one zod tuple per call, shared by the two doors into the
 * app service, the desktop shell's IPC handlers (main/ipc-handlers.ts) and the local control socket the command
 * line talks to (control/server.ts). The renderer is trusted code, but it shows text that came from the internet,
 * and the socket takes whatever a local program writes: either way the service sees only well-formed, bounded
 * calls.
 */
import { z, type ZodType } from 'zod';
import { groupActionSchema, MAX_CLAIM_HOURS } from '../../../shared/actions';
import { NOTIFICATION_SOUNDS } from '../../../shared/events';
import type { CallArgs, CallName } from '../../../shared/ipc';
import { MAX_CREDENTIAL_OVERLAP_HOURS, THEMES } from '../../../shared/settings';
import { isKnownProvider, unknownProviderMessage } from '../providers/index';

const id = z.string().min(1).max(256);
const shortText = z.string().max(1_000);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM');
const isoDate = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date');

/** Free-form provider config (the generic provider's mapping...), bounded in size. */
const configRecord = z
  .record(z.string().max(200), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 64 * 1024, 'at most 64 KiB of configuration');

/** At most this many credentials per source: providers ask for one to three. */
export const MAX_CREDENTIALS = 32;
/** A credential's name: what provider modules call their fields (`secret`, `client_secret`...). */
export const CREDENTIAL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** A credential's value, in characters: signing keys and tokens are far shorter. */
export const MAX_CREDENTIAL_LENGTH = 16 * 1024;

/**
 * A source's credentials (name → secret), bounded: the key count is checked before anything walks the map,
 * so a huge map is refused as cheaply as a small bad one.
 */
const credentials = z
  .custom<Record<string, string>>(
    (v) => typeof v !== 'object' || v === null || Object.keys(v).length <= MAX_CREDENTIALS,
    `at most ${MAX_CREDENTIALS} credentials`,
  )
  .pipe(
    z.record(
      z.string().regex(CREDENTIAL_NAME),
      z.string().max(MAX_CREDENTIAL_LENGTH, `a credential of at most ${MAX_CREDENTIAL_LENGTH / 1024} KiB`),
      {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? `a credential name of 1 to 64 letters, digits, ".", "_" or "-" (not ${JSON.stringify(String(issue.input).slice(0, 64))})`
            : undefined,
      },
    ),
  );

/** An id of the core's provider registry; an unknown one is refused naming those it has. */
const providerId = z
  .string()
  .max(64)
  .refine(isKnownProvider, { error: (issue) => unknownProviderMessage(String(issue.input)) });

/** A source's notification filters, bounded (the settings schema itself does not bound hand-written files). */
const sourceFilters = z.strictObject({
  minOccurrences: z.number().int().min(0).max(1_000_000_000).nullable(),
  attribute: z.strictObject({ name: z.string().min(1).max(200), value: z.string().min(1).max(1_000) }).nullable(),
});

/** A source's web app URL: checked in full by the settings schema; here only bounded. */
const webUrl = z.string().max(2_048);

const groupQuery = z.strictObject({
  text: shortText.optional(),
  sourceId: id.optional(),
  provider: providerId.optional(),
  unread: z.boolean().optional(),
  muted: z.boolean().optional(),
  resolved: z.boolean().optional(),
  cursor: shortText.nullable().optional(),
  limit: z.number().int().min(1).max(1_000).optional(),
});

const groupMarks = z.strictObject({
  read: z.boolean().optional(),
  muted: z.boolean().optional(),
  resolved: z.boolean().optional(),
});

const newSource = z.strictObject({
  provider: providerId,
  name: z.string().trim().min(1).max(200),
  credentials: credentials.optional(),
  config: configRecord.optional(),
  webUrl: webUrl.optional(),
});

const sourcePatch = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  paused: z.boolean().optional(),
  sound: z.enum(NOTIFICATION_SOUNDS).optional(),
  credentials: credentials.optional(),
  regenerate: z.boolean().optional(),
  endOverlap: z.boolean().optional(),
  config: configRecord.optional(),
  filters: sourceFilters.optional(),
  webUrl: webUrl.optional(),
  // Bounded here; checked in full (https, the token's characters) by the settings schema when saved.
  api: z
    .strictObject({
      token: z.string().max(4_096).optional(),
      url: z.string().max(2_048).optional(),
      assignee: z.string().max(200).optional(),
      resolveInProvider: z.boolean().optional(),
    })
    .optional(),
});

const settingsPatch = z.strictObject({
  port: z.number().int().min(0).max(65_535).optional(),
  pausedAll: z.boolean().optional(),
  policy: z
    .strictObject({
      notifyNewGroups: z.boolean().optional(),
      notifyFirstOccurrence: z.boolean().optional(),
      notifyOnRegression: z.boolean().optional(),
      quietHours: z
        .number()
        .min(0)
        .max(24 * 365)
        .optional(),
      milestones: z.array(z.number().int().positive()).max(50).optional(),
      stormLimit: z.number().int().min(1).max(1_000).optional(),
      stormWindowSeconds: z.number().int().min(1).max(86_400).optional(),
    })
    .optional(),
  dnd: z
    .strictObject({
      until: isoDate.nullable().optional(),
      quietWindow: z.strictObject({ enabled: z.boolean(), start: hhmm, end: hhmm }).optional(),
    })
    .optional(),
  retention: z
    .strictObject({
      maxGroups: z.number().int().min(1).max(1_000_000).optional(),
      maxDays: z.number().min(1).max(36_500).optional(),
    })
    .optional(),
  tunnel: z
    .strictObject({
      enabled: z.boolean().optional(),
      domain: z.string().trim().max(253).optional(),
      authtoken: z.string().trim().max(512).optional(),
    })
    .optional(),
  relay: z
    .strictObject({
      servers: z.array(z.string().trim().max(500)).max(16).optional(),
      publish: z.boolean().optional(),
      subscribe: z.boolean().optional(),
      stream: z.string().trim().max(64).optional(),
      member: z.string().trim().max(100).optional(),
      shareMarks: z.boolean().optional(),
      tlsCa: z.string().max(4_096).optional(),
      auth: z
        .discriminatedUnion('kind', [
          z.strictObject({ kind: z.literal('none') }),
          z.strictObject({ kind: z.literal('user'), user: z.string().trim().min(1).max(200), pass: z.string().max(1_000).optional() }),
          z.strictObject({ kind: z.literal('token'), token: z.string().trim().max(4_000).optional() }),
          z.strictObject({ kind: z.literal('creds'), credsFile: z.string().trim().min(1).max(4_096) }),
        ])
        .optional(),
    })
    .optional(),
  startAtLogin: z.boolean().optional(),
  theme: z.enum(THEMES).optional(),
  onboarded: z.boolean().optional(),
  credentialOverlapHours: z.number().min(0).max(MAX_CREDENTIAL_OVERLAP_HOURS).optional(),
  claimHours: z.number().positive().max(MAX_CLAIM_HOURS).optional(),
  autoUpdate: z.boolean().optional(),
});

/** One argument schema per call of the IPC table: a call without one, or one the table lacks, is a type error. */
export type ArgSchemas = { readonly [M in CallName]: ZodType<CallArgs<M>> };

/** The argument tuple every call accepts, by call name. Exported for tests. */
export const ARG_SCHEMAS = {
  getState: z.tuple([]),
  listGroups: z.tuple([groupQuery]),
  getGroup: z.tuple([id]),
  markGroup: z.tuple([id, groupMarks]),
  openGroup: z.tuple([id]),
  deleteGroup: z.tuple([id]),
  markAllRead: z.tuple([]),
  clearHistory: z.tuple([]),
  addSource: z.tuple([newSource]),
  updateSource: z.tuple([id, sourcePatch]),
  removeSource: z.tuple([id]),
  sendTestEvent: z.tuple([id]),
  listRequests: z.tuple([]),
  replayRequest: z.tuple([id]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([settingsPatch]),
  setDnd: z.tuple([z.enum(['off', '1h', 'tomorrow'])]),
  reconnectTunnel: z.tuple([]),
  copy: z.tuple([z.string().max(100_000), z.strictObject({ sourceId: id.optional(), webhookUrl: z.boolean().optional() })]),
  openLink: z.tuple([z.string().max(100_000)]),
  previewMapping: z.tuple([id, configRecord.nullable()]),
  runAction: z.tuple([id, groupActionSchema]),
  testApiToken: z.tuple([id]),
  testRelay: z.tuple([]),
  getUpdateState: z.tuple([]),
  checkForUpdates: z.tuple([]),
  installUpdate: z.tuple([]),
} satisfies ArgSchemas;
