import { describe, expect, it } from 'vitest';
import {
  BOUNDED_SUMMARY_MAX_BYTES,
  boundedEvent,
  boundedGroupKey,
  boundedSummary,
  cut,
  EVENT_LIMITS,
  ownCopy,
  redeliveryDigest,
} from '../../../main/core/bounded-event';
import { applyEvent, groupIdFor } from '../../../main/core/inbox/grouping';
import { backtraceEvent, errorceptionEvent } from '../../helpers/make-event';

const HUGE = 'x'.repeat(1024 * 1024);

describe('cut', () => {
  it('keeps short text, cuts long text to the limit with an ellipsis, and never splits a surrogate pair', () => {
    expect(cut('short', 10)).toBe('short');
    expect(cut('abcdefghijk', 5)).toBe('abcd…');
    expect(cut('abcdefghijk', 5)).toHaveLength(5);
    // "😀" is two code units: cutting between them would leave a lone surrogate.
    const emoji = `abc${'😀'.repeat(5)}`;
    const cutEmoji = cut(emoji, 5);
    expect(cutEmoji).toBe('abc…');
    expect(cut(`ab${'😀'.repeat(5)}`, 5)).toBe('ab😀…');
  });
});

describe('ownCopy', () => {
  it('copies exactly, lone surrogates included', () => {
    for (const s of ['', 'short', 'a longer string than twelve', `lone \ud800 surrogate and more text`, HUGE.slice(0, 5000)]) {
      expect(ownCopy(s)).toBe(s);
    }
  });
});

describe('boundedEvent', () => {
  it('caps every field the history keeps, at sizes a person can read', () => {
    const event = backtraceEvent({
      groupKey: HUGE,
      title: HUGE,
      description: HUGE,
      url: `https://u.sp.backtrace.io/${HUGE}`,
      classifiers: Array.from({ length: 100 }, () => HUGE),
      callstack: Array.from({ length: 1000 }, (_, i) => `${HUGE}${i}`),
      attributes: Object.fromEntries(
        Array.from({ length: 100 }, (_, i) => [`${i}-${HUGE}`, Array.from({ length: 100 }, () => [HUGE, 1] as [string, number])]),
      ),
      application: HUGE,
      project: HUGE,
      environment: HUGE,
      objectId: HUGE,
      page: HUGE,
      userAgent: HUGE,
      browser: { name: HUGE, version: HUGE },
      os: { name: HUGE, version: HUGE },
      milestone: HUGE,
      firstSeen: HUGE,
      redelivery: { key: HUGE, windowMs: null },
    });
    const b = boundedEvent(event);
    expect(b.title).toHaveLength(EVENT_LIMITS.title);
    expect(b.title.endsWith('…')).toBe(true);
    expect(b.description).toHaveLength(EVENT_LIMITS.description);
    expect(b.url).toBeNull();
    expect(b.classifiers).toHaveLength(EVENT_LIMITS.classifiers);
    expect(b.classifiers.every((c) => c.length <= EVENT_LIMITS.classifier)).toBe(true);
    expect(b.callstack).toHaveLength(EVENT_LIMITS.frames);
    expect(b.callstack.every((f) => f.length <= EVENT_LIMITS.frame)).toBe(true);
    const names = Object.keys(b.attributes);
    expect(names).toHaveLength(EVENT_LIMITS.attributes);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(EVENT_LIMITS.attributeKey);
      expect(b.attributes[name]).toHaveLength(EVENT_LIMITS.histogramRows);
      for (const [value] of b.attributes[name]!) expect(value.length).toBeLessThanOrEqual(EVENT_LIMITS.attributeValue);
    }
    for (const v of [b.application, b.project, b.environment]) expect(v).toHaveLength(EVENT_LIMITS.name);
    expect(b.objectId).toHaveLength(EVENT_LIMITS.objectId);
    expect(b.page).toHaveLength(EVENT_LIMITS.page);
    expect(b.userAgent).toHaveLength(EVENT_LIMITS.userAgent);
    expect(b.browser?.name).toHaveLength(EVENT_LIMITS.agentPart);
    expect(b.os?.version).toHaveLength(EVENT_LIMITS.agentPart);
    expect(b.milestone).toHaveLength(EVENT_LIMITS.milestone);
    expect(b.firstSeen).toBeNull();
    expect(b.groupKey.length).toBeLessThan(300);
    expect(b.redelivery.key).toMatch(/^#[A-Za-z0-9_-]{43}$/);
    // Everything kept, as JSON, is a few hundred KB at the very most, whatever came in.
    const { raw: _raw, ...kept } = b;
    expect(JSON.stringify(kept).length).toBeLessThan(200 * 1024);
  });

  it('keeps the raw body whole (the one full copy) and leaves a normal event as it was', () => {
    const event = errorceptionEvent();
    const b = boundedEvent(event);
    expect(b.raw).toBe(event.raw);
    const { redelivery: r1, raw: _r1, test, urlDerivation, issueRef, ...rest } = b;
    const { redelivery: r2, raw: _r2, test: _t, urlDerivation: _u, issueRef: _i, ...original } = event;
    expect(rest).toEqual(original);
    // One shape for every event: the optional fields are always there once bounded.
    expect(test).toBe(false);
    expect(urlDerivation).toBeNull();
    expect(issueRef).toBeNull();
    expect(r1).toEqual({ key: redeliveryDigest(r2.key), windowMs: r2.windowMs });
  });

  it('keeps every field an event has, optional ones included (a field added to the type must be bounded here too)', () => {
    const event = {
      ...errorceptionEvent(),
      test: true,
      urlDerivation: "built from the issue id and this source's web app URL",
      issueRef: { ids: { issue: '7' }, apiOrigin: null },
    };
    const b = boundedEvent(event);
    expect(Object.keys(b).sort()).toEqual(Object.keys(event).sort());
    expect(b.test).toBe(true);
    expect(b.urlDerivation).toBe(event.urlDerivation);
    // Every bounded event has the same keys, in the same order: one object shape for the code that reads them.
    expect(Object.keys(boundedEvent(errorceptionEvent()))).toEqual(Object.keys(b));
  });

  it('is idempotent: bounding a bounded event changes nothing, and a changed copy is bounded again', () => {
    const b = boundedEvent(backtraceEvent());
    expect(boundedEvent(b)).toEqual(b);
    expect(boundedEvent({ ...b, title: HUGE }).title).toHaveLength(EVENT_LIMITS.title);
  });

  it('an attribute named __proto__ stays data', () => {
    const attributes = JSON.parse('{"__proto__": [["polluted", 1]], "version": [["1.2.3", 2]]}') as Record<string, [string, number][]>;
    const b = boundedEvent(backtraceEvent({ attributes }));
    expect(Object.getPrototypeOf(b.attributes)).toBe(Object.prototype);
    expect(Object.keys(b.attributes)).toEqual(['__proto__', 'version']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('long group keys that share a beginning still name two groups, and short ones keep their ids', () => {
    const a = boundedGroupKey(`${HUGE}a`);
    const b = boundedGroupKey(`${HUGE}b`);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(EVENT_LIMITS.groupKey);
    expect(boundedGroupKey('8910551e27a339e542')).toBe('8910551e27a339e542');
    const event = backtraceEvent();
    expect(groupIdFor(event.sourceId, boundedEvent(event).groupKey)).toBe(groupIdFor(event.sourceId, event.groupKey));
  });
});

describe('redeliveryDigest', () => {
  it('is fixed-size, stable and idempotent', () => {
    const d = redeliveryDigest(HUGE);
    expect(d).toMatch(/^#[A-Za-z0-9_-]{43}$/);
    expect(redeliveryDigest(HUGE)).toBe(d);
    expect(redeliveryDigest(d)).toBe(d);
    expect(redeliveryDigest('2e6:35')).not.toBe(redeliveryDigest('2e6:36'));
  });
});

describe('boundedSummary', () => {
  it('cuts a summary stored before the limits, keeping what only a summary has', () => {
    const g = applyEvent(null, backtraceEvent({ title: HUGE, callstack: [HUGE, HUGE], objectId: HUGE }), 'group-id');
    expect(JSON.stringify(g).length).toBeGreaterThan(BOUNDED_SUMMARY_MAX_BYTES);
    const b = boundedSummary(g);
    expect(b.title).toHaveLength(EVENT_LIMITS.title);
    expect(b.callstack.every((f) => f.length <= EVENT_LIMITS.frame)).toBe(true);
    expect(b.latestObjectId).toHaveLength(EVENT_LIMITS.objectId);
    expect(b).toMatchObject({ id: 'group-id', hooks: 1, occurrences: g.occurrences, firstSeen: g.firstSeen, read: false });
  });
});
