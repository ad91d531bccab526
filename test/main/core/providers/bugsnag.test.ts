import { describe, expect, it } from 'vitest';
import { bugsnagProvider } from '../../../../main/core/providers/bugsnag';
import { expectAcknowledged, expectEvent, fixtureNames, fixtureText, makeSource, rawHook } from '../../../helpers/saas-fixtures';

const source = makeSource('bugsnag');
const parse = (name: string) => bugsnagProvider.parse(rawHook(source, fixtureText('bugsnag', name)));

describe('bugsnag', () => {
  it('signs nothing: verify accepts, and setup says the URL is the secret', () => {
    expect(bugsnagProvider.verify(rawHook(source, fixtureText('bugsnag', 'first-exception.json')))).toBeNull();
    expect(bugsnagProvider.securityNote).toMatch(/URL/);
    expect(bugsnagProvider.validateSource(source)).toBeNull();
  });

  it('the documented payload maps onto the normalized event, grouped by errorId', () => {
    const event = expectEvent(parse('documented-payload-exception.json'));
    expect(event).toMatchObject({
      groupKey: '56b9ca7f17025f8756f69054',
      title: 'NoMethodError: Unable to connect to database.',
      url: 'https://app.bugsnag.com/my-company/my-test-project/errors/56b9ca7f17025f8756f69054?event_id=56b9ca7f17025f8756f69054',
      environment: 'development',
      project: 'My Test Project',
      page: 'http://localhost:3000/admin/raise_exception',
      firstSeen: '2015-11-27T15:26:11.000Z',
      lifecycle: 'unknown',
    });
    expect(event.callstack[0]).toBe('create (controllers/auth/session_controller.rb:1234)');
    expect(event.description).toContain('auth/session#create');
  });

  it('maps each trigger onto the lifecycle', () => {
    expect(expectEvent(parse('first-exception.json')).lifecycle).toBe('new');
    expect(expectEvent(parse('reopened.json')).lifecycle).toBe('regressed');
    expect(expectEvent(parse('error-state-fixed.json')).lifecycle).toBe('resolved');
    // Ignored or snoozed in Bugsnag: held as ignored here until Bugsnag reopens it; un-ignoring opens it again.
    expect(expectEvent(parse('docs-error-state-ignored.json'))).toMatchObject({
      lifecycle: 'ignored',
      groupKey: '56b9ca7f17025f8756f69054',
    });
    expect(expectEvent(parse('docs-error-state-snoozed.json')).lifecycle).toBe('ignored');
    expect(expectEvent(parse('docs-error-state-unignored.json')).lifecycle).toBe('regressed');
    const powerTen = expectEvent(parse('power-ten.json'));
    expect(powerTen.milestone).toBe('Bugsnag: power of ten (1000th exception)');
    const spike = expectEvent(parse('project-spiking.json'));
    expect(spike.groupKey).toBe('project:56b9ca7f17025f8756f69054:projectSpiking');
    expect(spike.milestone).toMatch(/spiking/);
    expectAcknowledged(parse('comment.json'));
  });

  it('a body without a trigger is a 400 naming it', () => {
    const result = bugsnagProvider.parse(rawHook(source, JSON.stringify({ account: {}, project: {} })));
    expect(result).toMatchObject({ ok: false, rejection: { status: 400, field: 'trigger' } });
  });

  it('an error without errorId or id is a 400', () => {
    const result = bugsnagProvider.parse(rawHook(source, JSON.stringify({ trigger: { type: 'exception' }, error: { message: 'x' } })));
    expect(result).toMatchObject({ ok: false, rejection: { status: 400, field: 'error.errorId' } });
  });

  it('every documented fixture parses without a rejection', () => {
    for (const name of fixtureNames('bugsnag')) expect(parse(name).ok).toBe(true);
  });

  it('sample parses with a fresh group each call', () => {
    const now = Date.now();
    const a = bugsnagProvider.sample(source, now);
    const b = bugsnagProvider.sample(source, now);
    expect(expectEvent(bugsnagProvider.parse(rawHook(source, a.body, a.headers))).groupKey).not.toBe(
      expectEvent(bugsnagProvider.parse(rawHook(source, b.body, b.headers))).groupKey,
    );
  });
});
