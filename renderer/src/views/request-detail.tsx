/** One request in the inspector: its status and reason, Replay, its facts, masked headers and body as text. */
import { useMemo } from 'react';
import type { RequestRecord } from '../../../shared/events';
import { absoluteTime, prettyBody, statusTone } from '../lib/format';
import { sortedHeaders } from '../lib/request-list';
import { useReplay } from '../lib/use-replay';

/** The detail of `record`; `sourceName` is its source's name, null once the source is removed. */
export function RequestDetail({ record, sourceName }: { record: RequestRecord; sourceName: string | null }) {
  const replay = useReplay(record.id);
  const body = useMemo(() => prettyBody(record.body), [record.body]);
  const { result } = replay;
  return (
    <article className="request-detail">
      <header className="card-head">
        <h2>
          <span className={`status-code tone-${statusTone(record.status)}`}>{record.status}</span> {record.reason}
        </h2>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!record.replayable || replay.replaying}
          title={
            record.replayable ? 'Send this request to the receiver again' : 'The body was too large to keep whole, so it cannot be replayed'
          }
          onClick={replay.replay}
        >
          {replay.replaying ? 'Replaying…' : 'Replay'}
        </button>
      </header>
      {result && (
        <p className={result.status >= 200 && result.status < 300 ? 'notice' : 'error-text'} role="status">
          Replayed: {result.status} {result.reason}
        </p>
      )}
      {replay.error && (
        <p className="error-text" role="alert">
          {replay.error}
        </p>
      )}
      <RequestFacts record={record} sourceName={sourceName} />
      <h3>Headers</h3>
      <table className="headers-table">
        <tbody>
          {sortedHeaders(record.headers).map(([k, v]) => (
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

/** When, what, from which source, how big, and the error and event it became. */
function RequestFacts({ record, sourceName }: { record: RequestRecord; sourceName: string | null }) {
  return (
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
  );
}
