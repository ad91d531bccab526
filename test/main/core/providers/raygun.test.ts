import { describe, expect, it } from 'vitest';
import { raygunProvider } from '../../../../main/core/providers/raygun';
import { expectAcknowledged, expectEvent, fixtureNames, fixtureText, makeSource, rawHook } from '../../../helpers/saas-fixtures';

const source = makeSource('raygun');
const parse = (name: string) => raygunProvider.parse(rawHook(source, fixtureText('raygun', name)));

describe('raygun', () => {
  it('signs nothing: verify accepts, and setup says the URL is the secret', () => {
    expect(raygunProvider.verify(rawHook(source, fixtureText('raygun', 'new-error-occurred.json')))).toBeNull();
    expect(raygunProvider.securityNote).toMatch(/URL/);
  });

  it('NewErrorOccurred: a new group keyed by the error page, environment from the env: tag', () => {
    const event = expectEvent(parse('new-error-occurred.json'));
    expect(event).toMatchObject({
      groupKey: 'http://app.raygun.com/error-url',
      url: 'http://app.raygun.com/error-url',
      title: 'Error in application name',
      occurrences: 1,
      environment: 'staging',
      application: 'application name',
      lifecycle: 'new',
      firstSeen: '1970-01-28T01:49:36Z',
    });
  });

  it('ErrorReoccurred regresses; follow-ups are milestones; Resolved resolves; the rest is acknowledged', () => {
    expect(expectEvent(parse('error-reoccurred.json')).lifecycle).toBe('regressed');
    const follow = expectEvent(parse('one-minute-follow-up.json'));
    expect(follow).toMatchObject({ lifecycle: 'recurring', milestone: 'Raygun: still occurring after 1 minute' });
    expect(expectEvent(parse('status-changed-resolved.json')).lifecycle).toBe('resolved');
    // Ignored in Raygun: the group is held as ignored here (the policy marks it and raises nothing).
    expect(expectEvent(parse('status-changed-ignored.json'))).toMatchObject({
      lifecycle: 'ignored',
      groupKey: 'https://app.raygun.com/error-url',
    });
    expectAcknowledged(parse('assigned-to-user.json'));
  });

  it('a body without error.url is a 400 naming it', () => {
    const result = raygunProvider.parse(rawHook(source, '{"event":"error_notification","eventType":"NewErrorOccurred","error":{}}'));
    expect(result).toMatchObject({ ok: false, rejection: { status: 400, field: 'error.url' } });
  });

  it('every documented fixture parses without a rejection', () => {
    for (const name of fixtureNames('raygun')) expect(parse(name).ok).toBe(true);
  });

  it('sample parses with a fresh group each call', () => {
    const a = raygunProvider.sample(source, Date.now());
    const b = raygunProvider.sample(source, Date.now());
    expect(expectEvent(raygunProvider.parse(rawHook(source, a.body))).groupKey).not.toBe(
      expectEvent(raygunProvider.parse(rawHook(source, b.body))).groupKey,
    );
  });
});
