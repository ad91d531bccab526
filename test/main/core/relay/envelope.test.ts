import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  ENVELOPE_VERSION,
  encodeEvent,
  encodeEventWithin,
  encodeTest,
  eventOf,
  msgIdFor,
  subjectFor,
  TEST_SUBJECT,
} from '../../../../main/core/relay/envelope';
import { trimmedBodyOf } from '../../../../shared/relay-body';
import { boundedEvent } from '../../../../main/core/bounded-event';
import { backtraceEvent, errorceptionEvent } from '../../../helpers/make-event';

const SOURCE = { id: 'bt-source-0000000001', provider: 'backtrace' as const, name: 'Backtrace prod' };

function wire(event = backtraceEvent()): Uint8Array {
  const { raw, ...rest } = event;
  return encodeEvent('gw-origin-1', SOURCE, rest, JSON.stringify(raw));
}

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('the relay envelope', () => {
  it('round-trips an event with its raw body as it arrived', () => {
    const event = backtraceEvent();
    const decoded = decodeEnvelope(wire(event));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok || decoded.envelope.kind !== 'event') throw new Error('not an event');
    expect(decoded.envelope).toMatchObject({ v: ENVELOPE_VERSION, origin: 'gw-origin-1', source: SOURCE });
    const back = eventOf(decoded.envelope);
    // A hook that carried no ref arrives with none (members act on the issue only with the ref the hook had).
    expect(back.event).toEqual({ ...event, issueRef: null });
    expect(back.rawJson).toBe(JSON.stringify(event.raw));
    const withRef = { ...event, issueRef: { ids: { org: 'acme', issue: '42' }, apiOrigin: 'https://us.sentry.io' } };
    const again = decodeEnvelope(wire(withRef));
    if (!again.ok || again.envelope.kind !== 'event') throw new Error('not an event');
    expect(eventOf(again.envelope).event.issueRef).toEqual(withRef.issueRef);
  });

  it('carries how many hooks waited behind an event at its gateway (a field added within version 1)', () => {
    const { raw, ...rest } = backtraceEvent();
    const decoded = decodeEnvelope(encodeEvent('gw', SOURCE, rest, JSON.stringify(raw), { behind: 7 }));
    if (!decoded.ok || decoded.envelope.kind !== 'event') throw new Error('not an event');
    expect(decoded.envelope.behind).toBe(7);
    const odd = JSON.parse(new TextDecoder().decode(encodeEvent('gw', SOURCE, rest, JSON.stringify(raw))));
    odd.behind = -3;
    const read = decodeEnvelope(bytes(odd));
    if (!read.ok || read.envelope.kind !== 'event') throw new Error('not an event');
    expect(read.envelope.behind).toBeUndefined();
  });

  it('reads what an older gateway wrote without the fields added since, and drops what a newer one added', () => {
    const { raw, ...rest } = backtraceEvent();
    const old = JSON.parse(new TextDecoder().decode(encodeEvent('gw', SOURCE, rest, JSON.stringify(raw))));
    delete old.event.milestone;
    delete old.event.os;
    old.event.somethingNew = { x: 1 };
    old.alsoNew = true;
    const decoded = decodeEnvelope(bytes(old));
    if (!decoded.ok || decoded.envelope.kind !== 'event') throw new Error(decoded.ok ? 'not an event' : decoded.reason);
    expect(decoded.envelope.event.milestone).toBeNull();
    expect(decoded.envelope.event.os).toBeNull();
    expect(decoded.envelope.event).not.toHaveProperty('somethingNew');
  });

  it('skips, with a reason, what it cannot read: not JSON, another version, another kind, bad fields, mismatched source', () => {
    expect(decodeEnvelope(new TextEncoder().encode('garbage'))).toMatchObject({ ok: false, reason: expect.stringMatching(/not JSON/) });
    expect(decodeEnvelope(new Uint8Array([0xff, 0xfe]))).toMatchObject({ ok: false });
    expect(decodeEnvelope(bytes({ hello: 1 }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a Crashbell relay envelope/),
    });
    expect(decodeEnvelope(bytes({ v: 2, kind: 'event' }))).toEqual({
      ok: false,
      reason: 'it was written by a newer Crashbell (envelope version 2; this one reads 1): update Crashbell',
    });
    expect(decodeEnvelope(bytes({ v: 1, kind: 'mystery' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/"mystery"/) });
    const bad = JSON.parse(new TextDecoder().decode(wire()));
    bad.event.provider = 'Not a provider id!';
    expect(decodeEnvelope(bytes(bad))).toMatchObject({ ok: false, reason: expect.stringMatching(/event\.provider/) });
    const other = JSON.parse(new TextDecoder().decode(wire()));
    other.source.id = 'another-source';
    expect(decodeEnvelope(bytes(other))).toMatchObject({ ok: false, reason: expect.stringMatching(/different sources/) });
    expect(decodeEnvelope(new Uint8Array(5 * 1024 * 1024))).toMatchObject({ ok: false, reason: expect.stringMatching(/limit/) });
  });

  it('never throws on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(typeof decodeEnvelope(data).ok).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(typeof decodeEnvelope(bytes(value)).ok).toBe('boolean');
      }),
    );
  });

  it('test messages carry a nonce and go to a subject no source can have', () => {
    const decoded = decodeEnvelope(encodeTest('me', 'n-1', 'ana', '2026-01-01T00:00:00.000Z'));
    expect(decoded).toEqual({
      ok: true,
      envelope: { v: 1, kind: 'test', origin: 'me', nonce: 'n-1', member: 'ana', at: '2026-01-01T00:00:00.000Z' },
    });
    expect(TEST_SUBJECT).toBe('crashbell.events.~test');
    expect(subjectFor('abc_DEF-1')).toBe('crashbell.events.abc_DEF-1');
  });
});

describe("an envelope fitted under the server's message limit", () => {
  const { raw: _raw, ...event } = backtraceEvent();
  // Quotes and backslashes: escaped once in the body's JSON text, again in the envelope's, so it nearly triples.
  const body = JSON.stringify({ fingerprint: 'big', note: '"\\'.repeat(40_000), tail: 'end' });

  it('travels whole when it fits', () => {
    const fitted = encodeEventWithin('gw', SOURCE, event, body, 1024 * 1024);
    if (!fitted.ok) throw new Error('did not fit');
    expect(fitted.trimmed).toBeNull();
    expect(Buffer.from(fitted.data).equals(encodeEvent('gw', SOURCE, event, body))).toBe(true);
  });

  it('a body over the limit is cut to the start that fits, with a marker that says so; the event stays whole', () => {
    for (const limit of [8_000, 20_000, 64 * 1024]) {
      const fitted = encodeEventWithin('gw', SOURCE, event, body, limit);
      if (!fitted.ok) throw new Error(`did not fit in ${limit}`);
      expect(fitted.data.byteLength).toBeLessThanOrEqual(limit);
      // As much as fits: one character more would not.
      expect(fitted.trimmed?.kept).toBeGreaterThan(0);
      const decoded = decodeEnvelope(fitted.data);
      if (!decoded.ok || decoded.envelope.kind !== 'event') throw new Error(decoded.ok ? 'not an event' : decoded.reason);
      expect(decoded.envelope.rawTrimmed).toEqual({ bytes: Buffer.byteLength(body), limit });
      expect(decoded.envelope.event).toEqual({ ...event, issueRef: null });
      const { event: back, rawJson } = eventOf(decoded.envelope);
      const marker = trimmedBodyOf(back.raw);
      expect(marker).toMatchObject({ bytes: Buffer.byteLength(body), limit, start: body.slice(0, fitted.trimmed!.kept) });
      expect(marker?.note).toMatch(/^The body was too large to forward through the team relay: [\d,]+ bytes/);
      expect(rawJson).toBe(JSON.stringify(back.raw));
      const oneMore = JSON.parse(new TextDecoder().decode(fitted.data));
      oneMore.raw = JSON.stringify({ ...JSON.parse(oneMore.raw), start: body.slice(0, fitted.trimmed!.kept + 1) });
      expect(new TextEncoder().encode(JSON.stringify(oneMore)).byteLength).toBeGreaterThan(limit);
    }
  });

  it('never cuts a character in two', () => {
    const emoji = JSON.stringify({ text: '😀'.repeat(5_000) });
    for (let limit = 5_000; limit < 5_040; limit++) {
      const fitted = encodeEventWithin('gw', SOURCE, event, emoji, limit);
      if (!fitted.ok || !fitted.trimmed) throw new Error('not trimmed');
      const start = emoji.slice(0, fitted.trimmed.kept);
      expect(start.charCodeAt(start.length - 1)).not.toBe(0xd83d);
    }
  });

  it('an event that does not fit even without its body is not cut: the answer says how big it is', () => {
    const fitted = encodeEventWithin('gw', SOURCE, event, body, 600);
    expect(fitted).toEqual({ ok: false, bytes: expect.any(Number) });
    if (fitted.ok) return;
    expect(fitted.bytes).toBeGreaterThan(600);
  });

  it('an older member reads a trimmed envelope: the marker is the body it shows, with the words in it', () => {
    const fitted = encodeEventWithin('gw', SOURCE, event, body, 8_000);
    if (!fitted.ok) throw new Error('did not fit');
    const wire = JSON.parse(new TextDecoder().decode(fitted.data));
    delete wire.rawTrimmed;
    const decoded = decodeEnvelope(bytes(wire));
    if (!decoded.ok || decoded.envelope.kind !== 'event') throw new Error('not an event');
    expect(JSON.parse(decoded.envelope.raw)).toMatchObject({ note: expect.stringMatching(/too large to forward/) });
  });
});

describe('Nats-Msg-Id', () => {
  it('is the same for a redelivery (any gateway, any time within its window) and differs for another hook', () => {
    const a = backtraceEvent({ body: { object_id: 'o1', occurrences: 3 } });
    const retry = backtraceEvent({ body: { object_id: 'o1', occurrences: 3 }, at: Date.parse('2026-11-25T02:00:00Z') });
    expect(msgIdFor(a)).toBe(msgIdFor(retry));
    expect(msgIdFor(a)).not.toBe(msgIdFor(backtraceEvent({ body: { object_id: 'o1', occurrences: 4 } })));
    expect(msgIdFor(a)).not.toBe(msgIdFor({ ...a, sourceId: 'other-source-00000001' }));
    expect(msgIdFor(a)).toMatch(/^cb2\.bt-source-0000000001\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{27}$/);
    // The gateway forwards the bounded event (its key in digest form): the same id as the hook it came from.
    expect(msgIdFor(boundedEvent(a))).toBe(msgIdFor(a));
  });

  it('two groups with the same redelivery key (Backtrace "null:1", a Standard Webhooks id reused) get two ids', () => {
    const one = backtraceEvent({ body: { fingerprint: 'first-group', object_id: null, occurrences: 1 } });
    const two = backtraceEvent({ body: { fingerprint: 'second-group', object_id: null, occurrences: 1 } });
    expect(one.redelivery.key).toBe(two.redelivery.key);
    expect(msgIdFor(one)).not.toBe(msgIdFor(two));
    const hooked = { ...one, redelivery: { key: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', windowMs: null } };
    expect(msgIdFor(hooked)).not.toBe(msgIdFor({ ...hooked, groupKey: 'another group' }));
  });

  it('a key that is a redelivery only within a window is bucketed by it: the same body days later is a new message', () => {
    const at = Date.parse('2026-11-24T02:00:00Z');
    const first = errorceptionEvent({ at });
    const soon = errorceptionEvent({ at: at + 60_000 });
    const later = errorceptionEvent({ at: at + 2 * 86_400_000 });
    expect(first.redelivery.windowMs).not.toBeNull();
    expect(msgIdFor(first)).toBe(msgIdFor({ ...soon, groupKey: first.groupKey, redelivery: first.redelivery }));
    expect(msgIdFor(first)).not.toBe(msgIdFor({ ...later, groupKey: first.groupKey, redelivery: first.redelivery }));
  });

  it('an event without a key is identified by its own id, which the outbox keeps', () => {
    const e = { ...backtraceEvent(), redelivery: { key: '', windowMs: null } };
    expect(msgIdFor(e)).toBe(msgIdFor({ ...e }));
    expect(msgIdFor(e)).toMatch(/^cb2\.bt-source-0000000001\.[A-Za-z0-9_-]{22}\.id\.[A-Za-z0-9_-]{27}$/);
    expect(msgIdFor(e)).not.toBe(msgIdFor({ ...e, id: 'another-event-id' }));
  });

  it('distinct events never share an id; redeliveries of one hook always do (property)', () => {
    // Small alphabets, so the same source, group key, key or id turn up often in different combinations.
    const small = (values: string[]) => fc.constantFrom(...values);
    const hook = fc.record({
      id: small(['e1', 'e2', 'e3']),
      sourceId: small(['srcA', 'srcB']),
      groupKey: small(['g1', 'g2', 'g1 ', 'g1.g2', 'null:1']),
      key: small(['', 'null:1', 'k2', 'msg_1', '#YWJj']),
      windowMs: fc.constantFrom(null, 600_000),
      at: fc.integer({ min: 0, max: 3 * 600_000 }),
    });
    type Hook = { id: string; sourceId: string; groupKey: string; key: string; windowMs: number | null; at: number };
    const asEvent = (h: Hook) => ({
      id: h.id,
      sourceId: h.sourceId,
      groupKey: h.groupKey,
      redelivery: { key: h.key, windowMs: h.windowMs },
      receivedAt: new Date(Date.parse('2026-11-24T00:00:00Z') + h.at).toISOString(),
    });
    /** Whether two hooks are one hook delivered twice (what de-duplication may drop), by the rules msgIdFor documents. */
    const sameHook = (a: Hook, b: Hook): boolean => {
      if (a.sourceId !== b.sourceId || a.groupKey !== b.groupKey) return false;
      if (a.key === '' || b.key === '') return a.key === b.key && a.id === b.id;
      if (a.key !== b.key || a.windowMs !== b.windowMs) return false;
      return a.windowMs === null || Math.floor(a.at / a.windowMs) === Math.floor(b.at / a.windowMs);
    };
    fc.assert(
      fc.property(hook, hook, (a, b) => {
        expect(msgIdFor(asEvent(a)) === msgIdFor(asEvent(b))).toBe(sameHook(a, b));
      }),
      { numRuns: 2_000 },
    );
  });
});
