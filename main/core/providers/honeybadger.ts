/**
 * Honeybadger webhooks (payload version v2, the default), as documented at
 * https://docs.honeybadger.io/integrations/webhook/ and the per-event pages under
 * https://docs.honeybadger.io/guides/integrations/payloads/v2/ : every body has `event` and `message`;
 * error events carry `fault` (and `notice`, `project`), uptime events a `site` (and `outage`), check-in
 * events a `check_in`.
 *
 * Decisions: errors group by `fault.id`. Uptime `down` / `check_in_missing` / insights `alarm_alert` are
 * recorded as their own groups (site, check-in, alarm) that regress, and `up` / `check_in_reporting` /
 * `alarm_ok` resolve them, so a site going down notifies once and again only after it came back.
 * `assigned`, `commented` and `deployed` carry no error and are acknowledged only.
 *
 * The documentation describes no signature or credentials for the webhook, so the source's unguessable URL
 * is the secret.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { lenientNumber, lenientString, schemaRejection } from './helpers';
import {
  acknowledged,
  badRequest,
  blankEvent,
  bodyHash,
  firstText,
  ONE_DAY,
  shortText,
  type LifecycleTable,
  lookupTrigger,
  unsignedProvider,
} from './parsed-event';
import type { HookRequest, ParseResult, ProviderModule } from './types';

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
  site: z.looseObject({ id: idLike, name: lenientString, url: lenientString }).nullable().optional(),
  outage: z
    .looseObject({ down_at: lenientString, up_at: lenientString, reason: lenientString, status: lenientString })
    .nullable()
    .optional(),
  check_in: z.looseObject({ id: idLike, name: lenientString, slug: lenientString, url: lenientString }).nullable().optional(),
  alarm: z.looseObject({ id: idLike, name: lenientString, url: lenientString }).nullable().optional(),
});
type HoneybadgerBody = z.infer<typeof honeybadgerBody>;

function faultUrl(fault: NonNullable<HoneybadgerBody['fault']>): string | null {
  if (fault.url) return fault.url;
  // The fault page's address as Honeybadger's app links it, when the body omits `url`.
  return fault.project_id && fault.id ? `https://app.honeybadger.io/projects/${fault.project_id}/faults/${fault.id}` : null;
}

/** Uptime, check-in and alarm events: one group per monitored thing. */
function parseMonitor(
  req: HookRequest,
  body: HoneybadgerBody,
  mapping: { lifecycle: 'regressed' | 'resolved' | 'unknown' | 'recurring' | 'new'; milestone: string | null },
): ParseResult {
  const { event } = body;
  const thing = body.site
    ? { kind: 'site', id: body.site.id, name: body.site.name, url: body.site.url }
    : body.check_in
      ? { kind: 'check-in', id: body.check_in.id, name: body.check_in.name ?? body.check_in.slug, url: body.check_in.url }
      : body.alarm
        ? { kind: 'alarm', id: body.alarm.id, name: body.alarm.name, url: body.alarm.url }
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
      description: shortText([body.outage?.reason, thing?.url].filter((p): p is string => !!p).join(' · ')),
      url: thing?.url ?? null,
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
  return {
    ok: true,
    event: blankEvent({
      groupKey: fault.id,
      title: shortText(
        [fault.klass, fault.message].filter((p): p is string => !!p).join(': ') || body.message || `Honeybadger fault ${fault.id}`,
      ),
      description: shortText(
        [where, callstack.slice(0, 3).join(' ← ') || null, fault.environment].filter((p): p is string => !!p).join(' · '),
      ),
      url: faultUrl(fault),
      occurrences: fault.notices_count,
      firstSeen: fault.created_at,
      lastSeen: fault.last_notice_at,
      classifiers: [fault.klass, ...(fault.tags ?? []).filter((t): t is string => typeof t === 'string')].filter((c): c is string => !!c),
      callstack,
      project: firstText(body.project?.name, fault.project_id),
      environment: fault.environment,
      objectId: body.notice?.id ?? null,
      page: body.notice?.request?.url ?? null,
      lifecycle,
      milestone: m.milestone,
      redelivery: {
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

export const honeybadgerProvider: ProviderModule = unsignedProvider({
  id: 'honeybadger',
  name: 'Honeybadger',
  mark: { text: 'Hb', color: '#b35900' },
  docsUrl: HONEYBADGER_DOCS_URL,
  setupSteps: [
    'In Honeybadger (Team plan or higher), open Project Settings → Alerts & Integrations and choose Webhook.',
    'Paste the webhook URL below and keep the default payload version (v2).',
    'Choose the events: "Error occurred", "Error rate exceeded", "Error resolved" and "Error reopened" suit Crashbell; uptime "Site went down" / "Site back up" and check-in events are recorded as their own groups.',
    'Save, then use Honeybadger\'s "Test" button (or "Send test event" here).',
  ],
  parse: parseHoneybadger,
  sampleBody,
});
