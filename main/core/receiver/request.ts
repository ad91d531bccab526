/**
 * One request as the receiver's phases see it, and the small facts about HTTP they share.
 */
import type http from 'node:http';
import type { Source } from '../../../shared/settings';
import type { SourceToCheck } from '../credentials';
import type { Headers, ProviderModule } from '../providers/types';
import type { BudgetHolder } from './body-budget';

/** What the receiver tracks per connection. */
export interface Connection {
  /** The request it is in the middle of, so a deadline hit mid-body is recorded once, with it. */
  current: RequestState | null;
  /** Body bytes its requests hold (pipelined requests may hold more than one body). */
  held: number;
}

/** One request, from its headers to its answer. */
export interface RequestState extends BudgetHolder {
  method: string;
  path: string;
  source: Source | null;
  provider: ProviderModule | null;
  headers: Headers;
  chunks: Buffer[];
  /** The chunks joined, once the whole body is in: joined once, for verification and the log alike. */
  body: Buffer | null;
  bytes: number;
  complete: boolean;
  /** Set when Node's request deadline dropped the connection mid-request. */
  timedOut: boolean;
  /** Its connection's bookkeeping (absent for a client error's record). */
  connection: Connection | undefined;
  /** The credentials the header check passed with (current, or a rotation's previous ones). */
  verified?: SourceToCheck;
  /** Bad bytes followed this request on its connection: answer it, then close the connection. */
  closeAfterAnswer?: boolean;
  /** The request, to ask whether the HTTP parser has the whole message (absent for a client error's record). */
  req?: http.IncomingMessage;
}

/** Longest path kept in the request log. */
const MAX_RECORDED_PATH = 2048;

/** A request's state before any phase ran. */
export function newRequestState(req: http.IncomingMessage | null): RequestState {
  const rawUrl = req?.url ?? '';
  return {
    method: req?.method ?? '',
    path: rawUrl.length > MAX_RECORDED_PATH ? `${rawUrl.slice(0, MAX_RECORDED_PATH)}…` : rawUrl,
    source: null,
    provider: null,
    headers: req ? flattenHeaders(req.headers) : {},
    chunks: [],
    body: null,
    bytes: 0,
    complete: false,
    timedOut: false,
    held: 0,
    sourceId: undefined,
    headersVerified: false,
    connection: undefined,
    ...(req ? { req } : {}),
  };
}

/**
 * Header names lower-cased and multi-values joined, as providers expect them. Node already lower-cases
 * names and joins repeated headers, except `set-cookie` (an array): without an array the object is used as
 * it is, not copied (nothing changes it afterwards).
 */
export function flattenHeaders(raw: http.IncomingHttpHeaders): Headers {
  let flat = true;
  for (const name in raw) {
    if (typeof raw[name] !== 'string') {
      flat = false;
      break;
    }
  }
  if (flat) return raw as Headers;
  const out: Headers = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const JSON_TYPE = /^application\/(?:json|[a-z0-9!#$&^_.+-]+\+json)$/;

/** True for `application/json` and `application/<anything>+json`, with or without parameters. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  if (value === 'application/json') return true;
  const media = value.split(';')[0]!.trim().toLowerCase();
  return JSON_TYPE.test(media);
}

/** The sender waits for "100 Continue" before sending its body. */
export function expectsContinue(req: http.IncomingMessage): boolean {
  return (req.headers['expect'] ?? '').toLowerCase() === '100-continue';
}
