/**
 * Sentry's legacy WebHooks plugin (an alert rule's "Send a notification via WebHooks", set up under a
 * project's Legacy Integrations → WebHooks): one POST of unsigned JSON per alert, as the plugin builds it
 * (getsentry/sentry `sentry_apps/services/legacy_webhook`, and the older `plugins/sentry_webhooks/plugin.py`):
 * `{id, project, project_name, project_slug, logger, level, culprit, message, url, triggering_rules, event}`,
 * with `url` the issue's page (`https://<org>.sentry.io/issues/<id>/?referrer=webhooks_plugin`). A real
 * delivery from 2023 is kept by zulip/zulip (`zerver/webhooks/sentry/fixtures/sample_event_through_plugin.json`).
 *
 * Nothing is signed and no credential is sent, so the source's unguessable URL is its only secret. Events
 * group by the issue `id`; the plugin retries a failed send up to three times, so the same issue and event
 * within a day are a redelivery.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { lenientNumber, lenientString, schemaRejection } from './helpers';
import { blankEvent, firstText, ONE_DAY, shortText, unsignedProvider } from './parsed-event';
import { SENTRY_API } from './sentry-api';
import { orgFromWebUrl } from './sentry-links';
import type { HookRequest, ParseResult, ProviderModule } from './types';

/** Sentry documents the plugin's payload nowhere but in its sender. */
export const SENTRY_LEGACY_DOCS_URL = 'https://github.com/getsentry/sentry/tree/master/src/sentry/sentry_apps/services/legacy_webhook';

const frameSchema = z.looseObject({
  function: lenientString,
  filename: lenientString,
  module: lenientString,
  lineno: lenientNumber,
});
const stacktrace = z
  .looseObject({ frames: z.array(frameSchema).nullable().optional() })
  .nullable()
  .optional();

const legacyBody = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform((v) => String(v)),
  project: lenientString,
  project_name: lenientString,
  project_slug: lenientString,
  level: lenientString,
  culprit: lenientString,
  message: lenientString,
  url: lenientString,
  triggering_rules: z.array(z.unknown()).nullable().optional(),
  event: z
    .looseObject({
      event_id: lenientString,
      title: lenientString,
      platform: lenientString,
      environment: lenientString,
      release: z.unknown().optional(),
      timestamp: lenientNumber,
      metadata: z.looseObject({ type: lenientString, value: lenientString, title: lenientString }).nullable().optional(),
      request: z.looseObject({ url: lenientString }).nullable().optional(),
      stacktrace,
      exception: z
        .looseObject({
          values: z
            .array(z.looseObject({ type: lenientString, value: lenientString, stacktrace }))
            .nullable()
            .optional(),
        })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
});
type LegacyEvent = NonNullable<z.infer<typeof legacyBody>['event']>;

/** Top frames, crash site first, from the exception's stack trace or the event's own. */
function callstackOf(event: LegacyEvent | null | undefined): string[] {
  const values = event?.exception?.values ?? [];
  const withFrames = [...values].reverse().find((v) => (v.stacktrace?.frames ?? []).length > 0);
  const frames = withFrames?.stacktrace?.frames ?? event?.stacktrace?.frames ?? [];
  // Sentry lists frames oldest first.
  return [...frames]
    .reverse()
    .slice(0, 20)
    .map((f) => {
      const where = firstText(f.filename, f.module) ?? '?';
      return `${firstText(f.function) ?? '?'} (${f.lineno === null ? where : `${where}:${f.lineno}`})`;
    });
}

function parseLegacy(req: HookRequest): ParseResult {
  const checked = legacyBody.safeParse(req.json);
  if (!checked.success) return { ok: false, rejection: schemaRejection(checked.error, req.json) };
  const body = checked.data;
  const event = body.event ?? null;
  const callstack = callstackOf(event);
  const meta = event?.metadata;
  const fromMeta = meta ? [meta.type, meta.value].filter(Boolean).join(': ') : '';
  const rules = (body.triggering_rules ?? []).filter((r): r is string => typeof r === 'string');
  const release = typeof event?.release === 'string' ? event.release : null;
  return {
    ok: true,
    event: blankEvent({
      groupKey: body.id,
      title: shortText(firstText(event?.title, fromMeta, body.message, meta?.title, body.culprit) ?? `Sentry issue ${body.id}`),
      description: shortText(
        [body.culprit, callstack.slice(0, 3).join(' ← ') || null, rules.length > 0 ? `alert rule "${rules.join('", "')}"` : null]
          .filter((p): p is string => !!p)
          .join(' · '),
      ),
      url: body.url,
      lastSeen: event?.timestamp ? new Date(event.timestamp * 1000).toISOString() : null,
      callstack,
      classifiers: [body.level, event?.platform].filter((c): c is string => !!c),
      project: firstText(body.project_slug, body.project, body.project_name),
      application: release,
      environment: event?.environment ?? null,
      objectId: event?.event_id ?? null,
      page: event?.request?.url ?? null,
      lifecycle: 'unknown',
      redelivery: { key: `sentry-legacy:${body.id}:${event?.event_id ?? ''}`, windowMs: ONE_DAY },
      // The plugin signs nothing, so its URL names the organization but never where the token goes: that is
      // sentry.io, or the source's API URL.
      issueRef: { ids: orgFromWebUrl(body.url) ? { issue: body.id, org: orgFromWebUrl(body.url)! } : { issue: body.id }, apiOrigin: null },
      raw: req.json,
    }),
  };
}

/** A body in the plugin's shape with a fresh issue and event. */
function sampleBody(now: number): Record<string, unknown> {
  const issueId = String(1_000_000_000 + (randomBytes(4).readUInt32BE(0) % 1_000_000_000));
  const eventId = randomBytes(16).toString('hex');
  return {
    id: issueId,
    project: 'python',
    project_name: 'python',
    project_slug: 'python',
    logger: null,
    level: 'error',
    culprit: 'raven.scripts.runner in main',
    message: 'This is an example Python exception',
    url: `https://example-org.sentry.io/issues/${issueId}/?referrer=webhooks_plugin`,
    triggering_rules: ['Send a notification via WebHooks'],
    event: {
      event_id: eventId,
      id: eventId,
      level: 'error',
      platform: 'python',
      timestamp: now / 1000,
      environment: 'prod',
      title: 'This is an example Python exception',
      metadata: { title: 'This is an example Python exception' },
      stacktrace: {
        frames: [
          { function: 'main', module: 'raven.scripts.runner', filename: 'raven/scripts/runner.py', lineno: 112 },
          { function: 'send_test_message', module: 'raven.scripts.runner', filename: 'raven/scripts/runner.py', lineno: 77 },
        ],
      },
    },
  };
}

export const sentryLegacyProvider: ProviderModule = unsignedProvider({
  id: 'sentry-legacy',
  name: 'Sentry (legacy WebHooks plugin)',
  // Sentry's colour, its own letters: the list tells the two kinds of Sentry source apart.
  mark: { text: 'Sl', color: '#584774' },
  docsUrl: SENTRY_LEGACY_DOCS_URL,
  webHosts: ['sentry.io', '*.sentry.io'],
  webUrlHelp:
    "Only for self-hosted Sentry: your server's address (e.g. https://sentry.example.com/), so its issue links open. sentry.io needs nothing here.",
  setupSteps: [
    'Use this for projects that notify through the legacy WebHooks plugin (alert rules with the action "Send a notification via WebHooks"). A Sentry internal integration signs its hooks and is the better choice where you can set one up.',
    "In Sentry, open the project's Settings → Legacy Integrations → WebHooks, enable it, and paste the webhook URL below into its Callback URLs.",
    'Add "Send a notification via WebHooks" to the issue alert rules that should notify Crashbell.',
    'Save, then use "Send test event" here (or the plugin\'s "Test Plugin" button in Sentry).',
  ],
  parse: parseLegacy,
  actions: SENTRY_API,
  sampleBody,
});
