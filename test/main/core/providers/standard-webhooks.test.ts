import { type SetCredential, setCredential } from '../../../../main/core/credentials';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeStandardSecret,
  signStandardWebhook,
  verifyStandardWebhook,
  WEBHOOK_ID_WINDOW_MS,
} from '../../../../main/core/providers/standard-webhooks';

// The Standard Webhooks specification's published test vector.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = '1614265330';
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const NOW = 1614265330 * 1000;

/** The secret as a source holding it gives it to the check: set (verification never sees a blank one). */
function setSecret(value: string): SetCredential {
  const secret = setCredential(value);
  if (secret === null) throw new Error('a blank secret is not set: the source refuses before verifying');
  return secret;
}

function check(overrides: { headers?: Record<string, string>; body?: string; secret?: string; now?: number } = {}) {
  return verifyStandardWebhook({
    headers: { 'webhook-id': ID, 'webhook-timestamp': TIMESTAMP, 'webhook-signature': SIGNATURE, ...(overrides.headers ?? {}) },
    rawBody: Buffer.from(overrides.body ?? BODY),
    secret: setSecret(overrides.secret ?? SECRET),
    now: overrides.now ?? NOW,
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

  it('accepts a retry of the same message (same id, new timestamp, new signature): the id is the idempotency key, not a replay', () => {
    expect(check()).toBeNull();
    const later = String(Number(TIMESTAMP) + 300);
    const retry = signStandardWebhook(decodeStandardSecret(SECRET)!, ID, later, BODY);
    expect(check({ headers: { 'webhook-timestamp': later, 'webhook-signature': retry }, now: NOW + 300_000 })).toBeNull();
  });

  it('remembers ids for the tolerance plus the longest documented retry horizon (the spec example: 75 h 35 min)', () => {
    expect(WEBHOOK_ID_WINDOW_MS).toBeGreaterThanOrEqual((75 * 60 + 35 + 5) * 60 * 1000);
  });

  it('refuses missing headers and an unusable secret', () => {
    expect(check({ headers: { 'webhook-id': '' } })?.reason).toMatch(/webhook-id/);
    expect(check({ secret: 'whsec_***' })?.reason).toMatch(/whsec_/);
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
