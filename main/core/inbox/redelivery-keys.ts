/**
 * The redelivery keys a group remembers: how a hook that repeats one already recorded is recognised (a sender's
 * retry, a replay), whatever group it arrives in. Each group keeps its newest {@link REDELIVERY_KEYS_PER_GROUP}
 * keys with when each was first accepted, written with the group on every hook, so they are kept compact: one
 * string of `<digest>:<time>` entries, newest first, separated by spaces, where the digest is the first 22
 * characters (132 bits) of the key's SHA-256 in base64url and the time is ms since the epoch in base 36. A look-up
 * is a substring search; nothing is parsed or allocated for a key that is not there.
 *
 * Older logs stored `[key, at]` pairs (whole keys, then `#`-prefixed 256-bit digests): they read back into this
 * form (see {@link keysFrom}), so their redeliveries are still recognised.
 */
import { hash } from 'node:crypto';
import type { NormalizedEvent } from '../../../shared/events';

/** How many redelivery keys a group remembers (newest kept). Enough for bursts of retries, bounded in memory. */
export const REDELIVERY_KEYS_PER_GROUP = 32;

/** A group's remembered keys, in the compact form described above ('' when none). */
export type RedeliveryKeys = string;

/** Characters of a key's digest kept: 22 base64url characters, 132 bits. */
const DIGEST_LENGTH = 22;

/** The form the bounded event carries a key in: "#" and 43 base64url characters (see bounded-event.ts). */
const FULL_DIGEST = /^#[A-Za-z0-9_-]{43}$/;

/** The stored digest of a redelivery key, from the event's form (a full digest) or, in old logs, a whole key. */
export function keyDigest(key: string): string {
  return key.length === 44 && key.charCodeAt(0) === 35 && FULL_DIGEST.test(key)
    ? key.slice(1, 1 + DIGEST_LENGTH)
    : hash('sha256', key, 'base64url').slice(0, DIGEST_LENGTH);
}

/** Where a digest's entry starts in `keys`, or -1. */
function entryOf(keys: RedeliveryKeys, digest: string): number {
  let at = keys.indexOf(digest);
  // A digest holds no space or colon, so a match is an entry's own digest when it starts the string or an entry.
  while (at > 0 && keys.charCodeAt(at - 1) !== 32) at = keys.indexOf(digest, at + 1);
  return at;
}

/** The time stored in the entry that starts at `at`. */
function timeAt(keys: RedeliveryKeys, at: number): number {
  const start = at + DIGEST_LENGTH + 1;
  const end = keys.indexOf(' ', start);
  return Number.parseInt(end < 0 ? keys.slice(start) : keys.slice(start, end), 36);
}

/**
 * True when the event repeats a hook this group already recorded: the same redelivery key within the event's
 * window (null window: forever).
 */
export function isRedelivery(keys: RedeliveryKeys, event: NormalizedEvent, nowMs: number): boolean {
  const { key, windowMs } = event.redelivery;
  if (!key || keys === '') return false;
  const at = entryOf(keys, keyDigest(key));
  if (at < 0) return false;
  return windowMs === null || nowMs - timeAt(keys, at) <= windowMs;
}

/** The keys with the event's remembered (newest first, replacing an older entry of the same key), bounded. */
export function rememberKey(keys: RedeliveryKeys, event: NormalizedEvent, nowMs: number): RedeliveryKeys {
  const { key } = event.redelivery;
  if (!key) return keys;
  const digest = keyDigest(key);
  let rest = keys;
  const at = entryOf(rest, digest);
  if (at >= 0) {
    const end = rest.indexOf(' ', at);
    rest = end < 0 ? rest.slice(0, Math.max(0, at - 1)) : `${rest.slice(0, at)}${rest.slice(end + 1)}`;
  }
  const entry = `${digest}:${nowMs.toString(36)}`;
  if (rest === '') return entry;
  // Keep the newest: cut after the 31st entry already there.
  let cut = -1;
  for (let n = 0, i = 0; n < REDELIVERY_KEYS_PER_GROUP - 1; n++) {
    i = rest.indexOf(' ', i);
    if (i < 0) break;
    if (n === REDELIVERY_KEYS_PER_GROUP - 2) cut = i;
    i++;
  }
  return `${entry} ${cut < 0 ? rest : rest.slice(0, cut)}`;
}

/** How many keys are remembered. */
export function keyCount(keys: RedeliveryKeys): number {
  if (keys === '') return 0;
  let n = 1;
  for (let i = keys.indexOf(' '); i >= 0; i = keys.indexOf(' ', i + 1)) n++;
  return n;
}

/**
 * The keys as a stored summary holds them: the compact string, or (older logs) `[key, at]` pairs, oldest first,
 * with whole keys or `#`-prefixed digests. Anything else reads as none.
 */
export function keysFrom(stored: unknown): RedeliveryKeys {
  if (typeof stored === 'string') return stored;
  if (!Array.isArray(stored)) return '';
  const entries: string[] = [];
  for (let i = stored.length - 1; i >= 0 && entries.length < REDELIVERY_KEYS_PER_GROUP; i--) {
    const pair = stored[i] as unknown;
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'number' || !Number.isFinite(pair[1])) continue;
    entries.push(`${keyDigest(pair[0])}:${Math.max(0, Math.floor(pair[1])).toString(36)}`);
  }
  return entries.join(' ');
}
