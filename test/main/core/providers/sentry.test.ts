import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourceToCheck } from '../../../../main/core/credentials';
import { sentryProvider } from '../../../../main/core/providers/sentry';
import { derivedIssueUrl, issueUrlFromEventUrl } from '../../../../main/core/providers/sentry-links';
import { SENTRY_REDELIVERY_WINDOW_MS, sentryLifecycle } from '../../../../main/core/providers/sentry-parse';
import { signSentryHook } from '../../../../main/core/providers/sentry-signature';
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

  it('a source waiting for its Client Secret (Sentry shows it once the integration is saved) refuses hooks until then', () => {
    const bare = makeSource('sentry');
    expect(sentryProvider.validateSource(bare)).toBeNull();
    const req = integrationHook('issue', raw);
    const notSet = { status: 401, reason: expect.stringMatching(/^the Client Secret is not set yet: add it to this source's credentials/) };
    expect(sentryProvider.verify({ ...req, source: sourceToCheck(bare) })).toMatchObject(notSet);
    // Refused from the headers alone, before the body is read.
    expect(sentryProvider.verifyHeaders!(sourceToCheck(bare), req.headers)).toMatchObject(notSet);
  });

  it('any change of body or secret breaks the signature', () => {
    // A set secret: not blank, and as Crashbell keeps it (trimmed).
    const setSecret = fc
      .string({ minLength: 1 })
      .map((s) => s.trim())
      .filter((s) => s !== '');
    fc.assert(
      fc.property(setSecret, fc.string({ minLength: 1 }), (secret, extra) => {
        const body = JSON.stringify({ action: 'created', data: { extra } });
        const headers = signSentryHook(secret, 'issue', body, NOW);
        const source = makeSource('sentry', { credentials: { clientSecret: secret } });
        const req = rawHook(source, body, headers, NOW);
        expect(sentryProvider.verify(req)).toBeNull();
        const tampered = rawHook(source, JSON.stringify({ action: 'created', data: { extra: `${extra}!` } }), headers, NOW);
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
    // Keyed on the signed body, never on Request-ID (new on every attempt).
    expect(event.redelivery.key).toMatch(/^sentry:issue\.created:body:[0-9a-f]{32}$/);
    expect(event.redelivery.key).not.toContain('a7c7c7d6');
  });

  it('issue.resolved resolves, issue.unresolved regresses, ignored and archived ignore; assigned is acknowledged only', () => {
    const body = fixture('sentry', 'issue-created.json');
    const parse = (action: string) => sentryProvider.parse(integrationHook('issue', JSON.stringify({ ...body, action })));
    expect(expectEvent(parse('resolved')).lifecycle).toBe('resolved');
    expect(expectEvent(parse('unresolved')).lifecycle).toBe('regressed');
    expect(expectEvent(parse('archived')).lifecycle).toBe('ignored');
    expectAcknowledged(parse('assigned'));
  });

  it('a real issue.ignored delivery: the issue, held as ignored', () => {
    const event = expectEvent(sentryProvider.parse(integrationHook('issue', fixtureText('sentry', 'zulip-2020-issue-ignored.json'))));
    expect(event).toMatchObject({
      groupKey: '1638821441',
      lifecycle: 'ignored',
      milestone: null,
      title: 'Exception: program has entered an invalid state.',
      project: 'zulip-integration-testing',
    });
    expect(event.redelivery.key).toMatch(/^sentry:issue\.ignored:body:/);
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
      if (mapping) expect(['new', 'recurring', 'regressed', 'resolved', 'ignored', 'unknown']).toContain(mapping.lifecycle);
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

describe('sentry as it really sends (getsentry/sentry sender source; deliveries kept by zulip/zulip)', () => {
  const resolved = fixtureText('sentry', 'zulip-2020-issue-resolved.json');
  /** A retry as Sentry sends it: the same body, a fresh uuid4().hex Request-ID and a fresh timestamp. */
  const attempt = (raw: string, resource: string, at: number, requestId: string) =>
    integrationHook(resource, raw, { 'request-id': requestId }, at);

  it('a retry of the same signed body (new Request-ID, new timestamp) is the same delivery; a changed body is not', () => {
    const first = expectEvent(sentryProvider.parse(attempt(resolved, 'issue', NOW, '2f1d3c4b5a6978877665544332211000')));
    const retryAt = NOW + 5 * 60 * 1000;
    const retry = attempt(resolved, 'issue', retryAt, '9a8b7c6d5e4f30211203948576abcdef');
    expect(sentryProvider.verify(retry)).toBeNull();
    const second = expectEvent(sentryProvider.parse(retry));
    expect(second.redelivery).toEqual(first.redelivery);
    // Three retries five minutes apart, and a day of replays of a captured body with a rewritten timestamp.
    expect(SENTRY_REDELIVERY_WINDOW_MS).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
    const changed = resolved.replace('"resolution_type": "now"', '"resolution_type": "inNextRelease"');
    expect(expectEvent(sentryProvider.parse(attempt(changed, 'issue', NOW, 'x'))).redelivery.key).not.toBe(first.redelivery.key);
  });

  it('an alert that Sentry rebuilds for its retry is the same delivery: keyed on the event and the rule', () => {
    const raw = fixtureText('sentry', 'event-alert-triggered.json');
    const rebuilt = JSON.stringify(JSON.parse(raw));
    const a = expectEvent(sentryProvider.parse(attempt(raw, 'event_alert', NOW, 'a')));
    const b = expectEvent(sentryProvider.parse(attempt(rebuilt, 'event_alert', NOW + 300_000, 'b')));
    expect(a.redelivery.key).toBe('sentry:event_alert.triggered:e4874d664c3540c1a32eab185f12c5ab:Very Important Alert Rule!');
    expect(b.redelivery.key).toBe(a.redelivery.key);
  });

  it('a service hook retry (a new X-ServiceHook-Timestamp) is the same delivery', () => {
    const body = fixtureText('sentry', 'service-hook-event-created.json');
    const at = (t: number) => ({
      'x-servicehook-timestamp': String(Math.floor(t / 1000)),
      'x-servicehook-guid': 'a9b7d84ac0d34e7e9ded1ec13d033846',
      'x-servicehook-signature': reference(body),
    });
    const a = expectEvent(sentryProvider.parse(rawHook(source, body, at(NOW), NOW)));
    const b = expectEvent(sentryProvider.parse(rawHook(source, body, at(NOW + 300_000), NOW + 300_000)));
    expect(b.redelivery.key).toBe(a.redelivery.key);
  });

  it('the stale-timestamp refusal says what the window does and does not prove', () => {
    const stale = sentryProvider.verify(
      integrationHook('issue', resolved, { 'sentry-hook-timestamp': String(Math.floor(NOW / 1000) - 3600) }),
    );
    expect(stale?.status).toBe(401);
    expect(stale?.reason).toMatch(/stale Sentry-Hook-Timestamp/);
    expect(stale?.reason).toMatch(/does not sign this timestamp/);
    expect(stale?.reason).toMatch(/does not prove a hook is new/);
  });

  it('an unsigned body from the legacy WebHooks plugin is refused from its headers, pointing at the legacy source', () => {
    const refusal = sentryProvider.verifyHeaders!(sourceToCheck(source), {
      'content-type': 'application/json',
      'user-agent': 'sentry/23.7.0 (https://sentry.io)',
    });
    expect(refusal).toMatchObject({ status: 401, reason: expect.stringMatching(/Sentry \(legacy WebHooks plugin\)/) });
  });

  it('a resolve (no web_url, permalink null, no organization anywhere) gets no link unless the source names its organization', () => {
    const bare = expectEvent(sentryProvider.parse(integrationHook('issue', resolved)));
    expect(bare).toMatchObject({ groupKey: '1638821441', lifecycle: 'resolved', url: null });
    const saas = makeSource('sentry', { credentials: { clientSecret: SECRET }, webUrl: 'https://acme.sentry.io/' });
    const built = expectEvent(sentryProvider.parse({ ...integrationHook('issue', resolved), source: sourceToCheck(saas) }));
    expect(built.url).toBe('https://acme.sentry.io/issues/1638821441/');
    expect(built.urlDerivation).toMatch(/this source's web app URL: Sentry sent no web_url/);
    const selfHosted = makeSource('sentry', {
      credentials: { clientSecret: SECRET },
      webUrl: 'http://sentry.lan:9000/organizations/acme/projects/',
    });
    expect(expectEvent(sentryProvider.parse({ ...integrationHook('issue', resolved), source: sourceToCheck(selfHosted) })).url).toBe(
      'http://sentry.lan:9000/organizations/acme/issues/1638821441/',
    );
  });

  it('an old issue.created (no web_url, as delivered in 2020) is built from the API URLs when they name the organization', () => {
    const created = expectEvent(sentryProvider.parse(integrationHook('issue', fixtureText('sentry', 'zulip-2020-issue-created.json'))));
    expect(created).toMatchObject({ groupKey: '1635244907', lifecycle: 'new', url: null });
    expect(derivedIssueUrl('12', ['https://sentry.io/api/0/projects/test-org/front-end/'], '')).toEqual({
      url: 'https://sentry.io/organizations/test-org/issues/12/',
      urlDerivation: "built from the issue id and the organization in the hook's API URLs: Sentry sent no web_url",
    });
    // An org-less API URL (the docs' /api/0/issues/<id>/) names nothing to build from.
    expect(derivedIssueUrl('12', ['https://sentry.io/api/0/issues/12/'], '').url).toBeNull();
  });

  it('event_alert and error take their project from the event API URL (data.event.project is a number)', () => {
    const alert = expectEvent(sentryProvider.parse(integrationHook('event_alert', fixtureText('sentry', 'event-alert-triggered.json'))));
    expect(alert.project).toBe('front-end');
    const error = expectEvent(sentryProvider.parse(integrationHook('error', fixtureText('sentry', 'error-created.json'))));
    expect(error.project).toBe('front-end');
  });

  it('an alert naming no issue, an activity_alert and an unknown resource are acknowledged with why, never silently dropped', () => {
    const noIssue = JSON.stringify({ action: 'triggered', data: { event: { event_id: 'abc123', title: 'x' }, triggered_rule: 'R' } });
    expect(expectAcknowledged(sentryProvider.parse(integrationHook('event_alert', noIssue)))).toMatch(
      /not turned into a group: this Sentry event_alert\.triggered \(rule "R"\) \(event abc123\) names no issue/,
    );
    const activity = JSON.stringify({ action: 'created', data: {} });
    expect(expectAcknowledged(sentryProvider.parse(integrationHook('activity_alert', activity)))).toMatch(
      /not turned into a group: a Sentry activity_alert/,
    );
    expect(expectAcknowledged(sentryProvider.parse(integrationHook('seer', activity)))).toMatch(
      /not turned into a group: the Sentry resource "seer"/,
    );
  });
});

/** JSON written with `space()` between every two tokens: the same value, other bytes. */
function spaced(value: unknown, space: () => string): string {
  if (Array.isArray(value)) return `[${space()}${value.map((v) => spaced(v, space)).join(`${space()},${space()}`)}${space()}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}${space()}:${space()}${spaced(v, space)}`);
    return `{${space()}${entries.join(`${space()},${space()}`)}${space()}}`;
  }
  return JSON.stringify(value);
}

describe('sentry redelivery keys and byte variants', () => {
  const base = fixture('sentry', 'zulip-2020-issue-created.json');
  /** The redelivery key parse gives the request, after verify passed on it (as the receiver runs them). */
  const keyOf = (raw: string, headers: Record<string, string>): string => {
    const req = rawHook(source, raw, headers, NOW);
    expect(sentryProvider.verify(req)).toBeNull();
    return expectEvent(sentryProvider.parse(req)).redelivery?.key ?? '';
  };

  it('every byte variant of one signed body that verifies gets the key of what was signed', () => {
    const whitespace = fc.array(fc.constantFrom('', ' ', '  ', '\n', '\t', '\r\n'), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(fc.jsonValue(), whitespace, fc.integer({ min: 1, max: 4 }), fc.jsonValue(), (extra, spaces, indent, junk) => {
        // Signed over its compact form (the reading of Sentry's documented sample code).
        const signed = JSON.stringify({ ...base, extra });
        const headers = signSentryHook(SECRET, 'issue', signed, NOW);
        const key = keyOf(signed, headers);
        let i = 0;
        const space = () => spaces[i++ % spaces.length] ?? '';
        const variants = [
          JSON.stringify(JSON.parse(signed), null, indent),
          spaced(JSON.parse(signed), space),
          // A duplicate key: JSON.parse keeps the last value, where the key first appeared.
          `{"action":${JSON.stringify(junk)},${signed.slice(1)}`,
        ];
        for (const variant of variants) {
          // Each still verifies (through the compact form), so each must be the same delivery.
          expect(keyOf(variant, headers)).toBe(key);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a body signed as sent keeps its own bytes for a key, and only those bytes verify', () => {
    // Pretty-printed and signed as sent: its compact form is another text, which the signature does not cover.
    const signed = JSON.stringify({ ...base, extra: 'é' }, null, 2);
    const headers = signSentryHook(SECRET, 'issue', signed, NOW);
    const key = keyOf(signed, headers);
    expect(key).toMatch(/^sentry:issue\./);
    const compact = JSON.stringify(JSON.parse(signed));
    expect(sentryProvider.verify(rawHook(source, compact, headers, NOW))?.status).toBe(401);
    // The same bytes again are the same delivery.
    expect(keyOf(signed, signSentryHook(SECRET, 'issue', signed, NOW + 1000))).toBe(key);
  });
});
