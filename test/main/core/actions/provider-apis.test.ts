/**
 * Each provider's actions against a local fake of its API on 127.0.0.1 (test/helpers/provider-api-fakes.ts, which
 * follows the provider's API documentation): the exact requests for every supported action, then success, 401,
 * 403 (the scope named), 404, 429 with Retry-After, a timeout, a huge or non-JSON answer, and a redirect to
 * another host refused. Short timeouts and backoffs; no timed assertion.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionProgress, ProviderAction } from '../../../../shared/actions';
import type { IssueRef } from '../../../../shared/events';
import { type Source, sourceSchema } from '../../../../shared/settings';
import type { HttpClientOptions } from '../../../../main/core/actions/http-client';
import { runProviderAction, testApiToken } from '../../../../main/core/actions/runner';
import {
  bugsnagApiFake,
  honeybadgerApiFake,
  type ProviderApiFake,
  rollbarApiFake,
  sentryApiFake,
} from '../../../helpers/provider-api-fakes';

const FAST: Partial<HttpClientOptions> = {
  timeoutMs: 3_000,
  maxAttempts: 2,
  backoffBaseMs: 1,
  backoffMaxMs: 5,
  maxRetryWaitMs: 2_000,
  maxBodyBytes: 64 * 1024,
};

const fakes: ProviderApiFake[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

async function started(fake: ProviderApiFake): Promise<ProviderApiFake> {
  fakes.push(fake);
  return fake.start();
}

function sourceOf(provider: string, url: string, token: string, assignee = ''): Source {
  return sourceSchema.parse({ id: `src-${provider}-aaaaaaaaaaaa`, provider, name: provider, api: { token, url, assignee } });
}

/** What one provider's table row needs. */
interface Case {
  provider: string;
  name: string;
  fake(): ProviderApiFake;
  token: string;
  /** A valid token that lacks what actions need, and the words naming it. */
  weakToken: string | null;
  weakWords: RegExp;
  assignee: string;
  ref: IssueRef;
  goneRef: IssueRef;
  /** The supported actions and the exact request each must make. */
  expected: Array<[ProviderAction, { method: string; path: string; body: unknown }, string]>;
  authHeaders: Record<string, string>;
}

const CASES: Case[] = [
  {
    provider: 'sentry',
    name: 'Sentry',
    fake: () => sentryApiFake({ 'sntrys-good': ['event:write', 'org:read'], 'sntrys-read': ['event:read'] }, ['acme/1170820242']),
    token: 'sntrys-good',
    weakToken: 'sntrys-read',
    weakWords: /lacks the event:write scope/,
    assignee: 'ana@example.com',
    ref: { ids: { issue: '1170820242', org: 'acme' }, apiOrigin: null },
    goneRef: { ids: { issue: '999', org: 'acme' }, apiOrigin: null },
    authHeaders: { authorization: 'Bearer sntrys-good' },
    expected: [
      [
        { kind: 'resolve' },
        { method: 'PUT', path: '/api/0/organizations/acme/issues/1170820242/', body: { status: 'resolved' } },
        'Resolved in Sentry',
      ],
      [
        { kind: 'resolve-next-release' },
        { method: 'PUT', path: '/api/0/organizations/acme/issues/1170820242/', body: { status: 'resolvedInNextRelease' } },
        'Marked resolved in the next release in Sentry',
      ],
      [
        { kind: 'unresolve' },
        { method: 'PUT', path: '/api/0/organizations/acme/issues/1170820242/', body: { status: 'unresolved' } },
        'Reopened in Sentry',
      ],
      [
        { kind: 'snooze', minutes: 60 },
        {
          method: 'PUT',
          path: '/api/0/organizations/acme/issues/1170820242/',
          body: { status: 'ignored', substatus: 'archived_until_condition_met', statusDetails: { ignoreDuration: 60 } },
        },
        'Snoozed for 1 hour in Sentry',
      ],
      [
        { kind: 'snooze-occurrences', count: 100 },
        {
          method: 'PUT',
          path: '/api/0/organizations/acme/issues/1170820242/',
          body: { status: 'ignored', substatus: 'archived_until_condition_met', statusDetails: { ignoreCount: 100 } },
        },
        'Snoozed until 100 more occurrences in Sentry',
      ],
      [
        { kind: 'ignore' },
        { method: 'PUT', path: '/api/0/organizations/acme/issues/1170820242/', body: { status: 'ignored', substatus: 'archived_forever' } },
        'Ignored in Sentry',
      ],
      [
        { kind: 'assign-to-me' },
        { method: 'PUT', path: '/api/0/organizations/acme/issues/1170820242/', body: { assignedTo: 'ana@example.com' } },
        'Assigned to you in Sentry',
      ],
    ],
  },
  {
    provider: 'bugsnag',
    name: 'Bugsnag',
    fake: () => bugsnagApiFake({ 'pat-good': ['p1'], 'pat-other': ['p2'] }, ['p1/e1']),
    token: 'pat-good',
    weakToken: 'pat-other',
    weakWords: /no access to this project/,
    assignee: '5642494942656e7eac000004',
    ref: { ids: { projectId: 'p1', errorId: 'e1' }, apiOrigin: null },
    goneRef: { ids: { projectId: 'p1', errorId: 'gone' }, apiOrigin: null },
    authHeaders: { authorization: 'token pat-good', 'x-version': '2' },
    expected: [
      [{ kind: 'resolve' }, { method: 'PATCH', path: '/projects/p1/errors/e1', body: { operation: 'fix' } }, 'Resolved in Bugsnag'],
      [{ kind: 'unresolve' }, { method: 'PATCH', path: '/projects/p1/errors/e1', body: { operation: 'open' } }, 'Reopened in Bugsnag'],
      [
        { kind: 'snooze', minutes: 480 },
        {
          method: 'PATCH',
          path: '/projects/p1/errors/e1',
          body: { operation: 'snooze', reopen_rules: { reopen_if: 'occurs_after', seconds: 28_800 } },
        },
        'Snoozed for 8 hours in Bugsnag',
      ],
      [
        { kind: 'snooze-occurrences', count: 10 },
        {
          method: 'PATCH',
          path: '/projects/p1/errors/e1',
          body: { operation: 'snooze', reopen_rules: { reopen_if: 'n_additional_occurrences', additional_occurrences: 10 } },
        },
        'Snoozed until 10 more occurrences in Bugsnag',
      ],
      [{ kind: 'ignore' }, { method: 'PATCH', path: '/projects/p1/errors/e1', body: { operation: 'ignore' } }, 'Ignored in Bugsnag'],
      [
        { kind: 'assign-to-me' },
        {
          method: 'PATCH',
          path: '/projects/p1/errors/e1',
          body: { operation: 'assign', assigned_collaborator_id: '5642494942656e7eac000004' },
        },
        'Assigned to you in Bugsnag',
      ],
    ],
  },
  {
    provider: 'rollbar',
    name: 'Rollbar',
    fake: () => rollbarApiFake({ 'tok-write': ['read', 'write'], 'tok-read': ['read'] }, ['272505123']),
    token: 'tok-write',
    weakToken: 'tok-read',
    weakWords: /lacks the write scope/,
    assignee: '321',
    ref: { ids: { itemId: '272505123' }, apiOrigin: null },
    goneRef: { ids: { itemId: '1' }, apiOrigin: null },
    authHeaders: { 'x-rollbar-access-token': 'tok-write' },
    expected: [
      [{ kind: 'resolve' }, { method: 'PATCH', path: '/api/1/item/272505123', body: { status: 'resolved' } }, 'Resolved in Rollbar'],
      [{ kind: 'unresolve' }, { method: 'PATCH', path: '/api/1/item/272505123', body: { status: 'active' } }, 'Reopened in Rollbar'],
      [
        { kind: 'snooze', minutes: 1440 },
        { method: 'PATCH', path: '/api/1/item/272505123', body: { snooze_enabled: true, snooze_expiration_in_seconds: 86_400 } },
        'Snoozed for 1 day in Rollbar',
      ],
      [{ kind: 'ignore' }, { method: 'PATCH', path: '/api/1/item/272505123', body: { status: 'muted' } }, 'Muted in Rollbar'],
      [
        { kind: 'assign-to-me' },
        { method: 'PATCH', path: '/api/1/item/272505123', body: { assigned_user_id: 321 } },
        'Assigned to you in Rollbar',
      ],
    ],
  },
  {
    provider: 'honeybadger',
    name: 'Honeybadger',
    fake: () => honeybadgerApiFake({ 'hb-good': ['1717'] }, ['1717/3151009']),
    token: 'hb-good',
    weakToken: null,
    weakWords: /no access to this fault's project/,
    assignee: '42',
    ref: { ids: { projectId: '1717', faultId: '3151009' }, apiOrigin: null },
    goneRef: { ids: { projectId: '1717', faultId: '1' }, apiOrigin: null },
    authHeaders: { authorization: `Basic ${Buffer.from('hb-good:').toString('base64')}` },
    expected: [
      [
        { kind: 'resolve' },
        { method: 'PUT', path: '/v2/projects/1717/faults/3151009', body: { fault: { resolved: true } } },
        'Resolved in Honeybadger',
      ],
      [
        { kind: 'resolve-next-release' },
        { method: 'PUT', path: '/v2/projects/1717/faults/3151009', body: { fault: { resolve_on_deploy: true } } },
        'Set to resolve on the next deploy in Honeybadger',
      ],
      [
        { kind: 'unresolve' },
        { method: 'PUT', path: '/v2/projects/1717/faults/3151009', body: { fault: { resolved: false, ignored: false } } },
        'Reopened in Honeybadger',
      ],
      [
        { kind: 'ignore' },
        { method: 'PUT', path: '/v2/projects/1717/faults/3151009', body: { fault: { ignored: true } } },
        'Ignored in Honeybadger',
      ],
      [
        { kind: 'assign-to-me' },
        { method: 'PUT', path: '/v2/projects/1717/faults/3151009', body: { fault: { assignee_id: 42 } } },
        'Assigned to you in Honeybadger',
      ],
    ],
  },
];

describe.each(CASES)('$name actions against a local fake of its API', (c) => {
  const group = (source: Source, ref: IssueRef) => ({ provider: c.provider, sourceId: source.id, issueRef: ref });

  it('sends each supported action as the documentation describes it, with the token only in the auth header', async () => {
    const fake = await started(c.fake());
    const source = sourceOf(c.provider, fake.url, c.token, c.assignee);
    for (const [action, request, words] of c.expected) {
      const progress: ActionProgress[] = [];
      const outcome = await runProviderAction(source, group(source, c.ref), action, { http: FAST, onProgress: (p) => progress.push(p) });
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ state: 'done', action: action.kind, provider: c.name, words });
      const sent = fake.requests.at(-1)!;
      expect({ method: sent.method, path: sent.path, body: sent.body }).toEqual(request);
      expect(sent.headers).toMatchObject({ ...c.authHeaders, 'content-type': 'application/json', accept: 'application/json' });
      expect(sent.path).not.toContain(c.token);
      expect(progress[0]).toMatchObject({ state: 'pending', retryAt: null });
      expect(progress[0]!.words).toMatch(new RegExp(`in ${c.name}…$`));
    }
    expect(fake.requests).toHaveLength(c.expected.length);
  });

  it('says the token is wrong on a 401', async () => {
    const fake = await started(c.fake());
    const source = sourceOf(c.provider, fake.url, 'not-a-token');
    // Rollbar's reference answers 403 for an invalid token; its own client also reads a 401 as one.
    if (c.provider === 'rollbar') fake.answerNext({ status: 401, body: { err: 1, message: 'Unauthorized' } });
    const outcome = await runProviderAction(source, group(source, c.ref), { kind: 'resolve' }, { http: FAST });
    expect(outcome).toMatchObject({ state: 'failed', code: 'unauthorized', status: 401 });
    if (outcome.state === 'failed') expect(outcome.words).toMatch(new RegExp(`^${c.name} refused the token \\(401\\): it is wrong`));
  });

  it('names what the token lacks on a 403', async () => {
    const fake = await started(c.fake());
    const source = sourceOf(c.provider, fake.url, c.weakToken ?? c.token);
    if (!c.weakToken) fake.answerNext({ status: 403, body: { errors: 'Forbidden' } });
    const outcome = await runProviderAction(source, group(source, c.ref), { kind: 'resolve' }, { http: FAST });
    expect(outcome).toMatchObject({ state: 'failed', code: 'forbidden', status: 403 });
    if (outcome.state === 'failed') expect(outcome.words).toMatch(c.weakWords);
  });

  it('says the issue is gone on a 404, with the provider’s own words', async () => {
    const fake = await started(c.fake());
    const source = sourceOf(c.provider, fake.url, c.token);
    const outcome = await runProviderAction(source, group(source, c.goneRef), { kind: 'resolve' }, { http: FAST });
    expect(outcome).toMatchObject({ state: 'failed', code: 'not-found', status: 404 });
    if (outcome.state === 'failed') expect(outcome.words).toMatch(/\(404\): the issue is gone .* said: "/);
  });

  it('waits for a 429’s Retry-After, says when it retries, then succeeds', async () => {
    const fake = await started(c.fake());
    fake.answerNext({ status: 429, headers: { 'retry-after': '0' } });
    const source = sourceOf(c.provider, fake.url, c.token);
    const progress: ActionProgress[] = [];
    const outcome = await runProviderAction(
      source,
      group(source, c.ref),
      { kind: 'resolve' },
      { http: FAST, onProgress: (p) => progress.push(p) },
    );
    expect(outcome).toMatchObject({ state: 'done' });
    expect(fake.requests).toHaveLength(2);
    expect(progress[1]).toMatchObject({ state: 'pending' });
    expect(progress[1]!.words).toMatch(new RegExp(`^${c.name} is limiting requests: retrying at \\d\\d:\\d\\d:\\d\\d$`));
    expect(progress[1]!.retryAt).not.toBeNull();
  });

  it('reports a long Retry-After as when to try again, without waiting for it', async () => {
    const fake = await started(c.fake());
    fake.answerNext({ status: 429, headers: { 'retry-after': '3600' } });
    const source = sourceOf(c.provider, fake.url, c.token);
    const before = Date.now();
    const outcome = await runProviderAction(source, group(source, c.ref), { kind: 'ignore' }, { http: FAST });
    expect(outcome).toMatchObject({ state: 'failed', code: 'rate-limited', status: 429 });
    expect(fake.requests).toHaveLength(1);
    if (outcome.state === 'failed') {
      expect(Date.parse(outcome.retryAt!)).toBeGreaterThanOrEqual(before + 3_599_000);
      expect(outcome.words).toMatch(
        new RegExp(`^${c.name} is limiting how often it is asked \\(429\\): try again after \\d\\d:\\d\\d:\\d\\d`),
      );
    }
  });

  it('gives up on an answer that never comes, in time', async () => {
    const fake = await started(c.fake());
    fake.answerNext({ hang: true });
    const source = sourceOf(c.provider, fake.url, c.token);
    const outcome = await runProviderAction(
      source,
      group(source, c.ref),
      { kind: 'resolve' },
      { http: { ...FAST, timeoutMs: 200, maxAttempts: 1 } },
    );
    expect(outcome).toMatchObject({ state: 'failed', code: 'timeout', status: null });
    if (outcome.state === 'failed') expect(outcome.words).toMatch(/gave no answer within 0\.2 s/);
  });

  it('reads only the start of a huge answer, and assumes nothing done', async () => {
    const fake = await started(c.fake());
    fake.answerNext({ huge: 1024 * 1024 });
    const source = sourceOf(c.provider, fake.url, c.token);
    const outcome = await runProviderAction(source, group(source, c.ref), { kind: 'resolve' }, { http: FAST });
    expect(outcome).toMatchObject({ state: 'failed', code: 'bad-answer', status: 200 });
    if (outcome.state === 'failed') expect(outcome.words).toMatch(/more than Crashbell reads.*nothing is assumed done/);
  });

  it('does not take a web page for the API’s answer', async () => {
    const fake = await started(c.fake());
    fake.answerNext({
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      raw: '<html><body>Sign in\u0007</body></html>',
    });
    const source = sourceOf(c.provider, fake.url, c.token);
    const outcome = await runProviderAction(source, group(source, c.ref), { kind: 'resolve' }, { http: FAST });
    expect(outcome).toMatchObject({ state: 'failed', code: 'bad-answer' });
    if (outcome.state === 'failed') {
      expect(outcome.words).toContain('the answer was not JSON but text/html: "<html><body>Sign in </body></html>"');
      expect(outcome.words).not.toContain('\u0007');
    }
  });

  it('retries a 5xx a bounded number of times, then says so with what came back', async () => {
    const fake = await started(c.fake());
    fake.answerNext({ status: 502, raw: 'Bad Gateway' }, { status: 503, raw: 'Service Unavailable' });
    const source = sourceOf(c.provider, fake.url, c.token);
    const outcome = await runProviderAction(source, group(source, c.ref), { kind: 'resolve' }, { http: FAST });
    expect(outcome).toMatchObject({ state: 'failed', code: 'server', status: 503 });
    expect(fake.requests).toHaveLength(2);
    if (outcome.state === 'failed')
      expect(outcome.words).toMatch(/failed to answer \(503\) after 2 attempts.*not JSON.*"Service Unavailable"/);
  });

  it('refuses a redirect to another host: the token does not follow it', async () => {
    const fake = await started(c.fake());
    fake.answerNext({ status: 307, headers: { location: 'https://collector.example.net/steal' } });
    const source = sourceOf(c.provider, fake.url, c.token);
    const outcome = await runProviderAction(source, group(source, c.ref), { kind: 'resolve' }, { http: FAST });
    expect(outcome).toMatchObject({ state: 'failed', code: 'redirect' });
    expect(fake.requests).toHaveLength(1);
    if (outcome.state === 'failed') expect(outcome.words).toMatch(/redirected to another host \(collector\.example\.net\)/);
  });

  it('Test token reads the issue, and says what a wrong token is', async () => {
    const fake = await started(c.fake());
    const good = await testApiToken(sourceOf(c.provider, fake.url, c.token), c.ref, { http: FAST });
    expect(good).toMatchObject({ ok: true, provider: c.name, code: null });
    expect(good.words).toMatch(new RegExp(`^The token works: it can read .* in ${c.name}\\.`));
    expect(fake.requests.at(-1)!.method).toBe('GET');
    const bad = await testApiToken(sourceOf(c.provider, fake.url, 'wrong-token'), c.ref, { http: FAST });
    expect(bad.ok).toBe(false);
    expect(bad.code === 'unauthorized' || bad.code === 'forbidden').toBe(true);
    expect(bad.words).not.toContain('wrong-token');
  });

  it('Test token without any hook yet reads something every token can', async () => {
    const fake = await started(c.fake());
    const result = await testApiToken(sourceOf(c.provider, fake.url, c.token), null, { http: FAST });
    expect(result).toMatchObject({ ok: true });
    expect(fake.requests.at(-1)!.method).toBe('GET');
    expect(fake.requests.at(-1)!.path).toMatch(/^\/(api\/0\/organizations\/|user\/organizations|api\/1\/items\/|v2\/projects)$/);
  });
});

describe('provider-specific answers', () => {
  it('Rollbar: a 200 whose body says err: 1 is a refusal', async () => {
    const fake = await started(rollbarApiFake({ t: ['read', 'write'] }, ['7']));
    fake.answerNext({ status: 200, body: { err: 1, message: 'Item is locked.' } });
    const source = sourceOf('rollbar', fake.url, 't');
    const outcome = await runProviderAction(
      source,
      { provider: 'rollbar', sourceId: source.id, issueRef: { ids: { itemId: '7' }, apiOrigin: null } },
      { kind: 'resolve' },
      { http: FAST },
    );
    expect(outcome).toMatchObject({ state: 'failed', code: 'bad-answer', words: 'Rollbar answered 200 but refused: "Item is locked."' });
  });

  it('Honeybadger: its hourly limit answers 403 with X-RateLimit-Remaining 0, read as a rate limit until X-RateLimit-Reset', async () => {
    const fake = await started(honeybadgerApiFake({ t: ['1'] }, ['1/2'], 1));
    const source = sourceOf('honeybadger', fake.url, 't');
    const group = { provider: 'honeybadger', sourceId: source.id, issueRef: { ids: { projectId: '1', faultId: '2' }, apiOrigin: null } };
    expect(await runProviderAction(source, group, { kind: 'resolve' }, { http: FAST })).toMatchObject({ state: 'done' });
    const limited = await runProviderAction(source, group, { kind: 'ignore' }, { http: FAST });
    expect(limited).toMatchObject({ state: 'failed', code: 'rate-limited', status: 403 });
    // The reset is an hour away: more than a person waits, so it is reported, not waited for.
    expect(fake.requests).toHaveLength(2);
    if (limited.state === 'failed') expect(Date.parse(limited.retryAt!)).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it('Sentry: a 429 without Retry-After waits for X-Sentry-Rate-Limit-Reset when it is near', async () => {
    const fake = await started(sentryApiFake({ t: ['event:write'] }, ['acme/1']));
    fake.answerNext({ status: 429, headers: { 'x-sentry-rate-limit-reset': String(Math.floor(Date.now() / 1000)) } });
    const source = sourceOf('sentry', fake.url, 't');
    const outcome = await runProviderAction(
      source,
      { provider: 'sentry', sourceId: source.id, issueRef: { ids: { issue: '1', org: 'acme' }, apiOrigin: null } },
      { kind: 'resolve' },
      { http: FAST },
    );
    expect(outcome).toMatchObject({ state: 'done' });
    expect(fake.requests).toHaveLength(2);
  });

  it('never repeats the token in words, even when an answer echoes it', async () => {
    const fake = await started(sentryApiFake({ 'sntrys-secret-value': ['event:read'] }, ['acme/1']));
    fake.answerNext({ status: 400, body: { detail: 'bad header: Bearer sntrys-secret-value' } });
    const source = sourceOf('sentry', fake.url, 'sntrys-secret-value');
    const outcome = await runProviderAction(
      source,
      { provider: 'sentry', sourceId: source.id, issueRef: { ids: { issue: '1', org: 'acme' }, apiOrigin: null } },
      { kind: 'resolve' },
      { http: FAST },
    );
    expect(outcome).toMatchObject({ state: 'failed', code: 'rejected', status: 400 });
    expect(JSON.stringify(outcome)).not.toContain('sntrys-secret-value');
    if (outcome.state === 'failed') expect(outcome.words).toContain('Bearer •••');
  });
});
