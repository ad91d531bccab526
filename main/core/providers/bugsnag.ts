/**
 * Bugsnag (Insight Hub) webhooks: one JSON POST per trigger with `account`, `project`, `trigger` and, for
 * error triggers, `error` (the event that fired it). Payload and trigger names as documented at
 * https://docs.bugsnag.com/product/integrations/webhook/ (firstException, errorEventFrequency, powerTen,
 * exception, reopened, projectSpiking, comment, errorStateManualChange, release, projectSamplingStarted,
 * projectApproachingRateLimit).
 *
 * The documentation describes no signature, token or Basic credentials for the webhook, so the source's
 * unguessable URL is the secret (see `securityNote`). Events group by Bugsnag's `errorId`.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ProviderAction } from '../../../shared/actions';
import { messageField, segment } from '../actions/api-text';
import { lenientNumber, lenientString, schemaRejection } from './helpers';
import {
  acknowledged,
  badRequest,
  blankEvent,
  firstText,
  ONE_DAY,
  shortText,
  type LifecycleTable,
  type TriggerMapping,
  lookupTrigger,
  unsignedProvider,
} from './parsed-event';
import type { ApiBuildInput, ApiCall, HookRequest, ParseResult, ProviderApi, ProviderModule, Unbuildable } from './types';

export const BUGSNAG_DOCS_URL = 'https://docs.bugsnag.com/product/integrations/webhook/';

/** Trigger type → lifecycle; `errorStateManualChange` is refined by `stateChange` (see {@link bugsnagStateChange}). */
export const bugsnagLifecycle: LifecycleTable = {
  firstException: { lifecycle: 'new', milestone: null },
  exception: { lifecycle: 'unknown', milestone: null },
  errorEventFrequency: { lifecycle: 'recurring', milestone: 'Bugsnag: frequent error' },
  powerTen: { lifecycle: 'recurring', milestone: 'Bugsnag: power of ten' },
  reopened: { lifecycle: 'regressed', milestone: null },
  projectSpiking: { lifecycle: 'unknown', milestone: 'Bugsnag: project spiking' },
  projectSamplingStarted: { lifecycle: 'unknown', milestone: 'Bugsnag: project is being rate-limited' },
  projectApproachingRateLimit: { lifecycle: 'unknown', milestone: 'Bugsnag: project close to its rate limit' },
  comment: null,
  release: null,
  errorStateManualChange: null,
};

/**
 * `errorStateManualChange` by `trigger.stateChange`, whose values the payload documentation lists ("fixed",
 * "reopened", "snoozed", "snoozeCancelled", "ignored", "unignored"): fixing resolves; ignoring, and snoozing, hold
 * the group as ignored here (nothing it does notifies); reopening, cancelling a snooze and un-ignoring open it
 * again, as a regression. A snooze is held as ignored because Bugsnag ends it itself: when its snooze rule is met,
 * Bugsnag reopens the error and sends its `reopened` trigger, which opens the group here too.
 */
export const bugsnagStateChange: LifecycleTable = {
  fixed: { lifecycle: 'resolved', milestone: null },
  reopened: { lifecycle: 'regressed', milestone: null },
  snoozed: { lifecycle: 'ignored', milestone: null },
  snoozeCancelled: { lifecycle: 'regressed', milestone: null },
  ignored: { lifecycle: 'ignored', milestone: null },
  unignored: { lifecycle: 'regressed', milestone: null },
};

const named = z.looseObject({ id: lenientString, name: lenientString, url: lenientString });

const stackFrame = z.looseObject({
  inProject: z.boolean().nullable().optional(),
  lineNumber: lenientNumber,
  columnNumber: lenientNumber,
  file: lenientString,
  method: lenientString,
});

const bugsnagBody = z.looseObject({
  account: named.nullable().optional(),
  project: named.nullable().optional(),
  trigger: z.looseObject({
    type: z.string().min(1),
    message: lenientString,
    stateChange: lenientString,
    rate: lenientNumber,
  }),
  error: z
    .looseObject({
      id: lenientString,
      errorId: lenientString,
      exceptionClass: lenientString,
      message: lenientString,
      context: lenientString,
      appVersion: lenientString,
      releaseStage: lenientString,
      firstReceived: lenientString,
      receivedAt: lenientString,
      requestUrl: lenientString,
      userId: lenientString,
      url: lenientString,
      severity: lenientString,
      status: lenientString,
      unhandled: z.boolean().nullable().optional(),
      stackTrace: z.array(stackFrame).nullable().optional(),
    })
    .nullable()
    .optional(),
});

function frames(stack: Array<z.infer<typeof stackFrame>> | null | undefined): string[] {
  return (stack ?? []).slice(0, 20).map((f) => {
    const where = f.file ?? '?';
    const at = f.lineNumber === null ? where : `${where}:${f.lineNumber}`;
    return `${f.method ?? '?'} (${at})`;
  });
}

/** Mapping for one body: the trigger table, refined by `stateChange` for manual state changes. */
export function bugsnagMapping(type: string, stateChange: string | null): TriggerMapping | null | undefined {
  if (type === 'errorStateManualChange') return stateChange ? (lookupTrigger(bugsnagStateChange, stateChange) ?? null) : null;
  return lookupTrigger(bugsnagLifecycle, type);
}

function parseBugsnag(req: HookRequest): ParseResult {
  const checked = bugsnagBody.safeParse(req.json);
  if (!checked.success) return { ok: false, rejection: schemaRejection(checked.error) };
  const body = checked.data;
  const { trigger, error, project } = body;
  const mapping = bugsnagMapping(trigger.type, trigger.stateChange);
  if (mapping === null) {
    const what = trigger.type === 'errorStateManualChange' ? `error state changed to "${trigger.stateChange ?? '?'}"` : trigger.type;
    return acknowledged(`Bugsnag ${what}: nothing to notify`);
  }
  // Unknown future triggers are recorded with no lifecycle claim rather than refused.
  const m = mapping ?? { lifecycle: 'unknown' as const, milestone: null };
  const milestone = m.milestone && trigger.message ? `${m.milestone} (${shortText(trigger.message, 80)})` : m.milestone;

  if (!error) {
    // Project-level triggers (spiking, rate limits) carry no error: group them per project and trigger.
    const projectId = firstText(project?.id, project?.name);
    if (!projectId) return badRequest(`the "${trigger.type}" trigger carries neither an error nor a project`, 'error');
    return {
      ok: true,
      event: blankEvent({
        groupKey: `project:${projectId}:${trigger.type}`,
        title: shortText(`${project?.name ?? 'Bugsnag project'}: ${trigger.message ?? trigger.type}`),
        description: shortText(trigger.rate === null ? (trigger.message ?? '') : `${trigger.rate} events in the spike`),
        url: project?.url ?? null,
        project: project?.name ?? null,
        application: body.account?.name ?? null,
        lifecycle: m.lifecycle,
        milestone,
        redelivery: { key: `bugsnag:${projectId}:${trigger.type}:${trigger.message ?? ''}`, windowMs: 10 * 60 * 1000 },
        raw: req.json,
      }),
    };
  }

  const groupKey = firstText(error.errorId, error.id);
  if (!groupKey) return badRequest('missing required field "error.errorId"', 'error.errorId');
  const callstack = frames(error.stackTrace);
  const title = shortText(
    [error.exceptionClass, error.message].filter((p): p is string => !!p).join(': ') || trigger.message || 'Bugsnag error',
  );
  const description = shortText(
    [error.context, callstack.slice(0, 3).join(' ← ') || null, error.releaseStage].filter((p): p is string => !!p).join(' · '),
  );
  return {
    ok: true,
    event: blankEvent({
      groupKey,
      title,
      description,
      url: error.url,
      firstSeen: error.firstReceived,
      lastSeen: error.receivedAt,
      classifiers: [error.severity, error.exceptionClass].filter((c): c is string => !!c),
      callstack,
      application: error.appVersion ? `${project?.name ?? 'app'} ${error.appVersion}` : (project?.name ?? null),
      project: project?.name ?? null,
      environment: error.releaseStage,
      objectId: error.id,
      page: error.requestUrl,
      lifecycle: m.lifecycle,
      milestone,
      // The Data Access API addresses an error by its project and its errorId (not the event's id).
      issueRef: project?.id && error.errorId ? { ids: { projectId: project.id, errorId: error.errorId }, apiOrigin: null } : null,
      // No delivery id: the event id with the trigger and its message names one notification.
      redelivery: {
        key: `bugsnag:${error.id ?? groupKey}:${trigger.type}:${trigger.message ?? ''}:${trigger.stateChange ?? ''}`,
        windowMs: ONE_DAY,
      },
      raw: req.json,
    }),
  };
}

/** A documented-shape `firstException` body with fresh ids. */
function sampleBody(now: number): Record<string, unknown> {
  const errorId = randomBytes(12).toString('hex');
  const eventId = randomBytes(12).toString('hex');
  const at = new Date(now).toISOString();
  return {
    account: { id: '56b9ca7f17025f8756f69054', name: 'My Company', url: 'https://app.bugsnag.com/accounts/my-company' },
    project: { id: '56b9ca7f17025f8756f69054', name: 'My Test Project', url: 'https://app.bugsnag.com/my-company/my-test-project' },
    trigger: { type: 'firstException', message: 'New error' },
    error: {
      id: eventId,
      errorId,
      exceptionClass: 'NoMethodError',
      message: 'Unable to connect to database.',
      context: 'auth/session#create',
      appVersion: '0.1.0',
      releaseStage: 'production',
      firstReceived: at,
      receivedAt: at,
      requestUrl: 'http://localhost:3000/admin/raise_exception',
      userId: '5642494942656e7eac000004',
      url: `https://app.bugsnag.com/my-company/my-test-project/errors/${errorId}?event_id=${eventId}`,
      severity: 'error',
      stackTrace: [
        { inProject: true, lineNumber: 1234, columnNumber: 123, file: 'controllers/auth/session_controller.rb', method: 'create' },
      ],
    },
  };
}

/** Bugsnag's Data Access API reference (v2). */
export const BUGSNAG_API_DOCS_URL = 'https://developer.smartbear.com/bugsnag/docs/data-access-api';

function bugsnagTarget(input: ApiBuildInput): { projectId: string; errorId: string } | Unbuildable {
  const projectId = input.ref?.ids['projectId'];
  const errorId = input.ref?.ids['errorId'];
  if (!projectId || !errorId) {
    return {
      code: 'no-issue-ref',
      unbuildable:
        "this group's Bugsnag hooks carried no project.id and error.errorId (a project-wide trigger is not an error): there is nothing to act on in Bugsnag",
    };
  }
  return { projectId, errorId };
}

/** The body of `PATCH /projects/{project_id}/errors/{error_id}` for an action, as the API documents it. */
function bugsnagActionBody(action: ProviderAction, assignee: string): Record<string, unknown> | null {
  switch (action.kind) {
    case 'resolve':
      return { operation: 'fix' };
    case 'unresolve':
      return { operation: 'open' };
    case 'snooze':
      return { operation: 'snooze', reopen_rules: { reopen_if: 'occurs_after', seconds: action.minutes * 60 } };
    case 'snooze-occurrences':
      return { operation: 'snooze', reopen_rules: { reopen_if: 'n_additional_occurrences', additional_occurrences: action.count } };
    case 'ignore':
      return { operation: 'ignore' };
    case 'assign-to-me':
      return { operation: 'assign', assigned_collaborator_id: assignee };
    case 'resolve-next-release':
      return null;
  }
}

/**
 * Bugsnag's Data Access API v2, as documented (https://docs.bugsnag.com/api/data-access/ for the version header;
 * the operation "Update an Error" in SmartBear's published OpenAPI document, generated into SmartBear/smartbear-mcp
 * `src/bugsnag/client/api/api.ts`; the official Ruby client bugsnag/bugsnag-api-ruby `lib/bugsnag/api/client/errors.rb`):
 * `PATCH https://api.bugsnag.com/projects/{project_id}/errors/{error_id}` with `Authorization: token <personal auth
 * token>`, `X-Version: 2` and `{"operation": "fix" | "open" | "snooze" | "ignore" | "assign", ...}`; a snooze
 * carries `reopen_rules` (`{"reopen_if": "occurs_after", "seconds": n}` or `{"reopen_if": "n_additional_occurrences",
 * "additional_occurrences": n}`), an assignment `assigned_collaborator_id`. Errors answer `{"errors": ["..."]}`.
 * Reads for "Test token": `GET /projects/{project_id}/errors/{error_id}` ("View an Error"), or
 * `GET /user/organizations` without an error. Rate limiting (https://developer.smartbear.com/bugsnag/docs/data-access-rate-limiting):
 * 429 with `Retry-After`. Personal auth tokens have no scopes: a 403 means no access to the project.
 */
export const BUGSNAG_API: ProviderApi = {
  kind: 'api',
  docsUrl: BUGSNAG_API_DOCS_URL,
  defaultBaseUrl: 'https://api.bugsnag.com',
  apiHosts: ['api.bugsnag.com'],
  token: {
    label: 'Bugsnag personal auth token',
    scope: null,
    help: 'Bugsnag → Settings → My account → Personal auth tokens → Generate new token (it acts as you, on the projects you can see).',
  },
  unsupported: {
    'resolve-next-release': 'Bugsnag\'s API marks an error fixed now; it has no "resolve in the next release"',
  },
  authHeaders: (token) => ({ authorization: `token ${token}`, 'x-version': '2' }),
  buildAction(action, input): ApiCall | Unbuildable {
    const target = bugsnagTarget(input);
    if ('unbuildable' in target) return target;
    if (action.kind === 'assign-to-me' && !input.assignee) {
      return {
        code: 'no-assignee',
        unbuildable: "set your Bugsnag collaborator id in this source's API settings to assign errors to yourself",
      };
    }
    const body = bugsnagActionBody(action, input.assignee);
    if (!body) return { code: 'unsupported', unbuildable: BUGSNAG_API.unsupported[action.kind] ?? 'Bugsnag has no such action' };
    return {
      method: 'PATCH',
      path: `/projects/${segment(target.projectId)}/errors/${segment(target.errorId)}`,
      body,
      target: `error ${target.errorId}`,
    };
  },
  buildTokenTest(input): ApiCall | Unbuildable {
    const target = bugsnagTarget(input);
    if ('unbuildable' in target) return { method: 'GET', path: '/user/organizations', target: 'your organizations' };
    return {
      method: 'GET',
      path: `/projects/${segment(target.projectId)}/errors/${segment(target.errorId)}`,
      target: `error ${target.errorId}`,
    };
  },
  messageOf: (response) => messageField(response, 'errors', 'error', 'message'),
  unauthorizedWords:
    "Bugsnag refused the token (401): it is wrong or revoked, or it is a project's notifier API key rather than a personal auth token (Settings → My account → Personal auth tokens)",
  forbiddenWords: () =>
    "Bugsnag refused the token (403): the personal auth token's account has no access to this project, or the organization's plan does not allow it",
  testCaveat: null,
};

export const bugsnagProvider: ProviderModule = unsignedProvider({
  id: 'bugsnag',
  name: 'Bugsnag',
  mark: { text: 'Bs', color: '#237a36' },
  docsUrl: BUGSNAG_DOCS_URL,
  // The app's hosts in the docs' payloads (and app.bugsnag.smartbear.com, SmartBear's instance for keys starting 00000).
  webHosts: ['app.bugsnag.com', 'app.bugsnag.smartbear.com'],
  setupSteps: [
    "In Bugsnag, open the project's Settings → Integrations and notifications (Data forwarding) and choose Webhook.",
    'Paste the webhook URL below as the Webhook URL.',
    'Pick the notifications to send: "A new error occurs", "An error is automatically reopened", "An error milestone is reached" and "This project has a spike in errors" suit Crashbell; "A collaborator changes the state of an error" lets the group follow fixes, ignores and snoozes made in Bugsnag; "Every time an error occurs" lets Crashbell count occurrences itself.',
    'Save, then use Bugsnag\'s "Test" button (or "Send test event" here).',
  ],
  parse: parseBugsnag,
  actions: BUGSNAG_API,
  sampleBody,
});
