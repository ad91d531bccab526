/**
 * The receiver's memory budgets for request bodies: bodies held at once in all, per source, per connection,
 * and for bodies no header check authenticated. Past any of them a request is answered 503 (retry later)
 * instead of read, so many slow senders cannot exhaust memory, and one flood cannot refuse everyone else:
 *
 * - one source's bodies: a quarter of the whole, so a flood on one URL leaves three quarters to the others;
 * - bodies not authenticated by their headers (a provider that can only verify after reading, or an unsigned
 *   one whose URL is the secret): half of it, so requests whose credentials were checked before the body
 *   (Backtrace Basic auth) always have the other half, whatever arrives unauthenticated;
 * - one connection's bodies (pipelined requests): the body size limit.
 */
import type { Budget } from './outcome';

/** Request bodies held in memory at once, across all connections: 64 MiB. */
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** The limits, in bytes. */
export interface BudgetLimits {
  all: number;
  source: number;
  unverified: number;
  connection: number;
}

/** What a body's bytes count against. */
export interface BudgetHolder {
  /** Bytes this request holds now. */
  held: number;
  /** Its source's id, once routed. */
  sourceId: string | undefined;
  /** Its headers authenticated it (its bytes do not count as unauthenticated). */
  headersVerified: boolean;
  /** Its connection's share (pipelined requests may hold more than one body). */
  connection: { held: number } | undefined;
}

/** The four budgets, counted as bodies arrive and leave. */
export class BodyBudget {
  private all = 0;
  private unverified = 0;
  private readonly bySource = new Map<string, number>();

  constructor(readonly limits: BudgetLimits) {}

  /** The budget `bytes` more of this request's body would overrun, or null when it fits in all of them. */
  over(r: BudgetHolder, bytes: number): Budget | null {
    if (this.all + bytes > this.limits.all) return 'all';
    if ((r.connection?.held ?? 0) + bytes > this.limits.connection) return 'connection';
    if (!r.headersVerified && this.unverified + bytes > this.limits.unverified) return 'unverified';
    if (r.sourceId !== undefined && (this.bySource.get(r.sourceId) ?? 0) + bytes > this.limits.source) return 'source';
    return null;
  }

  /** Counts `bytes` more of the request's body. */
  hold(r: BudgetHolder, bytes: number): void {
    r.held += bytes;
    this.all += bytes;
    if (r.connection) r.connection.held += bytes;
    if (!r.headersVerified) this.unverified += bytes;
    if (r.sourceId !== undefined) this.bySource.set(r.sourceId, (this.bySource.get(r.sourceId) ?? 0) + bytes);
  }

  /** The request is answered: its body no longer counts. */
  release(r: BudgetHolder): void {
    const bytes = r.held;
    if (bytes === 0) return;
    r.held = 0;
    this.all -= bytes;
    if (r.connection) r.connection.held -= bytes;
    if (!r.headersVerified) this.unverified -= bytes;
    if (r.sourceId !== undefined) {
      const left = (this.bySource.get(r.sourceId) ?? 0) - bytes;
      if (left > 0) this.bySource.set(r.sourceId, left);
      else this.bySource.delete(r.sourceId);
    }
  }
}
