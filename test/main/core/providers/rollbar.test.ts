import { describe, expect, it } from 'vitest';
import { rollbarProvider } from '../../../../main/core/providers/rollbar';
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
