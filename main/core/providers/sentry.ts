/**
 * Sentry webhooks, two kinds on one source (the legacy WebHooks plugin, which signs nothing, is its own
 * provider: `sentry-legacy.ts`):
 *
 * - Integration platform (an internal integration): headers `Sentry-Hook-Resource` (installation, event_alert,
 *   issue, metric_alert, error, comment), `Sentry-Hook-Timestamp`, `Request-ID` and `Sentry-Hook-Signature`,
 *   the hex HMAC-SHA256 of the body keyed with the integration's Client Secret.
 *   https://docs.sentry.io/organization/integrations/integration-platform/webhooks/ and the per-resource pages
 *   under it (issues, issue-alerts, metric-alerts, errors, comments, installation).
 *   The documented sample code signs `JSON.stringify(request.body)`, i.e. a compact re-serialization, while
 *   Sentry's sender signs the exact bytes it posts (getsentry/sentry `SentryApp.build_signature`); both are
 *   accepted so neither reading locks a user out. The compact form only ever matches an ASCII body: Sentry's
 *   JSON escapes everything else as \uXXXX, which `JSON.stringify` does not.
 * - Project service hooks (legacy, `event.created` / `event.alert`): header `X-ServiceHook-Signature` =
 *   HMAC(SHA256, secret, payload) as the service hook's settings page states, plus `X-ServiceHook-Timestamp`
 *   and `X-ServiceHook-GUID` (the hook's id, not a delivery id). Body `{project, group, event}` as Sentry's
 *   `get_payload_v0` builds it (getsentry/sentry, sentry/sentry_apps/tasks/service_hooks.py).
 *
 * Retries: only the body is signed. A retry (published integrations retry up to three times, five minutes
 * apart; service hooks up to five) carries a new `Request-ID`, a new timestamp and the same body, so a
 * redelivery is recognised by the body (or, for alerts Sentry rebuilds per attempt, by the event and rule),
 * never by `Request-ID`. The 5-minute `Sentry-Hook-Timestamp` window is Crashbell's own choice (Sentry
 * documents none): as the timestamp is not signed, it turns away hooks stamped long ago, but proves nothing
 * about when the body was signed; a captured body replayed with a fresh timestamp passes it, and is recorded
 * once, as a redelivery, within {@link SENTRY_REDELIVERY_WINDOW_MS}.
 *
 * Events group by the Sentry issue id and open the issue's web URL. Only `issue.created` carries `web_url`;
 * the state changes (resolved, unresolved, assigned, ignored or archived) and older deliveries do not, and `permalink` is
 * always null in webhooks, so the link is built from the organization in the payload's API URLs or in the
 * source's web app URL, and the detail says so. `installation` and `comment` resources, and issue
 * assignment, carry no error: they are acknowledged and nothing is recorded; the request log says why.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ProviderAction } from '../../../shared/actions';
import type { IssueRef } from '../../../shared/events';
import type { Source } from '../../../shared/settings';
import { sourceToCheck } from '../credentials';
import { httpsOrigin, messageField, segment } from '../actions/api-text';
import { header, lenientNumber, lenientString, safeEqual, schemaRejection } from './helpers';
import {
  acknowledged,
  badRequest,
  blankEvent,
  bodyHash,
  checkTimestamp,
  firstText,
  hmacHex,
  isObject,
  ONE_DAY,
  shortText,
  unauthorized,
  type LifecycleTable,
  lookupTrigger,
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
  SetCredential,
  SourceToCheck,
  Unbuildable,
} from './types';

export const SENTRY_DOCS_URL = 'https://docs.sentry.io/organization/integrations/integration-platform/webhooks/';

/**
 * How long a signed body is remembered for its resource: far longer than Sentry's retries (three, five
 * minutes apart; five for service hooks), and a day of replays of a captured body with a fresh timestamp.
 */
export const SENTRY_REDELIVERY_WINDOW_MS = ONE_DAY;

/** What the stale-timestamp refusal adds: the window proves less than it seems to. */
const UNSIGNED_TIMESTAMP =
  'Sentry does not sign this timestamp, so the 5-minute window only turns away hooks stamped long ago; it does not prove a hook is new (the same signed body sent again is recorded once)';

/**
 * `resource.action` → lifecycle. `null`: acknowledged, nothing recorded. Service hooks, whose body does not
 * say which event fired, use `service_hook`.
 */
export const sentryLifecycle: LifecycleTable = {
  'issue.created': { lifecycle: 'new', milestone: null },
  'issue.resolved': { lifecycle: 'resolved', milestone: null },
  'issue.unresolved': { lifecycle: 'regressed', milestone: null },
  // Ignored (archived): nothing it does notifies here until Sentry reopens it (issue.unresolved). Older deliveries
  // name the action `ignored`; the documentation now names it `archived`.
  'issue.ignored': { lifecycle: 'ignored', milestone: null },
  'issue.archived': { lifecycle: 'ignored', milestone: null },
  'issue.assigned': null,
  'event_alert.triggered': { lifecycle: 'unknown', milestone: null },
  'error.created': { lifecycle: 'unknown', milestone: null },
  'metric_alert.critical': { lifecycle: 'unknown', milestone: 'Sentry metric alert: critical' },
  'metric_alert.warning': { lifecycle: 'unknown', milestone: 'Sentry metric alert: warning' },
  'metric_alert.resolved': { lifecycle: 'resolved', milestone: null },
  'installation.created': null,
  'installation.deleted': null,
  'comment.created': null,
  'comment.updated': null,
  'comment.deleted': null,
  service_hook: { lifecycle: 'unknown', milestone: null },
};

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
type SentryEventBody = z.infer<typeof sentryEventSchema>;

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

const integrationEnvelope = z.looseObject({
  action: z.string().min(1),
  data: z.looseObject({}),
  installation: z.looseObject({ uuid: lenientString }).nullable().optional(),
  actor: z.unknown().optional(),
});

const issueData = z.looseObject({ issue: sentryIssueSchema });
const errorData = z.looseObject({ error: sentryEventSchema });
const eventAlertData = z.looseObject({ event: sentryEventSchema, triggered_rule: lenientString });
const metricAlertData = z.looseObject({
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

const serviceHookBody = z.looseObject({
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

/** "https://…/issues/1117540176/events/e48…/" → "https://…/issues/1117540176/": the issue, not one event. */
export function issueUrlFromEventUrl(url: string | null): string | null {
  if (!url) return null;
  const match = /^(https?:\/\/[^\s]*?\/issues\/[^/?#]+\/)events\/[^/?#]+\/?(?:[?#].*)?$/i.exec(url);
  return match ? match[1]! : url;
}

/** `/api/0/projects/<org>/<project>/…` or `/api/0/organizations/<org>/…` in a Sentry API URL. */
const API_ORG = /^\/api\/0\/(?:projects|organizations)\/([A-Za-z0-9_.-]{1,100})(?:\/([A-Za-z0-9_.-]{1,100}))?\//;

/** The organization and project slugs a Sentry API URL names, with its origin; null when it names none. */
export function slugsFromApiUrl(url: string | null): { origin: string; org: string; project: string | null } | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const match = API_ORG.exec(u.pathname);
    if (!match) return null;
    const project = u.pathname.startsWith('/api/0/projects/') ? (match[2] ?? null) : null;
    return { origin: u.origin, org: match[1]!, project };
  } catch {
    return null;
  }
}

/**
 * The organization's base for issue links, from the source's web app URL: `https://<org>.sentry.io` (customer
 * domains), or `<origin>/organizations/<org>` (sentry.io's path form, or a self-hosted server). Null when the
 * URL names no organization.
 */
function orgBaseFromWebUrl(webUrl: string): string | null {
  if (!webUrl) return null;
  try {
    const u = new URL(webUrl);
    const host = u.hostname.toLowerCase();
    const path = /^\/organizations\/([A-Za-z0-9_.-]{1,100})(?:\/|$)/.exec(u.pathname);
    if (path) return `${u.origin}/organizations/${path[1]}`;
    const sub = /^([a-z0-9-]{1,100})\.sentry\.io$/.exec(host);
    if (sub && !['us', 'de', 'www', 'docs', 'api'].includes(sub[1]!)) return u.origin;
    return null;
  } catch {
    return null;
  }
}

/**
 * The issue's page when the hook carries none: from the organization in the payload's own API URLs
 * (`project_url`, `url`, `issue_url`), else from the source's web app URL. With how it was built, or nulls.
 */
export function derivedIssueUrl(
  issueId: string,
  apiUrls: Array<string | null | undefined>,
  webUrl: string,
): { url: string | null; urlDerivation: string | null } {
  const id = encodeURIComponent(issueId);
  for (const api of apiUrls) {
    const slugs = slugsFromApiUrl(api ?? null);
    if (slugs) {
      return {
        url: `${slugs.origin}/organizations/${slugs.org}/issues/${id}/`,
        urlDerivation: "built from the issue id and the organization in the hook's API URLs: Sentry sent no web_url",
      };
    }
  }
  const base = orgBaseFromWebUrl(webUrl);
  if (base) {
    return {
      url: `${base}/issues/${id}/`,
      urlDerivation: "built from the issue id and this source's web app URL: Sentry sent no web_url",
    };
  }
  return { url: null, urlDerivation: null };
}

/** The organization slug a Sentry web URL names (`/organizations/<org>/...` or `https://<org>.sentry.io/`); null otherwise. */
export function orgFromWebUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const path = /^\/organizations\/([A-Za-z0-9_.-]{1,100})(?:\/|$)/.exec(u.pathname);
    if (path) return path[1]!;
    const sub = /^([a-z0-9-]{1,100})\.sentry\.io$/.exec(u.hostname.toLowerCase());
    return sub && !['us', 'de', 'www', 'docs', 'api'].includes(sub[1]!) ? sub[1]! : null;
  } catch {
    return null;
  }
}

/**
 * What Sentry's API needs to act on an issue (see {@link SENTRY_API}): the issue id, its organization (from the
 * hook's API URLs, else its web URLs), and the origin of the API URLs the hook carries (`https://us.sentry.io`,
 * a self-hosted server), which is where the issue's API lives.
 */
export function sentryIssueRef(
  issueId: string,
  apiUrls: Array<string | null | undefined>,
  webUrls: Array<string | null | undefined>,
): IssueRef {
  let org: string | null = null;
  let apiOrigin: string | null = null;
  for (const url of apiUrls) {
    const origin = httpsOrigin(url);
    if (!origin || !url || !new URL(url).pathname.startsWith('/api/0/')) continue;
    apiOrigin ??= origin;
    org ??= slugsFromApiUrl(url)?.org ?? null;
  }
  for (const url of webUrls) org ??= orgFromWebUrl(url);
  return { ids: org ? { issue: issueId, org } : { issue: issueId }, apiOrigin };
}

/** Top frames, innermost first ("fn (file:line)"), from the first exception with a stack trace. */
function callstackOf(event: SentryEventBody | null | undefined): string[] {
  const values = event?.exception?.values ?? [];
  for (const value of [...values].reverse()) {
    const frames = value.stacktrace?.frames ?? [];
    if (frames.length === 0) continue;
    // Sentry lists frames oldest first (the crash site is last).
    return [...frames]
      .reverse()
      .slice(0, 20)
      .map((f) => {
        const where = firstText(f.filename, f.abs_path, f.module) ?? '?';
        const fn = firstText(f.function) ?? '?';
        return f.lineno === null ? `${fn} (${where})` : `${fn} (${where}:${f.lineno})`;
      });
  }
  return [];
}

/** Reads a `[["key", "value"], ...]` tag list (or `{key: value}`) for one tag. */
function tagValue(tags: unknown, key: string): string | null {
  if (Array.isArray(tags)) {
    for (const t of tags) {
      if (Array.isArray(t) && t[0] === key && typeof t[1] === 'string') return t[1];
      if (isObject(t) && t['key'] === key && typeof t['value'] === 'string') return t['value'];
    }
  } else if (isObject(tags) && typeof tags[key] === 'string') {
    return tags[key] as string;
  }
  return null;
}

function eventTitle(event: SentryEventBody): string {
  const first = event.exception?.values?.[0];
  const fromException = first && (first.type || first.value) ? [first.type, first.value].filter(Boolean).join(': ') : null;
  return shortText(firstText(event.title, fromException, event.message, event.culprit) ?? 'Sentry error');
}

function eventDescription(event: SentryEventBody, callstack: string[], extra: string | null): string {
  const parts = [firstText(event.culprit, event.location), callstack.slice(0, 3).join(' ← ') || null, extra];
  return shortText(parts.filter((p): p is string => !!p).join(' · '));
}

function agentFromContexts(contexts: unknown, key: 'browser' | 'os') {
  if (!isObject(contexts)) return null;
  const part = contexts[key];
  if (!isObject(part)) return null;
  const name = typeof part['name'] === 'string' ? part['name'] : null;
  const version = typeof part['version'] === 'string' ? part['version'] : null;
  return name || version ? { name, version } : null;
}

/** Builds the event shared by `error`, `event_alert` and service hooks. */
function fromSentryEvent(
  req: HookRequest,
  event: SentryEventBody,
  issueId: string | null,
  opts: {
    lifecycle: 'unknown';
    milestone: string | null;
    note: string | null;
    project: string | null;
    webUrl: string | null;
    deliveryKey: string;
    /** What the hook is, for the note when it names no issue ("event_alert (rule "X")"). */
    what: string;
  },
): ParseResult {
  const groupKey = firstText(issueId, event.issue_id, event.groupID);
  if (!groupKey) {
    // Genuine (the signature matched) but nothing to group it under: acknowledged, and the log says why.
    return acknowledged(
      `not turned into a group: this Sentry ${opts.what} (event ${shortText(event.event_id ?? 'without an id', 40)}) names no issue (issue_id)`,
    );
  }
  const callstack = callstackOf(event);
  const environment = firstText(event.environment, tagValue(event.tags, 'environment'));
  const release =
    typeof event.release === 'string' ? event.release : isObject(event.release) ? String(event.release['version'] ?? '') || null : null;
  return {
    ok: true,
    event: blankEvent({
      groupKey,
      title: eventTitle(event),
      description: eventDescription(event, callstack, opts.note),
      url: issueUrlFromEventUrl(opts.webUrl ?? event.web_url),
      lastSeen: firstText(event.datetime, event.dateCreated),
      callstack,
      classifiers: [event.level, event.platform].filter((c): c is string => !!c),
      // `data.event.project` is a number; the slug is in the event's API URL (`/api/0/projects/<org>/<project>/`).
      project: opts.project ?? slugsFromApiUrl(event.url)?.project ?? null,
      application: release,
      environment,
      objectId: event.event_id,
      page: tagValue(event.tags, 'url'),
      browser: agentFromContexts(event.contexts, 'browser'),
      os: agentFromContexts(event.contexts, 'os'),
      lifecycle: opts.lifecycle,
      milestone: opts.milestone,
      redelivery: { key: opts.deliveryKey, windowMs: SENTRY_REDELIVERY_WINDOW_MS },
      issueRef: sentryIssueRef(groupKey, [event.url, event.issue_url], [event.web_url, opts.webUrl]),
      raw: req.json,
    }),
  };
}

/**
 * The text a body's signature was verified over, when it was the compact re-serialization (the fallback reading),
 * by the very body buffer `verify` and `parse` are both handed. Absent: the bytes as sent were signed (or the body
 * was never verified here: a preview).
 */
const signedCompactForm = new WeakMap<Buffer, string>();

/**
 * A redelivery key that survives Sentry's retries: never `Request-ID`, which is new on every attempt. The
 * signed body for the resource, unless `stable` names what stays the same when Sentry rebuilds the body
 * for a retry (an alert's event id and rule). "The signed body" is exactly what the signature was verified
 * over: when the compact form matched, every byte variant of it that also verifies (added whitespace, a
 * duplicate key, another spelling of a number: all re-serialize the same) gets the one key, so a captured body
 * re-sent in another shape is a redelivery, not a new occurrence.
 */
function deliveryKey(req: HookRequest, resource: string, stable: string | null = null): string {
  if (stable) return `sentry:${resource}:${stable}`;
  return `sentry:${resource}:body:${bodyHash(signedCompactForm.get(req.rawBody) ?? req.rawBody)}`;
}

function parseIntegration(req: HookRequest, resource: string): ParseResult {
  const envelope = integrationEnvelope.safeParse(req.json);
  if (!envelope.success) return { ok: false, rejection: schemaRejection(envelope.error) };
  const { action, data } = envelope.data;
  const key = `${resource}.${action}`;
  const mapping = lookupTrigger(sentryLifecycle, key);

  if (resource === 'installation' || resource === 'comment') {
    return acknowledged(`Sentry ${resource} ${action}: nothing to record`);
  }
  if (resource === 'activity_alert') {
    return acknowledged(
      `not turned into a group: a Sentry activity_alert (${shortText(action, 40)}) reports activity on an issue, not an error occurring`,
    );
  }

  if (resource === 'issue') {
    const parsed = issueData.safeParse(data);
    if (!parsed.success) return { ok: false, rejection: prefixed(schemaRejection(parsed.error), 'data') };
    const issue = parsed.data.issue;
    if (mapping === null) return acknowledged(`Sentry issue ${issue.shortId ?? issue.id} ${action}: nothing to notify`);
    const meta = issue.metadata;
    const title = shortText(
      firstText(issue.title, meta ? [meta.type, meta.value].filter(Boolean).join(': ') : null) ?? `Sentry issue ${issue.id}`,
    );
    // `substatus: regressed` on an unresolved issue says Sentry itself saw it come back.
    const lifecycle = mapping?.lifecycle ?? (action === 'unresolved' ? 'regressed' : 'unknown');
    // Only `issue.created` carries web_url (and only newer ones); permalink is null in webhooks.
    const given = firstText(issue.web_url, issue.permalink);
    const link = given ? { url: given, urlDerivation: null } : derivedIssueUrl(issue.id, [issue.project_url, issue.url], req.source.webUrl);
    return {
      ok: true,
      event: blankEvent({
        groupKey: issue.id,
        title,
        description: shortText(
          [issue.culprit, issue.shortId, issue.substatus ? `status ${issue.status ?? ''} (${issue.substatus})` : issue.status]
            .filter(Boolean)
            .join(' · '),
        ),
        url: link.url,
        urlDerivation: link.urlDerivation,
        occurrences: issue.count,
        firstSeen: issue.firstSeen,
        lastSeen: issue.lastSeen,
        classifiers: [issue.level, issue.platform].filter((c): c is string => !!c),
        project: firstText(issue.project?.slug, issue.project?.name),
        lifecycle,
        milestone: mapping?.milestone ?? null,
        redelivery: { key: deliveryKey(req, key), windowMs: SENTRY_REDELIVERY_WINDOW_MS },
        issueRef: sentryIssueRef(issue.id, [issue.url, issue.project_url], [issue.web_url, issue.permalink]),
        raw: req.json,
      }),
    };
  }

  if (resource === 'error') {
    const parsed = errorData.safeParse(data);
    if (!parsed.success) return { ok: false, rejection: prefixed(schemaRejection(parsed.error), 'data') };
    const error = parsed.data.error;
    return fromSentryEvent(req, error, error.issue_id, {
      lifecycle: 'unknown',
      milestone: null,
      note: null,
      project: null,
      webUrl: error.web_url,
      deliveryKey: deliveryKey(req, key, error.event_id),
      what: `error.${action}`,
    });
  }

  if (resource === 'event_alert') {
    const parsed = eventAlertData.safeParse(data);
    if (!parsed.success) return { ok: false, rejection: prefixed(schemaRejection(parsed.error), 'data') };
    const { event, triggered_rule } = parsed.data;
    // Sentry rebuilds an alert's body from its event store on each attempt: the event and rule identify it.
    return fromSentryEvent(req, event, event.issue_id, {
      lifecycle: 'unknown',
      milestone: null,
      note: triggered_rule ? `alert rule "${triggered_rule}"` : null,
      project: null,
      webUrl: event.web_url,
      deliveryKey: deliveryKey(req, key, event.event_id ? `${event.event_id}:${triggered_rule ?? ''}` : null),
      what: `event_alert.${action}${triggered_rule ? ` (rule "${shortText(triggered_rule, 80)}")` : ''}`,
    });
  }

  if (resource === 'metric_alert') {
    const parsed = metricAlertData.safeParse(data);
    if (!parsed.success) return { ok: false, rejection: prefixed(schemaRejection(parsed.error), 'data') };
    const d = parsed.data;
    const incident = d.metric_alert;
    const rule = incident.alert_rule;
    // Group by the alert rule, so "resolved" resolves the group and the next "critical" reads as a regression.
    const groupKey = `metric_alert:${firstText(rule?.id, incident.identifier, incident.id) ?? 'unknown'}`;
    const m = mapping ?? { lifecycle: 'unknown' as const, milestone: `Sentry metric alert: ${action}` };
    return {
      ok: true,
      event: blankEvent({
        groupKey,
        title: shortText(firstText(d.description_title, rule?.name, incident.title) ?? 'Sentry metric alert'),
        description: shortText(firstText(d.description_text) ?? ''),
        url: d.web_url,
        firstSeen: firstText(incident.date_started, incident.date_detected),
        classifiers: ['metric_alert', action],
        project: rule?.projects?.[0] ?? null,
        environment: rule?.environment ?? null,
        lifecycle: m.lifecycle,
        milestone: m.milestone,
        redelivery: { key: deliveryKey(req, key), windowMs: SENTRY_REDELIVERY_WINDOW_MS },
        raw: req.json,
      }),
    };
  }

  // A resource Sentry adds later: genuine (the signature matched), so acknowledge rather than make Sentry retry.
  return acknowledged(
    `not turned into a group: the Sentry resource "${shortText(resource, 60)}" (${shortText(action, 40)}) is not one Crashbell records`,
  );
}

function prefixed(rejection: Rejection, prefix: string): Rejection {
  if (!rejection.field) return rejection;
  const field = `${prefix}.${rejection.field}`;
  return { ...rejection, field, reason: rejection.reason.replace(`"${rejection.field}"`, `"${field}"`) };
}

function parseServiceHook(req: HookRequest): ParseResult {
  const parsed = serviceHookBody.safeParse(req.json);
  if (!parsed.success) return { ok: false, rejection: schemaRejection(parsed.error) };
  const { project, group, event } = parsed.data;
  const projectName = firstText(project?.slug, project?.name);
  const webUrl = firstText(group.url, group.permalink);
  if (event) {
    // Not keyed on X-ServiceHook-Timestamp: each of the up to five retries is stamped anew.
    const result = fromSentryEvent(req, { ...event, title: event.title ?? group.title }, group.id, {
      lifecycle: 'unknown',
      milestone: null,
      note: null,
      project: projectName,
      webUrl,
      deliveryKey: deliveryKey(req, 'service-hook', event.event_id),
      what: 'service hook',
    });
    if (result.ok && result.event) {
      result.event.occurrences = group.count;
      result.event.firstSeen = group.firstSeen;
    }
    return result;
  }
  return {
    ok: true,
    event: blankEvent({
      groupKey: group.id,
      title: shortText(group.title ?? `Sentry issue ${group.id}`),
      description: shortText(group.culprit ?? ''),
      url: webUrl,
      occurrences: group.count,
      firstSeen: group.firstSeen,
      lastSeen: group.lastSeen,
      project: projectName,
      redelivery: { key: deliveryKey(req, 'service-hook'), windowMs: SENTRY_REDELIVERY_WINDOW_MS },
      issueRef: sentryIssueRef(group.id, [], [group.url, group.permalink]),
      raw: req.json,
    }),
  };
}

/** What a refused Sentry signature was compared with, in words (the secret is named, never shown). */
function signatureMismatch(headerName: string, given: string, secretName: string): Rejection {
  return unauthorized(
    `wrong ${headerName}: it is not the hex HMAC-SHA256 of the body keyed with this source's ${secretName} (received ${given.trim().length} characters; a hex HMAC-SHA256 has 64); check that the source holds the current one`,
  );
}

/** Both signature readings Sentry's documentation allows: the bytes as sent, or their compact JSON form. */
function signatureMatches(secret: SetCredential, given: string, req: HookRequest): boolean {
  const normalized = given.trim().toLowerCase();
  // The raw form is what Sentry sends; the compact form is only tried when it fails. The shortcut tells a
  // sender nothing it does not learn from the answer anyway.
  if (safeEqual(normalized, hmacHex(secret, req.rawBody))) {
    signedCompactForm.delete(req.rawBody);
    return true;
  }
  let compact: string;
  try {
    compact = JSON.stringify(req.json) ?? '';
  } catch {
    return false;
  }
  if (!safeEqual(normalized, hmacHex(secret, compact))) return false;
  // The redelivery key is taken from what was verified (deliveryKey).
  signedCompactForm.set(req.rawBody, compact);
  return true;
}

/** The client secret (or a service hook's secret), when set; `secret` is accepted as another spelling. */
function sentrySecret(source: SourceToCheck): SetCredential | undefined {
  return source.credentials['clientSecret'] ?? source.credentials['secret'];
}

/** Neutral about where it is set (the app's Setup, or a config file's `credentials`): the sender reads it too. */
const NOT_SET =
  "the Client Secret is not set yet: add it to this source's credentials (Sentry shows it under your integration's Credentials once the integration is saved)";

/** A stale-timestamp refusal, saying what the window does and does not prove. */
function freshness(label: string, value: string | null, now: number): Rejection | null {
  const stale = checkTimestamp(label, value, now);
  return stale && value !== null && stale.reason.startsWith('stale')
    ? { ...stale, reason: `${stale.reason}. ${UNSIGNED_TIMESTAMP}` }
    : stale;
}

/** Refuses from the headers alone, before the body is read: no secret yet, or no signature at all. */
function verifySentryHeaders(source: SourceToCheck, headers: Headers): Rejection | undefined {
  if (sentrySecret(source) === undefined) return unauthorized(NOT_SET);
  if (header(headers, 'sentry-hook-signature') === null && header(headers, 'x-servicehook-signature') === null) {
    return unauthorized(
      'missing Sentry-Hook-Signature (or X-ServiceHook-Signature) header: Sentry integrations sign every webhook. If this comes from the legacy WebHooks plugin (an alert rule\'s "Send a notification via WebHooks"), add a "Sentry (legacy WebHooks plugin)" source for it instead',
    );
  }
  // A signature is there, but it signs the body: nothing is authenticated until it is read.
  return undefined;
}

function verifySentry(req: HookRequest): Rejection | null {
  const secret = sentrySecret(req.source);
  if (secret === undefined) return unauthorized(NOT_SET);
  const early = verifySentryHeaders(req.source, req.headers);
  if (early) return early;
  const integrationSignature = header(req.headers, 'sentry-hook-signature');
  if (integrationSignature !== null) {
    const stale = freshness('Sentry-Hook-Timestamp', header(req.headers, 'sentry-hook-timestamp'), req.now);
    if (stale) return stale;
    if (!signatureMatches(secret, integrationSignature, req)) {
      return signatureMismatch('Sentry-Hook-Signature', integrationSignature, "integration's Client Secret");
    }
    if (!header(req.headers, 'sentry-hook-resource')) return { status: 400, reason: 'missing Sentry-Hook-Resource header' };
    return null;
  }
  const serviceSignature = header(req.headers, 'x-servicehook-signature') ?? '';
  const stale = freshness('X-ServiceHook-Timestamp', header(req.headers, 'x-servicehook-timestamp'), req.now);
  if (stale) return stale;
  if (!signatureMatches(secret, serviceSignature, req)) {
    return signatureMismatch('X-ServiceHook-Signature', serviceSignature, "service hook's secret");
  }
  return null;
}

/** Builds the integration-platform `issue.created` sample from Sentry's documented issue payload. */
function sampleBody(now: number): Record<string, unknown> {
  const issueId = String(1_000_000_000 + (randomBytes(4).readUInt32BE(0) % 1_000_000_000));
  const seen = new Date(now).toISOString();
  return {
    action: 'created',
    actor: { id: 'sentry', name: 'Sentry', type: 'application' },
    data: {
      issue: {
        annotations: [],
        assignedTo: null,
        count: '1',
        culprit: '?(runner)',
        firstSeen: seen,
        hasSeen: false,
        id: issueId,
        isBookmarked: false,
        isPublic: false,
        isSubscribed: false,
        lastSeen: seen,
        level: 'error',
        logger: null,
        metadata: { filename: '/runner', type: 'ReferenceError', value: 'blooopy is not defined' },
        numComments: 0,
        permalink: null,
        platform: 'javascript',
        project: { id: '1', name: 'front-end', platform: '', slug: 'front-end' },
        shareId: null,
        shortId: 'FRONT-END-9',
        status: 'unresolved',
        statusDetails: {},
        subscriptionDetails: null,
        substatus: 'new',
        title: 'ReferenceError: blooopy is not defined',
        type: 'error',
        userCount: 1,
        url: `https://sentry.io/api/0/issues/${issueId}/`,
        web_url: `https://sentry.io/organizations/test-org/issues/${issueId}/`,
        project_url: 'https://sentry.io/api/0/projects/test-org/front-end/',
      },
    },
    installation: { uuid: 'a8e5d37a-696c-4c54-adb5-b3f28d64c7de' },
  };
}

/** Signs a Sentry integration-platform hook the way Sentry does; for samples and tests. */
export function signSentryHook(secret: string, resource: string, body: string, now: number): Record<string, string> {
  return {
    'content-type': 'application/json',
    'request-id': randomUUID(),
    'sentry-hook-resource': resource,
    'sentry-hook-timestamp': String(Math.floor(now / 1000)),
    'sentry-hook-signature': hmacHex(secret, body),
  };
}

/** Sentry's API reference for issues (the one endpoint actions use). */
export const SENTRY_API_DOCS_URL = 'https://docs.sentry.io/api/events/update-an-issue/';

/**
 * The organization and issue an action addresses: the ref's, or the organization the source's web app URL names
 * (Sentry's resolve and reopen hooks carry no organization).
 */
function sentryTarget(input: ApiBuildInput): { org: string; issue: string } | Unbuildable {
  const issue = input.ref?.ids['issue'];
  if (!issue) {
    return {
      code: 'no-issue-ref',
      unbuildable: "this group's Sentry hooks named no issue id (a metric alert is not an issue): there is nothing to act on in Sentry",
    };
  }
  const org = input.ref?.ids['org'] ?? orgFromWebUrl(input.source.webUrl);
  if (!org) {
    return {
      code: 'no-issue-ref',
      unbuildable:
        "Sentry's API addresses an issue through its organization, and this issue's hooks named none: set this source's web app URL to your organization's page (https://<org>.sentry.io/)",
    };
  }
  return { org, issue };
}

/** The body of `PUT /api/0/organizations/{org}/issues/{issue_id}/` for an action, as the API reference documents it. */
function sentryActionBody(action: ProviderAction, assignee: string): Record<string, unknown> {
  switch (action.kind) {
    case 'resolve':
      return { status: 'resolved' };
    case 'resolve-next-release':
      return { status: 'resolvedInNextRelease' };
    case 'unresolve':
      return { status: 'unresolved' };
    case 'snooze':
      return { status: 'ignored', substatus: 'archived_until_condition_met', statusDetails: { ignoreDuration: action.minutes } };
    case 'snooze-occurrences':
      return { status: 'ignored', substatus: 'archived_until_condition_met', statusDetails: { ignoreCount: action.count } };
    case 'ignore':
      return { status: 'ignored', substatus: 'archived_forever' };
    case 'assign-to-me':
      return { assignedTo: assignee };
  }
}

/**
 * Sentry's web API for issues, as its reference documents it (https://docs.sentry.io/api/events/update-an-issue/;
 * the OpenAPI document getsentry/sentry-api-schema `openapi-derefed.json`, operation `updateOrganizationIssue`):
 * `PUT /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/` with `Authorization: Bearer <token>`
 * and a JSON body of `status` (resolved, resolvedInNextRelease, unresolved, ignored), `substatus`
 * (archived_forever, archived_until_condition_met...), `statusDetails` (`ignoreDuration` in minutes,
 * `ignoreCount`) and `assignedTo` (a user id, `user:<id>`, a username or a primary email); scope `event:write`;
 * answers 200 with the issue, or 400, 401, 403, 404. `GET` on the same path reads the issue (`event:read`),
 * `GET /api/0/organizations/` lists the token's organizations (`org:read`). Errors carry `{"detail": "..."}`
 * (read so by Sentry's own client, getsentry/sentry-mcp `api-client/client.ts`). Rate limits
 * (https://docs.sentry.io/api/ratelimits/): 429 with `X-Sentry-Rate-Limit-Reset`, the window's end in epoch
 * seconds. Regions and self-hosted servers: the API lives on the host of the hook's own API URLs
 * (`data.issue.url`, `project_url`), on sentry.io by default.
 */
export const SENTRY_API: ProviderApi = {
  kind: 'api',
  docsUrl: SENTRY_API_DOCS_URL,
  defaultBaseUrl: 'https://sentry.io',
  apiHosts: ['sentry.io', '*.sentry.io'],
  token: {
    label: 'Sentry auth token',
    scope: 'event:write',
    help: 'Sentry → Settings → Developer Settings → your internal integration → Permissions "Issue & Event: Read & Write", then its token (or a personal token under User Settings → Personal Tokens with event:write).',
  },
  unsupported: {},
  authHeaders: (token) => ({ authorization: `Bearer ${token}` }),
  buildAction(action, input): ApiCall | Unbuildable {
    const target = sentryTarget(input);
    if ('unbuildable' in target) return target;
    if (action.kind === 'assign-to-me' && !input.assignee) {
      return {
        code: 'no-assignee',
        unbuildable:
          "set who you are in Sentry (your username or primary email) in this source's API settings to assign issues to yourself",
      };
    }
    return {
      method: 'PUT',
      path: `/api/0/organizations/${segment(target.org)}/issues/${segment(target.issue)}/`,
      body: sentryActionBody(action, input.assignee),
      target: `issue ${target.issue} in organization ${target.org}`,
    };
  },
  buildTokenTest(input): ApiCall | Unbuildable {
    const target = sentryTarget(input);
    if ('unbuildable' in target) {
      return { method: 'GET', path: '/api/0/organizations/', target: "the token's organizations" };
    }
    return {
      method: 'GET',
      path: `/api/0/organizations/${segment(target.org)}/issues/${segment(target.issue)}/`,
      target: `issue ${target.issue} in organization ${target.org}`,
    };
  },
  messageOf: (response) => messageField(response, 'detail'),
  unauthorizedWords:
    "Sentry refused the token (401): it is wrong, expired or revoked. Make a new one (an internal integration's token, or a personal token) and paste it in this source's API settings",
  forbiddenWords: (call, test) =>
    test && call.path === '/api/0/organizations/'
      ? 'Sentry refused the token (403): it lacks the org:read scope needed to list organizations; actions need event:write'
      : test
        ? 'Sentry refused the token (403): it lacks the event:read scope (actions need event:write), or has no access to this project'
        : 'Sentry refused the token (403): it lacks the event:write scope, or has no access to this project. Give the integration "Issue & Event: Read & Write"',
  rateLimitReset: (headers) => {
    const reset = headers['x-sentry-rate-limit-reset'];
    return reset && /^\d{1,12}(\.\d+)?$/.test(reset) ? Math.round(Number(reset) * 1000) : null;
  },
  testCaveat: 'A read cannot tell whether the token also has event:write, which actions need: the first action will say.',
};

export const sentryProvider: ProviderModule = {
  id: 'sentry',
  name: 'Sentry',
  mark: { text: 'Se', color: '#584774' },
  docsUrl: SENTRY_DOCS_URL,
  credentials: [
    {
      key: 'clientSecret',
      label: 'Client Secret',
      generated: false,
      secret: true,
      required: true,
      pasteLater: true,
      help: "Sentry → Settings → Developer Settings → your internal integration → Credentials → Client Secret (shown once the integration is saved). For a legacy project service hook, paste the hook's Secret instead.",
    },
  ],
  secretHeaders: ['sentry-hook-signature', 'x-servicehook-signature'],
  securityNote: null,
  webHosts: ['sentry.io', '*.sentry.io'],
  webUrlHelp:
    "Your organization's Sentry page, e.g. https://acme.sentry.io/ or, self-hosted, https://sentry.example.com/organizations/acme/ (optional): issue links Sentry leaves out of resolve and reopen hooks are built from it, and a self-hosted server's links open.",
  setupSteps: [
    'Add the source here first: its webhook URL exists at once, and the source waits for the Client Secret, which Sentry shows only once the integration is saved.',
    'In Sentry, open Settings → Developer Settings → Custom Integrations and create a New Internal Integration.',
    'Paste the webhook URL below as the Webhook URL and turn on "Alert Rule Action" if you want alert rules to notify Crashbell.',
    'Under Permissions give Issue & Event "Read"; under Webhooks tick "issue" (and "error" on plans that offer it).',
    'Save, then copy the integration\'s Client Secret into this source; until then its hooks are refused with "the Client Secret is not set yet". Crashbell checks Sentry-Hook-Signature and refuses hooks whose Sentry-Hook-Timestamp is more than 5 minutes off, so keep this computer\'s clock right; Sentry does not sign that timestamp, and a repeated signed body is recorded once.',
    'Sentry gives each delivery 1 second and never retries an internal integration: a hook that misses (this computer asleep, the tunnel down) is lost, and 1,000 timeouts in 24 hours unsubscribe the webhook.',
    "Resolve and reopen hooks carry no issue link: a group keeps the link of its issue's earlier hooks, and for an issue Crashbell first hears of that way the link is built from this source's web app URL, so set it to your organization's page (https://<org>.sentry.io/).",
    'Optionally add "Send a notification via <your integration>" to issue or metric alert rules.',
    'Legacy project service hooks (Project Settings → Service Hooks, events event.created / event.alert) also work: paste the hook\'s Secret instead. The legacy WebHooks plugin (Alerts → "Send a notification via WebHooks") signs nothing: add a "Sentry (legacy WebHooks plugin)" source for it.',
  ],
  generateCredentials() {
    return {};
  },
  validateSource() {
    // Without the Client Secret the source waits for it (its hooks are refused until then).
    return null;
  },
  verifyHeaders: verifySentryHeaders,
  verify(req: HookRequest) {
    return verifySentry(req);
  },
  parse(req: HookRequest): ParseResult {
    try {
      if (!isObject(req.json)) return badRequest('the body must be a JSON object');
      const resource = header(req.headers, 'sentry-hook-resource');
      if (resource) return parseIntegration(req, resource.trim().toLowerCase());
      return parseServiceHook(req);
    } catch (error) {
      return badRequest(`the body could not be read: ${String(error)}`);
    }
  },
  sample(source: Source, now: number): SampleRequest {
    const body = JSON.stringify(sampleBody(now));
    return { headers: signSentryHook(sentrySecret(sourceToCheck(source)) ?? '', 'issue', body, now), body };
  },
  actions: SENTRY_API,
};
