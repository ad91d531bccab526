/**
 * Sentry's write-back API (the module is sentry.ts): what an action on a Sentry issue sends, and how Sentry's
 * answers read. Shared by the legacy WebHooks plugin's provider (sentry-legacy.ts): both address the same issues.
 */
import type { ProviderAction } from '../../../shared/actions';
import { messageField, segment } from '../actions/api-text';
import { orgFromWebUrl } from './sentry-links';
import type { ApiBuildInput, ApiCall, ProviderApi, Unbuildable } from './types';

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
