/**
 * A hook body the team relay could not carry whole. A gateway forwards every hook it accepts, but one NATS
 * message holds at most the server's `max_payload` (1 MB unless the server says otherwise), and a body may be
 * 1 MiB before JSON escaping. In its place the relay carries this marker: the body's start, how big it was and
 * the limit, so a member's detail view says in words that the body was too large to forward instead of showing
 * a cut body as if it were whole. The gateway writes it (main/core/relay/envelope.ts); the window reads it.
 */

/** What marks a trimmed body (its `crashbell` field). */
export const TRIMMED_BODY_MARK = 'relay-trimmed-body';

/** A trimmed body, as a member stores it in place of the hook's body. */
export interface TrimmedBody {
  crashbell: typeof TRIMMED_BODY_MARK;
  /** The whole body's size, in bytes (UTF-8). */
  bytes: number;
  /** The largest message the relay could send for it, in bytes. */
  limit: number;
  /** The same in words, for whoever reads the marker without knowing it (an older Crashbell shows it as JSON). */
  note: string;
  /** The body's beginning, as text: cut anywhere, so not JSON. */
  start: string;
}

/** The sentence that says a body was too large to forward. */
export function trimmedBodyNote(bytes: number, limit: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return (
    `The body was too large to forward through the team relay: ${n(bytes)} bytes, and the NATS server takes at most ` +
    `${n(limit)} bytes per message (its max_payload). Only its start is here; the gateway's history keeps it whole.`
  );
}

/** The marker for a body of `bytes` bytes cut to `start`. */
export function trimmedBody(bytes: number, limit: number, start: string): TrimmedBody {
  return { crashbell: TRIMMED_BODY_MARK, bytes, limit, note: trimmedBodyNote(bytes, limit), start };
}

/** The marker, when a stored body is one; null for any other body. */
export function trimmedBodyOf(raw: unknown): TrimmedBody | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  if (o['crashbell'] !== TRIMMED_BODY_MARK) return null;
  const { bytes, limit, start } = o;
  if (typeof bytes !== 'number' || typeof limit !== 'number' || typeof start !== 'string') return null;
  return trimmedBody(bytes, limit, start);
}
