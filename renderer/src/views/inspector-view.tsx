/**
 * The request inspector: the receiver's last requests, accepted and rejected, with status, reason, masked
 * headers and the pretty-printed body, and a replay to the receiver.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { RequestRecord } from '../../../shared/events';
import type { AppState, DeliveryResult } from '../../../shared/ipc';
import { errorMessage, listRequests, onRequestRecorded, replayRequest } from '../api';
import { EmptyState } from '../components/empty-state';
import { ErrorBox } from '../components/error-box';
import { Spinner } from '../components/spinner';
import { absoluteTime, plural, prettyBody, relativeTime, statusTone } from '../lib/format';
import { useNow } from '../lib/use-now';

/** How many requests the inspector keeps, as the receiver does. */
export const INSPECTOR_LIMIT = 200;

/** Adds a pushed record on top, dropping a duplicate and the oldest beyond the limit. */
export function prependRecord(list: readonly RequestRecord[], r: RequestRecord, limit = INSPECTOR_LIMIT): RequestRecord[] {
  return [r, ...list.filter((x) => x.id !== r.id)].slice(0, limit);
}

export function InspectorView({ state }: { state: AppState }) {
  const [records, setRecords] = useState<RequestRecord[]>([]);
  const [phase, setPhase] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [rejectedOnly, setRejectedOnly] = useState(false);
  const now = useNow();
  const sourceNames = useMemo(() => new Map(state.sources.map((s) => [s.id, s.name])), [state.sources]);

  const load = useCallback(() => {
    setPhase('loading');
    listRequests().then(
      (list) => {
        setRecords(list.slice(0, INSPECTOR_LIMIT));
        setPhase('ready');
      },
      (err) => {
        setError(errorMessage(err));
        setPhase('error');
      },
    );
  }, []);
  useEffect(load, [load]);
  useEffect(() => onRequestRecorded((r) => setRecords((prev) => prependRecord(prev, r))), []);

  const shown = rejectedOnly ? records.filter((r) => r.status >= 300 || r.status < 200) : records;
  const selected = records.find((r) => r.id === selectedId) ?? null;

  return (
    <div className="page inspector-view">
      <header className="page-header">
        <h1>Request inspector</h1>
        <p className="muted">The last {INSPECTOR_LIMIT} requests to the receiver, accepted and rejected. Secrets in headers are masked.</p>
      </header>
      <div className="inspector">
        <section className="inspector-list" aria-label="Requests">
          <div className="toolbar">
            <button type="button" className="chip-toggle" aria-pressed={rejectedOnly} onClick={() => setRejectedOnly(!rejectedOnly)}>
              Rejected only
            </button>
            <button type="button" className="btn btn-small btn-ghost" onClick={load}>
              Refresh
            </button>
            <span className="muted small">{plural(shown.length, 'request')}</span>
          </div>
          {phase === 'loading' && (
            <div className="list-placeholder">
              <Spinner label="Loading requests" />
            </div>
          )}
          {phase === 'error' && <ErrorBox message={error ?? 'Could not load requests.'} onRetry={load} />}
          {phase === 'ready' && shown.length === 0 && (
            <EmptyState title={rejectedOnly ? 'No rejected request' : 'No request yet'} icon="⇄">
              <p>Requests to the receiver appear here as they arrive. “Send test event” in Setup makes one.</p>
            </EmptyState>
          )}
          {phase === 'ready' && shown.length > 0 && (
            <ul className="request-list" role="listbox" aria-label="Received requests">
              {shown.map((r) => (
                <li
                  key={r.id}
                  role="option"
                  aria-selected={r.id === selectedId}
                  tabIndex={0}
                  className="request-row"
                  onClick={() => setSelectedId(r.id)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      setSelectedId(r.id);
                    }
                  }}
                >
                  <span className={`status-code tone-${statusTone(r.status)}`}>{r.status}</span>
                  <span className="request-main">
                    <span className="request-reason">{r.title ?? r.reason}</span>
                    <span className="muted small">
                      {r.duplicate && <span className="chip chip-muted">Redelivery</span>}{' '}
                      {r.sourceId ? (sourceNames.get(r.sourceId) ?? 'removed source') : 'no source'} · {r.method} {r.path}
                    </span>
                  </span>
                  <time className="muted small" dateTime={r.time} title={absoluteTime(r.time)}>
                    {relativeTime(r.time, now)}
                  </time>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="inspector-detail" aria-label="Request detail">
          {selected ? (
            <RequestDetail
              key={selected.id}
              record={selected}
              sourceName={selected.sourceId ? (sourceNames.get(selected.sourceId) ?? null) : null}
            />
          ) : (
            <p className="muted center-note">Choose a request to see its headers and body.</p>
          )}
        </section>
      </div>
    </div>
  );
}

function RequestDetail({ record, sourceName }: { record: RequestRecord; sourceName: string | null }) {
  const [replaying, setReplaying] = useState(false);
  const [result, setResult] = useState<DeliveryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const body = useMemo(() => prettyBody(record.body), [record.body]);
  const headers = Object.entries(record.headers).sort(([a], [b]) => a.localeCompare(b));
  return (
    <article className="request-detail">
      <header className="card-head">
        <h2>
          <span className={`status-code tone-${statusTone(record.status)}`}>{record.status}</span> {record.reason}
        </h2>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!record.replayable || replaying}
          title={
            record.replayable ? 'Send this request to the receiver again' : 'The body was too large to keep whole, so it cannot be replayed'
          }
          onClick={() => {
            setReplaying(true);
            setError(null);
            replayRequest(record.id).then(
              (r) => {
                setReplaying(false);
                setResult(r);
              },
              (err) => {
                setReplaying(false);
                setError(errorMessage(err));
              },
            );
          }}
        >
          {replaying ? 'Replaying…' : 'Replay'}
        </button>
      </header>
      {result && (
        <p className={result.status >= 200 && result.status < 300 ? 'notice' : 'error-text'} role="status">
          Replayed: {result.status} {result.reason}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Time</dt>
          <dd>{absoluteTime(record.time)}</dd>
        </div>
        <div>
          <dt>Request</dt>
          <dd className="mono">
            {record.method} {record.path}
          </dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{sourceName ?? record.sourceId ?? '—'}</dd>
        </div>
        <div>
          <dt>Body</dt>
          <dd>
            {record.bodyBytes.toLocaleString('en-US')} bytes{record.bodyTruncated ? ' (first 64 KiB kept)' : ''}
          </dd>
        </div>
        {record.title && (
          <div className="fact-wide">
            <dt>Error</dt>
            <dd>{record.title}</dd>
          </div>
        )}
        {record.eventId && (
          <div>
            <dt>Event</dt>
            <dd className="mono">{record.eventId}</dd>
          </div>
        )}
      </dl>
      <h3>Headers</h3>
      <table className="headers-table">
        <tbody>
          {headers.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td className="mono wrap">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Body</h3>
      {body ? (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a long body scrolls, and the keyboard must reach it to scroll it
        <pre className="code-block" role="region" aria-label="Request body" tabIndex={0}>
          {body}
        </pre>
      ) : (
        <p className="muted">(empty body)</p>
      )}
    </article>
  );
}
