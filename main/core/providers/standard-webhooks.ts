/**
 * Standard Webhooks verification (https://www.standardwebhooks.com/, spec:
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 *
 * - headers `webhook-id` (the message id, the same on every retry of a message), `webhook-timestamp` (Unix
 *   seconds, new on each attempt) and `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256>`
 *   entries (several during secret rotation; other versions such as asymmetric `v1a` are skipped);
 * - the signed content is `<id>.<timestamp>.<body>` over the exact body bytes;
 * - the secret is given as `whsec_<base64>`; the HMAC key is the decoded bytes;
 * - timestamps more than 5 minutes away are refused. The spec says only "some allowable tolerance"; five
 *   minutes is what its reference libraries use.
 *
 * The spec makes `webhook-id` the idempotency key: a verified message whose id was already accepted is a
 * retry (the sender never saw the 2xx), answered 2xx and not recorded again. That is the inbox's redelivery
 * check, keyed on the id for {@link WEBHOOK_ID_WINDOW_MS} and kept in the durable history, so it holds across
 * restarts; verification here is stateless.
 */
import type { Rejection, SetCredential } from './types';
import { safeEqual } from './helpers';
import { checkTimestamp, hmacBase64, unauthorized } from './parsed-event';

export const STANDARD_WEBHOOKS_SPEC_URL = 'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md';

/**
 * How long an accepted `webhook-id` is remembered: the timestamp tolerance plus the longest retry horizon a
 * sender documents (the spec's example schedule retries for 75 h 35 min; Svix's for about 27.5 h), rounded
 * up to four days.
 */
export const WEBHOOK_ID_WINDOW_MS = 4 * 24 * 60 * 60 * 1000;

const SECRET_PREFIX = 'whsec_';

/** Decodes a `whsec_<base64>` secret (the prefix is optional) into the HMAC key; null when it is not base64. */
export function decodeStandardSecret(secret: string): Buffer | null {
  const text = secret.trim().startsWith(SECRET_PREFIX) ? secret.trim().slice(SECRET_PREFIX.length) : secret.trim();
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 === 1) return null;
  const key = Buffer.from(text, 'base64');
  return key.length > 0 ? key : null;
}

/** `v1,<base64>` for one message; for samples and tests. */
export function signStandardWebhook(key: Buffer, id: string, timestamp: string, body: string | Buffer): string {
  const content = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]);
  return `v1,${hmacBase64(key, content)}`;
}

export interface StandardWebhookCheck {
  headers: Record<string, string>;
  rawBody: Buffer;
  /** `whsec_<base64>`, set (a source without it is refused as "not set" before it gets here). */
  secret: SetCredential;
  now: number;
}

/**
 * Verifies one Standard Webhooks request. Returns null when genuine and fresh, or a 401 with the reason:
 * missing headers, a stale timestamp, or no matching signature. An id seen before is not refused here: a
 * sender retries under the same id, and the inbox answers such a retry as a redelivery.
 */
export function verifyStandardWebhook(check: StandardWebhookCheck): Rejection | null {
  const key = decodeStandardSecret(check.secret);
  if (!key) return unauthorized("this source's Standard Webhooks secret is not a whsec_ base64 secret; paste it again");
  const id = check.headers['webhook-id'];
  const timestamp = check.headers['webhook-timestamp'];
  const signatures = check.headers['webhook-signature'];
  if (!id) return unauthorized('missing webhook-id header (Standard Webhooks)');
  if (!signatures) return unauthorized('missing webhook-signature header (Standard Webhooks)');
  const stale = checkTimestamp('webhook-timestamp', timestamp ?? null, check.now);
  if (stale) return stale;
  const expected = signStandardWebhook(key, id, timestamp!, check.rawBody).slice(3);
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    // Every candidate is compared, so timing does not reveal which one (if any) matched.
    if (safeEqual(entry.slice(comma + 1), expected)) matched = true;
  }
  if (!matched) {
    return unauthorized(
      'no webhook-signature entry matches: each "v1," entry was compared with the base64 HMAC-SHA256 of "webhook-id.webhook-timestamp.body" keyed with the whsec_ secret; check that the source holds the sender\'s current whsec_ secret',
    );
  }
  return null;
}
