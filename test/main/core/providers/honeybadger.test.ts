import { describe, expect, it } from 'vitest';
import { honeybadgerProvider } from '../../../../main/core/providers/honeybadger';
import { expectAcknowledged, expectEvent, fixture, fixtureNames, fixtureText, makeSource, rawHook } from '../../../helpers/saas-fixtures';

const source = makeSource('honeybadger');
const parse = (name: string) => honeybadgerProvider.parse(rawHook(source, fixtureText('honeybadger', name)));

describe('honeybadger', () => {
  it('signs nothing: verify accepts, and setup says the URL is the secret', () => {
    expect(honeybadgerProvider.verify(rawHook(source, fixtureText('honeybadger', 'occurred.json')))).toBeNull();
    expect(honeybadgerProvider.securityNote).toMatch(/URL/);
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
