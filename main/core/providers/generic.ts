/**
 * Generic JSON webhooks, for any service Crashbell has no module for. The user maps fields with JSON paths
 * (see `json-path.ts`) in the source's config, and chooses how requests are verified:
 *
 * - `none`: the unguessable source URL is the secret;
 * - `hmac`: an HMAC-SHA256 of the raw body, keyed with `credentials.secret` (as UTF-8), in a header of the
 *   user's choice, hex or base64, with an optional prefix such as `sha256=` (GitHub's X-Hub-Signature-256
 *   style);
 * - `standard-webhooks`: the Standard Webhooks scheme (`standard-webhooks.ts`) with a `whsec_` secret and a
 *   5-minute tolerance; a message id already accepted is a retry, answered 2xx and recorded once.
 *
 * Source config (all strings; the setup view edits them):
 * `titlePath` and `groupKeyPath` (required), `bodyPath`, `urlPath`, `occurrencesPath`, `environmentPath`
 * (optional), `verification` (`none` | `hmac` | `standard-webhooks`, default `none`), and for `hmac`:
 * `signatureHeader` (required), `signatureEncoding` (`hex` | `base64`, default `hex`), `signaturePrefix`.
 *
 * {@link previewMapping} runs a mapping on a body for the setup view's preview.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { MappingPreview } from '../../../shared/ipc';
import type { Source } from '../../../shared/settings';
import { setCredential, sourceToCheck } from '../credentials';
import { header, safeEqual } from './helpers';
import { parseJsonPath, readSegments, type PathSegment } from './json-path';
import {
  badRequest,
  blankEvent,
  bodyHash,
  hmacBase64,
  hmacHex,
  isObject,
  shortText,
  TEN_MINUTES,
  unauthorized,
  type LifecycleTable,
} from './parsed-event';
import {
  decodeStandardSecret,
  signStandardWebhook,
  STANDARD_WEBHOOKS_SPEC_URL,
  verifyStandardWebhook,
  WEBHOOK_ID_WINDOW_MS,
} from './standard-webhooks';
import type { HookRequest, ParseResult, ProviderModule, Rejection, SampleRequest } from './types';
import { explainZodError } from '../../../shared/zod-words';

/** A generic hook says nothing about lifecycle: the inbox decides by its own history. */
export const genericLifecycle: LifecycleTable = {
  '*': { lifecycle: 'unknown', milestone: null },
};

export const VERIFICATIONS = ['none', 'hmac', 'standard-webhooks'] as const;
export type Verification = (typeof VERIFICATIONS)[number];

const path = z.string().trim().min(1, 'a JSON path such as $.error.message');
const optionalPath = z
  .string()
  .trim()
  .optional()
  .nullable()
  .transform((v) => (v ? v : null));

/** The generic source's config, as stored in `source.config`. */
export const genericConfigSchema = z.object({
  titlePath: path,
  groupKeyPath: path,
  bodyPath: optionalPath,
  urlPath: optionalPath,
  occurrencesPath: optionalPath,
  environmentPath: optionalPath,
  verification: z.enum(VERIFICATIONS).default('none'),
  signatureHeader: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9!#$%&'*+.^_`|~-]*$/, 'a header name such as x-signature')
    .optional()
    .nullable()
    .transform((v) => (v ? v : null)),
  signatureEncoding: z.enum(['hex', 'base64']).default('hex'),
  signaturePrefix: z
    .string()
    .optional()
    .nullable()
    .transform((v) => v ?? ''),
});
export type GenericConfig = z.infer<typeof genericConfigSchema>;

/** The mapped fields, in the order the preview shows them. */
export const MAPPED_FIELDS = ['title', 'body', 'url', 'groupKey', 'occurrences', 'environment'] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

const PATH_KEYS: Record<MappedField, keyof GenericConfig> = {
  title: 'titlePath',
  body: 'bodyPath',
  url: 'urlPath',
  groupKey: 'groupKeyPath',
  occurrences: 'occurrencesPath',
  environment: 'environmentPath',
};

const VERIFICATION_ALIASES: Record<string, Verification> = {
  none: 'none',
  hmac: 'hmac',
  'hmac-sha256': 'hmac',
  hmac_sha256: 'hmac',
  'standard-webhooks': 'standard-webhooks',
  standard_webhooks: 'standard-webhooks',
  standardwebhooks: 'standard-webhooks',
  standard: 'standard-webhooks',
};

/**
 * Accepts the nested spelling of a config as well as the flat one the setup view writes:
 * `{mapping: {title, groupKey, ...}}` or `{title: "$.x", ...}` for the paths, and
 * `{verification: {type, header, encoding, prefix}}` for the verification. Flat keys win.
 */
export function normalizeGenericConfig(config: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(config ?? {}) };
  const mapping = isObject(out['mapping']) ? out['mapping'] : {};
  for (const field of MAPPED_FIELDS) {
    const key = PATH_KEYS[field];
    if (out[key] !== undefined) continue;
    const candidate = mapping[field] ?? out[field];
    if (typeof candidate === 'string') out[key] = candidate;
  }
  const v = out['verification'];
  if (isObject(v)) {
    out['verification'] = v['type'] ?? v['scheme'] ?? v['kind'];
    if (out['signatureHeader'] === undefined && typeof v['header'] === 'string') out['signatureHeader'] = v['header'];
    if (out['signatureEncoding'] === undefined && typeof v['encoding'] === 'string') out['signatureEncoding'] = v['encoding'];
    if (out['signaturePrefix'] === undefined && typeof v['prefix'] === 'string') out['signaturePrefix'] = v['prefix'];
  }
  if (typeof out['verification'] === 'string') {
    const alias = VERIFICATION_ALIASES[out['verification'].trim().toLowerCase()];
    if (alias) out['verification'] = alias;
  }
  if (typeof out['signatureEncoding'] === 'string') out['signatureEncoding'] = out['signatureEncoding'].trim().toLowerCase();
  return out;
}

/** Reads and checks a source's config; the first problem in plain words, or the config. */
export function readGenericConfig(
  config: Record<string, unknown> | null | undefined,
): { ok: true; config: GenericConfig } | { ok: false; error: string } {
  const parsed = genericConfigSchema.safeParse(normalizeGenericConfig(config));
  if (!parsed.success) {
    const problem = explainZodError(parsed.error);
    return { ok: false, error: `${problem.field || 'config'}: ${problem.message}` };
  }
  const c = parsed.data;
  for (const field of MAPPED_FIELDS) {
    const p = c[PATH_KEYS[field]];
    if (typeof p === 'string') {
      const syntax = parseJsonPath(p);
      if (!syntax.ok) return { ok: false, error: `${PATH_KEYS[field]}: ${syntax.error}` };
    }
  }
  if (c.verification === 'hmac' && !c.signatureHeader)
    return { ok: false, error: 'signatureHeader: HMAC verification needs the header that carries the signature' };
  return { ok: true, config: c };
}

/** Text for a mapped value: strings as they are, numbers and booleans written out, objects as JSON. */
function asText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}

function asCount(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

interface Mapped {
  fields: Record<MappedField, string | number | null>;
  /** Problems, each naming the field: "groupKey: $.id found nothing". */
  errors: string[];
}

/** Runs a checked mapping on a body. Required fields that find nothing are errors; optional ones are null. */
export function applyMapping(config: GenericConfig, body: unknown): Mapped {
  const fields = {} as Record<MappedField, string | number | null>;
  const errors: string[] = [];
  for (const field of MAPPED_FIELDS) {
    const p = config[PATH_KEYS[field]];
    if (typeof p !== 'string') {
      fields[field] = null;
      continue;
    }
    const parsed = parseJsonPath(p);
    if (!parsed.ok) {
      fields[field] = null;
      errors.push(`${field}: ${parsed.error}`);
      continue;
    }
    const raw = readSegments(body, parsed.segments);
    if (field === 'occurrences') {
      const n = asCount(raw);
      fields[field] = n;
      if (raw !== undefined && raw !== null && n === null) errors.push(`occurrences: ${p} is not a number`);
      continue;
    }
    const text = asText(raw);
    fields[field] = text === null ? null : field === 'url' ? text.trim() : shortText(text, field === 'groupKey' ? 1000 : 500);
    if ((field === 'title' || field === 'groupKey') && (text === null || text.trim() === '')) {
      errors.push(`${field}: ${p} found nothing`);
    }
  }
  return { fields, errors };
}

/**
 * The setup view's preview: runs `config` on `body` (the last received body, or null when none came yet)
 * and returns the mapped fields and the problems, in the shape of shared/ipc.ts `MappingPreview`.
 */
export function previewMapping(config: Record<string, unknown> | null | undefined, body: unknown): MappingPreview {
  const pretty = body === undefined || body === null ? null : safePretty(body);
  const empty = Object.fromEntries(MAPPED_FIELDS.map((f) => [f, null])) as Record<string, string | number | null>;
  const checked = readGenericConfig(config);
  if (!checked.ok) return { ok: false, body: pretty, fields: empty, errors: [checked.error] };
  if (pretty === null) return { ok: false, body: null, fields: empty, errors: ['no body has been received on this source yet'] };
  const { fields, errors } = applyMapping(checked.config, body);
  return { ok: errors.length === 0, body: pretty, fields, errors };
}

function safePretty(body: unknown): string | null {
  try {
    return JSON.stringify(body, null, 2) ?? null;
  } catch {
    return null;
  }
}

/** Why a source that verifies signatures refuses every hook while its secret is not set. */
const NO_SECRET = "this source's signing secret is not set: add it to the source's credentials (credentials.secret)";

function verifyHmac(req: HookRequest, config: GenericConfig): Rejection | null {
  const secret = req.source.credentials['secret'];
  if (secret === undefined) return unauthorized(NO_SECRET);
  const name = config.signatureHeader ?? '';
  const given = header(req.headers, name);
  if (given === null) return unauthorized(`missing ${name} signature header`);
  let value = given.trim();
  const prefix = config.signaturePrefix;
  if (prefix) {
    if (value.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) {
      return unauthorized(`the ${name} header does not start with "${prefix}"`);
    }
    value = value.slice(prefix.length).trim();
  }
  const expected = config.signatureEncoding === 'hex' ? hmacHex(secret, req.rawBody) : hmacBase64(secret, req.rawBody);
  const matches = config.signatureEncoding === 'hex' ? safeEqual(value.toLowerCase(), expected) : safeEqual(value, expected);
  if (matches) return null;
  const after = prefix ? ` after the prefix "${prefix}"` : '';
  return unauthorized(
    `wrong ${name} signature: the value${after} was compared with the ${config.signatureEncoding} HMAC-SHA256 of the body as sent, keyed with this source's secret (received ${value.length} characters; expected ${expected.length}); check the secret and the encoding`,
  );
}

/** Signs a body the way a generic source expects; for samples and tests. */
export function signGenericRequest(source: Source, body: string, now: number): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const checked = readGenericConfig(source.config);
  if (!checked.ok) return headers;
  const c = checked.config;
  const secret = sourceToCheck(source).credentials['secret'] ?? '';
  if (c.verification === 'hmac' && c.signatureHeader) {
    const sig = c.signatureEncoding === 'hex' ? hmacHex(secret, body) : hmacBase64(secret, body);
    headers[c.signatureHeader] = `${c.signaturePrefix}${sig}`;
  } else if (c.verification === 'standard-webhooks') {
    const key = decodeStandardSecret(secret);
    const id = `msg_${randomUUID()}`;
    const timestamp = String(Math.floor(now / 1000));
    headers['webhook-id'] = id;
    headers['webhook-timestamp'] = timestamp;
    if (key) headers['webhook-signature'] = signStandardWebhook(key, id, timestamp, body);
  }
  return headers;
}

/**
 * A body shaped for the source's mapping: each mapped path is filled with a realistic value, so the sample
 * exercises the user's own mapping (with a fresh group key each time).
 */
function sampleBody(config: GenericConfig | null, now: number): unknown {
  const groupKey = `sample-${randomBytes(8).toString('hex')}`;
  const values: Record<MappedField, unknown> = {
    title: "TypeError: Cannot read properties of undefined (reading 'id')",
    body: 'at renderProfile (app/profile.js:42:17)',
    url: `https://errors.example.com/issues/${groupKey}`,
    groupKey,
    occurrences: 1,
    environment: 'production',
  };
  if (!config)
    return {
      id: groupKey,
      title: values.title,
      message: values.body,
      url: values.url,
      count: 1,
      environment: 'production',
      timestamp: new Date(now).toISOString(),
    };
  let root: unknown = {};
  for (const field of MAPPED_FIELDS) {
    const p = config[PATH_KEYS[field]];
    if (typeof p !== 'string') continue;
    const parsed = parseJsonPath(p);
    if (!parsed.ok || parsed.segments.length === 0) continue;
    root = setAt(root, parsed.segments, values[field]);
  }
  return root;
}

/** Writes `value` at a parsed path, creating objects and arrays on the way (negative indexes count as 0). */
function setAt(root: unknown, segments: readonly PathSegment[], value: unknown): unknown {
  const [head, ...rest] = segments;
  if (!head) return value;
  if ('index' in head) {
    const arr = Array.isArray(root) ? root : [];
    const at = Math.max(0, head.index);
    while (arr.length <= at) arr.push(null);
    arr[at] = setAt(arr[at], rest, value);
    return arr;
  }
  const obj: Record<string, unknown> = isObject(root) ? root : {};
  if (head.key === '__proto__' || head.key === 'constructor' || head.key === 'prototype') return obj;
  obj[head.key] = setAt(obj[head.key], rest, value);
  return obj;
}

export const genericProvider: ProviderModule = {
  id: 'generic',
  name: 'Generic JSON',
  mark: { text: '{}', color: '#495057' },
  docsUrl: STANDARD_WEBHOOKS_SPEC_URL,
  actions: {
    kind: 'local',
    reason: 'A generic JSON source has no provider API Crashbell knows, so it changes the group here only',
  },
  credentials: [
    {
      key: 'secret',
      label: 'Signing secret',
      generated: false,
      secret: true,
      required: false,
      help: 'Required for HMAC or Standard Webhooks verification: the secret the sending service signs with (for Standard Webhooks, the whsec_… value).',
    },
  ],
  secretHeaders: ['webhook-signature', 'x-signature', 'x-hub-signature', 'x-hub-signature-256', 'authorization'],
  // A generic source's links are its sender's: only the host the user names as its web app URL opens.
  webHosts: [],
  webUrlHelp:
    "The web app your hooks' links point at, e.g. https://errors.example.com/: links open only on its host (a generic source has no provider host of its own).",
  securityNote:
    'With verification "none", this source\'s unguessable URL is its only secret: keep it private. Choose HMAC or Standard Webhooks when the sending service can sign its requests.',
  setupSteps: [
    'In the sending service, add a webhook pointing at the URL below, sending JSON with a POST.',
    'Send one hook (or paste a sample body), then map the fields with JSON paths: a title and a group key are required (for example $.error.message and $.error.id); a body, the URL to open, occurrences and environment are optional. The preview shows what the last received body maps to.',
    'Choose verification: Standard Webhooks (webhook-id / webhook-timestamp / webhook-signature, paste the whsec_ secret), an HMAC-SHA256 of the body in a header of your choice (hex or base64, optional prefix such as sha256=), or none.',
    "Set this source's web app URL to the app your links point at: a generic source opens links only on that host.",
    'Save, then use "Send test event" here to check the mapping end to end.',
  ],
  generateCredentials() {
    return {};
  },
  validateSource(source: Source) {
    const checked = readGenericConfig(source.config);
    if (!checked.ok) return `generic source config: ${checked.error}`;
    const secret = setCredential(source.credentials['secret']);
    if (checked.config.verification !== 'none' && secret === null) {
      return `${checked.config.verification === 'hmac' ? 'HMAC' : 'Standard Webhooks'} verification needs the signing secret (credentials.secret)`;
    }
    if (checked.config.verification === 'standard-webhooks' && !decodeStandardSecret(secret ?? '')) {
      return 'the Standard Webhooks secret must be a whsec_ value (base64 after the prefix)';
    }
    return null;
  },
  verify(req: HookRequest) {
    const checked = readGenericConfig(req.source.config);
    if (!checked.ok) return unauthorized(`this generic source is misconfigured (${checked.error}); fix it in Crashbell`);
    const c = checked.config;
    if (c.verification === 'hmac') return verifyHmac(req, c);
    if (c.verification === 'standard-webhooks') {
      const secret = req.source.credentials['secret'];
      if (secret === undefined) return unauthorized(NO_SECRET);
      return verifyStandardWebhook({ headers: req.headers, rawBody: req.rawBody, secret, now: req.now });
    }
    return null;
  },
  parse(req: HookRequest): ParseResult {
    try {
      const checked = readGenericConfig(req.source.config);
      if (!checked.ok) return badRequest(`this generic source is misconfigured: ${checked.error}`);
      const { fields, errors } = applyMapping(checked.config, req.json);
      if (errors.length > 0) {
        const first = errors[0]!;
        return badRequest(`the mapping found no usable value: ${first}`, first.slice(0, first.indexOf(':')));
      }
      const messageId = header(req.headers, 'webhook-id');
      return {
        ok: true,
        event: blankEvent({
          groupKey: String(fields.groupKey),
          title: String(fields.title),
          description: typeof fields.body === 'string' ? fields.body : '',
          url: typeof fields.url === 'string' && fields.url !== '' ? fields.url : null,
          occurrences: typeof fields.occurrences === 'number' ? fields.occurrences : null,
          environment: typeof fields.environment === 'string' ? fields.environment : null,
          // The message id is the spec's idempotency key: a retry under it (or a replay of a captured request
          // within the timestamp tolerance) is a redelivery, recorded once, for as long as senders retry.
          redelivery:
            checked.config.verification === 'standard-webhooks' && messageId
              ? { key: `webhook-id:${messageId}`, windowMs: WEBHOOK_ID_WINDOW_MS }
              : { key: `body:${bodyHash(req.rawBody)}`, windowMs: TEN_MINUTES },
          raw: req.json,
        }),
      };
    } catch (error) {
      return badRequest(`the body could not be read: ${String(error)}`);
    }
  },
  sample(source: Source, now: number): SampleRequest {
    const checked = readGenericConfig(source.config);
    const body = JSON.stringify(sampleBody(checked.ok ? checked.config : null, now));
    return { headers: signGenericRequest(source, body, now), body };
  },
  preview: ({ source, body }) => previewMapping(source.config, body),
  // A generic source names its own signature header: the inspector masks it too.
  secretHeadersOf(source) {
    const checked = readGenericConfig(source.config);
    return checked.ok && checked.config.signatureHeader ? [checked.config.signatureHeader.toLowerCase()] : [];
  },
};
