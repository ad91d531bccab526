/**
 * Rollbar webhooks: `{"event_name": ..., "data": {"item": {...}, "occurrence": {...}}}` as documented at
 * https://docs.rollbar.com/docs/webhooks (events new_item, occurrence, exp_repeat_item, item_velocity,
 * reactivated_item, reopened_item, resolved_item, deploy). The sample bodies follow that page's examples
 * (also mirrored in influxdata/telegraf's Rollbar webhook tests); real deliveries kept by zulip/zulip show
 * the rest: "Send test notification" posts `{"event_name": "test", "data": {"message": ...}}`, and
 * `item_velocity` carries `data.trigger {threshold, window_size_description}` and no occurrence.
 *
 * Rollbar retries a hook that does not answer 200/201/202/204 within 3 seconds, up to 10 times over about
 * 16 days, 4xx included: anything genuine-looking that Crashbell does not record (the test notification,
 * a deploy, an event name it does not know) is acknowledged with a 2xx, and only malformed bodies get 400.
 * Redeliveries are recognised by the event name, item and occurrence over a 17-day window.
 *
 * `total_occurrences` counts since the item's last activation: it starts again at 1 when a resolved item is
 * reactivated (127 → 1 in the captured deliveries); the inbox then counts milestones from the regression.
 *
 * The documentation describes no signature or credentials for webhooks, so the source's unguessable URL is
 * the secret. Events group by the Rollbar item id.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ProviderAction } from '../../../shared/actions';
import { messageField, segment } from '../actions/api-text';
import { epochToIso, lenientNumber, lenientString, schemaRejection } from './helpers';
import {
  acknowledged,
  badRequest,
  blankEvent,
  firstText,
  shortText,
  type LifecycleTable,
  lookupTrigger,
  unsignedProvider,
} from './parsed-event';
import type { ApiBuildInput, ApiCall, HookRequest, ParseResult, ProviderApi, ProviderModule, Unbuildable } from './types';

export const ROLLBAR_DOCS_URL = 'https://docs.rollbar.com/docs/webhooks';

/** Rollbar retries for about 16 days; remember deliveries a little longer. */
const REDELIVERY_WINDOW_MS = 17 * 24 * 60 * 60 * 1000;

export const rollbarLifecycle: LifecycleTable = {
  new_item: { lifecycle: 'new', milestone: null },
  occurrence: { lifecycle: 'recurring', milestone: null },
  exp_repeat_item: { lifecycle: 'recurring', milestone: 'Rollbar: 10^nth occurrence' },
  item_velocity: { lifecycle: 'recurring', milestone: 'Rollbar: high occurrence rate (velocity)' },
  reactivated_item: { lifecycle: 'regressed', milestone: null },
  reopened_item: { lifecycle: 'regressed', milestone: null },
  resolved_item: { lifecycle: 'resolved', milestone: null },
  deploy: null,
  test: null,
};

/** Rollbar's numeric item levels (its API) in words. */
const LEVELS: Record<number, string> = { 10: 'debug', 20: 'info', 30: 'warning', 40: 'error', 50: 'critical' };

const frame = z.looseObject({ filename: lenientString, lineno: lenientNumber, method: lenientString });
const trace = z.looseObject({
  frames: z.array(frame).nullable().optional(),
  exception: z.looseObject({ class: lenientString, message: lenientString }).nullable().optional(),
});

const occurrenceSchema = z.looseObject({
  uuid: lenientString,
  id: lenientString,
  language: lenientString,
  level: lenientString,
  timestamp: lenientNumber,
  environment: lenientString,
  code_version: lenientString,
  server: z.looseObject({ host: lenientString }).nullable().optional(),
  request: z.looseObject({ url: lenientString, user_ip: lenientString }).nullable().optional(),
  body: z
    .looseObject({
      trace: trace.nullable().optional(),
      trace_chain: z.array(trace).nullable().optional(),
      message: z.looseObject({ body: lenientString }).nullable().optional(),
    })
    .nullable()
    .optional(),
});

const rollbarBody = z.looseObject({
  event_name: z.string().min(1),
  data: z.looseObject({
    url: lenientString,
    occurrences: lenientNumber,
    trigger: z
      .looseObject({ threshold: lenientNumber, window_size: lenientNumber, window_size_description: lenientString })
      .nullable()
      .optional(),
    message: lenientString,
    item: z
      .looseObject({
        id: z.union([z.string().min(1), z.number()]).transform((v) => String(v)),
        counter: lenientNumber,
        project_id: lenientString,
        environment: lenientString,
        title: lenientString,
        level: z.union([z.number(), z.string(), z.null()]).optional(),
        status: z.union([z.number(), z.string(), z.null()]).optional(),
        total_occurrences: lenientNumber,
        first_occurrence_timestamp: lenientNumber,
        last_occurrence_timestamp: lenientNumber,
        last_occurrence_id: lenientString,
        framework: z.unknown().optional(),
        last_occurrence: occurrenceSchema.nullable().optional(),
      })
      .optional(),
    occurrence: occurrenceSchema.nullable().optional(),
    deploy: z.unknown().optional(),
  }),
});
type Occurrence = z.infer<typeof occurrenceSchema>;

function callstackOf(occ: Occurrence | null | undefined): string[] {
  const t = occ?.body?.trace ?? occ?.body?.trace_chain?.[0] ?? null;
  // Rollbar lists frames oldest first, like Python tracebacks; show the crash site first.
  return [...(t?.frames ?? [])]
    .reverse()
    .slice(0, 20)
    .map((f) => `${f.method ?? '?'} (${f.filename ?? '?'}${f.lineno === null ? '' : `:${f.lineno}`})`);
}

/** "Rollbar: at least 10 occurrences in 5 minutes", from `item_velocity`'s `data.trigger`; null without one. */
function velocityMilestone(
  trigger: { threshold: number | null; window_size: number | null; window_size_description: string | null } | null,
) {
  if (!trigger || trigger.threshold === null) return null;
  const window = firstText(trigger.window_size_description) ?? (trigger.window_size !== null ? `${trigger.window_size} seconds` : null);
  return `Rollbar: at least ${trigger.threshold} occurrences${window ? ` in ${window}` : ''}`;
}

/** `https://rollbar.com/<account>/<project>/`, the project page a source's web app URL names; null otherwise. */
export function rollbarProjectPage(webUrl: string): string | null {
  if (!webUrl) return null;
  try {
    const url = new URL(webUrl);
    const parts = url.pathname.split('/').filter(Boolean);
    if (url.hostname.toLowerCase() !== 'rollbar.com' || parts.length < 2 || parts[0] === 'item' || parts[0] === 'occurrence') return null;
    return `https://rollbar.com/${parts[0]}/${parts[1]}/`;
  } catch {
    return null;
  }
}

/**
 * The item's link, in order: Rollbar's own `data.url`; the item page built from the source's project page
 * and the item counter; Rollbar's redirect from the occurrence's uuid to its item. `item_velocity` carries no
 * occurrence, so without `data.url` only the project page can make its link.
 */
function itemLink(
  given: string | null,
  uuid: string | null,
  counter: number | null,
  webUrl: string,
): { url: string | null; urlDerivation: string | null } {
  if (given) return { url: given, urlDerivation: null };
  const project = rollbarProjectPage(webUrl);
  if (project && counter !== null && Number.isInteger(counter) && counter > 0) {
    return {
      url: `${project}items/${counter}/`,
      urlDerivation: "built from the item's counter and this source's Rollbar project page: Rollbar sent no link",
    };
  }
  if (uuid) {
    return {
      url: `https://rollbar.com/item/uuid/?uuid=${encodeURIComponent(uuid)}`,
      urlDerivation: "built from the occurrence's uuid (Rollbar redirects it to its item): Rollbar sent no link",
    };
  }
  return { url: null, urlDerivation: null };
}

function levelWord(level: unknown): string | null {
  if (typeof level === 'number') return LEVELS[level] ?? null;
  return typeof level === 'string' && level ? level : null;
}

function parseRollbar(req: HookRequest): ParseResult {
  const checked = rollbarBody.safeParse(req.json);
  if (!checked.success) return { ok: false, rejection: schemaRejection(checked.error) };
  const { event_name: name, data } = checked.data;
  const mapping = lookupTrigger(rollbarLifecycle, name);
  if (name === 'test') {
    // Rollbar's "Send test notification": answered 2xx, or Rollbar would retry it for days.
    return acknowledged(
      `Rollbar test notification received${data.message ? ` ("${shortText(data.message, 120)}")` : ''}: the webhook works, nothing to record`,
    );
  }
  if (mapping === null) return acknowledged(`Rollbar ${name}: nothing to record`);
  const item = data.item;
  if (!item) {
    // A known item event without its item is malformed; an event Rollbar added later is acknowledged.
    if (mapping === undefined) return acknowledged(`Rollbar event "${shortText(name, 80)}" carries no item: not one Crashbell records`);
    return badRequest(`missing required field "data.item" for the "${name}" event`, 'data.item');
  }
  const m = mapping ?? { lifecycle: 'unknown' as const, milestone: null };
  const occ = data.occurrence ?? item.last_occurrence ?? null;
  const callstack = callstackOf(occ);
  const exception = occ?.body?.trace?.exception ?? occ?.body?.trace_chain?.[0]?.exception ?? null;
  const title = shortText(
    firstText(item.title, exception ? [exception.class, exception.message].filter(Boolean).join(': ') : null, occ?.body?.message?.body) ??
      `Rollbar item ${item.counter ?? item.id}`,
  );
  let milestone = m.milestone;
  if (name === 'exp_repeat_item' && data.occurrences !== null) milestone = `Rollbar: ${data.occurrences} occurrences (10^nth)`;
  if (name === 'item_velocity') milestone = velocityMilestone(data.trigger ?? null) ?? milestone;
  const uuid = occ?.uuid ?? null;
  const { url, urlDerivation } = itemLink(firstText(data.url), uuid, item.counter, req.source.webUrl);
  const occurrenceKey = firstText(uuid, occ?.id, item.last_occurrence_id) ?? '';
  return {
    ok: true,
    event: blankEvent({
      groupKey: item.id,
      title,
      description: shortText(
        [callstack.slice(0, 3).join(' ← ') || null, occ?.server?.host ? `host ${occ.server.host}` : null, item.environment]
          .filter((p): p is string => !!p)
          .join(' · '),
      ),
      url,
      urlDerivation,
      occurrences: item.total_occurrences,
      firstSeen: epochToIso(item.first_occurrence_timestamp),
      lastSeen: epochToIso(item.last_occurrence_timestamp ?? occ?.timestamp ?? null),
      classifiers: [levelWord(item.level) ?? levelWord(occ?.level), occ?.language].filter((c): c is string => !!c),
      callstack,
      project: item.project_id,
      application: occ?.code_version ?? null,
      environment: firstText(item.environment, occ?.environment),
      objectId: occurrenceKey || null,
      page: occ?.request?.url ?? null,
      lifecycle: m.lifecycle,
      milestone,
      redelivery: {
        key: `rollbar:${name}:${item.id}:${occurrenceKey}:${data.occurrences ?? ''}:${item.total_occurrences ?? ''}`,
        windowMs: REDELIVERY_WINDOW_MS,
      },
      // The API addresses the item by its system-wide id, never by the counter in its URLs.
      issueRef: { ids: { itemId: item.id }, apiOrigin: null },
      raw: req.json,
    }),
  };
}

/** The documented `new_item` example with fresh ids and times. */
function sampleBody(now: number): Record<string, unknown> {
  const seconds = Math.floor(now / 1000);
  const itemId = randomInt(100_000_000, 2_000_000_000);
  const occurrenceId = randomInt(100_000_000, 2_000_000_000);
  return {
    event_name: 'new_item',
    data: {
      item: {
        public_item_id: null,
        integrations_data: {},
        last_activated_timestamp: seconds,
        unique_occurrences: null,
        id: itemId,
        environment: 'production',
        title: `testing ${randomBytes(5).toString('hex')}`,
        last_occurrence_id: occurrenceId,
        last_occurrence_timestamp: seconds,
        platform: 0,
        first_occurrence_timestamp: seconds,
        project_id: 90,
        resolved_in_version: null,
        status: 1,
        hash: randomBytes(20).toString('hex'),
        last_occurrence: {
          body: { message: { body: 'testing' } },
          uuid: randomUUID(),
          language: 'python',
          level: 'error',
          timestamp: seconds,
          server: { host: 'dev', argv: [''] },
          environment: 'production',
          framework: 'unknown',
          notifier: { version: '0.5.12', name: 'pyrollbar' },
          metadata: { customer_timestamp: seconds },
        },
        framework: 0,
        total_occurrences: 1,
        level: 40,
        counter: 4,
        first_occurrence_id: occurrenceId,
        activating_occurrence_id: occurrenceId,
      },
    },
  };
}

/** Rollbar's API reference for the one endpoint actions use. */
export const ROLLBAR_API_DOCS_URL = 'https://docs.rollbar.com/reference/update-an-item';

function rollbarItem(input: ApiBuildInput): string | Unbuildable {
  const itemId = input.ref?.ids['itemId'];
  return itemId
    ? itemId
    : { code: 'no-issue-ref', unbuildable: "this group's Rollbar hooks carried no item id: there is nothing to act on in Rollbar" };
}

/** The body of `PATCH /api/1/item/{itemid}` for an action, as the API reference documents it. */
function rollbarActionBody(action: ProviderAction, assignee: string): Record<string, unknown> | null {
  switch (action.kind) {
    case 'resolve':
      return { status: 'resolved' };
    case 'unresolve':
      return { status: 'active' };
    case 'ignore':
      return { status: 'muted' };
    case 'snooze':
      return { snooze_enabled: true, snooze_expiration_in_seconds: action.minutes * 60 };
    case 'assign-to-me':
      return { assigned_user_id: Number(assignee) };
    case 'resolve-next-release':
    case 'snooze-occurrences':
      return null;
  }
}

/**
 * Rollbar's API, as documented (https://docs.rollbar.com/reference/update-an-item and its OpenAPI definition;
 * authentication and scopes at https://docs.rollbar.com/reference/getting-started-1 and
 * https://docs.rollbar.com/docs/access-tokens): `PATCH https://api.rollbar.com/api/1/item/{itemid}` (the
 * system-wide id, not the project counter) with `X-Rollbar-Access-Token: <project access token with write scope>`
 * and a JSON body of `status` (active, resolved, muted), `snooze_enabled` with `snooze_expiration_in_seconds`
 * (paid accounts), `assigned_user_id`; answers `{"err": 0, "result": {...}}`, and errors `{"err": 1, "message":
 * "..."}`. The reference's HTTP codes: 403 "access token was missing, invalid, or does not have the necessary
 * permissions", 404, 422, 429; Rollbar's own client (rollbar/rollbar-mcp-server `src/utils/api.ts`) also reads a 401
 * as an invalid or expired token. "Test token" reads `GET /api/1/item/{itemid}`, or `GET /api/1/items/` without an
 * item (read scope).
 */
export const ROLLBAR_API: ProviderApi = {
  kind: 'api',
  docsUrl: ROLLBAR_API_DOCS_URL,
  defaultBaseUrl: 'https://api.rollbar.com',
  apiHosts: ['api.rollbar.com'],
  token: {
    label: 'Rollbar project access token',
    scope: 'write',
    help: 'Rollbar → the project → Settings → Project Access Tokens → Create new token with the write scope (add read for Test token).',
  },
  unsupported: {
    'resolve-next-release': 'Rollbar resolves an item in a version you name; it has no "resolve in the next release"',
    'snooze-occurrences': 'Rollbar\'s snooze lasts a time; it has no "until N more occurrences"',
  },
  verbs: { ignore: { done: 'Muted', doing: 'Muting' } },
  authHeaders: (token) => ({ 'x-rollbar-access-token': token }),
  buildAction(action, input): ApiCall | Unbuildable {
    const itemId = rollbarItem(input);
    if (typeof itemId !== 'string') return itemId;
    if (action.kind === 'assign-to-me' && !/^\d{1,12}$/.test(input.assignee)) {
      return {
        code: 'no-assignee',
        unbuildable: "set your numeric Rollbar user id in this source's API settings to assign items to yourself",
      };
    }
    const body = rollbarActionBody(action, input.assignee);
    if (!body) return { code: 'unsupported', unbuildable: ROLLBAR_API.unsupported[action.kind] ?? 'Rollbar has no such action' };
    return { method: 'PATCH', path: `/api/1/item/${segment(itemId)}`, body, target: `item ${itemId}` };
  },
  buildTokenTest(input): ApiCall | Unbuildable {
    const itemId = rollbarItem(input);
    if (typeof itemId !== 'string') return { method: 'GET', path: '/api/1/items/', target: "the project's items" };
    return { method: 'GET', path: `/api/1/item/${segment(itemId)}`, target: `item ${itemId}` };
  },
  messageOf: (response) => messageField(response, 'message'),
  unauthorizedWords: 'Rollbar refused the token (401): it is wrong, expired or disabled. Make a project access token with the write scope',
  forbiddenWords: (_call, test) =>
    test
      ? "Rollbar refused the token (403): it is not a valid access token of this item's project, or it lacks the read scope Test token uses (actions need write)"
      : "Rollbar refused the token (403): it is not a valid access token of this item's project, or it lacks the write scope (Project → Settings → Project Access Tokens)",
  refusedInBody(response) {
    const json = response.json;
    if (typeof json !== 'object' || json === null || !('err' in json)) return null;
    return (json as { err: unknown }).err === 0 ? null : (messageField(response, 'message') ?? 'Rollbar answered with an error');
  },
  testCaveat: 'A read checks the read scope; actions need the write scope, which only the first action can check.',
};

export const rollbarProvider: ProviderModule = unsignedProvider({
  id: 'rollbar',
  name: 'Rollbar',
  mark: { text: 'Rb', color: '#1864ab' },
  docsUrl: ROLLBAR_DOCS_URL,
  webHosts: ['rollbar.com'],
  webUrlHelp:
    'Your Rollbar project\'s page, e.g. https://rollbar.com/acme/web-app/ (optional): "High occurrence rate" hooks carry no link, so Crashbell builds the item\'s link from it.',
  setupSteps: [
    'In Rollbar, open the project, then Settings → Notifications → Webhook.',
    'Paste the webhook URL below and enable the integration (keep the JSON format: XML, a per-rule option, is refused).',
    'Add rules for the triggers you want: New item, Item reactivated, Item reopened, 10^nth occurrence and High occurrence rate suit Crashbell; Item resolved marks the group resolved here; Every occurrence lets Crashbell count occurrences itself.',
    'Optionally paste the project\'s page (https://rollbar.com/<account>/<project>/) as this source\'s web app URL, so "High occurrence rate" notifications open their item too.',
    'Use "Send test notification" in Rollbar (Crashbell acknowledges it and records nothing) or "Send test event" here. Rollbar retries anything that is not answered with 2xx within 3 seconds; Crashbell recognises the retries.',
  ],
  parse: parseRollbar,
  actions: ROLLBAR_API,
  sampleBody,
  notAnObject: "the body must be a JSON object (Rollbar's XML format is not supported)",
});
