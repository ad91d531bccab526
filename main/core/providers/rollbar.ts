/**
 * Rollbar webhooks: `{"event_name": ..., "data": {"item": {...}, "occurrence": {...}}}` as documented at
 * https://docs.rollbar.com/docs/webhooks (events new_item, occurrence, exp_repeat_item, item_velocity,
 * reactivated_item, reopened_item, resolved_item, deploy). The sample bodies follow that page's examples
 * (also mirrored in influxdata/telegraf's Rollbar webhook tests).
 *
 * Rollbar retries a hook that does not answer 200/201/202/204 within 3 seconds, up to 10 times over about
 * 16 days; acknowledgement time is the receiver's and inbox's job, and redeliveries are recognised here by
 * the event name, item and occurrence over a 17-day window.
 *
 * The documentation describes no signature or credentials for webhooks, so the source's unguessable URL is
 * the secret. Events group by the Rollbar item id.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
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
import type { HookRequest, ParseResult, ProviderModule } from './types';

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
    rate: lenientNumber,
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

function levelWord(level: unknown): string | null {
  if (typeof level === 'number') return LEVELS[level] ?? null;
  return typeof level === 'string' && level ? level : null;
}

function parseRollbar(req: HookRequest): ParseResult {
  const checked = rollbarBody.safeParse(req.json);
  if (!checked.success) return { ok: false, rejection: schemaRejection(checked.error) };
  const { event_name: name, data } = checked.data;
  const mapping = lookupTrigger(rollbarLifecycle, name);
  if (mapping === null) return acknowledged(`Rollbar ${name}: nothing to record`);
  const item = data.item;
  if (!item) return badRequest(`missing required field "data.item" for the "${name}" event`, 'data.item');
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
  if (name === 'item_velocity' && data.rate !== null) milestone = `Rollbar: high occurrence rate (${data.rate})`;
  const uuid = occ?.uuid ?? null;
  // Rollbar's own redirect from an occurrence uuid to its item, when the hook carries no link.
  const url = firstText(data.url) ?? (uuid ? `https://rollbar.com/item/uuid/?uuid=${encodeURIComponent(uuid)}` : null);
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

export const rollbarProvider: ProviderModule = unsignedProvider({
  id: 'rollbar',
  name: 'Rollbar',
  mark: { text: 'Rb', color: '#1864ab' },
  docsUrl: ROLLBAR_DOCS_URL,
  setupSteps: [
    'In Rollbar, open the project, then Settings → Notifications → Webhook.',
    'Paste the webhook URL below and enable the integration (keep the JSON format).',
    'Add rules for the triggers you want: New item, Item reactivated, Item reopened, 10^nth occurrence and High occurrence rate suit Crashbell; Item resolved marks the group resolved here; Every occurrence lets Crashbell count occurrences itself.',
    'Use "Send test notification" in Rollbar (or "Send test event" here). Rollbar retries anything that is not answered with 2xx within 3 seconds; Crashbell recognises the retries.',
  ],
  parse: parseRollbar,
  sampleBody,
  notAnObject: "the body must be a JSON object (Rollbar's XML format is not supported)",
});
