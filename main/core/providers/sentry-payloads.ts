/**
 * The parts of Sentry's webhook payloads Crashbell reads, as zod schemas (the module is sentry.ts): the integration
 * platform's envelope and its `issue`, `error`, `event_alert` and `metric_alert` data, as the per-resource pages
 * under https://docs.sentry.io/organization/integrations/integration-platform/webhooks/ show them, and a project
 * service hook's `{project, group, event}` as Sentry's `get_payload_v0` builds it (getsentry/sentry,
 * sentry/sentry_apps/tasks/service_hooks.py). Loose objects: fields Sentry adds later pass through.
 */
import { z } from 'zod';
import { lenientNumber, lenientString } from './helpers';

const id = z.union([z.string(), z.number()]).transform((v) => String(v));

const frameSchema = z.looseObject({
  function: lenientString,
  filename: lenientString,
  module: lenientString,
  lineno: lenientNumber,
  abs_path: lenientString,
});

/** The fields of a Sentry event (integration `error` / `event_alert`, or a service hook's `event`) we read. */
const sentryEventSchema = z.looseObject({
  event_id: lenientString,
  issue_id: lenientString,
  groupID: lenientString,
  title: lenientString,
  message: lenientString,
  culprit: lenientString,
  level: lenientString,
  platform: lenientString,
  datetime: lenientString,
  dateCreated: lenientString,
  web_url: lenientString,
  url: lenientString,
  issue_url: lenientString,
  location: lenientString,
  project: z.unknown().optional(),
  environment: lenientString,
  release: z.unknown().optional(),
  tags: z.unknown().optional(),
  contexts: z.unknown().optional(),
  request: z.unknown().optional(),
  exception: z
    .looseObject({
      values: z
        .array(
          z.looseObject({
            type: lenientString,
            value: lenientString,
            stacktrace: z
              .looseObject({ frames: z.array(frameSchema).nullable().optional() })
              .nullable()
              .optional(),
          }),
        )
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
});
/** A Sentry event as read. */
export type SentryEventBody = z.infer<typeof sentryEventSchema>;

const sentryIssueSchema = z.looseObject({
  id,
  title: lenientString,
  culprit: lenientString,
  shortId: lenientString,
  count: lenientNumber,
  userCount: lenientNumber,
  firstSeen: lenientString,
  lastSeen: lenientString,
  level: lenientString,
  status: lenientString,
  substatus: lenientString,
  permalink: lenientString,
  web_url: lenientString,
  url: lenientString,
  project_url: lenientString,
  metadata: z.looseObject({ type: lenientString, value: lenientString, filename: lenientString }).nullable().optional(),
  project: z.looseObject({ id: lenientString, name: lenientString, slug: lenientString }).nullable().optional(),
  platform: lenientString,
});

/** Every integration-platform hook: the action, its resource's data, the installation and who acted. */
export const integrationEnvelope = z.looseObject({
  action: z.string().min(1),
  data: z.looseObject({}),
  installation: z.looseObject({ uuid: lenientString }).nullable().optional(),
  actor: z.unknown().optional(),
});

/** `issue` hooks' data. */
export const issueData = z.looseObject({ issue: sentryIssueSchema });
/** `error` hooks' data. */
export const errorData = z.looseObject({ error: sentryEventSchema });
/** `event_alert` hooks' data: the event and the rule that fired. */
export const eventAlertData = z.looseObject({ event: sentryEventSchema, triggered_rule: lenientString });
/** `metric_alert` hooks' data: the incident and its alert rule. */
export const metricAlertData = z.looseObject({
  description_title: lenientString,
  description_text: lenientString,
  web_url: lenientString,
  metric_alert: z.looseObject({
    id: lenientString,
    title: lenientString,
    identifier: lenientString,
    date_started: lenientString,
    date_detected: lenientString,
    alert_rule: z
      .looseObject({ id: lenientString, name: lenientString, environment: lenientString, projects: z.array(z.string()).optional() })
      .nullable()
      .optional(),
  }),
});

/** A project service hook's whole body. */
export const serviceHookBody = z.looseObject({
  project: z.looseObject({ slug: lenientString, name: lenientString }).nullable().optional(),
  group: z.looseObject({
    id,
    title: lenientString,
    culprit: lenientString,
    url: lenientString,
    permalink: lenientString,
    count: lenientNumber,
    firstSeen: lenientString,
    lastSeen: lenientString,
  }),
  event: sentryEventSchema.nullable().optional(),
});
