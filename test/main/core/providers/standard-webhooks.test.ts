import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeStandardSecret,
  ReplayCache,
  signStandardWebhook,
  verifyStandardWebhook,
} from '../../../../main/core/providers/standard-webhooks';

// The Standard Webhooks specification's published test vector.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = '1614265330';
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const NOW = 1614265330 * 1000;

function check(overrides: { headers?: Record<string, string>; body?: string; secret?: string; now?: number; replay?: ReplayCache } = {}) {
  return verifyStandardWebhook({
    headers: { 'webhook-id': ID, 'webhook-timestamp': TIMESTAMP, 'webhook-signature': SIGNATURE, ...(overrides.headers ?? {}) },
    rawBody: Buffer.from(overrides.body ?? BODY),
    secret: overrides.secret ?? SECRET,
    now: overrides.now ?? NOW,
    replay: overrides.replay ?? new ReplayCache(),
    scope: 'source-a',
  });
}

describe('standard webhooks', () => {
  it('reproduces and accepts the specification test vector', () => {
    expect(signStandardWebhook(decodeStandardSecret(SECRET)!, ID, TIMESTAMP, BODY)).toBe(SIGNATURE);
    expect(check()).toBeNull();
  });

  it('accepts any of several space-separated signatures (secret rotation) and skips other versions', () => {
    const rotated = `v1,bm9wZQ== v1a,c29tZXRoaW5nLWVsc2U= ${SIGNATURE}`;
    expect(check({ headers: { 'webhook-signature': rotated } })).toBeNull();
    expect(check({ headers: { 'webhook-signature': 'v1,bm9wZQ== v2,abc' } })?.status).toBe(401);
  });

  it('refuses a wrong signature, a tampered body and a wrong secret with 401 and a reason', () => {
    expect(check({ body: '{"test": 2432232315}' })).toMatchObject({ status: 401, reason: expect.stringMatching(/signature/) });
    expect(check({ secret: 'whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==' })?.status).toBe(401);
    expect(check({ headers: { 'webhook-signature': '' } })?.status).toBe(401);
  });

  it('refuses a stale or future timestamp (5-minute tolerance) with 401 and a reason', () => {
    expect(check({ now: NOW + 5 * 60 * 1000 + 1000 })).toMatchObject({
      status: 401,
      reason: expect.stringMatching(/stale webhook-timestamp/),
    });
    expect(check({ now: NOW - 5 * 60 * 1000 - 1000 })?.status).toBe(401);
    expect(check({ now: NOW + 4 * 60 * 1000 })).toBeNull();
    expect(check({ headers: { 'webhook-timestamp': 'yesterday' } })?.status).toBe(401);
  });

  it('refuses a replayed webhook-id with 401 and a reason', () => {
    const replay = new ReplayCache();
    expect(check({ replay })).toBeNull();
    const again = check({ replay, now: NOW + 1000 });
    expect(again).toMatchObject({ status: 401, reason: expect.stringMatching(/replayed webhook-id/) });
  });

  it('does not remember ids of requests that failed verification', () => {
    const replay = new ReplayCache();
    expect(check({ replay, body: 'tampered' })?.status).toBe(401);
    expect(check({ replay })).toBeNull();
  });

  it('refuses missing headers and an unusable secret', () => {
    expect(check({ headers: { 'webhook-id': '' } })?.reason).toMatch(/webhook-id/);
    expect(check({ secret: 'whsec_***' })?.reason).toMatch(/whsec_/);
  });

  it('the replay cache is bounded per source and forgets expired ids', () => {
    const cache = new ReplayCache(3, 1000);
    for (let i = 0; i < 5; i += 1) cache.remember('s', `id-${i}`, 0);
    expect(cache.size('s')).toBe(3);
    expect(cache.has('s', 'id-0', 0)).toBe(false);
    expect(cache.has('s', 'id-4', 0)).toBe(true);
    expect(cache.has('other', 'id-4', 0)).toBe(false);
    cache.remember('s', 'late', 5000);
    expect(cache.size('s')).toBe(1);
    expect(cache.has('s', 'id-4', 5000)).toBe(false);
  });

  it('any change of id, timestamp, body or key breaks the signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 32 }), fc.string({ minLength: 1 }), fc.string(), (keyBytes, id, body) => {
        const key = Buffer.from(keyBytes);
        const secret = `whsec_${key.toString('base64')}`;
        const ts = String(Math.floor(NOW / 1000));
        const sig = signStandardWebhook(key, id, ts, body);
        const base = { headers: { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig }, body, secret };
        expect(check(base)).toBeNull();
        expect(check({ ...base, body: `${body}x` })?.status).toBe(401);
        expect(check({ ...base, headers: { ...base.headers, 'webhook-id': `${id}x` } })?.status).toBe(401);
        expect(check({ ...base, headers: { ...base.headers, 'webhook-timestamp': String(Number(ts) + 1) } })?.status).toBe(401);
      }),
      { numRuns: 80 },
    );
  });
});
