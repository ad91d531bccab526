/**
 * Standard Webhooks verification (https://www.standardwebhooks.com/, spec:
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 *
 * - headers `webhook-id` (the message id, the same on retries), `webhook-timestamp` (Unix seconds) and
 *   `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256>` entries (several during secret
 *   rotation; other versions such as asymmetric `v1a` are skipped);
 * - the signed content is `<id>.<timestamp>.<body>` over the exact body bytes;
 * - the secret is given as `whsec_<base64>`; the HMAC key is the decoded bytes;
 * - timestamps more than 5 minutes away are refused, and ids already seen are refused as replays.
 *
 * Replays are remembered in memory, per source, for twice the tolerance and at most
 * {@link MAX_IDS_PER_SCOPE} ids: the cache resets when Crashbell restarts, and the timestamp tolerance is
 * what bounds the window in which a captured request could be replayed after a restart. A verified message
 * that is then refused or cannot be stored is forgotten again (`ProviderModule.settle`), since senders retry
 * under the same id.
 */
import type { Rejection } from './types';
import { safeEqual } from './helpers';
import { checkTimestamp, hmacBase64, TIMESTAMP_TOLERANCE_MS, unauthorized } from './parsed-event';

export const STANDARD_WEBHOOKS_SPEC_URL = 'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md';

/** Most ids remembered per source; the oldest are forgotten first. */
export const MAX_IDS_PER_SCOPE = 10_000;

/** How long an id is remembered: past this the timestamp check refuses the request anyway. */
export const REPLAY_TTL_MS = 2 * TIMESTAMP_TOLERANCE_MS;

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

/** Ids seen recently, per scope (a source id), bounded in size and time. */
export class ReplayCache {
  private readonly scopes = new Map<string, Map<string, number>>();

  constructor(
    private readonly maxPerScope = MAX_IDS_PER_SCOPE,
    private readonly ttlMs = REPLAY_TTL_MS,
  ) {}

  /** True when `id` was remembered in `scope` and has not expired at `now`. */
  has(scope: string, id: string, now: number): boolean {
    const expiresAt = this.scopes.get(scope)?.get(id);
    return expiresAt !== undefined && expiresAt > now;
  }

  /** Remembers `id` in `scope` from `now`, forgetting expired and then the oldest ids past the bound. */
  remember(scope: string, id: string, now: number): void {
    let ids = this.scopes.get(scope);
    if (!ids) {
      ids = new Map();
      this.scopes.set(scope, ids);
    }
    ids.delete(id);
    ids.set(id, now + this.ttlMs);
    // Insertion order is expiry order (one ttl for all), so expired ids sit at the front.
    for (const [oldId, expiresAt] of ids) {
      if (expiresAt > now && ids.size <= this.maxPerScope) break;
      ids.delete(oldId);
    }
  }

  /** Forgets one id, e.g. of a message that was verified but then not accepted (the sender will retry it). */
  forget(scope: string, id: string): void {
    this.scopes.get(scope)?.delete(id);
  }

  /** How many ids a scope holds (for tests and the inspector). */
  size(scope: string): number {
    return this.scopes.get(scope)?.size ?? 0;
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.scopes.clear();
  }
}

export interface StandardWebhookCheck {
  headers: Record<string, string>;
  rawBody: Buffer;
  /** `whsec_<base64>`. */
  secret: string;
  now: number;
  /** Where replays are remembered, and under which scope (the source id). */
  replay: ReplayCache;
  scope: string;
}

/**
 * Verifies one Standard Webhooks request. Returns null when genuine and fresh (and then remembers its id),
 * or a 401 with the reason: missing headers, a stale timestamp, no matching signature, or a replayed id.
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
  if (check.replay.has(check.scope, id, check.now)) {
    return unauthorized(`replayed webhook-id "${id.slice(0, 100)}": this message was already received`);
  }
  check.replay.remember(check.scope, id, check.now);
  return null;
}
