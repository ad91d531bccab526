/**
 * The action runner's decisions before anything is sent: where the token may go (the API base), which actions a
 * group can be offered and why not, and the refusals that need no network (local only, no token, no ids).
 */
import { describe, expect, it } from 'vitest';
import type { IssueRef } from '../../../../shared/events';
import { type Source, sourceSchema } from '../../../../shared/settings';
import {
  ActionRequestError,
  actionAvailability,
  resolveApiBase,
  resolvesInProvider,
  runProviderAction,
  testApiToken,
} from '../../../../main/core/actions/runner';
import { SENTRY_API } from '../../../../main/core/providers/sentry-api';

function source(provider: string, extra: Record<string, unknown> = {}): Source {
  return sourceSchema.parse({ id: `src-${provider}-bbbbbbbbbbbb`, provider, name: provider, ...extra });
}

const sentryRef: IssueRef = { ids: { issue: '1', org: 'acme' }, apiOrigin: null };

describe('the API base', () => {
  it("is the source's API URL whenever one is set, whatever the hook names", () => {
    const s = source('sentry', { api: { token: 't', url: 'https://sentry.example.com/' } });
    expect(resolveApiBase(s, { ...sentryRef, apiOrigin: 'https://de.sentry.io' }, SENTRY_API, 'Sentry')).toEqual({
      base: 'https://sentry.example.com',
      explicit: true,
    });
  });

  it("follows the hook's API origin on the provider's own hosts (a region), else the default", () => {
    const s = source('sentry', { api: { token: 't' } });
    expect(resolveApiBase(s, { ...sentryRef, apiOrigin: 'https://us.sentry.io' }, SENTRY_API, 'Sentry')).toEqual({
      base: 'https://us.sentry.io',
      explicit: false,
    });
    expect(resolveApiBase(s, sentryRef, SENTRY_API, 'Sentry')).toEqual({ base: 'https://sentry.io', explicit: false });
    expect(resolveApiBase(s, null, SENTRY_API, 'Sentry')).toEqual({ base: 'https://sentry.io', explicit: false });
  });

  it("follows a self-hosted origin only when it is the host of the source's web app URL", () => {
    const ref = { ...sentryRef, apiOrigin: 'https://sentry.example.com' };
    const named = source('sentry', { api: { token: 't' }, webUrl: 'https://sentry.example.com/organizations/acme/' });
    expect(resolveApiBase(named, ref, SENTRY_API, 'Sentry')).toEqual({ base: 'https://sentry.example.com', explicit: false });
    const unnamed = source('sentry', { api: { token: 't' } });
    expect(resolveApiBase(unnamed, ref, SENTRY_API, 'Sentry')).toEqual({
      problem: expect.stringMatching(
        /sentry\.example\.com as Sentry's API, which is not one of Sentry's own hosts.*set this source's API URL to https:\/\/sentry\.example\.com/,
      ),
    });
    // Plain http is never derived, even on the provider's own host.
    expect(resolveApiBase(unnamed, { ...sentryRef, apiOrigin: 'http://sentry.io' }, SENTRY_API, 'Sentry')).toHaveProperty('problem');
  });

  it('sends nothing when the hook names a host the user did not', async () => {
    const s = source('sentry', { api: { token: 't' } });
    const outcome = await runProviderAction(
      s,
      { provider: 'sentry', sourceId: s.id, issueRef: { ...sentryRef, apiOrigin: 'https://attacker.example' } },
      { kind: 'resolve' },
    );
    expect(outcome).toMatchObject({ state: 'unavailable', code: 'api-url', words: expect.stringMatching(/attacker\.example/) });
  });
});

describe('refusals that need no network', () => {
  it('local-only providers say why', async () => {
    for (const provider of ['backtrace', 'errorception', 'raygun', 'generic']) {
      const s = source(provider, { api: { token: 't' } });
      const outcome = await runProviderAction(s, { provider, sourceId: s.id }, { kind: 'resolve' });
      expect(outcome, provider).toMatchObject({ state: 'unavailable', code: 'local-only' });
      if (outcome.state === 'unavailable') expect(outcome.words).toMatch(/here only/);
    }
  });

  it('an action the provider lacks', async () => {
    const s = source('rollbar', { api: { token: 't' } });
    const outcome = await runProviderAction(
      s,
      { provider: 'rollbar', sourceId: s.id, issueRef: { ids: { itemId: '1' }, apiOrigin: null } },
      { kind: 'snooze-occurrences', count: 5 },
    );
    expect(outcome).toMatchObject({ state: 'unavailable', code: 'unsupported', provider: 'Rollbar' });
  });

  it('no token: which token, which scope, where to make it', async () => {
    const s = source('sentry');
    const outcome = await runProviderAction(s, { provider: 'sentry', sourceId: s.id, issueRef: sentryRef }, { kind: 'resolve' });
    expect(outcome).toMatchObject({
      state: 'unavailable',
      code: 'no-token',
      words: expect.stringMatching(/^set a Sentry auth token with the event:write scope in this source's API settings to act in Sentry: /),
    });
  });

  it('no ids from the hooks', async () => {
    const s = source('bugsnag', { api: { token: 't' } });
    const outcome = await runProviderAction(s, { provider: 'bugsnag', sourceId: s.id, issueRef: null }, { kind: 'resolve' });
    expect(outcome).toMatchObject({
      state: 'unavailable',
      code: 'no-issue-ref',
      words: expect.stringMatching(/project\.id and error\.errorId/),
    });
  });

  it('a group of another source is a caller error, said how to fix', async () => {
    const s = source('sentry', { api: { token: 't' } });
    await expect(runProviderAction(s, { provider: 'sentry', sourceId: 'other', issueRef: sentryRef }, { kind: 'resolve' })).rejects.toThrow(
      ActionRequestError,
    );
  });

  it('Test token without a token, or for a local-only provider', async () => {
    expect(await testApiToken(source('sentry'), sentryRef)).toMatchObject({ ok: false, code: 'no-token' });
    expect(await testApiToken(source('raygun', { api: { token: 't' } }), null)).toMatchObject({ ok: false, code: 'local-only' });
  });
});

describe('what the window can offer', () => {
  it('each action with why not, per provider', () => {
    const rollbar = source('rollbar', { api: { token: 't', assignee: '5' } });
    const offered = actionAvailability(rollbar, {
      provider: 'rollbar',
      sourceId: rollbar.id,
      issueRef: { ids: { itemId: '1' }, apiOrigin: null },
    });
    expect(Object.fromEntries(offered.map((a) => [a.kind, a.available]))).toEqual({
      resolve: true,
      'resolve-next-release': false,
      unresolve: true,
      snooze: true,
      'snooze-occurrences': false,
      ignore: true,
      'assign-to-me': true,
    });
    expect(offered.find((a) => a.kind === 'snooze-occurrences')!.reason).toMatch(/until N more occurrences/);
    const noToken = source('sentry');
    expect(
      actionAvailability(noToken, { provider: 'sentry', sourceId: noToken.id, issueRef: sentryRef }).every(
        (a) => !a.available && /auth token/.test(a.reason ?? ''),
      ),
    ).toBe(true);
  });

  it("the list's R resolves in the provider once a token is set, unless turned off", () => {
    expect(resolvesInProvider(source('sentry'))).toBe(false);
    expect(resolvesInProvider(source('sentry', { api: { token: 't' } }))).toBe(true);
    expect(resolvesInProvider(source('sentry', { api: { token: 't', resolveInProvider: false } }))).toBe(false);
    expect(resolvesInProvider(source('backtrace', { api: { token: 't' } }))).toBe(false);
  });
});
