import { describe, expect, it } from 'vitest';
import { allSecretHeaders } from '../../../main/core/providers/index';
import { isSecretHeader, maskHeaders, MAX_RECORDED_BODY_BYTES, RequestLog, type RequestEntry } from '../../../main/core/request-log';

function entry(overrides: Partial<RequestEntry> = {}): RequestEntry {
  return {
    method: 'POST',
    path: '/hooks/abcdefghijklmnopqrstuv',
    sourceId: 'abcdefghijklmnopqrstuv',
    provider: 'backtrace',
    status: 200,
    reason: 'accepted',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"fingerprint":"x"}'),
    bodyBytes: 19,
    complete: true,
    eventId: 'event-1',
    ...overrides,
  };
}

describe('request log', () => {
  it('is bounded: the oldest records go first, newest are listed first', () => {
    const log = new RequestLog(3);
    const ids = [1, 2, 3, 4, 5].map((n) => log.add(entry({ reason: `r${n}` })).id);
    expect(log.size).toBe(3);
    expect(log.list().map((r) => r.reason)).toEqual(['r5', 'r4', 'r3']);
    expect(log.get(ids[0]!)).toBeNull();
    expect(log.original(ids[0]!)).toBeNull();
    expect(log.original(ids[4]!)).not.toBeNull();
  });

  it('masks authorization, signatures and every provider secret header, keeping the unmasked original private', () => {
    const log = new RequestLog(10, [...allSecretHeaders(), 'sentry-hook-signature']);
    const headers = {
      authorization: 'Basic dXNlcjpwYXNz',
      'x-signature': 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
      'sentry-hook-signature': 'abc123',
      cookie: 'session=1',
      'user-agent': 'Backtrace',
    };
    const record = log.add(entry({ headers }));
    expect(record.headers['authorization']).toBe('Basic ••••••');
    expect(record.headers['x-signature']).toBe('••••••');
    expect(record.headers['sentry-hook-signature']).toBe('••••••');
    expect(record.headers['cookie']).toBe('••••••');
    expect(record.headers['user-agent']).toBe('Backtrace');
    expect(JSON.stringify(log.list())).not.toContain('dXNlcjpwYXNz');
    expect(log.original(record.id)?.headers['authorization']).toBe('Basic dXNlcjpwYXNz');
  });

  it.each([
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'x-api-key',
    'api-key',
    'x-signature',
    'x-hub-signature',
    'x-hub-signature-256',
    'webhook-signature',
    'sentry-hook-signature',
    'x-servicehook-signature',
    'honeybadger-token',
    'x-gitlab-token',
    'x-rollbar-access-token',
    'token',
    'x-webhook-secret',
    'x-shopify-hmac-signature',
    'x-service-apikey',
    'x-password',
  ])('masks %s in every record, whatever the source', (name) => {
    const record = new RequestLog(1).add(entry({ headers: { [name]: 'credential-value', 'user-agent': 'ua' } }));
    expect(record.headers[name]).toMatch(/••••••$/);
    expect(record.headers[name]).not.toContain('credential-value');
    expect(record.headers['user-agent']).toBe('ua');
  });

  it.each(['content-type', 'content-length', 'user-agent', 'webhook-id', 'webhook-timestamp', 'x-request-id', 'x-tokenizer', 'host'])(
    'leaves %s readable',
    (name) => {
      expect(isSecretHeader(name)).toBe(false);
    },
  );

  it("asks for the source's own secret header names only when a record is read", () => {
    let asked = 0;
    const record = new RequestLog(1).add(
      entry({
        headers: { 'x-my-mac': 'abc', other: 'o' },
        secretHeaders: () => {
          asked++;
          return ['X-My-Mac'];
        },
      }),
    );
    expect(asked).toBe(0);
    expect(record.headers).toEqual({ 'x-my-mac': '••••••', other: 'o' });
    expect(record.headers['x-my-mac']).toBe('••••••');
    expect(asked).toBe(1);
  });

  it('masks the headers an entry names for its provider', () => {
    expect(maskHeaders({ 'x-token': 't', other: 'o' }, ['X-Token'])).toEqual({ 'x-token': '••••••', other: 'o' });
  });

  it('keeps the first 64 KiB of a large body and does not offer it for replay', () => {
    const log = new RequestLog(10);
    const body = Buffer.alloc(MAX_RECORDED_BODY_BYTES + 10, 0x61);
    const record = log.add(entry({ body, bodyBytes: body.length }));
    expect(record.body.length).toBe(MAX_RECORDED_BODY_BYTES);
    expect(record.bodyBytes).toBe(MAX_RECORDED_BODY_BYTES + 10);
    expect(record.bodyTruncated).toBe(true);
    expect(record.replayable).toBe(false);
    expect(log.original(record.id)).toBeNull();
  });

  it('does not offer a body it did not read whole, or a request for no source, for replay', () => {
    const log = new RequestLog(10);
    expect(log.add(entry({ complete: false, status: 413 })).replayable).toBe(false);
    expect(log.add(entry({ sourceId: null, status: 404 })).replayable).toBe(false);
  });

  it('keeps an exact copy of a whole body for replay', () => {
    const log = new RequestLog(10);
    const body = Buffer.from('{"message":"ünïcode","page":"p"}');
    const record = log.add(entry({ body, bodyBytes: body.length }));
    expect(record.replayable).toBe(true);
    expect(record.body).toBe('{"message":"ünïcode","page":"p"}');
    expect(log.original(record.id)?.body.equals(body)).toBe(true);
  });

  it('builds masked headers, body text and time once, when first read, and serializes them as plain values', () => {
    const log = new RequestLog(10);
    const headers = { authorization: 'Basic dXNlcjpwYXNz', 'user-agent': 'Backtrace' };
    const record = log.add(entry({ headers, time: Date.UTC(2026, 0, 2, 3, 4, 5) }));
    expect(record.headers).toBe(record.headers);
    expect(record.body).toBe('{"fingerprint":"x"}');
    expect(record.time).toBe('2026-01-02T03:04:05.000Z');
    const plain = {
      ...record,
      headers: { authorization: 'Basic ••••••', 'user-agent': 'Backtrace' },
    };
    // What IPC (structured clone) and JSON carry: the values, never the unmasked headers behind them.
    expect(structuredClone(record)).toEqual(plain);
    expect(JSON.parse(JSON.stringify(record))).toEqual(plain);
    expect(JSON.stringify(record)).not.toContain('dXNlcjpwYXNz');
    expect(log.list()[0]).toBe(record);
    expect(log.get(record.id)).toBe(record);
  });

  it('keeps a copy of the start of a long body, not the buffer it arrived in', () => {
    const log = new RequestLog(10);
    const body = Buffer.alloc(MAX_RECORDED_BODY_BYTES * 2, 0x61);
    const record = log.add(entry({ body, bodyBytes: body.length, complete: false }));
    body.fill(0x62);
    expect(record.body).toBe('a'.repeat(MAX_RECORDED_BODY_BYTES));
  });

  it('a ring: after wrapping many times it still lists the newest first and finds only what it holds', () => {
    const log = new RequestLog(4);
    const ids = Array.from({ length: 11 }, (_, n) => log.add(entry({ reason: `r${n}` })).id);
    expect(log.list().map((r) => r.reason)).toEqual(['r10', 'r9', 'r8', 'r7']);
    expect(ids.map((id) => log.get(id) !== null)).toEqual([...Array(7).fill(false), true, true, true, true]);
    log.clear();
    expect(log.size).toBe(0);
    expect(log.list()).toEqual([]);
    log.add(entry({ reason: 'after' }));
    expect(log.list().map((r) => r.reason)).toEqual(['after']);
  });

  it('refuses a capacity below one', () => {
    expect(() => new RequestLog(0)).toThrow(RangeError);
  });
});
