/**
 * Honeybadger webhooks (payload version v2, the default), as documented at
 * https://docs.honeybadger.io/integrations/webhook/ and the per-event pages under
 * https://docs.honeybadger.io/guides/integrations/payloads/v2/ : every body has `event` and `message`;
 * error events carry `fault` (and `notice`, `project`), uptime events a `site` (and `outage`), check-in
 * events a `check_in`. Real deliveries kept by zulip/zulip fill in the rest (see test/fixtures/honeybadger).
 *
 * Decisions: errors group by `fault.id`. Uptime `down` / `check_in_missing` / insights `alarm_alert` are
 * recorded as their own groups (site, check-in, alarm) that regress, and `up` / `check_in_reporting` /
 * `alarm_ok` resolve them, so a site going down notifies once and again only after it came back.
 * `assigned`, `commented` and `deployed` carry no error and are acknowledged only.
 *
 * Verification: every Honeybadger webhook carries a `Honeybadger-Token` header, a secret derived from the
 * project's API key and shown on the project's API Key tab (https://docs.honeybadger.io/guides/security/), and
 * optionally `Authorization: Bearer <token>` when one is set on the webhook. Both are checked from the
 * headers, before the body is read, in constant time, when the source holds them.
 *
 * Links: a check-in's `url` is the endpoint a job calls to report in (`api.honeybadger.io/v1/check_in/<id>`):
 * opening it would report a check-in and silence the very alarm. Check-ins open their `details_url` (the
 * project's check-ins page), uptime events the monitor's `details_url`, never the monitored site.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { ProviderAction } from '../../../shared/actions';
import type { IssueRef, Lifecycle } from '../../../shared/events';
import type { Source } from '../../../shared/settings';
import { sourceToCheck } from '../credentials';
import { messageField, segment } from '../actions/api-text';
import { credentialMatches, header, lenientNumber, lenientString, schemaRejection } from './helpers';
import {
  acknowledged,
  badRequest,
  blankEvent,
  bodyHash,
  firstText,
  isObject,
  ONE_DAY,
  shortText,
  type LifecycleTable,
  lookupTrigger,
  unauthorized,
} from './parsed-event';
import type {
  ApiBuildInput,
  ApiCall,
  Headers,
  HookRequest,
  ParseResult,
  ProviderApi,
  ProviderModule,
  Rejection,
  SampleRequest,
  SourceToCheck,
  Unbuildable,
} from './types';

export const HONEYBADGER_DOCS_URL = 'https://docs.honeybadger.io/integrations/webhook/';

export const honeybadgerLifecycle: LifecycleTable = {
  occurred: { lifecycle: 'unknown', milestone: null },
  rate_exceeded: { lifecycle: 'recurring', milestone: 'Honeybadger: rate exceeded' },
  volume_spike: { lifecycle: 'recurring', milestone: 'Honeybadger: error volume spike' },
  resolved: { lifecycle: 'resolved', milestone: null },
  unresolved: { lifecycle: 'regressed', milestone: null },
  assigned: null,
  commented: null,
  deployed: null,
  down: { lifecycle: 'regressed', milestone: null },
  up: { lifecycle: 'resolved', milestone: null },
  cert_will_expire: { lifecycle: 'unknown', milestone: 'Honeybadger: certificate expiring' },
  check_in_missing: { lifecycle: 'regressed', milestone: null },
  check_in_reporting: { lifecycle: 'resolved', milestone: null },
  alarm_alert: { lifecycle: 'regressed', milestone: null },
  alarm_ok: { lifecycle: 'resolved', milestone: null },
};

/** Events about one error: they must carry its `fault`. */
const FAULT_EVENTS = new Set(['occurred', 'rate_exceeded', 'resolved', 'unresolved']);

const idLike = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .nullable()
  .optional();

const backtraceLine = z.looseObject({ number: lenientString, file: lenientString, method: lenientString });

const honeybadgerBody = z.looseObject({
  event: z.string().min(1),
  message: lenientString,
  payload_version: lenientString,
  project: z.looseObject({ id: idLike, name: lenientString }).nullable().optional(),
  fault: z
    .looseObject({
      id: idLike,
      project_id: idLike,
      klass: lenientString,
      component: lenientString,
      action: lenientString,
      environment: lenientString,
      message: lenientString,
      notices_count: lenientNumber,
      created_at: lenientString,
      last_notice_at: lenientString,
      url: lenientString,
      tags: z.array(z.unknown()).nullable().optional(),
    })
    .nullable()
    .optional(),
  notice: z
    .looseObject({
      id: idLike,
      url: lenientString,
      created_at: lenientString,
      backtrace: z.array(backtraceLine).nullable().optional(),
      request: z.looseObject({ url: lenientString }).nullable().optional(),
      environment: z.unknown().optional(),
    })
    .nullable()
    .optional(),
  site: z.looseObject({ id: idLike, name: lenientString, url: lenientString, details_url: lenientString }).nullable().optional(),
  outage: z
    .looseObject({
      down_at: lenientString,
      up_at: lenientString,
      reason: lenientString,
      status: lenientString,
      details_url: lenientString,
    })
    .nullable()
    .optional(),
  check_in: z
    .looseObject({ id: idLike, name: lenientString, slug: lenientString, url: lenientString, details_url: lenientString })
    .nullable()
    .optional(),
  alarm: z.looseObject({ id: idLike, name: lenientString, url: lenientString }).nullable().optional(),
});
type HoneybadgerBody = z.infer<typeof honeybadgerBody>;

const US_APP = 'app.honeybadger.io';
const EU_APP = 'eu-app.honeybadger.io';

/**
 * The Honeybadger app host the payload's own links live on: `eu-app.honeybadger.io` for an EU account
 * (an EU link anywhere in the body, app or API), `app.honeybadger.io` otherwise.
 */
function appHostOf(...urls: Array<string | null | undefined>): string {
  for (const u of urls) {
    if (!u) continue;
    try {
      const host = new URL(u).hostname.toLowerCase();
      if (host === EU_APP || host === 'eu-api.honeybadger.io') return EU_APP;
    } catch {
      // Not a URL: it says nothing about the host.
    }
  }
  return US_APP;
}

/** A link with how it was made, when Crashbell built it. */
interface Link {
  url: string | null;
  urlDerivation: string | null;
}

const NO_LINK: Link = { url: null, urlDerivation: null };

/** True for Honeybadger's API hosts, whose URLs do things (report a check-in) rather than show a page. */
function isApiUrl(url: string | null): boolean {
  if (!url) return false;
  try {
    return /^(?:eu-)?api\.honeybadger\.io$/i.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

function faultLink(fault: NonNullable<HoneybadgerBody['fault']>, notice: HoneybadgerBody['notice']): Link {
  if (fault.url) return { url: fault.url, urlDerivation: null };
  if (!fault.project_id || !fault.id) return NO_LINK;
  // The fault page as Honeybadger's app links it, on the account's region.
  return {
    url: `https://${appHostOf(notice?.url)}/projects/${encodeURIComponent(fault.project_id)}/faults/${encodeURIComponent(fault.id)}`,
    urlDerivation: "built from the fault's project and id: Honeybadger sent no fault URL",
  };
}

/** A check-in opens its page in the app (`details_url`), or the project's check-ins; never its reporting URL. */
function checkInLink(body: HoneybadgerBody): Link {
  const c = body.check_in;
  if (c?.details_url && !isApiUrl(c.details_url)) return { url: c.details_url, urlDerivation: null };
  const projectId = firstText(body.project?.id);
  if (!projectId) return NO_LINK;
  return {
    url: `https://${appHostOf(c?.url)}/projects/${encodeURIComponent(projectId)}/check_ins`,
    urlDerivation:
      'built from the project id: Honeybadger sent no check-in page (its check-in url is the reporting endpoint, which is never opened)',
  };
}

/** An uptime event opens the monitor's page in the app (`details_url`), never the monitored site. */
function siteLink(body: HoneybadgerBody): Link {
  const details = firstText(body.site?.details_url, body.outage?.details_url);
  if (details) return { url: details, urlDerivation: null };
  const projectId = firstText(body.project?.id);
  const siteId = firstText(body.site?.id);
  if (!projectId || !siteId) return NO_LINK;
  return {
    url: `https://${US_APP}/projects/${encodeURIComponent(projectId)}/sites/${encodeURIComponent(siteId)}`,
    urlDerivation: "built from the project and site ids: Honeybadger sent no monitor page (the site's own URL is what is monitored)",
  };
}

/**
 * What the Data API needs to act on a fault: its project and its id, and Honeybadger's EU app when the hook's
 * links are there (the Data API lives on the app host of the account's region).
 */
function faultRef(fault: NonNullable<HoneybadgerBody['fault']>, notice: HoneybadgerBody['notice']): IssueRef | null {
  if (!fault.id || !fault.project_id) return null;
  const eu = appHostOf(fault.url, notice?.url) === EU_APP;
  return { ids: { projectId: fault.project_id, faultId: fault.id }, apiOrigin: eu ? `https://${EU_APP}` : null };
}

/** Honeybadger's "Test" button: fault 123, `TestingException`, no notice id, every time. */
function isTestButton(body: HoneybadgerBody): boolean {
  return body.fault?.id === '123' && body.fault.klass === 'TestingException' && (body.notice?.id ?? null) === null;
}

/** Uptime, check-in and alarm events: one group per monitored thing. */
function parseMonitor(req: HookRequest, body: HoneybadgerBody, mapping: { lifecycle: Lifecycle; milestone: string | null }): ParseResult {
  const { event } = body;
  const thing = body.site
    ? { kind: 'site', id: body.site.id, name: body.site.name, shown: body.site.url, link: siteLink(body) }
    : body.check_in
      ? { kind: 'check-in', id: body.check_in.id, name: body.check_in.name ?? body.check_in.slug, shown: null, link: checkInLink(body) }
      : body.alarm
        ? {
            kind: 'alarm',
            id: body.alarm.id,
            name: body.alarm.name,
            shown: null,
            link: isApiUrl(body.alarm.url) ? NO_LINK : { url: body.alarm.url, urlDerivation: null },
          }
        : null;
  // Project-wide events (a volume spike without a fault) group per project and event.
  const projectId = thing ? null : firstText(body.project?.id, body.project?.name);
  const id = firstText(thing?.id, thing?.name, projectId ? `${projectId}:${event}` : null, body.message);
  if (!id) return badRequest(`the "${event}" event names no site, check-in, alarm or project`, 'site');
  const kind = thing?.kind ?? (projectId ? 'project' : 'monitor');
  return {
    ok: true,
    event: blankEvent({
      groupKey: `${kind}:${id}`,
      title: shortText(body.message ?? `${thing?.name ?? kind}: ${event}`),
      description: shortText([body.outage?.reason, thing?.shown].filter((p): p is string => !!p).join(' · ')),
      url: thing?.link.url ?? null,
      urlDerivation: thing?.link.urlDerivation ?? null,
      lastSeen: firstText(body.outage?.down_at, body.outage?.up_at),
      classifiers: [kind, event],
      project: body.project?.name ?? null,
      lifecycle: mapping.lifecycle,
      milestone: mapping.milestone,
      redelivery: { key: `honeybadger:${event}:${kind}:${id}:${bodyHash(req.rawBody)}`, windowMs: ONE_DAY },
      raw: req.json,
    }),
  };
}

function parseHoneybadger(req: HookRequest): ParseResult {
  const checked = honeybadgerBody.safeParse(req.json);
  if (!checked.success) return { ok: false, rejection: schemaRejection(checked.error) };
  const body = checked.data;
  if (body.payload_version && body.payload_version.trim().toLowerCase() !== 'v2') {
    return {
      ok: false,
      rejection: {
        status: 422,
        reason: `this is a ${shortText(body.payload_version, 20)} payload; Crashbell reads v2: set the webhook's payload version to v2 in Honeybadger`,
        field: 'payload_version',
      },
    };
  }
  const mapping = lookupTrigger(honeybadgerLifecycle, body.event);
  if (mapping === null) {
    const what = body.message ? `${body.event}: ${shortText(body.message, 120)}` : body.event;
    return acknowledged(`Honeybadger ${what}: nothing to notify`);
  }
  const m = mapping ?? { lifecycle: 'unknown' as const, milestone: null };
  const fault = body.fault;
  if (!fault) {
    if (FAULT_EVENTS.has(body.event)) return badRequest(`missing required field "fault" for the "${body.event}" event`, 'fault');
    if (body.site || body.check_in || body.alarm || mapping !== undefined) return parseMonitor(req, body, m);
    return acknowledged(`Honeybadger ${body.event}: not an error event Crashbell records`);
  }
  if (!fault.id) return badRequest('missing required field "fault.id"', 'fault.id');
  const callstack = (body.notice?.backtrace ?? [])
    .slice(0, 20)
    .map((l) => `${l.method ?? '?'} (${l.file ?? '?'}${l.number ? `:${l.number}` : ''})`);
  const where = fault.component ? (fault.action ? `${fault.component}#${fault.action}` : fault.component) : null;
  // "occurred" on a fault's first notice is a new error as Honeybadger counts it.
  const lifecycle = body.event === 'occurred' && fault.notices_count === 1 ? 'new' : m.lifecycle;
  const named = [fault.klass, fault.message].filter((p): p is string => !!p).join(': ');
  // A resolve or reopen says what happened to the fault, not what it is: its `message` ("… resolved by Ben")
  // is no title, so a bare fault leaves the title to the group.
  const stateChange = body.event === 'resolved' || body.event === 'unresolved';
  const title = named || (stateChange ? '' : body.message || `Honeybadger fault ${fault.id}`);
  const link = faultLink(fault, body.notice);
  const test = isTestButton(body);
  return {
    ok: true,
    event: blankEvent({
      groupKey: fault.id,
      title: shortText(title),
      description: shortText(
        [where, callstack.slice(0, 3).join(' ← ') || null, fault.environment].filter((p): p is string => !!p).join(' · '),
      ),
      url: link.url,
      urlDerivation: link.urlDerivation,
      occurrences: fault.notices_count,
      firstSeen: fault.created_at,
      lastSeen: fault.last_notice_at,
      classifiers: [fault.klass, ...(fault.tags ?? []).filter((t): t is string => typeof t === 'string')].filter((c): c is string => !!c),
      callstack,
      // The project's name only: `fault.project_id` is a number, and a hook without a project leaves it to the group.
      project: firstText(body.project?.name),
      environment: fault.environment,
      objectId: body.notice?.id ?? null,
      page: body.notice?.request?.url ?? null,
      lifecycle,
      milestone: m.milestone,
      issueRef: faultRef(fault, body.notice),
      // The Test button sends the same fault every time: each press is its own hook, not a redelivery.
      redelivery: test
        ? { key: `honeybadger:test:${req.now}:${bodyHash(req.rawBody)}`, windowMs: ONE_DAY }
        : {
            key: `honeybadger:${body.event}:${fault.id}:${body.notice?.id ?? ''}:${fault.notices_count ?? ''}:${fault.last_notice_at ?? ''}`,
            windowMs: ONE_DAY,
          },
      raw: req.json,
    }),
  };
}

/** The documented `occurred` example with a fresh fault. */
function sampleBody(now: number): Record<string, unknown> {
  const faultId = randomInt(1_000_000, 2_000_000_000);
  const at = new Date(now).toISOString();
  return {
    event: 'occurred',
    message: '[Crywolf/test] RuntimeError - oops',
    fault: {
      id: faultId,
      project_id: 1717,
      klass: 'RuntimeError',
      component: null,
      action: null,
      environment: 'development',
      resolved: false,
      ignored: false,
      created_at: at,
      comments_count: 0,
      message: 'oops',
      notices_count: 1,
      last_notice_at: at,
      url: `https://app.honeybadger.io/projects/1717/faults/${faultId}`,
    },
  };
}

const TOKEN_HEADER = 'honeybadger-token';

/** Checks `Honeybadger-Token` and the optional bearer token from the headers alone, for each one the source holds. */
function verifyTokens(source: SourceToCheck, headers: Headers): Rejection | null | undefined {
  const token = source.credentials['token'];
  const bearer = source.credentials['bearerToken'];
  // Neither set: the headers can prove nothing for this source (its unguessable URL is the secret). Set means set
  // by the one rule (credentials.ts): a blank token, current or previous, is no token, never "nothing to check".
  if (token === undefined && bearer === undefined) return undefined;
  if (token !== undefined) {
    const given = header(headers, TOKEN_HEADER);
    if (given === null) return unauthorized('missing Honeybadger-Token header: Honeybadger sends it with every webhook');
    if (!credentialMatches(given.trim(), token)) {
      return unauthorized(
        "wrong Honeybadger-Token: copy it again from the project's API Key tab in Honeybadger (it changes when the API key is reset)",
      );
    }
  }
  if (bearer !== undefined) {
    const auth = header(headers, 'authorization');
    const match = auth === null ? null : /^\s*bearer\s+(\S+)\s*$/i.exec(auth);
    if (!match) return unauthorized("missing Authorization: Bearer header: set the bearer token on Honeybadger's webhook");
    if (!credentialMatches(match[1]!, bearer)) return unauthorized("wrong bearer token: check the one set on Honeybadger's webhook");
  }
  return null;
}

/** Honeybadger's Data API reference for faults. */
export const HONEYBADGER_API_DOCS_URL = 'https://docs.honeybadger.io/api/faults/';

function honeybadgerFault(input: ApiBuildInput): { projectId: string; faultId: string } | Unbuildable {
  const projectId = input.ref?.ids['projectId'];
  const faultId = input.ref?.ids['faultId'];
  if (!projectId || !faultId) {
    return {
      code: 'no-issue-ref',
      unbuildable:
        "this group's Honeybadger hooks carried no fault and project id (uptime, check-in and alarm events are not faults): there is nothing to act on in Honeybadger",
    };
  }
  return { projectId, faultId };
}

/** The body of `PUT /v2/projects/{project_id}/faults/{fault_id}` for an action, as the official CLI sends it. */
function honeybadgerActionBody(action: ProviderAction, assignee: string): Record<string, unknown> | null {
  switch (action.kind) {
    case 'resolve':
      return { fault: { resolved: true } };
    case 'resolve-next-release':
      return { fault: { resolve_on_deploy: true } };
    case 'unresolve':
      // Reopening an ignored fault too: both flags back to false.
      return { fault: { resolved: false, ignored: false } };
    case 'ignore':
      return { fault: { ignored: true } };
    case 'assign-to-me':
      return { fault: { assignee_id: Number(assignee) } };
    case 'snooze':
    case 'snooze-occurrences':
      return null;
  }
}

/**
 * Honeybadger's Data API (v2), as documented (https://docs.honeybadger.io/api/getting-started for authentication
 * and rate limits, https://docs.honeybadger.io/api/faults/ for faults) and as its official CLI sends the update
 * (honeybadger-io/cli `cmd/faults.go` and its test, with honeybadger-io/api-go): `PUT
 * https://app.honeybadger.io/v2/projects/{project_id}/faults/{fault_id}` with HTTP Basic auth (the personal auth
 * token as the user name, no password) and `{"fault": {"resolved": true}}` (also `ignored`, `resolve_on_deploy`,
 * `assignee_id`), answered 204; EU accounts use `eu-app.honeybadger.io`. Rate limit: 360 requests an hour, then
 * 403 with `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset` (epoch seconds). Errors carry `{"errors": "..."}`
 * (read so by api-go's `WrapError`). "Test token" reads `GET /v2/projects/{project_id}/faults/{fault_id}`, or
 * `GET /v2/projects` without a fault.
 */
export const HONEYBADGER_API: ProviderApi = {
  kind: 'api',
  docsUrl: HONEYBADGER_API_DOCS_URL,
  defaultBaseUrl: `https://${US_APP}`,
  apiHosts: [US_APP, EU_APP],
  token: {
    label: 'Honeybadger personal auth token',
    scope: null,
    help: 'Honeybadger → your profile (User settings) → Authentication → Personal auth token (it acts as you, on the projects you can see). It is not the project API key.',
  },
  unsupported: {
    snooze: "Honeybadger's Data API has no snooze: ignore the fault, or resolve it",
    'snooze-occurrences': "Honeybadger's Data API has no snooze: ignore the fault, or resolve it",
  },
  verbs: { 'resolve-next-release': { done: 'Set to resolve on the next deploy', doing: 'Setting to resolve on the next deploy' } },
  authHeaders: (token) => ({ authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}` }),
  buildAction(action, input): ApiCall | Unbuildable {
    const target = honeybadgerFault(input);
    if ('unbuildable' in target) return target;
    if (action.kind === 'assign-to-me' && !/^\d{1,12}$/.test(input.assignee)) {
      return {
        code: 'no-assignee',
        unbuildable: "set your numeric Honeybadger user id in this source's API settings to assign faults to yourself",
      };
    }
    const body = honeybadgerActionBody(action, input.assignee);
    if (!body) return { code: 'unsupported', unbuildable: HONEYBADGER_API.unsupported[action.kind] ?? 'Honeybadger has no such action' };
    return {
      method: 'PUT',
      path: `/v2/projects/${segment(target.projectId)}/faults/${segment(target.faultId)}`,
      body,
      target: `fault ${target.faultId}`,
    };
  },
  buildTokenTest(input): ApiCall | Unbuildable {
    const target = honeybadgerFault(input);
    if ('unbuildable' in target) return { method: 'GET', path: '/v2/projects', target: 'your projects' };
    return {
      method: 'GET',
      path: `/v2/projects/${segment(target.projectId)}/faults/${segment(target.faultId)}`,
      target: `fault ${target.faultId}`,
    };
  },
  messageOf: (response) => messageField(response, 'errors', 'error', 'message'),
  unauthorizedWords:
    'Honeybadger refused the token (401): it is wrong or revoked, or it is a project API key rather than your personal auth token (profile → Authentication)',
  forbiddenWords: () => "Honeybadger refused the token (403): your account has no access to this fault's project",
  isRateLimited: (response) => response.status === 403 && response.headers['x-ratelimit-remaining'] === '0',
  rateLimitReset: (headers) => {
    const reset = headers['x-ratelimit-reset'];
    return reset && /^\d{1,12}$/.test(reset) ? Number(reset) * 1000 : null;
  },
  testCaveat: null,
};

export const honeybadgerProvider: ProviderModule = {
  id: 'honeybadger',
  name: 'Honeybadger',
  mark: { text: 'Hb', color: '#b35900' },
  docsUrl: HONEYBADGER_DOCS_URL,
  credentials: [
    {
      key: 'token',
      label: 'Honeybadger-Token',
      generated: false,
      secret: true,
      required: false,
      help: "Honeybadger → Project Settings → API Key tab: the token Honeybadger sends as the Honeybadger-Token header with every webhook (it changes when the project's API key is reset).",
    },
    {
      key: 'bearerToken',
      label: 'Bearer token',
      generated: false,
      secret: true,
      required: false,
      help: 'Only if you set a bearer token on the webhook in Honeybadger: the same value, checked against its Authorization header.',
    },
  ],
  secretHeaders: [TOKEN_HEADER, 'authorization'],
  securityNote:
    "Honeybadger sends a Honeybadger-Token header with every webhook: paste it (Project Settings → API Key tab) and Crashbell refuses hooks without it. Without it, this source's unguessable URL is its only secret. The same token goes to the sites Honeybadger's uptime checks visit and to source-map hosts, so it proves less than a signature would.",
  webHosts: [US_APP, EU_APP],
  webUrlHelp: null,
  setupSteps: [
    'In Honeybadger (Team plan or higher), open Project Settings → Alerts & Integrations and choose Webhook.',
    'Paste the webhook URL below and keep the default payload version (v2).',
    "Copy the token from Project Settings → API Key tab into this source's Honeybadger-Token field; if you set a bearer token on the webhook, paste it too. Crashbell then refuses hooks without them.",
    'Choose the events: "Error occurred", "Error rate exceeded", "Error resolved" and "Error reopened" suit Crashbell; uptime "Site went down" / "Site back up" and check-in events are recorded as their own groups and open their page in Honeybadger.',
    'Save, then use Honeybadger\'s "Test" button (or "Send test event" here).',
  ],
  generateCredentials: () => ({}),
  validateSource: () => null,
  verifyHeaders: verifyTokens,
  verify(req: HookRequest) {
    // Both tokens live in the headers: when the receiver has just checked them, nothing is left to check.
    if (req.headersVerified === true) return null;
    return verifyTokens(req.source, req.headers) ?? null;
  },
  parse(req: HookRequest): ParseResult {
    try {
      if (!isObject(req.json)) return badRequest('the body must be a JSON object');
      return parseHoneybadger(req);
    } catch (error) {
      return badRequest(`the body could not be read: ${String(error)}`);
    }
  },
  sample(source: Source, now: number): SampleRequest {
    const headers: Headers = { 'content-type': 'application/json', 'user-agent': 'Crashbell test event (Honeybadger format)' };
    const { token, bearerToken } = sourceToCheck(source).credentials;
    if (token !== undefined) headers[TOKEN_HEADER] = token;
    if (bearerToken !== undefined) headers['authorization'] = `Bearer ${bearerToken}`;
    return { headers, body: JSON.stringify(sampleBody(now)) };
  },
  actions: HONEYBADGER_API,
};
