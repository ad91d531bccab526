/**
 * What the receiver settled on for one request, before it is turned into an answer and a record (reply.ts):
 * every phase that refuses a request returns one of these.
 */
import { errorText } from '../errors';
import type { Rejection } from '../providers/types';

/** One request's outcome. */
export interface Outcome {
  status: number;
  /** Recorded in the request log; also the answer's `error`, unless `answer` says otherwise. */
  reason: string;
  /** What the sender is told instead of `reason` (a 404 says only "not found"). */
  answer?: string;
  field?: string;
  headers?: Record<string, string>;
  eventId?: string;
  /** The accepted event's title, for the inspector's row. */
  title?: string;
  /** Accepted as a redelivery of a hook already recorded. */
  duplicate?: boolean;
  /** The body was left unread (or partly read): close the connection after answering. */
  close?: boolean;
}

/** Which budget a refused chunk would have overrun, in the words the sender gets. */
export const BUSY = {
  all: 'too many requests in progress: try again shortly',
  source: 'too many requests in progress for this source: try again shortly',
  unverified: 'too many unauthenticated requests in progress: try again shortly',
  connection: 'too many requests in progress on this connection: try again shortly',
} as const;

/** A budget's name. */
export type Budget = keyof typeof BUSY;

/** Too much in memory: 503 with Retry-After, so the sender retries later. */
export function busyOutcome(budget: Budget): Outcome {
  return { status: 503, reason: BUSY[budget], headers: { 'Retry-After': '5' }, close: true };
}

/** Nothing a sender does should land here; if it does, answer and record instead of crashing. */
export function internalError(error: unknown): Outcome {
  return { status: 500, reason: `internal error: ${errorText(error)}`, close: true };
}

/** A provider's refusal as an outcome. */
export function fromRejection(rejection: Rejection, close?: Outcome['close']): Outcome {
  return {
    status: rejection.status,
    reason: rejection.reason,
    ...(rejection.field !== undefined ? { field: rejection.field } : {}),
    ...(rejection.headers ? { headers: rejection.headers } : {}),
    ...(close ? { close } : {}),
  };
}
