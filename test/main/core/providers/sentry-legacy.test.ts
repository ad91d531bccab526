import { describe, expect, it } from 'vitest';
import { sentryLegacyProvider } from '../../../../main/core/providers/sentry-legacy';
import { expectEvent, fixtureText, makeSource, rawHook } from '../../../helpers/saas-fixtures';

const source = makeSource('sentry-legacy');
/** A real 2023 delivery of the plugin (zulip/zulip), its frames' local variables and context lines trimmed. */
const delivery = fixtureText('sentry-legacy', 'zulip-2023-webhooks-plugin-trimmed.json');

describe('sentry legacy WebHooks plugin', () => {
  it('signs nothing and needs no credential: setup says the URL is the secret, plainly', () => {
    expect(sentryLegacyProvider.credentials).toEqual([]);
    expect(sentryLegacyProvider.verify(rawHook(source, delivery, { 'user-agent': 'sentry/23.7.0 (https://sentry.io)' }))).toBeNull();
    expect(sentryLegacyProvider.securityNote).toMatch(
      /does not sign its webhooks or send credentials, so this source's unguessable URL is its only secret/,
    );
    expect(sentryLegacyProvider.name).toBe('Sentry (legacy WebHooks plugin)');
  });

  it('groups by the issue id and opens the issue url the plugin sends', () => {
    const event = expectEvent(sentryLegacyProvider.parse(rawHook(source, delivery)));
    expect(event).toMatchObject({
      groupKey: '4218258981',
      title: 'This is an example Python exception',
      url: 'https://nitk-46.sentry.io/issues/4218258981/?referrer=webhooks_plugin',
      project: 'python',
      environment: 'prod',
      objectId: '4dc4fc2858aa450eb658be9e5b8ad149',
      lifecycle: 'unknown',
    });
    expect(event.callstack[0]).toBe('main (raven/scripts/runner.py:112)');
    expect(event.classifiers).toEqual(['error', 'python']);
  });

  it("the plugin's retry of the same issue and event is a redelivery; another event of the issue is not", () => {
    const a = expectEvent(sentryLegacyProvider.parse(rawHook(source, delivery)));
    const b = expectEvent(sentryLegacyProvider.parse(rawHook(source, delivery)));
    const other = expectEvent(sentryLegacyProvider.parse(rawHook(source, delivery.replaceAll('4dc4fc2858aa450eb658be9e5b8ad149', 'ffff'))));
    expect(b.redelivery).toEqual(a.redelivery);
    expect(other.redelivery.key).not.toBe(a.redelivery.key);
    expect(other.groupKey).toBe(a.groupKey);
  });

  it('refuses a body without the issue id with a 400 naming it', () => {
    expect(sentryLegacyProvider.parse(rawHook(source, '{"message":"x"}'))).toMatchObject({
      ok: false,
      rejection: { status: 400, field: 'id' },
    });
  });

  it('its sample parses with a fresh issue each time', () => {
    const one = expectEvent(sentryLegacyProvider.parse(rawHook(source, sentryLegacyProvider.sample(source, Date.now()).body)));
    const two = expectEvent(sentryLegacyProvider.parse(rawHook(source, sentryLegacyProvider.sample(source, Date.now()).body)));
    expect(one.groupKey).not.toBe(two.groupKey);
  });
});
