/**
 * How a Sentry hook is verified (the module is sentry.ts):
 *
 * - Integration platform (an internal integration): `Sentry-Hook-Signature` is the hex HMAC-SHA256 of the body
 *   keyed with the integration's Client Secret, next to `Sentry-Hook-Timestamp` and `Sentry-Hook-Resource`.
 *   https://docs.sentry.io/organization/integrations/integration-platform/webhooks/
 *   The documented sample code signs `JSON.stringify(request.body)`, i.e. a compact re-serialization, while
 *   Sentry's sender signs the exact bytes it posts (getsentry/sentry `SentryApp.build_signature`); both are
 *   accepted so neither reading locks a user out. The compact form only ever matches an ASCII body: Sentry's
 *   JSON escapes everything else as \uXXXX, which `JSON.stringify` does not.
 * - Project service hooks (legacy): `X-ServiceHook-Signature` = HMAC(SHA256, secret, payload) as the service
 *   hook's settings page states, plus `X-ServiceHook-Timestamp`.
 *
 * The 5-minute timestamp window is Crashbell's own choice (Sentry documents none): as the timestamp is not signed,
 * it turns away hooks stamped long ago, but proves nothing about when the body was signed; a captured body replayed
 * with a fresh timestamp passes it, and is recorded once, as a redelivery (sentry-parse.ts).
 */
import { randomUUID } from 'node:crypto';
import { header, safeEqual } from './helpers';
import { checkTimestamp, hmacHex, unauthorized } from './parsed-event';
import type { Headers, HookRequest, Rejection, SetCredential, SourceToCheck } from './types';

/** What the stale-timestamp refusal adds: the window proves less than it seems to. */
const UNSIGNED_TIMESTAMP =
  'Sentry does not sign this timestamp, so the 5-minute window only turns away hooks stamped long ago; it does not prove a hook is new (the same signed body sent again is recorded once)';

/**
 * The text a body's signature was verified over, when it was the compact re-serialization (the fallback reading),
 * by the very body buffer `verify` and `parse` are both handed. Absent: the bytes as sent were signed (or the body
 * was never verified here: a preview).
 */
const signedCompactForm = new WeakMap<Buffer, string>();

/**
 * What a body's signature was verified over: its compact re-serialization when that is what matched, else the
 * bytes as sent (also for a body never verified here: a preview). The redelivery key is taken from it.
 */
export function signedForm(rawBody: Buffer): string | Buffer {
  return signedCompactForm.get(rawBody) ?? rawBody;
}

/** What a refused Sentry signature was compared with, in words (the secret is named, never shown). */
function signatureMismatch(headerName: string, given: string, secretName: string): Rejection {
  return unauthorized(
    `wrong ${headerName}: it is not the hex HMAC-SHA256 of the body keyed with this source's ${secretName} (received ${given.trim().length} characters; a hex HMAC-SHA256 has 64); check that the source holds the current one`,
  );
}

/** Both signature readings Sentry's documentation allows: the bytes as sent, or their compact JSON form. */
function signatureMatches(secret: SetCredential, given: string, req: HookRequest): boolean {
  const normalized = given.trim().toLowerCase();
  // The raw form is what Sentry sends; the compact form is only tried when it fails. The shortcut tells a
  // sender nothing it does not learn from the answer anyway.
  if (safeEqual(normalized, hmacHex(secret, req.rawBody))) {
    signedCompactForm.delete(req.rawBody);
    return true;
  }
  let compact: string;
  try {
    compact = JSON.stringify(req.json) ?? '';
  } catch {
    return false;
  }
  if (!safeEqual(normalized, hmacHex(secret, compact))) return false;
  // The redelivery key is taken from what was verified (deliveryKey).
  signedCompactForm.set(req.rawBody, compact);
  return true;
}

/** The client secret (or a service hook's secret), when set; `secret` is accepted as another spelling. */
export function sentrySecret(source: SourceToCheck): SetCredential | undefined {
  return source.credentials['clientSecret'] ?? source.credentials['secret'];
}

/** Neutral about where it is set (the app's Setup, or a config file's `credentials`): the sender reads it too. */
const NOT_SET =
  "the Client Secret is not set yet: add it to this source's credentials (Sentry shows it under your integration's Credentials once the integration is saved)";

/** A stale-timestamp refusal, saying what the window does and does not prove. */
function freshness(label: string, value: string | null, now: number): Rejection | null {
  const stale = checkTimestamp(label, value, now);
  return stale && value !== null && stale.reason.startsWith('stale')
    ? { ...stale, reason: `${stale.reason}. ${UNSIGNED_TIMESTAMP}` }
    : stale;
}

/** Refuses from the headers alone, before the body is read: no secret yet, or no signature at all. */
export function verifySentryHeaders(source: SourceToCheck, headers: Headers): Rejection | undefined {
  if (sentrySecret(source) === undefined) return unauthorized(NOT_SET);
  if (header(headers, 'sentry-hook-signature') === null && header(headers, 'x-servicehook-signature') === null) {
    return unauthorized(
      'missing Sentry-Hook-Signature (or X-ServiceHook-Signature) header: Sentry integrations sign every webhook. If this comes from the legacy WebHooks plugin (an alert rule\'s "Send a notification via WebHooks"), add a "Sentry (legacy WebHooks plugin)" source for it instead',
    );
  }
  // A signature is there, but it signs the body: nothing is authenticated until it is read.
  return undefined;
}

/**
 * Verifies a whole hook: the integration platform's signature (either reading) and timestamp, or a service hook's.
 * Answers why not in words that name what to check, never the secret.
 */
export function verifySentry(req: HookRequest): Rejection | null {
  const secret = sentrySecret(req.source);
  if (secret === undefined) return unauthorized(NOT_SET);
  const early = verifySentryHeaders(req.source, req.headers);
  if (early) return early;
  const integrationSignature = header(req.headers, 'sentry-hook-signature');
  if (integrationSignature !== null) {
    const stale = freshness('Sentry-Hook-Timestamp', header(req.headers, 'sentry-hook-timestamp'), req.now);
    if (stale) return stale;
    if (!signatureMatches(secret, integrationSignature, req)) {
      return signatureMismatch('Sentry-Hook-Signature', integrationSignature, "integration's Client Secret");
    }
    if (!header(req.headers, 'sentry-hook-resource')) return { status: 400, reason: 'missing Sentry-Hook-Resource header' };
    return null;
  }
  const serviceSignature = header(req.headers, 'x-servicehook-signature') ?? '';
  const stale = freshness('X-ServiceHook-Timestamp', header(req.headers, 'x-servicehook-timestamp'), req.now);
  if (stale) return stale;
  if (!signatureMatches(secret, serviceSignature, req)) {
    return signatureMismatch('X-ServiceHook-Signature', serviceSignature, "service hook's secret");
  }
  return null;
}

/** Signs a Sentry integration-platform hook the way Sentry does; for samples and tests. */
export function signSentryHook(secret: string, resource: string, body: string, now: number): Record<string, string> {
  return {
    'content-type': 'application/json',
    'request-id': randomUUID(),
    'sentry-hook-resource': resource,
    'sentry-hook-timestamp': String(Math.floor(now / 1000)),
    'sentry-hook-signature': hmacHex(secret, body),
  };
}
