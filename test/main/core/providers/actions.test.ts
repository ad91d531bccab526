/**
 * Each provider module's part in actions: the issue ref its `parse` fills from documented and real hooks, the
 * requests its builder makes (and refuses to make, with words), and the providers that are local only.
 */
import { describe, expect, it } from 'vitest';
import type { ProviderAction } from '../../../../shared/actions';
import type { IssueRef } from '../../../../shared/events';
import { BUGSNAG_API, bugsnagProvider } from '../../../../main/core/providers/bugsnag';
import { HONEYBADGER_API, honeybadgerProvider } from '../../../../main/core/providers/honeybadger';
import { PROVIDERS } from '../../../../main/core/providers/index';
import { ROLLBAR_API, rollbarProvider } from '../../../../main/core/providers/rollbar';
import { sentryProvider } from '../../../../main/core/providers/sentry';
import { SENTRY_API } from '../../../../main/core/providers/sentry-api';
import { orgFromWebUrl, sentryIssueRef } from '../../../../main/core/providers/sentry-links';
import { sentryLegacyProvider } from '../../../../main/core/providers/sentry-legacy';
import type { ApiBuildInput, ProviderModule } from '../../../../main/core/providers/types';
import { expectEvent, fixtureText, makeSource, rawHook } from '../../../helpers/saas-fixtures';

function refOf(provider: ProviderModule, folder: string, name: string, headers: Record<string, string> = {}): IssueRef | null | undefined {
  const source = makeSource(provider.id);
  return expectEvent(provider.parse(rawHook(source, fixtureText(folder, name), headers))).issueRef;
}

const sentryHeaders = (resource: string) => ({ 'sentry-hook-resource': resource });

function input(ref: IssueRef | null, extra: { webUrl?: string; assignee?: string } = {}): ApiBuildInput {
  return { ref, source: makeSource('sentry', extra.webUrl ? { webUrl: extra.webUrl } : {}), assignee: extra.assignee ?? '' };
}

describe('the issue refs hooks carry', () => {
  it('Sentry: the issue id, and the organization and API origin of its API URLs', () => {
    expect(refOf(sentryProvider, 'sentry', 'error-created.json', sentryHeaders('error'))).toEqual({
      ids: { issue: '1170820242', org: 'test-org' },
      apiOrigin: 'https://sentry.io',
    });
    expect(refOf(sentryProvider, 'sentry', 'event-alert-triggered.json', sentryHeaders('event_alert'))).toEqual({
      ids: { issue: '1117540176', org: 'test-org' },
      apiOrigin: 'https://sentry.io',
    });
    // The documented issue payload and real state changes carry no URL: only the issue id.
    expect(refOf(sentryProvider, 'sentry', 'issue-created.json', sentryHeaders('issue'))).toEqual({
      ids: { issue: '1170820242' },
      apiOrigin: null,
    });
    expect(refOf(sentryProvider, 'sentry', 'zulip-2020-issue-resolved.json', sentryHeaders('issue'))?.ids['issue']).toMatch(/^\d+$/);
    // A service hook names the organization in its web URL only.
    expect(refOf(sentryProvider, 'sentry', 'service-hook-event-created.json')).toEqual({
      ids: { issue: '1170820242', org: 'test-org' },
      apiOrigin: null,
    });
    // A metric alert is no issue.
    expect(refOf(sentryProvider, 'sentry', 'metric-alert-resolved.json', sentryHeaders('metric_alert'))).toBeUndefined();
  });

  it('Sentry: regions and self-hosted servers come from API URLs only, over https', () => {
    expect(sentryIssueRef('1', ['https://us.sentry.io/api/0/organizations/acme/issues/1/'], [])).toEqual({
      ids: { issue: '1', org: 'acme' },
      apiOrigin: 'https://us.sentry.io',
    });
    expect(
      sentryIssueRef('1', ['https://sentry.example.com/api/0/issues/1/'], ['https://sentry.example.com/organizations/acme/issues/1/']),
    ).toEqual({
      ids: { issue: '1', org: 'acme' },
      apiOrigin: 'https://sentry.example.com',
    });
    // A web page is not the API; plain http is not taken as an API origin.
    expect(
      sentryIssueRef(
        '1',
        ['https://acme.sentry.io/issues/1/', 'http://sentry.example.com/api/0/issues/1/'],
        ['https://acme.sentry.io/issues/1/'],
      ),
    ).toEqual({
      ids: { issue: '1', org: 'acme' },
      apiOrigin: null,
    });
    expect(orgFromWebUrl('https://us.sentry.io/issues/1/')).toBeNull();
    expect(orgFromWebUrl('not a url')).toBeNull();
  });

  it('Sentry legacy plugin: the issue and the organization of its page, never an API host (it signs nothing)', () => {
    expect(refOf(sentryLegacyProvider, 'sentry-legacy', 'zulip-2023-webhooks-plugin-trimmed.json')).toEqual({
      ids: { issue: '4218258981', org: 'nitk-46' },
      apiOrigin: null,
    });
    expect(sentryLegacyProvider.actions).toBe(SENTRY_API);
  });

  it('Bugsnag: project.id and error.errorId; project-wide triggers carry none', () => {
    expect(refOf(bugsnagProvider, 'bugsnag', 'first-exception.json')).toEqual({
      ids: { projectId: '56b9ca7f17025f8756f69054', errorId: '56b9ca7f17025f8756f69054' },
      apiOrigin: null,
    });
    expect(refOf(bugsnagProvider, 'bugsnag', 'project-spiking.json')).toBeUndefined();
  });

  it('Rollbar: the item id, not the counter in its URLs', () => {
    expect(refOf(rollbarProvider, 'rollbar', 'new-item.json')).toEqual({ ids: { itemId: '272716944' }, apiOrigin: null });
  });

  it("Honeybadger: the fault and its project, and the EU app when the hook's links are there", () => {
    expect(refOf(honeybadgerProvider, 'honeybadger', 'occurred.json')).toEqual({
      ids: { projectId: '1717', faultId: '3151009' },
      apiOrigin: null,
    });
    expect(refOf(honeybadgerProvider, 'honeybadger', 'zulip-2020-resolved.json')).toEqual({
      ids: { projectId: '69422', faultId: '61726306' },
      apiOrigin: null,
    });
    const eu = JSON.parse(fixtureText('honeybadger', 'zulip-2020-resolved.json')) as { fault: { url: string } };
    eu.fault.url = 'https://eu-app.honeybadger.io/projects/69422/faults/61726306';
    const event = expectEvent(honeybadgerProvider.parse(rawHook(makeSource('honeybadger'), JSON.stringify(eu))));
    expect(event.issueRef).toEqual({ ids: { projectId: '69422', faultId: '61726306' }, apiOrigin: 'https://eu-app.honeybadger.io' });
    // Uptime events are not faults.
    expect(refOf(honeybadgerProvider, 'honeybadger', 'zulip-2020-down.json')).toBeUndefined();
  });
});

describe('request builders', () => {
  const ref: IssueRef = { ids: { issue: '42', org: 'acme' }, apiOrigin: null };

  it('Sentry: takes the organization from the web app URL when the hooks named none, and says so when neither does', () => {
    const noOrg: IssueRef = { ids: { issue: '42' }, apiOrigin: null };
    expect(SENTRY_API.buildAction({ kind: 'resolve' }, input(noOrg, { webUrl: 'https://acme.sentry.io/' }))).toMatchObject({
      method: 'PUT',
      path: '/api/0/organizations/acme/issues/42/',
    });
    expect(SENTRY_API.buildAction({ kind: 'resolve' }, input(noOrg))).toMatchObject({
      code: 'no-issue-ref',
      unbuildable: expect.stringMatching(/web app URL/),
    });
    expect(SENTRY_API.buildAction({ kind: 'resolve' }, input(null))).toMatchObject({ code: 'no-issue-ref' });
  });

  it('encodes ids as one path segment each', () => {
    const odd: IssueRef = { ids: { issue: '../1?x=2', org: 'a/b' }, apiOrigin: null };
    expect(SENTRY_API.buildAction({ kind: 'resolve' }, input(odd))).toMatchObject({
      path: '/api/0/organizations/a%2Fb/issues/..%2F1%3Fx%3D2/',
    });
  });

  it('"Assign to me" needs to know who "me" is, in the form each API takes', () => {
    const assign: ProviderAction = { kind: 'assign-to-me' };
    expect(SENTRY_API.buildAction(assign, input(ref))).toMatchObject({ code: 'no-assignee' });
    expect(SENTRY_API.buildAction(assign, input(ref, { assignee: 'ana' }))).toMatchObject({ body: { assignedTo: 'ana' } });
    const item: IssueRef = { ids: { itemId: '7' }, apiOrigin: null };
    expect(ROLLBAR_API.buildAction(assign, input(item, { assignee: 'ana' }))).toMatchObject({
      code: 'no-assignee',
      unbuildable: expect.stringMatching(/numeric Rollbar user id/),
    });
    const fault: IssueRef = { ids: { projectId: '1', faultId: '2' }, apiOrigin: null };
    expect(HONEYBADGER_API.buildAction(assign, input(fault, { assignee: '12' }))).toMatchObject({ body: { fault: { assignee_id: 12 } } });
    const error: IssueRef = { ids: { projectId: 'p', errorId: 'e' }, apiOrigin: null };
    expect(BUGSNAG_API.buildAction(assign, input(error))).toMatchObject({ code: 'no-assignee' });
  });

  it('declares what each API lacks, in words', () => {
    expect(BUGSNAG_API.unsupported['resolve-next-release']).toMatch(/no "resolve in the next release"/);
    expect(ROLLBAR_API.unsupported['resolve-next-release']).toMatch(/version you name/);
    expect(ROLLBAR_API.unsupported['snooze-occurrences']).toMatch(/until N more occurrences/);
    expect(HONEYBADGER_API.unsupported.snooze).toMatch(/no snooze/);
    expect(Object.keys(SENTRY_API.unsupported)).toEqual([]);
  });

  it('Test token reads the issue when known, else what every token can read', () => {
    expect(SENTRY_API.buildTokenTest(input(ref))).toMatchObject({ method: 'GET', path: '/api/0/organizations/acme/issues/42/' });
    expect(SENTRY_API.buildTokenTest(input(null))).toMatchObject({ method: 'GET', path: '/api/0/organizations/' });
    expect(BUGSNAG_API.buildTokenTest(input(null))).toMatchObject({ method: 'GET', path: '/user/organizations' });
    expect(ROLLBAR_API.buildTokenTest(input(null))).toMatchObject({ method: 'GET', path: '/api/1/items/' });
    expect(HONEYBADGER_API.buildTokenTest(input(null))).toMatchObject({ method: 'GET', path: '/v2/projects' });
  });

  it('puts the token only in the documented auth headers', () => {
    expect(SENTRY_API.authHeaders('t')).toEqual({ authorization: 'Bearer t' });
    expect(BUGSNAG_API.authHeaders('t')).toEqual({ authorization: 'token t', 'x-version': '2' });
    expect(ROLLBAR_API.authHeaders('t')).toEqual({ 'x-rollbar-access-token': 't' });
    expect(HONEYBADGER_API.authHeaders('t')).toEqual({ authorization: `Basic ${Buffer.from('t:').toString('base64')}` });
  });
});

describe('every provider declares its actions', () => {
  it('an API with an https base and documentation, or local only with the reason', () => {
    for (const provider of PROVIDERS) {
      const actions = provider.actions;
      if (actions.kind === 'api') {
        expect(actions.defaultBaseUrl, provider.id).toMatch(/^https:\/\//);
        expect(actions.docsUrl, provider.id).toMatch(/^https:\/\//);
        expect(actions.apiHosts.length, provider.id).toBeGreaterThan(0);
      } else {
        expect(actions.reason.length, provider.id).toBeGreaterThan(40);
      }
    }
    const local = PROVIDERS.filter((p) => p.actions.kind === 'local').map((p) => p.id);
    expect(local.sort()).toEqual(['backtrace', 'errorception', 'generic', 'raygun']);
  });
});
