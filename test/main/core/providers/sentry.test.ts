import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueUrlFromEventUrl, sentryLifecycle, sentryProvider, signSentryHook } from '../../../../main/core/providers/sentry';
import { expectAcknowledged, expectEvent, fixture, fixtureText, makeSource, rawHook } from '../../../helpers/saas-fixtures';

const SECRET = 'b7a1c0ffee2d4e5f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f';
const source = makeSource('sentry', { credentials: { clientSecret: SECRET } });
const NOW = Date.UTC(2026, 10, 24, 2, 0, 0);

/** The signature as Sentry's documentation computes it: hex HMAC-SHA256 with the client secret. */
const reference = (body: string, secret = SECRET): string => createHmac('sha256', secret).update(body, 'utf8').digest('hex');

function integrationHook(resource: string, raw: string, overrides: Record<string, string> = {}, now = NOW) {
  return rawHook(
    source,
    raw,
    {
      'content-type': 'application/json',
      'request-id': 'a7c7c7d6-2b1f-4f1e-9d7b-3f4a7c1e2d3b',
      'sentry-hook-resource': resource,
      'sentry-hook-timestamp': String(Math.floor(now / 1000)),
      'sentry-hook-signature': reference(raw),
      ...overrides,
    },
    now,
  );
}

describe('sentry verify', () => {
  const raw = fixtureText('sentry', 'issue-created.json');

  it('accepts the documented signature over the raw body', () => {
    expect(sentryProvider.verify(integrationHook('issue', raw))).toBeNull();
  });

  it('also accepts the documented JSON.stringify(body) form of the signature', () => {
    const compact = JSON.stringify(JSON.parse(raw));
    expect(compact).not.toBe(raw);
    expect(sentryProvider.verify(integrationHook('issue', raw, { 'sentry-hook-signature': reference(compact) }))).toBeNull();
  });

  it('refuses a wrong or missing signature with 401 and a reason', () => {
    const wrong = sentryProvider.verify(integrationHook('issue', raw, { 'sentry-hook-signature': reference(raw, 'other-secret') }));
    expect(wrong).toMatchObject({ status: 401 });
    expect(wrong?.reason).toMatch(/Sentry-Hook-Signature/);
    const req = integrationHook('issue', raw);
    delete req.headers['sentry-hook-signature'];
    expect(sentryProvider.verify(req)).toMatchObject({ status: 401, reason: expect.stringMatching(/missing/) });
  });

  it('refuses a timestamp more than 5 minutes off, either way, with 401 and a reason', () => {
    const stale = integrationHook('issue', raw, { 'sentry-hook-timestamp': String(Math.floor(NOW / 1000) - 301) });
    expect(sentryProvider.verify(stale)).toMatchObject({ status: 401, reason: expect.stringMatching(/stale Sentry-Hook-Timestamp/) });
    const future = integrationHook('issue', raw, { 'sentry-hook-timestamp': String(Math.floor(NOW / 1000) + 301) });
    expect(sentryProvider.verify(future)?.status).toBe(401);
    const fresh = integrationHook('issue', raw, { 'sentry-hook-timestamp': String(Math.floor(NOW / 1000) - 299) });
    expect(sentryProvider.verify(fresh)).toBeNull();
    const missing = integrationHook('issue', raw);
    delete missing.headers['sentry-hook-timestamp'];
    expect(sentryProvider.verify(missing)?.status).toBe(401);
  });

  it('verifies legacy service hooks with X-ServiceHook-Signature', () => {
    const body = fixtureText('sentry', 'service-hook-event-created.json');
    const headers = {
      'x-servicehook-timestamp': String(Math.floor(NOW / 1000)),
      'x-servicehook-guid': 'a9b7d84ac0d34e7e9ded1ec13d033846',
      'x-servicehook-signature': reference(body),
    };
    expect(sentryProvider.verify(rawHook(source, body, headers, NOW))).toBeNull();
    expect(sentryProvider.verify(rawHook(source, body, { ...headers, 'x-servicehook-signature': '00' }, NOW))?.status).toBe(401);
  });

  it('refuses when the source has no client secret', () => {
    const bare = makeSource('sentry');
    expect(sentryProvider.validateSource(bare)).toMatch(/Client Secret/);
    const req = integrationHook('issue', raw);
    expect(sentryProvider.verify({ ...req, source: bare })?.status).toBe(401);
  });

  it('any change of body or secret breaks the signature', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (secret, extra) => {
        const body = JSON.stringify({ action: 'created', data: { extra } });
        const headers = signSentryHook(secret, 'issue', body, NOW);
        const req = rawHook(makeSource('sentry', { credentials: { clientSecret: secret } }), body, headers, NOW);
        expect(sentryProvider.verify(req)).toBeNull();
        const tampered = rawHook(req.source, JSON.stringify({ action: 'created', data: { extra: `${extra}!` } }), headers, NOW);
        expect(sentryProvider.verify(tampered)?.status).toBe(401);
        const other = rawHook(makeSource('sentry', { credentials: { clientSecret: `${secret}x` } }), body, headers, NOW);
        expect(sentryProvider.verify(other)?.status).toBe(401);
      }),
      { numRuns: 60 },
    );
  });
});

describe('sentry parse (documented payloads)', () => {
  it('issue.created: a new group keyed by the issue id', () => {
    const event = expectEvent(sentryProvider.parse(integrationHook('issue', fixtureText('sentry', 'issue-created.json'))));
    expect(event).toMatchObject({
      groupKey: '1170820242',
      title: 'ReferenceError: blooopy is not defined',
      occurrences: 1,
      project: 'front-end',
      lifecycle: 'new',
      milestone: null,
      firstSeen: '2019-08-19T20:58:37.391000Z',
    });
    expect(event.redelivery.key).toContain('a7c7c7d6');
  });

  it('issue.resolved resolves and issue.unresolved regresses; assigned and ignored are acknowledged only', () => {
    const body = fixture('sentry', 'issue-created.json');
    const parse = (action: string) => sentryProvider.parse(integrationHook('issue', JSON.stringify({ ...body, action })));
    expect(expectEvent(parse('resolved')).lifecycle).toBe('resolved');
    expect(expectEvent(parse('unresolved')).lifecycle).toBe('regressed');
    expectAcknowledged(parse('assigned'));
    expectAcknowledged(parse('ignored'));
  });

  it('issue web_url, when present, is the URL to open', () => {
    const body = fixture('sentry', 'issue-created.json') as { data: { issue: Record<string, unknown> } };
    body.data.issue['web_url'] = 'https://sentry.io/organizations/test-org/issues/1170820242/';
    const event = expectEvent(sentryProvider.parse(integrationHook('issue', JSON.stringify(body))));
    expect(event.url).toBe('https://sentry.io/organizations/test-org/issues/1170820242/');
  });

  it('event_alert: grouped by issue_id, opens the issue page, notes the rule', () => {
    const event = expectEvent(sentryProvider.parse(integrationHook('event_alert', fixtureText('sentry', 'event-alert-triggered.json'))));
    expect(event.groupKey).toBe('1117540176');
    expect(event.title).toBe('ReferenceError: heck is not defined');
    expect(event.url).toBe('https://sentry.io/organizations/test-org/issues/1117540176/');
    expect(event.description).toContain('Very Important Alert Rule!');
    expect(event.browser).toEqual({ name: 'Chrome', version: '75.0.3770' });
    expect(event.callstack[0]).toBe('? (<anonymous>:3)');
  });

  it('error.created: grouped by issue_id with the event id as object', () => {
    const event = expectEvent(sentryProvider.parse(integrationHook('error', fixtureText('sentry', 'error-created.json'))));
    expect(event).toMatchObject({
      groupKey: '1170820242',
      objectId: 'bb78c1407cea4519aa397afc059c793d',
      page: 'https://null.jsbin.com/runner',
    });
    expect(event.url).toBe('https://sentry.io/organizations/test-org/issues/1170820242/');
  });

  it('metric_alert: grouped by alert rule; resolved resolves, critical is a milestone', () => {
    const raw = fixtureText('sentry', 'metric-alert-resolved.json');
    const resolved = expectEvent(sentryProvider.parse(integrationHook('metric_alert', raw)));
    expect(resolved).toMatchObject({
      groupKey: 'metric_alert:7',
      lifecycle: 'resolved',
      title: 'Resolved: Too many errors',
      url: 'https://sentry.io/organizations/baz/alerts/1/',
    });
    const critical = expectEvent(
      sentryProvider.parse(integrationHook('metric_alert', JSON.stringify({ ...JSON.parse(raw), action: 'critical' }))),
    );
    expect(critical.groupKey).toBe('metric_alert:7');
    expect(critical.milestone).toMatch(/critical/);
  });

  it('installation and comment are acknowledged, nothing recorded', () => {
    expectAcknowledged(sentryProvider.parse(integrationHook('installation', fixtureText('sentry', 'installation-created.json'))));
    expectAcknowledged(sentryProvider.parse(integrationHook('comment', fixtureText('sentry', 'comment-created.json'))));
  });

  it('service hooks: grouped by the group id, with its web URL and count', () => {
    const raw = fixtureText('sentry', 'service-hook-event-created.json');
    const event = expectEvent(sentryProvider.parse(rawHook(source, raw, {}, NOW)));
    expect(event).toMatchObject({
      groupKey: '1170820242',
      url: 'https://sentry.io/organizations/test-org/issues/1170820242/',
      occurrences: 3,
      project: 'front-end',
      environment: 'production',
    });
  });

  it('a body without the resource data is a 400 naming the field', () => {
    const result = sentryProvider.parse(integrationHook('issue', JSON.stringify({ action: 'created', data: {} })));
    expect(result).toMatchObject({ ok: false, rejection: { status: 400, field: 'data.issue' } });
  });

  it('every table entry is a known lifecycle', () => {
    for (const mapping of Object.values(sentryLifecycle)) {
      if (mapping) expect(['new', 'recurring', 'regressed', 'resolved', 'unknown']).toContain(mapping.lifecycle);
    }
  });

  it('issueUrlFromEventUrl strips the event part only', () => {
    expect(issueUrlFromEventUrl('https://sentry.io/organizations/o/issues/1/events/abc/')).toBe(
      'https://sentry.io/organizations/o/issues/1/',
    );
    expect(issueUrlFromEventUrl('https://sentry.io/organizations/o/issues/1/')).toBe('https://sentry.io/organizations/o/issues/1/');
    expect(issueUrlFromEventUrl(null)).toBeNull();
  });
});

describe('sentry sample', () => {
  it('is signed for the source, verifies, parses, and has a fresh group each call', () => {
    const now = Date.now();
    const a = sentryProvider.sample(source, now);
    const b = sentryProvider.sample(source, now);
    const ea = expectEvent(sentryProvider.parse(rawHook(source, a.body, a.headers, now)));
    const eb = expectEvent(sentryProvider.parse(rawHook(source, b.body, b.headers, now)));
    expect(sentryProvider.verify(rawHook(source, a.body, a.headers, now))).toBeNull();
    expect(ea.groupKey).not.toBe(eb.groupKey);
    expect(ea.url).toMatch(/^https:\/\/sentry\.io\//);
  });
});
