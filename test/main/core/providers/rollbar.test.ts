import { describe, expect, it } from 'vitest';
import { rollbarProjectPage, rollbarProvider } from '../../../../main/core/providers/rollbar';
import { expectAcknowledged, expectEvent, fixtureNames, fixtureText, makeSource, rawHook } from '../../../helpers/saas-fixtures';

const source = makeSource('rollbar');
const parse = (name: string) => rollbarProvider.parse(rawHook(source, fixtureText('rollbar', name)));

describe('rollbar', () => {
  it('signs nothing: verify accepts, and setup says the URL is the secret', () => {
    expect(rollbarProvider.verify(rawHook(source, fixtureText('rollbar', 'new-item.json')))).toBeNull();
    expect(rollbarProvider.securityNote).toMatch(/URL/);
  });

  it('new_item: a new group keyed by the item id, linked to the occurrence', () => {
    const event = expectEvent(parse('new-item.json'));
    expect(event).toMatchObject({
      groupKey: '272716944',
      title: 'testing aobg98wrwe',
      environment: 'production',
      occurrences: 1,
      lifecycle: 'new',
      firstSeen: '2013-10-24T22:57:01.000Z',
      url: 'https://rollbar.com/item/uuid/?uuid=d2036647-e0b7-4cad-bc98-934831b9b6d1',
    });
    expect(event.classifiers).toContain('error');
  });

  it('occurrence: recurring, with the occurrence stack and its uuid as redelivery key', () => {
    const event = expectEvent(parse('occurrence.json'));
    expect(event).toMatchObject({ groupKey: '402860571', lifecycle: 'recurring', occurrences: 8 });
    expect(event.callstack).toEqual(['<main> (/Users/rebeccastandig/Desktop/Dev/php-rollbar-app/index.php:27)']);
    expect(event.redelivery.key).toContain('84d4eccd-b24d-47ae-a42b-1a2f9a82fb82');
    // Rollbar retries for about 16 days.
    expect(event.redelivery.windowMs).toBeGreaterThanOrEqual(16 * 24 * 3600 * 1000);
  });

  it('milestones, regressions and resolution', () => {
    expect(expectEvent(parse('exp-repeat-item.json')).milestone).toBe('Rollbar: 100 occurrences (10^nth)');
    expect(expectEvent(parse('item-velocity.json')).milestone).toMatch(/velocity/);
    expect(expectEvent(parse('reactivated-item.json')).lifecycle).toBe('regressed');
    expect(expectEvent(parse('resolved-item.json')).lifecycle).toBe('resolved');
    expectAcknowledged(parse('deploy.json'));
  });

  it('the same hook twice has the same redelivery key; a different event does not', () => {
    const a = expectEvent(parse('new-item.json'));
    const b = expectEvent(parse('new-item.json'));
    const c = expectEvent(parse('exp-repeat-item.json'));
    expect(a.redelivery.key).toBe(b.redelivery.key);
    expect(c.redelivery.key).not.toBe(a.redelivery.key);
  });

  it('an item event without data.item, or without event_name, is a 400 naming the field', () => {
    expect(rollbarProvider.parse(rawHook(source, '{"event_name":"new_item","data":{}}'))).toMatchObject({
      ok: false,
      rejection: { status: 400, field: 'data.item' },
    });
    expect(rollbarProvider.parse(rawHook(source, '{"data":{}}'))).toMatchObject({
      ok: false,
      rejection: { status: 400, field: 'event_name' },
    });
  });

  it('every documented fixture parses without a rejection', () => {
    for (const name of fixtureNames('rollbar')) expect(parse(name).ok).toBe(true);
  });

  it('sample parses with a fresh group each call', () => {
    const a = rollbarProvider.sample(source, Date.now());
    const b = rollbarProvider.sample(source, Date.now());
    expect(expectEvent(rollbarProvider.parse(rawHook(source, a.body))).groupKey).not.toBe(
      expectEvent(rollbarProvider.parse(rawHook(source, b.body))).groupKey,
    );
  });
});

describe('rollbar as it really sends (deliveries kept by zulip/zulip and danieliu/matterbar)', () => {
  it('"Send test notification" is acknowledged with 2xx (a 400 would be retried for 16 days)', () => {
    expect(expectAcknowledged(parse('zulip-2018-test.json'))).toMatch(/test notification received .*the webhook works/);
  });

  it('an event name Rollbar adds later without an item is acknowledged; a known one without its item stays a 400', () => {
    expectAcknowledged(rollbarProvider.parse(rawHook(source, '{"event_name":"item_assigned","data":{"user":1}}')));
    expect(rollbarProvider.parse(rawHook(source, '{"event_name":"reactivated_item","data":{}}')).ok).toBe(false);
  });

  it('item_velocity: the milestone from data.trigger; the link from data.url, else the project page and the counter', () => {
    const zulip = expectEvent(parse('zulip-2018-item-velocity.json'));
    expect(zulip.milestone).toBe('Rollbar: at least 10 occurrences in 5 minutes');
    // No occurrence and no data.url: nothing to link without the source's project page.
    expect(zulip.url).toBeNull();
    const withPage = makeSource('rollbar', { webUrl: 'https://rollbar.com/acme/web/settings/notifications/' });
    const linked = expectEvent(rollbarProvider.parse(rawHook(withPage, fixtureText('rollbar', 'zulip-2018-item-velocity.json'))));
    expect(linked).toMatchObject({
      url: 'https://rollbar.com/acme/web/items/3/',
      milestone: 'Rollbar: at least 10 occurrences in 5 minutes',
    });
    expect(linked.urlDerivation).toMatch(/counter and this source's Rollbar project page/);
    const matterbar = expectEvent(parse('matterbar-2019-item-velocity-with-url.json'));
    expect(matterbar).toMatchObject({ url: 'https://rollbar.com/organization/project/items/12343/', urlDerivation: null });
    expect(matterbar.milestone).toBe('Rollbar: at least 5 occurrences in 5 minutes');
  });

  it('reads the project page from a web app URL on rollbar.com only', () => {
    expect(rollbarProjectPage('https://rollbar.com/acme/web')).toBe('https://rollbar.com/acme/web/');
    expect(rollbarProjectPage('https://rollbar.com/item/uuid/?uuid=x')).toBeNull();
    expect(rollbarProjectPage('https://rollbar.example.com/acme/web/')).toBeNull();
    expect(rollbarProjectPage('')).toBeNull();
  });

  it('a reactivation resets total_occurrences (127 → 1), and says it regressed; a manual reopen keeps the count', () => {
    const reopened = expectEvent(parse('zulip-2018-reopened-item.json'));
    const reactivated = expectEvent(parse('zulip-2018-reactivated-item.json'));
    expect(reopened).toMatchObject({ groupKey: '495300143', occurrences: 127, lifecycle: 'regressed' });
    expect(reactivated).toMatchObject({ groupKey: '495300143', occurrences: 1, lifecycle: 'regressed' });
    expect(reactivated.redelivery.key).not.toBe(reopened.redelivery.key);
  });
});
