/**
 * Raygun Crash Reporting webhooks, as documented at
 * https://raygun.com/documentation/product-guides/crash-reporting/integrations/webhooks/ :
 * `event: "error_notification"` with `eventType` NewErrorOccurred, ErrorReoccurred, OneMinuteFollowUp,
 * FiveMinuteFollowUp, TenMinuteFollowUp, ThirtyMinuteFollowUp, HourlyFollowUp; and `event: "error_activity"`
 * with `eventType` StatusChanged, AssignedToUser, CommentAdded (activity bodies carry `error.status`,
 * `error.description`, `error.activityDate`; shapes as on that page and in zulip/zulip's Raygun fixtures).
 *
 * The documentation describes no signature or credentials, so the source's unguessable URL is the secret.
 * Raygun sends no error-group id besides the group's page, so events group by `error.url`.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { lenientNumber, lenientString, schemaRejection } from './helpers';
import {
  acknowledged,
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

export const RAYGUN_DOCS_URL = 'https://raygun.com/documentation/product-guides/crash-reporting/integrations/webhooks/';

/** `event.eventType` → lifecycle; `error_activity.StatusChanged` is refined by `error.status` below. */
export const raygunLifecycle: LifecycleTable = {
  'error_notification.NewErrorOccurred': { lifecycle: 'new', milestone: null },
  // Raygun sends ErrorReoccurred when a resolved error group happens again: its regression detection.
  'error_notification.ErrorReoccurred': { lifecycle: 'regressed', milestone: null },
  'error_notification.OneMinuteFollowUp': { lifecycle: 'recurring', milestone: 'Raygun: still occurring after 1 minute' },
  'error_notification.FiveMinuteFollowUp': { lifecycle: 'recurring', milestone: 'Raygun: still occurring after 5 minutes' },
  'error_notification.TenMinuteFollowUp': { lifecycle: 'recurring', milestone: 'Raygun: still occurring after 10 minutes' },
  'error_notification.ThirtyMinuteFollowUp': { lifecycle: 'recurring', milestone: 'Raygun: still occurring after 30 minutes' },
  'error_notification.HourlyFollowUp': { lifecycle: 'recurring', milestone: 'Raygun: still occurring hourly' },
  'error_activity.AssignedToUser': null,
  'error_activity.CommentAdded': null,
  'error_activity.StatusChanged': null,
};

/**
 * `StatusChanged` by the new status: resolving resolves, reactivating regresses, ignoring (for now or permanently)
 * holds the group as ignored here until Raygun makes it active again.
 */
export const raygunStatusChange: LifecycleTable = {
  resolved: { lifecycle: 'resolved', milestone: null },
  active: { lifecycle: 'regressed', milestone: null },
  ignored: { lifecycle: 'ignored', milestone: null },
  permanentlyignored: { lifecycle: 'ignored', milestone: null },
};

const raygunBody = z.looseObject({
  event: z.string().min(1),
  eventType: z.string().min(1),
  error: z.looseObject({
    url: z.string().trim().min(1),
    message: lenientString,
    description: lenientString,
    status: lenientString,
    firstOccurredOn: lenientString,
    lastOccurredOn: lenientString,
    activityDate: lenientString,
    usersAffected: lenientNumber,
    totalOccurrences: lenientNumber,
    instance: z
      .looseObject({
        tags: z.array(z.unknown()).nullable().optional(),
        customData: z.unknown().optional(),
      })
      .nullable()
      .optional(),
  }),
  application: z.looseObject({ name: lenientString, url: lenientString }).nullable().optional(),
});

/** Tags such as "env:staging" name the environment by convention; the first one wins. */
function environmentFromTags(tags: unknown[] | null | undefined): string | null {
  for (const tag of tags ?? []) {
    if (typeof tag === 'string') {
      const match = /^(?:env|environment)[:=](.+)$/i.exec(tag.trim());
      if (match) return match[1]!.trim();
    }
  }
  return null;
}

function parseRaygun(req: HookRequest): ParseResult {
  const checked = raygunBody.safeParse(req.json);
  if (!checked.success) return { ok: false, rejection: schemaRejection(checked.error) };
  const { event, eventType, error, application } = checked.data;
  const key = `${event}.${eventType}`;
  let mapping = lookupTrigger(raygunLifecycle, key);
  if (key === 'error_activity.StatusChanged') {
    mapping = lookupTrigger(raygunStatusChange, (error.status ?? '').replace(/\s+/g, '').toLowerCase()) ?? null;
  }
  if (mapping === null) {
    const what = error.description ?? (error.status ? `status ${error.status}` : eventType);
    return acknowledged(`Raygun ${eventType}: ${shortText(what, 120)}: nothing to notify`);
  }
  const m = mapping ?? { lifecycle: 'unknown' as const, milestone: null };
  const appName = application?.name ?? null;
  const tags = (error.instance?.tags ?? []).filter((t): t is string => typeof t === 'string');
  return {
    ok: true,
    event: blankEvent({
      groupKey: error.url,
      title: shortText(firstText(error.message, error.description) ?? `Error in ${appName ?? 'a Raygun application'}`),
      description: shortText(
        [
          appName,
          error.usersAffected === null ? null : `${error.usersAffected} user${error.usersAffected === 1 ? '' : 's'} affected`,
          tags.join(', ') || null,
        ]
          .filter((p): p is string => !!p)
          .join(' · '),
      ),
      url: error.url,
      occurrences: error.totalOccurrences,
      firstSeen: error.firstOccurredOn,
      lastSeen: firstText(error.lastOccurredOn, error.activityDate),
      classifiers: tags.slice(0, 10),
      application: appName,
      environment: environmentFromTags(error.instance?.tags),
      lifecycle: m.lifecycle,
      milestone: m.milestone,
      // No delivery id: the trigger, the group and its counters name one notification.
      redelivery: {
        key: `raygun:${key}:${bodyHash(`${error.url}|${error.lastOccurredOn ?? ''}|${error.totalOccurrences ?? ''}|${error.status ?? ''}`)}`,
        windowMs: ONE_DAY,
      },
      raw: req.json,
    }),
  };
}

/** The documented NewErrorOccurred body with a fresh error group. */
function sampleBody(now: number): Record<string, unknown> {
  const group = randomBytes(8).toString('hex');
  const at = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    event: 'error_notification',
    eventType: 'NewErrorOccurred',
    error: {
      url: `https://app.raygun.com/crashreporting/sample-app/errors/${group}`,
      message: "TypeError: Cannot read properties of undefined (reading 'id')",
      firstOccurredOn: at,
      lastOccurredOn: at,
      usersAffected: 1,
      totalOccurrences: 1,
      instance: {
        tags: ['test', 'error-page', 'v1.0.1', 'env:staging'],
        affectedUser: {
          Identifier: 'a9b7d84a-c0d3-4e7e-9ded-1ec13d033846',
          IsAnonymous: true,
          UUID: 'a9b7d84a-c0d3-4e7e-9ded-1ec13d033846',
        },
        customData: { pageName: 'Error Page', userLoggedIn: true },
      },
    },
    application: { name: 'application name', url: 'https://app.raygun.com/application-url' },
  };
}

export const raygunProvider: ProviderModule = unsignedProvider({
  id: 'raygun',
  name: 'Raygun',
  mark: { text: 'Rg', color: '#c4480f' },
  docsUrl: RAYGUN_DOCS_URL,
  // Raygun's API v3 (https://raygun.com/documentation/product-guides/raygun-api/, its OpenAPI document at
  // https://api.raygun.io/v3/raygun-openapi-spec.json) resolves with POST
  // /applications/{application-identifier}/error-groups/{error-group-identifier}/resolve (and /ignore, /activate).
  // The webhook carries only page URLs, Raygun documents no mapping from them to those identifiers (nor does the
  // API's application record carry a URL to match), and resolving also needs the version the fix shipped in.
  actions: {
    kind: 'local',
    reason:
      "Raygun's API acts on an error group by its application and error-group identifiers, but its webhooks carry only the group's page URL, and Raygun documents no way from one to the other (resolving also needs the version the fix shipped in): Crashbell changes it here only",
  },
  // app.raygun.com, and app.raygun.io in the older docs and SDKs; the docs' samples say http, opened as https.
  webHosts: ['app.raygun.com', 'app.raygun.io'],
  setupSteps: [
    'In Raygun (Team plan or higher), open the application, then Integrations in the left-hand menu, and click Webhook.',
    'Paste the webhook URL below as the endpoint and enable it.',
    'Choose the error notification types to send: new errors and reoccurred (regressed) errors suit Crashbell; the follow-ups (1, 5, 10, 30 minutes, hourly) arrive as milestones; status changes mark the group here: Resolved resolves it, Ignored and Permanently Ignored hold it as ignored (nothing notifies), Active reopens it.',
    'Save, then use "Send test event" here to check the path.',
  ],
  parse: parseRaygun,
  sampleBody,
});
