/**
 * The reply phase: an outcome turned into the answer the sender gets (JSON, no-store, nosniff; the connection
 * closed after a body left unread) and into the request log's record.
 */
import type http from 'node:http';
import type { RequestRecord } from '../../../shared/events';
import { MAX_RECORDED_BODY_BYTES, type RequestLog } from '../request-log';
import type { Outcome } from './outcome';
import type { RequestState } from './request';

/** Answers the sender. Never called twice for one response. */
export function respond(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState, outcome: Outcome): void {
  const ok = outcome.status >= 200 && outcome.status < 300;
  // An event id is a UUID (nothing to escape): the accepted answer needs no JSON.stringify.
  const body =
    ok && outcome.eventId !== undefined
      ? `{"ok":true,"event":"${outcome.eventId}"${outcome.duplicate ? ',"duplicate":true' : ''}}`
      : JSON.stringify(
          ok
            ? { ok: true, event: null }
            : { ok: false, error: outcome.answer ?? outcome.reason, ...(outcome.field ? { field: outcome.field } : {}) },
        );
  const closeAfter = (outcome.close === true && !state.complete) || state.closeAfterAnswer === true;
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...outcome.headers,
  };
  if (closeAfter) {
    // The body was left unread (refused early, too large, broken): answer, send FIN, and drop the socket
    // shortly after, so the sender can read the answer but cannot keep us reading.
    headers['Connection'] = 'close';
    res.on('finish', () => {
      const socket = req.socket;
      socket.end();
      setTimeout(() => socket.destroy(), 500).unref();
    });
  }
  res.writeHead(outcome.status, headers);
  res.end(body);
}

/** Writes the request's record to the log; answers it. */
export function record(log: RequestLog, state: RequestState, outcome: Outcome, time: number): RequestRecord {
  return log.add({
    method: state.method,
    path: state.path,
    sourceId: state.source?.id ?? null,
    provider: state.source?.provider ?? null,
    status: outcome.status,
    reason: outcome.reason,
    headers: state.headers,
    body: state.body ?? recordedStart(state.chunks),
    bodyBytes: state.bytes,
    complete: state.complete,
    eventId: outcome.eventId ?? null,
    title: outcome.title ?? null,
    duplicate: outcome.duplicate === true,
    secretHeaders: secretHeadersFor(state),
    time,
  });
}

/** The provider's secret header names, and the source's own when its module names them (looked up when read). */
function secretHeadersFor(state: RequestState): readonly string[] | (() => readonly string[]) {
  const provider = state.provider;
  const source = state.source;
  if (!provider) return [];
  if (!provider.secretHeadersOf || !source) return provider.secretHeaders;
  const of = provider.secretHeadersOf.bind(provider);
  return () => {
    try {
      return [...provider.secretHeaders, ...of(source)];
    } catch {
      // A source whose config cannot be read still gets the provider's list (and the default set).
      return provider.secretHeaders;
    }
  };
}

/** The start of a body that was not read whole, joined only as far as the request log keeps it. */
function recordedStart(chunks: Buffer[]): Buffer {
  let bytes = 0;
  let n = 0;
  while (n < chunks.length && bytes < MAX_RECORDED_BODY_BYTES) bytes += chunks[n++]!.length;
  return Buffer.concat(chunks.slice(0, n));
}
