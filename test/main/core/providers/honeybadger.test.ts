import { sourceToCheck } from '../../../../main/core/credentials';
import { describe, expect, it } from 'vitest';
import { honeybadgerProvider } from '../../../../main/core/providers/honeybadger';
import { expectAcknowledged, expectEvent, fixture, fixtureNames, fixtureText, makeSource, rawHook } from '../../../helpers/saas-fixtures';

const source = makeSource('honeybadger');
const parse = (name: string) => honeybadgerProvider.parse(rawHook(source, fixtureText('honeybadger', name)));

describe('honeybadger', () => {
  it('without a token pasted, the URL is the secret, and setup says Honeybadger sends one to paste', () => {
    expect(honeybadgerProvider.verify(rawHook(source, fixtureText('honeybadger', 'occurred.json')))).toBeNull();
    expect(honeybadgerProvider.securityNote).toMatch(/Honeybadger-Token/);
    expect(honeybadgerProvider.securityNote).toMatch(/URL is its only secret/);
    expect(honeybadgerProvider.securityNote).not.toMatch(/does not sign its webhooks or send credentials/);
    expect(honeybadgerProvider.secretHeaders).toEqual(expect.arrayContaining(['honeybadger-token', 'authorization']));
  });

  it('the documented occurred payload: grouped by fault id, linked to the fault page', () => {
    const event = expectEvent(parse('occurred.json'));
    expect(event).toMatchObject({
      groupKey: '3151009',
      title: 'RuntimeError: oops',
      url: 'https://app.honeybadger.io/projects/1717/faults/3151009',
      occurrences: 9,
      environment: 'development',
      lifecycle: 'unknown',
      lastSeen: '2014-01-08T19:02:21Z',
    });
  });

  it('a fault on its first notice is new', () => {
    const body = fixture('honeybadger', 'occurred.json') as { fault: Record<string, unknown> };
    body.fault['notices_count'] = 1;
    expect(expectEvent(honeybadgerProvider.parse(rawHook(source, JSON.stringify(body)))).lifecycle).toBe('new');
  });

  it('rate_exceeded is a milestone, resolved resolves, unresolved regresses, assigned is acknowledged', () => {
    expect(expectEvent(parse('rate-exceeded.json')).milestone).toBe('Honeybadger: rate exceeded');
    expect(expectEvent(parse('resolved.json')).lifecycle).toBe('resolved');
    expect(expectEvent(parse('unresolved.json')).lifecycle).toBe('regressed');
    expectAcknowledged(parse('assigned.json'));
  });

  it('uptime down/up become one site group that regresses and resolves (lenient: shape not in the fixtures)', () => {
    const down = expectEvent(
      honeybadgerProvider.parse(
        rawHook(
          source,
          JSON.stringify({
            event: 'down',
            message: '[Crywolf] example.com is down',
            site: { id: 'abc', name: 'example.com', url: 'https://example.com' },
          }),
        ),
      ),
    );
    const up = expectEvent(
      honeybadgerProvider.parse(
        rawHook(
          source,
          JSON.stringify({
            event: 'up',
            message: '[Crywolf] example.com is back up',
            site: { id: 'abc', name: 'example.com', url: 'https://example.com' },
          }),
        ),
      ),
    );
    expect(down).toMatchObject({ groupKey: 'site:abc', lifecycle: 'regressed' });
    expect(up).toMatchObject({ groupKey: 'site:abc', lifecycle: 'resolved' });
  });

  it('a volume spike without a fault groups per project as a milestone', () => {
    const spike = expectEvent(
      honeybadgerProvider.parse(
        rawHook(
          source,
          JSON.stringify({ event: 'volume_spike', message: '[Crywolf] error volume spike', project: { id: 1717, name: 'Crywolf' } }),
        ),
      ),
    );
    expect(spike).toMatchObject({ groupKey: 'project:1717:volume_spike', milestone: 'Honeybadger: error volume spike' });
  });

  it('an error event without its fault is a 400 naming it', () => {
    const result = honeybadgerProvider.parse(rawHook(source, '{"event":"occurred","message":"x"}'));
    expect(result).toMatchObject({ ok: false, rejection: { status: 400, field: 'fault' } });
  });

  it('every documented fixture parses without a rejection', () => {
    for (const name of fixtureNames('honeybadger')) expect(parse(name).ok).toBe(true);
  });

  it('sample parses with a fresh group each call', () => {
    const a = honeybadgerProvider.sample(source, Date.now());
    const b = honeybadgerProvider.sample(source, Date.now());
    expect(expectEvent(honeybadgerProvider.parse(rawHook(source, a.body))).groupKey).not.toBe(
      expectEvent(honeybadgerProvider.parse(rawHook(source, b.body))).groupKey,
    );
  });
});

describe('honeybadger as it really sends (docs.honeybadger.io; deliveries kept by zulip/zulip)', () => {
  const tokenSource = makeSource('honeybadger', { credentials: { token: 'hb-token', bearerToken: 'bearer-xyz' } });
  const withTokens = { 'honeybadger-token': 'hb-token', authorization: 'Bearer bearer-xyz' };

  it('checks Honeybadger-Token and the optional bearer token from the headers, each only when the source holds it', () => {
    expect(honeybadgerProvider.verifyHeaders!(sourceToCheck(tokenSource), withTokens)).toBeNull();
    expect(honeybadgerProvider.verifyHeaders!(sourceToCheck(tokenSource), { authorization: 'Bearer bearer-xyz' })).toMatchObject({
      status: 401,
      reason: expect.stringMatching(/missing Honeybadger-Token/),
    });
    expect(
      honeybadgerProvider.verifyHeaders!(sourceToCheck(tokenSource), { ...withTokens, 'honeybadger-token': 'hb-tokeX' }),
    ).toMatchObject({
      status: 401,
      reason: expect.stringMatching(/wrong Honeybadger-Token: copy it again from the project's API Key tab/),
    });
    expect(honeybadgerProvider.verifyHeaders!(sourceToCheck(tokenSource), { 'honeybadger-token': 'hb-token' })?.reason).toMatch(/Bearer/);
    expect(honeybadgerProvider.verifyHeaders!(sourceToCheck(tokenSource), { ...withTokens, authorization: 'Bearer nope' })?.reason).toMatch(
      /wrong bearer token/,
    );
    const tokenOnly = makeSource('honeybadger', { credentials: { token: 'hb-token' } });
    expect(honeybadgerProvider.verifyHeaders!(sourceToCheck(tokenOnly), { 'honeybadger-token': 'hb-token' })).toBeNull();
    // verify alone is a full check; after the receiver's header check it adds nothing.
    const req = rawHook(tokenSource, fixtureText('honeybadger', 'occurred.json'), {});
    expect(honeybadgerProvider.verify(req)?.status).toBe(401);
    expect(honeybadgerProvider.verify({ ...req, headersVerified: true })).toBeNull();
    // The sample carries the tokens the source holds.
    const sample = honeybadgerProvider.sample(tokenSource, Date.now());
    expect(honeybadgerProvider.verifyHeaders!(sourceToCheck(tokenSource), sample.headers)).toBeNull();
  });

  it("check_in_missing opens the project's check-ins page, never the check-in's reporting URL", () => {
    const event = expectEvent(parse('zulip-2020-check-in-missing.json'));
    expect(event).toMatchObject({
      groupKey: 'check-in:wqIoL5',
      lifecycle: 'regressed',
      url: 'https://app.honeybadger.io/projects/69422/check_ins',
    });
    expect(event.url).not.toMatch(/api\.honeybadger\.io/);
    expect(expectEvent(parse('docs-check-in-reporting.json'))).toMatchObject({
      groupKey: 'check-in:XYZLOL',
      lifecycle: 'resolved',
      url: 'https://app.honeybadger.io/projects/67747/check_ins',
    });
    // Without details_url, the project's check-ins page is built on the account's region, never check_in.url.
    const body = fixture('honeybadger', 'zulip-2020-check-in-missing.json') as { check_in: Record<string, unknown> };
    delete body.check_in['details_url'];
    body.check_in['url'] = 'https://eu-api.honeybadger.io/v1/check_in/wqIoL5';
    const built = expectEvent(honeybadgerProvider.parse(rawHook(source, JSON.stringify(body))));
    expect(built.url).toBe('https://eu-app.honeybadger.io/projects/69422/check_ins');
    expect(built.urlDerivation).toMatch(/reporting endpoint, which is never opened/);
  });

  it("uptime down opens the monitor's page in Honeybadger, not the monitored site (shown in the description)", () => {
    const event = expectEvent(parse('zulip-2020-down.json'));
    expect(event).toMatchObject({
      groupKey: 'site:ff71a50d-dc88-448b-8a1b-97587d8c0fb9',
      lifecycle: 'regressed',
      url: 'https://app.honeybadger.io/projects/69422/sites/ff71a50d-dc88-448b-8a1b-97587d8c0fb9',
      project: 'My Project',
    });
    expect(event.description).toContain('https://resume-builder-v1.herokuapp.com/');
  });

  it('a resolve carries no project and names the fault only by its class and message; a bare fault leaves the title to the group', () => {
    const resolved = expectEvent(parse('zulip-2020-resolved.json'));
    expect(resolved).toMatchObject({
      groupKey: '61726306',
      project: null,
      title: 'RuntimeError: This is a runtime error generated by the crywolf app.',
    });
    const bare = {
      event: 'resolved',
      message: '[My Project] RuntimeError resolved by Joerge',
      fault: { id: 61726306, project_id: 69422, message: null },
    };
    const event = expectEvent(honeybadgerProvider.parse(rawHook(source, JSON.stringify(bare))));
    expect(event).toMatchObject({ title: '', project: null, url: 'https://app.honeybadger.io/projects/69422/faults/61726306' });
    expect(event.urlDerivation).toMatch(/Honeybadger sent no fault URL/);
  });

  it("each press of Honeybadger's Test button (always fault 123) is its own hook, not a redelivery of the last", () => {
    const raw = fixtureText('honeybadger', 'zulip-2017-test-button-occurred.json');
    const a = expectEvent(honeybadgerProvider.parse(rawHook(source, raw, {}, 1_000)));
    const b = expectEvent(honeybadgerProvider.parse(rawHook(source, raw, {}, 61_000)));
    expect(a).toMatchObject({ groupKey: '123', title: 'TestingException: This is a test error generated by Honeybadger' });
    expect(a.redelivery.key).not.toBe(b.redelivery.key);
    // A real fault's redelivery stays recognised.
    const real = fixtureText('honeybadger', 'occurred.json');
    expect(expectEvent(honeybadgerProvider.parse(rawHook(source, real, {}, 1_000))).redelivery.key).toBe(
      expectEvent(honeybadgerProvider.parse(rawHook(source, real, {}, 61_000))).redelivery.key,
    );
  });

  it('a v3 (preview) body is refused with words saying to choose v2', () => {
    const v3 = { ...fixture('honeybadger', 'occurred.json'), payload_version: 'v3' };
    const result = honeybadgerProvider.parse(rawHook(source, JSON.stringify(v3)));
    expect(result).toMatchObject({ ok: false, rejection: { status: 422, field: 'payload_version' } });
    if (!result.ok) expect(result.rejection.reason).toMatch(/set the webhook's payload version to v2 in Honeybadger/);
  });
});
