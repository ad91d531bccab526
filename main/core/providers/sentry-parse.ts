/**
 * Turning a verified Sentry hook into an event (the module is sentry.ts), for both kinds on one source: the
 * integration platform's resources (`Sentry-Hook-Resource`: issue, error, event_alert, metric_alert; installation
 * and comment are acknowledged with nothing recorded) and project service hooks (`event.created` / `event.alert`).
 *
 * Retries: only the body is signed. A retry (published integrations retry up to three times, five minutes
 * apart; service hooks up to five) carries a new `Request-ID`, a new timestamp and the same body, so a
 * redelivery is recognised by the body (or, for alerts Sentry rebuilds per attempt, by the event and rule),
 * never by `Request-ID`; a captured body replayed with a fresh timestamp is recorded once, as a redelivery,
 * within {@link SENTRY_REDELIVERY_WINDOW_MS}.
 *
 * Events group by the Sentry issue id and open the issue's web URL (sentry-links.ts says how it is found when
 * the hook carries none). `installation` and `comment` resources, and issue assignment, carry no error: they are
 * acknowledged and nothing is recorded; the request log says why.
 */
import { header, schemaRejection } from './helpers';
import {
  acknowledged,
  badRequest,
  blankEvent,
  bodyHash,
  firstText,
  isObject,
  type LifecycleTable,
  lookupTrigger,
  ONE_DAY,
  shortText,
  type TriggerMapping,
} from './parsed-event';
import {
  errorData,
  eventAlertData,
  integrationEnvelope,
  issueData,
  metricAlertData,
  type SentryEventBody,
  serviceHookBody,
} from './sentry-payloads';
import { derivedIssueUrl, issueUrlFromEventUrl, sentryIssueRef, slugsFromApiUrl } from './sentry-links';
import { signedForm } from './sentry-signature';
import type { HookRequest, ParseResult, Rejection } from './types';

/**
 * How long a signed body is remembered for its resource: far longer than Sentry's retries (three, five
 * minutes apart; five for service hooks), and a day of replays of a captured body with a fresh timestamp.
 */
export const SENTRY_REDELIVERY_WINDOW_MS = ONE_DAY;

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
 * A redelivery key that survives Sentry's retries: never `Request-ID`, which is new on every attempt. The
 * signed body for the resource, unless `stable` names what stays the same when Sentry rebuilds the body
 * for a retry (an alert's event id and rule). "The signed body" is exactly what the signature was verified
 * over: when the compact form matched, every byte variant of it that also verifies (added whitespace, a
 * duplicate key, another spelling of a number: all re-serialize the same) gets the one key, so a captured body
 * re-sent in another shape is a redelivery, not a new occurrence.
 */
function deliveryKey(req: HookRequest, resource: string, stable: string | null = null): string {
  if (stable) return `sentry:${resource}:${stable}`;
  return `sentry:${resource}:body:${bodyHash(signedForm(req.rawBody))}`;
}

/**
 * Reads a verified hook: an integration-platform resource when `Sentry-Hook-Resource` names one, else a service
 * hook. A body that cannot be read is a 400 with the reason, never a crash.
 */
export function parseSentry(req: HookRequest): ParseResult {
  try {
    if (!isObject(req.json)) return badRequest('the body must be a JSON object');
    const resource = header(req.headers, 'sentry-hook-resource');
    if (resource) return parseIntegration(req, resource.trim().toLowerCase());
    return parseServiceHook(req);
  } catch (error) {
    return badRequest(`the body could not be read: ${String(error)}`);
  }
}

/** One integration-platform hook, as the reader of its resource gets it. */
interface IntegrationHook {
  req: HookRequest;
  action: string;
  /** `resource.action`: the key of the lifecycle table and of the redelivery key. */
  key: string;
  /** The lifecycle table's entry: null for "acknowledged, nothing recorded", undefined when the table lacks it. */
  mapping: TriggerMapping | null | undefined;
  /** The resource's `data`, still to be checked against its schema. */
  data: unknown;
}

/** An integration-platform hook, read by its resource; resources that carry no error are acknowledged. */
function parseIntegration(req: HookRequest, resource: string): ParseResult {
  const envelope = integrationEnvelope.safeParse(req.json);
  if (!envelope.success) return { ok: false, rejection: schemaRejection(envelope.error) };
  const { action, data } = envelope.data;
  const key = `${resource}.${action}`;
  const hook: IntegrationHook = { req, action, key, mapping: lookupTrigger(sentryLifecycle, key), data };
  switch (resource) {
    case 'installation':
    case 'comment':
      return acknowledged(`Sentry ${resource} ${action}: nothing to record`);
    case 'activity_alert':
      return acknowledged(
        `not turned into a group: a Sentry activity_alert (${shortText(action, 40)}) reports activity on an issue, not an error occurring`,
      );
    case 'issue':
      return parseIssue(hook);
    case 'error':
      return parseError(hook);
    case 'event_alert':
      return parseEventAlert(hook);
    case 'metric_alert':
      return parseMetricAlert(hook);
    default:
      // A resource Sentry adds later: genuine (the signature matched), so acknowledge rather than make Sentry retry.
      return acknowledged(
        `not turned into a group: the Sentry resource "${shortText(resource, 60)}" (${shortText(action, 40)}) is not one Crashbell records`,
      );
  }
}

/** `issue` hooks: created, resolved, unresolved, ignored or archived (assigned is acknowledged). */
function parseIssue({ req, action, key, mapping, data }: IntegrationHook): ParseResult {
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

/** `error` hooks: one event, grouped by its issue. */
function parseError({ req, action, key, data }: IntegrationHook): ParseResult {
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

/** `event_alert` hooks: an issue alert rule fired for an event. */
function parseEventAlert({ req, action, key, data }: IntegrationHook): ParseResult {
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

/** `metric_alert` hooks: critical, warning or resolved, grouped by the alert rule. */
function parseMetricAlert({ req, action, key, mapping, data }: IntegrationHook): ParseResult {
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

/** A field of a resource's data named from the body's root (`data.issue.id`), so the reason points where the sender looks. */
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
