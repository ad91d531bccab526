/**
 * Small helpers every provider module shares: constant-time comparison, user-agent parsing, turning a zod
 * error into a 400, and lenient readers for the messy shapes real webhooks carry.
 */
import { isoOf } from '../base/iso-time';
import { createHash, hash, timingSafeEqual } from 'node:crypto';
import UAParser from 'ua-parser-js';
import { z } from 'zod';
import type { AgentPart } from '../../../shared/events';
import { explainZodError } from '../../../shared/zod-words';
import type { Rejection, SetCredential } from './types';

/**
 * The SHA-256 digest {@link safeEqual} compares. A caller whose expected secret stays the same request after
 * request (a configured password) may compute it once and pass it in. One-shot hash (Node ≥ 20.12, and
 * Electron's Node): no Hash object per call, which showed in profiles as a share of each request's CPU.
 */
export function secretDigest(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/**
 * Compares two secrets in constant time. Both sides are hashed first so that neither the comparison nor an
 * early length check reveals how long the expected value is. `expectedDigest`, when given, must be
 * {@link secretDigest} of `expected`. Providers compare a credential with {@link credentialMatches}, which takes
 * only a set one; this is for values that are no credential (a signature computed from one, a per-run token).
 */
export function safeEqual(actual: string, expected: string, expectedDigest: Buffer = secretDigest(expected)): boolean {
  const a = secretDigest(actual);
  const b = expectedDigest;
  // Equal digests of unequal strings are out of reach; the extra length check only guards that theory.
  return timingSafeEqual(a, b) && actual.length === expected.length;
}

/**
 * Whether what a sender gave is the credential, compared in constant time ({@link safeEqual}). The credential is a
 * set one by its type: a source without it must be refused as "not set" before any comparison.
 */
export function credentialMatches(given: string, credential: SetCredential, credentialDigest?: Buffer): boolean {
  return safeEqual(given, credential, credentialDigest);
}

type AgentParts = { browser: AgentPart | null; os: AgentPart | null };

/** Recent user agents: a storm repeats a handful of browsers, and the parser's regexes are the costly part. */
const agentCache = new Map<string, AgentParts>();
const AGENT_CACHE_SIZE = 256;
/** Longer user agents are not cached (nor worth remembering). */
const AGENT_CACHE_MAX_LENGTH = 512;

function copyParts(parts: AgentParts): AgentParts {
  return { browser: parts.browser && { ...parts.browser }, os: parts.os && { ...parts.os } };
}

/** Browser and operating system read from a user agent by ua-parser-js; null parts when it says nothing. */
export function parseUserAgent(userAgent: string | null | undefined): AgentParts {
  if (!userAgent) return { browser: null, os: null };
  const cached = agentCache.get(userAgent);
  if (cached) return copyParts(cached);
  let parts: AgentParts;
  try {
    const result = new UAParser(userAgent).getResult();
    const part = (p: { name?: string; version?: string }): AgentPart | null =>
      p.name || p.version ? { name: p.name ?? null, version: p.version ?? null } : null;
    parts = { browser: part(result.browser), os: part(result.os) };
  } catch {
    // The library is not expected to throw, but a user agent is attacker-controlled text.
    parts = { browser: null, os: null };
  }
  if (userAgent.length <= AGENT_CACHE_MAX_LENGTH) {
    if (agentCache.size >= AGENT_CACHE_SIZE) agentCache.delete(agentCache.keys().next().value as string);
    agentCache.set(userAgent, copyParts(parts));
  }
  return parts;
}

/**
 * Turns a failed schema check into a 400 that names the first offending field and says what was wrong.
 * Pass `input` (the value that was checked) so a missing field can be told from a wrong one; without it the
 * issue's own message decides.
 */
export function schemaRejection(error: z.ZodError, ...checked: [input?: unknown]): Rejection {
  const problem = explainZodError(error, ...checked);
  if (error.issues.length === 0) return { status: 400, reason: 'the body does not match the expected schema' };
  if (problem.field === '') return { status: 400, reason: `the body is not valid: ${problem.message}` };
  return { status: 400, reason: problem.words, field: problem.field };
}

/** A finite number, or a string holding one ("35"), or null/absent (→ null). */
export const lenientNumber = z
  .union(
    [
      z.number(),
      z
        .string()
        .trim()
        .regex(/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'a number'),
      z.null(),
    ],
    {
      error: 'expected a number',
    },
  )
  .optional()
  .transform((v) => {
    if (v === null || v === undefined) return null;
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : null;
  });

/** A string, a number written as one, or null/absent (→ null). */
export const lenientString = z
  .union([z.string(), z.number(), z.boolean(), z.null()], { error: 'expected a string' })
  .optional()
  .transform((v) => (v === null || v === undefined ? null : String(v)));

/** A boolean, or "true"/"false"/1/0 as some senders write it, or null/absent (→ null). */
export const lenientBoolean = z
  .union([z.boolean(), z.enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False']), z.literal(0), z.literal(1), z.null()], {
    error: 'expected true or false',
  })
  .optional()
  .transform((v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v === 1;
    return v.toLowerCase() === 'true';
  });

/** Epoch seconds (or milliseconds, when the value is too large to be seconds) to ISO 8601; null if unusable. */
export function epochToIso(value: number | null): string | null {
  if (value === null || !Number.isFinite(value) || value < 0) return null;
  const ms = value > 1e11 ? value : value * 1000;
  // A burst of hooks names the same few instants: formatting each once is enough.
  return Number.isFinite(new Date(ms).getTime()) ? isoOf(ms) : null;
}

/** Any date string JavaScript can read, normalized to ISO 8601; null if unusable. */
export function dateToIso(value: string | null): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Reads a header that may be absent; header names are lower-case in {@link HookRequest}. */
export function header(headers: Record<string, string>, name: string): string | null {
  const value = headers[name.toLowerCase()];
  return value === undefined ? null : value;
}

/** Lower-case hex SHA-256 of a buffer or string. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
