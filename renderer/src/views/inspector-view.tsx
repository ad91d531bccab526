/**
 * The request inspector: the receiver's last requests, accepted and rejected, with status, reason, masked
 * headers and the pretty-printed body, and a replay to the receiver.
 *
 * This module lays the list out; its state and talk with main are `lib/use-request-list.ts`, and one request's
 * detail is `request-detail.tsx`.
 */
import { useMemo } from 'react';
import type { RequestRecord } from '../../../shared/events';
import type { AppState } from '../../../shared/ipc';
import { EmptyState } from '../components/empty-state';
import { ErrorBox } from '../components/error-box';
import { Spinner } from '../components/spinner';
import { absoluteTime, plural, relativeTime, statusTone } from '../lib/format';
import { INSPECTOR_LIMIT } from '../lib/request-list';
import { type RequestListModel, useRequestList } from '../lib/use-request-list';
import { useNow } from '../lib/use-now';
import { RequestDetail } from './request-detail';

/** The inspector view: the list of requests beside the detail of the one chosen. */
export function InspectorView({ state }: { state: AppState }) {
  const list = useRequestList();
  const sourceNames = useMemo(() => new Map(state.sources.map((s) => [s.id, s.name])), [state.sources]);
  const { selected } = list;
  return (
    <div className="page inspector-view">
      <header className="page-header">
        <h1>Request inspector</h1>
        <p className="muted">The last {INSPECTOR_LIMIT} requests to the receiver, accepted and rejected. Secrets in headers are masked.</p>
      </header>
      <div className="inspector">
        <section className="inspector-list" aria-label="Requests">
          <div className="toolbar">
            <button type="button" className="chip-toggle" aria-pressed={list.rejectedOnly} onClick={list.toggleRejectedOnly}>
              Rejected only
            </button>
            <button type="button" className="btn btn-small btn-ghost" onClick={list.reload}>
              Refresh
            </button>
            <span className="muted small">{plural(list.shown.length, 'request')}</span>
          </div>
          <RequestListBody list={list} sourceNames={sourceNames} />
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

/** The list while it loads, why it failed, that it is empty, or its rows. */
function RequestListBody({ list, sourceNames }: { list: RequestListModel; sourceNames: ReadonlyMap<string, string> }) {
  const now = useNow();
  if (list.phase === 'loading')
    return (
      <div className="list-placeholder">
        <Spinner label="Loading requests" />
      </div>
    );
  if (list.phase === 'error') return <ErrorBox message={list.error ?? 'Could not load requests.'} onRetry={list.reload} />;
  if (list.shown.length === 0)
    return (
      <EmptyState title={list.rejectedOnly ? 'No rejected request' : 'No request yet'} icon="⇄">
        <p>Requests to the receiver appear here as they arrive. “Send test event” in Setup makes one.</p>
      </EmptyState>
    );
  return (
    <ul className="request-list" role="listbox" aria-label="Received requests">
      {list.shown.map((r) => (
        <RequestRow key={r.id} record={r} list={list} sourceNames={sourceNames} now={now} />
      ))}
    </ul>
  );
}

/** One request: its status, what came of it, from where, and when; Enter or Space selects it. */
function RequestRow({
  record: r,
  list,
  sourceNames,
  now,
}: {
  record: RequestRecord;
  list: RequestListModel;
  sourceNames: ReadonlyMap<string, string>;
  now: number;
}) {
  return (
    <li
      role="option"
      aria-selected={r.id === list.selectedId}
      tabIndex={0}
      className="request-row"
      onClick={() => list.select(r.id)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          list.select(r.id);
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
  );
}
