/**
 * How the issue ref an action addresses is kept: bounded like every kept field (bounded-event.ts), and the latest
 * one a hook carried stays on the group (inbox/grouping.ts), so an action reaches the provider's current issue.
 */
import { describe, expect, it } from 'vitest';
import { boundedEvent, boundedIssueRef, boundedSummary, EVENT_LIMITS } from '../../../../main/core/bounded-event';
import { applyEvent, groupIdFor } from '../../../../main/core/inbox/grouping';
import { backtraceEvent } from '../../../helpers/make-event';

describe('boundedIssueRef', () => {
  it('keeps a ref that fits, as it is', () => {
    expect(boundedIssueRef({ ids: { issue: '1', org: 'acme' }, apiOrigin: 'https://us.sentry.io' })).toEqual({
      ids: { issue: '1', org: 'acme' },
      apiOrigin: 'https://us.sentry.io',
    });
  });

  it('drops ids that are too long (a cut id names another issue), oddly named, or not strings, and keeps at most the limit', () => {
    const ids: Record<string, unknown> = { ok: 'x', long: 'y'.repeat(EVENT_LIMITS.issueRefValue + 1), n: 5, 'bad key': 'z', empty: '' };
    for (let i = 0; i < 20; i++) ids[`k${i}`] = String(i);
    const bounded = boundedIssueRef({ ids, apiOrigin: null });
    expect(bounded!.ids['ok']).toBe('x');
    expect(Object.keys(bounded!.ids)).toHaveLength(EVENT_LIMITS.issueRefIds);
    expect(bounded!.ids).not.toHaveProperty('long');
    expect(bounded!.ids).not.toHaveProperty('n');
    expect(bounded!.ids).not.toHaveProperty('bad key');
    expect(bounded!.ids).not.toHaveProperty('empty');
  });

  it('keeps an API origin only when it is an origin', () => {
    for (const apiOrigin of [
      'https://sentry.io/api/0/',
      'https://user@sentry.io',
      'javascript:alert(1)',
      `https://${'a'.repeat(3000)}.io`,
      42,
    ]) {
      expect(boundedIssueRef({ ids: { issue: '1' }, apiOrigin })).toEqual({ ids: { issue: '1' }, apiOrigin: null });
    }
  });

  it('is null for anything that is not a ref, and never takes a prototype key', () => {
    for (const value of [null, undefined, 'x', [], { ids: [] }, { ids: {} }, { ids: { __proto__: { issue: '1' } } }]) {
      expect(boundedIssueRef(value)).toBeNull();
    }
  });

  it('bounds the ref of an event and of a stored summary', () => {
    const event = boundedEvent(backtraceEvent({ issueRef: { ids: { issue: 'i'.repeat(500) }, apiOrigin: null } }));
    expect(event.issueRef).toBeNull();
    const kept = boundedEvent(backtraceEvent({ issueRef: { ids: { issue: '7' }, apiOrigin: null } }));
    expect(kept.issueRef).toEqual({ ids: { issue: '7' }, apiOrigin: null });
    const summary = applyEvent(null, kept, groupIdFor(kept.sourceId, kept.groupKey));
    expect(boundedSummary({ ...summary, issueRef: { ids: { issue: 'x'.repeat(999) }, apiOrigin: null } }).issueRef).toBeNull();
    expect(boundedEvent(backtraceEvent()).issueRef).toBeNull();
  });
});

describe('the group keeps the latest ref its hooks carried', () => {
  it('takes a newer ref, and keeps the last one when a hook carries none', () => {
    const first = backtraceEvent({ issueRef: { ids: { issue: '1' }, apiOrigin: null } });
    const id = groupIdFor(first.sourceId, first.groupKey);
    const g1 = applyEvent(null, first, id);
    expect(g1.issueRef).toEqual({ ids: { issue: '1' }, apiOrigin: null });
    const g2 = applyEvent(g1, backtraceEvent({ issueRef: { ids: { issue: '1', org: 'acme' }, apiOrigin: 'https://us.sentry.io' } }), id);
    expect(g2.issueRef).toEqual({ ids: { issue: '1', org: 'acme' }, apiOrigin: 'https://us.sentry.io' });
    const g3 = applyEvent(g2, backtraceEvent(), id);
    expect(g3.issueRef).toEqual(g2.issueRef);
    expect(applyEvent(null, backtraceEvent(), id).issueRef).toBeNull();
  });
});
