/**
 * Sentry webhooks, two kinds on one source (the legacy WebHooks plugin, which signs nothing, is its own
 * provider: `sentry-legacy.ts`):
 *
 * - Integration platform (an internal integration): headers `Sentry-Hook-Resource` (installation, event_alert,
 *   issue, metric_alert, error, comment), `Sentry-Hook-Timestamp`, `Request-ID` and `Sentry-Hook-Signature`.
 *   https://docs.sentry.io/organization/integrations/integration-platform/webhooks/ and the per-resource pages
 *   under it (issues, issue-alerts, metric-alerts, errors, comments, installation).
 * - Project service hooks (legacy, `event.created` / `event.alert`): header `X-ServiceHook-Signature`, plus
 *   `X-ServiceHook-Timestamp` and `X-ServiceHook-GUID` (the hook's id, not a delivery id). Body
 *   `{project, group, event}` as Sentry's `get_payload_v0` builds it.
 *
 * Sentry's facts live in these files, one job each: this one is the module (credentials, set-up, the sample);
 * sentry-signature.ts verifies (both signature readings, the unsigned timestamp), sentry-payloads.ts holds the
 * payload schemas, sentry-parse.ts turns a hook into an event (grouping, lifecycle, redelivery across Sentry's
 * retries), sentry-links.ts reads Sentry's URLs (issue pages, organizations), and sentry-api.ts is the write-back
 * API actions use.
 */
import { randomBytes } from 'node:crypto';
import type { Source } from '../../../shared/settings';
import { sourceToCheck } from '../credentials';
import { SENTRY_API } from './sentry-api';
import { parseSentry } from './sentry-parse';
import { sentrySecret, signSentryHook, verifySentry, verifySentryHeaders } from './sentry-signature';
import type { HookRequest, ParseResult, ProviderModule, SampleRequest } from './types';

/** Sentry's webhook documentation, linked from the source's set-up. */
export const SENTRY_DOCS_URL = 'https://docs.sentry.io/organization/integrations/integration-platform/webhooks/';

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

/** Sentry's integration-platform and service hooks, as the registry (providers/index.ts) lists them. */
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
    return parseSentry(req);
  },
  sample(source: Source, now: number): SampleRequest {
    const body = JSON.stringify(sampleBody(now));
    return { headers: signSentryHook(sentrySecret(sourceToCheck(source)) ?? '', 'issue', body, now), body };
  },
  actions: SENTRY_API,
};
