/**
 * Backtrace (Sauce Labs Error Reporting) webhooks: one POST per crash group in each batch, authenticated with
 * HTTP Basic credentials that Crashbell generates and the user pastes into Backtrace's integration form.
 * Wire format: the webhook integration guide (shared seed `backtrace-webhook.txt`).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AttributeHistogram } from '../../../shared/events';
import type { Source } from '../../../shared/settings';
import { joinCredentials, setCredential, sourceToCheck } from '../credentials';
import { credentialMatches, epochToIso, header, lenientNumber, lenientString, schemaRejection, secretDigest, sha256Hex } from './helpers';
import { blankEvent } from './parsed-event';
import type { HookRequest, ParseResult, ProviderModule, Rejection, SampleRequest, SetCredential, SourceToCheck } from './types';

const REALM = 'Basic realm="Crashbell"';

/** Frames that say nothing about where the crash is: unresolved or address-only. */
const MEANINGLESS_FRAME = /^(\s*|\?+|\[?<?unknown>?\]?|0x[0-9a-f]+)$/i;

const frame = z
  .union([z.string(), z.number(), z.null()], { error: 'expected a frame name' })
  .transform((v) => (v === null ? null : String(v)));

/** Backtrace's webhook body. Unknown fields are kept (loose); only `fingerprint` is required. */
export const backtraceBodySchema = z.looseObject({
  fingerprint: z
    .union([z.string(), z.number()], { error: 'expected the group fingerprint as a string' })
    .transform((v) => String(v).trim())
    .pipe(z.string().min(1, 'must not be empty')),
  universe: lenientString,
  project: lenientString,
  application: lenientString,
  href: lenientString,
  group_url: lenientString,
  // Frames are strings; a newline-separated string is read as frames too, and empty slots are skipped.
  callstack: z
    .union([z.array(frame), z.string().transform((s) => s.split(/\r?\n/)), z.null()], {
      error: 'expected a list of frames',
    })
    .optional()
    .transform((v) => (v ?? []).filter((f): f is string => typeof f === 'string' && f.trim() !== '').map((f) => f.trim())),
  occurrences: lenientNumber,
  object_id: lenientString,
  // [first, last] epoch seconds; a single number is read as both.
  timestamp: z
    .union([z.array(lenientNumber), lenientNumber], { error: 'expected [first, last] epoch seconds' })
    .optional()
    .transform((v): [number | null, number | null] => {
      if (Array.isArray(v)) return [v[0] ?? null, v[v.length - 1] ?? null];
      return [v ?? null, v ?? null];
    }),
  classifiers: z
    .union([z.array(lenientString), z.string().transform((s) => s.split(/\s+/)), z.null()], {
      error: 'expected a list of classifiers',
    })
    .optional()
    .transform((v) => (v ?? []).filter((c): c is string => typeof c === 'string' && c.trim() !== '')),
  hosts: lenientNumber,
  guids: lenientNumber,
  attributes: z
    .union([z.record(z.string(), z.union([z.array(z.tuple([lenientString, lenientNumber]).rest(z.unknown())), z.null()])), z.null()], {
      error: 'expected histograms such as {"version": [["1.2.3", 10]]}',
    })
    .optional()
    .transform((v) => {
      const out: Record<string, AttributeHistogram> = {};
      for (const [name, rows] of Object.entries(v ?? {})) {
        if (!rows) continue;
        // defineProperty: an attribute named "__proto__" is data from the internet, not a prototype to set.
        Object.defineProperty(out, name, {
          value: rows.map(([value, count]) => [value ?? '', count ?? 0]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }),
});

export type BacktraceBody = z.infer<typeof backtraceBodySchema>;

function meaningfulFrames(callstack: string[]): string[] {
  const frames = callstack.filter((f) => !MEANINGLESS_FRAME.test(f));
  return frames.length > 0 ? frames : callstack;
}

/** "exception in printf": the classifiers and the top meaningful frame, which is what a human scans for. */
export function backtraceTitle(body: BacktraceBody): string {
  const top = meaningfulFrames(body.callstack)[0];
  const kind = body.classifiers.join(', ');
  if (top && kind) return `${kind} in ${top}`;
  if (top) return top;
  if (kind) return body.application ? `${kind} in ${body.application}` : kind;
  return `${body.application ?? 'Crash'} ${body.fingerprint.slice(0, 12)}`;
}

/** "printf ← my_fn ← main · my_app.exe": the top three frames and the application. */
export function backtraceDescription(body: BacktraceBody): string {
  const frames = meaningfulFrames(body.callstack).slice(0, 3).join(' ← ');
  const parts = [frames, body.application ?? ''].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(' · ') : `fingerprint ${body.fingerprint}`;
}

/** The most frequent value of the `environment` histogram, when there is one. */
function dominantEnvironment(attributes: Record<string, AttributeHistogram>): string | null {
  const rows = attributes['environment'];
  if (!rows || rows.length === 0) return null;
  let best = rows[0]!;
  for (const row of rows) if (row[1] > best[1]) best = row;
  return best[0] || null;
}

/** Reads the Basic credentials of an Authorization header; null when absent or not Basic. */
function readBasic(value: string | null): { username: string; password: string } | null {
  if (!value) return null;
  const match = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(value);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function unauthorized(reason: string): Rejection {
  return { status: 401, reason, headers: { 'WWW-Authenticate': REALM } };
}

/**
 * The configured pair's digest, kept per source object: the same pair is hashed for every hook otherwise.
 * Settings changes make new source objects, and the pair is compared too, so a changed password never
 * meets a stale digest.
 */
const expectedDigests = new WeakMap<SourceToCheck, { pair: SetCredential; digest: Buffer }>();

function expectedDigestOf(source: SourceToCheck, pair: SetCredential): Buffer {
  const known = expectedDigests.get(source);
  if (known !== undefined && known.pair === pair) return known.digest;
  const digest = secretDigest(pair);
  expectedDigests.set(source, { pair, digest });
  return digest;
}

/** Checks Basic auth from the headers alone, so an unauthenticated sender never makes us read its body. */
function verifyBasic(source: SourceToCheck, headers: Record<string, string>): Rejection | null {
  const expectedUser = source.credentials['username'];
  const expectedPassword = source.credentials['password'];
  if (expectedUser === undefined || expectedPassword === undefined) {
    return unauthorized('this source has no Basic credentials set: give it a username and a password');
  }
  const auth = header(headers, 'authorization');
  if (!auth) return unauthorized("missing HTTP Basic credentials: set the username and password in Backtrace's webhook integration");
  const given = readBasic(auth);
  if (!given) return unauthorized('the Authorization header is not HTTP Basic');
  // One comparison of the whole pair, so the time taken does not tell which half was wrong. The username
  // holds no ':' (validateSource), so the joined pair is unambiguous.
  const expected = joinCredentials(expectedUser, ':', expectedPassword);
  const ok = credentialMatches(`${given.username}:${given.password}`, expected, expectedDigestOf(source, expected));
  return ok
    ? null
    : unauthorized(
        "wrong Basic credentials: the username and password of the Authorization header are not this source's; copy both again from this source into Backtrace's webhook integration",
      );
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** How long an identical body without an object id or count is taken for a redelivery. */
const BODY_REDELIVERY_WINDOW_MS = 10 * 60 * 1000;

/**
 * Backtrace redelivers a batch item with the same object and count; a new hook changes one of them. A hook
 * that carries neither (only `fingerprint` is required) is recognised by its whole body, and only for ten
 * minutes: a constant key would make every later hook of the group look like the first one.
 */
export function backtraceRedelivery(
  objectId: string | null,
  occurrences: number | null,
  rawBody: Buffer,
): { key: string; windowMs: number | null } {
  if (objectId !== null || occurrences !== null) return { key: `${objectId ?? ''}:${occurrences ?? ''}`, windowMs: null };
  return { key: `body:${sha256Hex(rawBody)}`, windowMs: BODY_REDELIVERY_WINDOW_MS };
}

export const backtraceProvider: ProviderModule = {
  id: 'backtrace',
  name: 'Backtrace',
  mark: { text: 'Bt', color: '#3b5bdb' },
  docsUrl: 'https://docs.saucelabs.com/error-reporting/workflow-integrations/webhook/',
  // Morgue (Backtrace's CLI) sets attributes through the query API (`morgue set`, tags on the issues table),
  // but neither it nor the documentation shows how an issue's state is written or which values it takes.
  actions: {
    kind: 'local',
    reason:
      "Backtrace's documentation and its official clients show no way to set an issue's state (open, in progress, resolved, muted) through its API, so Crashbell changes it here only: set it in Backtrace's web app too",
  },
  credentials: [
    {
      key: 'username',
      label: 'Username',
      generated: true,
      secret: false,
      required: true,
      help: "Paste into the webhook integration's authentication username.",
    },
    {
      key: 'password',
      label: 'Password',
      generated: true,
      secret: true,
      required: true,
      help: "Paste into the webhook integration's authentication password.",
    },
  ],
  secretHeaders: ['authorization'],
  securityNote: null,
  // Hosted universes are <universe>.sp.backtrace.io; `*.` covers them and the rest of backtrace.io.
  webHosts: ['*.backtrace.io'],
  webUrlHelp:
    "Only for Backtrace on premises: your server's address (e.g. https://backtrace.example.com/), so its group links open. Hosted Backtrace (*.backtrace.io) needs nothing here.",
  setupSteps: [
    'In Backtrace, open Project Settings → Integrations, click + and choose Webhook.',
    'Paste the webhook URL below as the Webhook URL.',
    'Fill in the authentication with the username and password below (Backtrace requires them; Crashbell checks them).',
    'In Common Settings choose Event "Trace" with a short frequency so Crashbell sees occurrences grow; "Group" only reports new groups.',
    'Optionally add submit or filter actions (regular expressions on attributes) to limit what is sent.',
    'Save, then use "Send test event" here to check the path end to end.',
    'To change the password later, use Regenerate here: the old username and password stay accepted for the overlap shown, while you paste the new ones into Backtrace.',
  ],
  generateCredentials() {
    // 16 random bytes each: 128 bits, base64url so they paste cleanly into any form.
    return {
      username: `crashbell-${randomBytes(16).toString('base64url')}`,
      password: randomBytes(24).toString('base64url'),
    };
  },
  validateSource(source) {
    // Set or not by the one rule (credentials.ts): a blank value is no username, here as in verify.
    const username = setCredential(source.credentials['username']);
    const password = setCredential(source.credentials['password']);
    if (username === null) return 'Backtrace sources need a username (credentials.username)';
    if (password === null) return 'Backtrace sources need a password (credentials.password)';
    if (username.includes(':')) return 'the Backtrace username must not contain ":" (HTTP Basic uses it as the separator)';
    return null;
  },
  verifyHeaders(source, headers) {
    return verifyBasic(source, headers);
  },
  verify(req: HookRequest) {
    // Basic auth lives in the headers only: when the receiver has just checked them with verifyHeaders,
    // a second constant-time comparison would add nothing but CPU per request. Called alone, it checks.
    if (req.headersVerified === true) return null;
    return verifyBasic(req.source, req.headers);
  },
  parse(req: HookRequest): ParseResult {
    try {
      if (typeof req.json !== 'object' || req.json === null || Array.isArray(req.json)) {
        return { ok: false, rejection: { status: 400, reason: 'the body must be a JSON object' } };
      }
      const checked = backtraceBodySchema.safeParse(req.json);
      if (!checked.success) return { ok: false, rejection: schemaRejection(checked.error, req.json) };
      const body = checked.data;
      const [first, last] = body.timestamp;
      const objectId = body.object_id;
      return {
        ok: true,
        event: blankEvent({
          groupKey: body.fingerprint,
          title: backtraceTitle(body),
          description: backtraceDescription(body),
          url: body.group_url,
          occurrences: body.occurrences,
          hosts: body.hosts,
          guids: body.guids,
          firstSeen: epochToIso(first),
          lastSeen: epochToIso(last),
          classifiers: body.classifiers,
          attributes: body.attributes,
          callstack: body.callstack,
          application: body.application,
          project: body.project,
          environment: dominantEnvironment(body.attributes),
          objectId,
          redelivery: backtraceRedelivery(objectId, body.occurrences, req.rawBody),
          raw: req.json,
        }),
      };
    } catch (error) {
      return { ok: false, rejection: { status: 400, reason: `the body could not be read: ${String(error)}` } };
    }
  },
  sample(source: Source, now: number): SampleRequest {
    const seconds = Math.floor(now / 1000);
    const fingerprint = randomBytes(32).toString('hex');
    const objectId = (seconds % 0xfffff).toString(16);
    const body = {
      universe: 'my_universe',
      project: 'my_project',
      application: 'my_app.exe',
      fingerprint,
      href: 'https://u.sp.backtrace.io/',
      group_url: `https://u.sp.backtrace.io/dashboard/my_universe/project/my_project/triage?fingerprint=${fingerprint}`,
      callstack: ['printf', 'my_fn', 'main'],
      occurrences: 35,
      object_id: objectId,
      timestamp: [seconds - 3600, seconds],
      classifiers: ['exception'],
      hosts: 4,
      guids: 0,
      attributes: {
        version: [
          ['1.2.3', 10],
          ['1.2.2', 1],
          ['1.1.0', 24],
        ],
        environment: [
          ['production', 33],
          ['staging', 1],
          ['devel', 1],
        ],
      },
    };
    return {
      headers: {
        'content-type': 'application/json',
        authorization: basicHeader(
          sourceToCheck(source).credentials['username'] ?? '',
          sourceToCheck(source).credentials['password'] ?? '',
        ),
        'user-agent': 'Crashbell test event (Backtrace format)',
      },
      body: JSON.stringify(body),
    };
  },
};
