/**
 * Everything the hooks carried about one group, and what to do with it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Decision, GroupMarks, GroupRow, GroupSummary } from '../../../shared/events';
import type { GroupDetail as GroupWithLink } from '../../../shared/ipc';
import { untilWords } from '../../../shared/until-words';
import { copy, deleteGroup, errorMessage, getGroup, markGroup, openGroup } from '../api';
import { EmptyState } from '../components/empty-state';
import { ErrorBox } from '../components/error-box';
import { HistogramChart } from '../components/histogram-chart';
import { ProviderBadge } from '../components/provider-badge';
import { Spinner } from '../components/spinner';
import { absoluteTime, agentText, localClock, plural, prettyValue, relativeTime } from '../lib/format';
import { useProviderLook } from '../lib/providers';
import { useNow } from '../lib/use-now';

export interface GroupDetailProps {
  groupId: string;
  /** The latest row pushed for this group: a newer hook refetches the detail, new marks show at once. */
  live: GroupRow | null;
  sourceName: string | null;
  onClose: () => void;
  onChanged: (g: GroupSummary) => void;
}

/**
 * Why the policy decided as it did, in words. A Do Not Disturb that held it back says its end in the reader's
 * own clock format (the core's stored words use the engine's 24-hour clock).
 */
export function decisionReason(decision: Decision): string {
  if (decision.code === 'dnd' && decision.until) {
    const until = Date.parse(decision.until);
    const at = Date.parse(decision.at);
    if (Number.isFinite(until) && Number.isFinite(at)) return `Do Not Disturb until ${untilWords(until, at, localClock)}`;
  }
  return decision.reason;
}

/**
 * The detail pane for one group. Marks the group read when it opens. When `groupId` changes (the list's
 * selection moved) it shows the new group as soon as it arrives, keeping the previous one until then.
 */
export function GroupDetail({ groupId, live, sourceName, onClose, onChanged }: GroupDetailProps) {
  const [group, setGroup] = useState<GroupWithLink | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'missing' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  /** The group last asked for: an answer for an earlier one (the selection moved on) is dropped. */
  const asked = useRef(groupId);
  const now = useNow();
  const lookProvider = useProviderLook();

  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the id only; re-running when the parent re-renders would reload in a loop
  const load = useCallback(() => {
    asked.current = groupId;
    setState('loading');
    setNotice(null);
    setConfirmDelete(false);
    getGroup(groupId).then(
      (g) => {
        if (asked.current !== groupId) return;
        setGroup(g);
        setState(g ? 'ready' : 'missing');
        if (g && !g.read) {
          markGroup(g.id, { read: true }).then(
            (s) => s && onChanged(s),
            () => undefined,
          );
        }
      },
      (err) => {
        if (asked.current !== groupId) return;
        setError(errorMessage(err));
        setState('error');
      },
    );
  }, [groupId]);

  useEffect(load, [load]);
  useEffect(() => {
    if (confirmDelete) keepRef.current?.focus();
  }, [confirmDelete]);

  // A pushed update with a newer hook: refetch so the callstack, attributes and raw body follow.
  useEffect(() => {
    if (!live || !group || live.id !== group.id) return;
    if (live.lastReceivedAt !== group.lastReceivedAt) {
      getGroup(groupId).then(
        (g) => g && asked.current === g.id && setGroup(g),
        () => undefined,
      );
    } else if (live.muted !== group.muted || live.resolved !== group.resolved || live.read !== group.read) {
      setGroup({ ...group, muted: live.muted, resolved: live.resolved, read: live.read });
      // A team mark says who set it ("Resolved by ana"), which the row does not carry.
      if (live.muted !== group.muted || live.resolved !== group.resolved) {
        getGroup(groupId).then(
          (g) => g && asked.current === g.id && setGroup(g),
          () => undefined,
        );
      }
    }
  }, [live, group, groupId]);

  if (state === 'loading' && !group)
    return (
      <div className="detail detail-loading">
        <Spinner label="Loading error" />
      </div>
    );
  if (state === 'error')
    return (
      <div className="detail">
        <ErrorBox message={error ?? 'Could not load the error.'} onRetry={load} />
      </div>
    );
  if (state === 'missing' || !group) {
    return (
      <div className="detail">
        <EmptyState title="This error is gone">
          <p>It was pruned by retention or removed with its source.</p>
          <button type="button" className="btn" onClick={onClose}>
            Back to the list
          </button>
        </EmptyState>
      </div>
    );
  }

  const mark = (marks: GroupMarks, done: string) => {
    markGroup(group.id, marks).then(
      (s) => {
        if (s) {
          setGroup({ ...group, ...s, latestRaw: group.latestRaw });
          onChanged(s);
        }
        setNotice(done);
      },
      (err) => setNotice(errorMessage(err)),
    );
  };
  const provider = lookProvider(group.provider).name;
  const browser = agentText(group.browser);
  const os = agentText(group.os);
  const decision = group.lastDecision;
  const attributes = Object.entries(group.attributes).filter(([, h]) => h.length > 0);

  const remove = () => {
    setConfirmDelete(false);
    deleteGroup(group.id).then(
      (deleted) => {
        if (deleted) onClose();
        else setNotice('It was already gone from the history');
      },
      (err) => setNotice(errorMessage(err)),
    );
  };

  return (
    <article className="detail" aria-labelledby="detail-title" aria-busy={state === 'loading' || undefined}>
      <header className="detail-header">
        <button type="button" className="btn btn-ghost btn-small detail-back" onClick={onClose}>
          <span aria-hidden="true">←</span> Back
        </button>
        <div className="detail-title-row">
          <ProviderBadge provider={group.provider} />
          <h2 id="detail-title" className="detail-title">
            {group.title}
          </h2>
        </div>
        <p className="detail-sub">
          {[group.application, group.project, sourceName].filter(Boolean).join(' · ') || provider}
          {group.test === true && <span className="chip chip-test">Test</span>}
          {group.muted && <span className="chip chip-muted">{group.mutedBy ? `Muted by ${group.mutedBy}` : 'Muted'}</span>}
          {group.resolved && (
            <span className="chip chip-resolved">{group.resolvedBy ? `Resolved by ${group.resolvedBy}` : 'Resolved'}</span>
          )}
        </p>
        <div className="detail-actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={!group.link?.opens}
            onClick={() =>
              openGroup(group.id).then(
                (r) => setNotice(r.opened ? `Opened in ${provider}` : `Not opened: ${r.reason ?? 'refused'}`),
                (err) => setNotice(errorMessage(err)),
              )
            }
          >
            Open in {provider}
          </button>
          <button
            type="button"
            className="btn"
            disabled={!group.url}
            onClick={() =>
              group.url &&
              copy(group.url, {}).then(
                () => setNotice('Link copied'),
                (err) => setNotice(errorMessage(err)),
              )
            }
          >
            Copy link
          </button>
          <button
            type="button"
            className="btn"
            aria-pressed={group.muted}
            onClick={() => mark({ muted: !group.muted }, group.muted ? 'Unmuted' : 'Muted: it will not notify')}
          >
            {group.muted ? 'Unmute group' : 'Mute group'}
          </button>
          <button
            type="button"
            className="btn"
            aria-pressed={group.resolved}
            onClick={() =>
              mark({ resolved: !group.resolved }, group.resolved ? 'Reopened' : 'Marked resolved: a new hook will notify as a regression')
            }
          >
            {group.resolved ? 'Reopen' : 'Mark resolved'}
          </button>
          <button type="button" className="btn btn-danger-quiet" disabled={confirmDelete} onClick={() => setConfirmDelete(true)}>
            Delete…
          </button>
        </div>
        <LinkNote group={group} provider={provider} />
        {confirmDelete && (
          <div className="confirm" role="group" aria-labelledby="confirm-delete-text">
            <p id="confirm-delete-text">Delete this group and its stored hooks from the history? A new hook starts it again.</p>
            <button type="button" className="btn btn-small btn-danger" onClick={remove}>
              Delete group
            </button>
            <button type="button" ref={keepRef} className="btn btn-small" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
          </div>
        )}
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
      </header>

      <section className="detail-section">
        <dl className="facts">
          <div>
            <dt>Occurrences</dt>
            <dd>{group.occurrences.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>Hooks received</dt>
            <dd>{group.hooks.toLocaleString('en-US')}</dd>
          </div>
          {group.hosts !== null && (
            <div>
              <dt>Hosts</dt>
              <dd>{group.hosts.toLocaleString('en-US')}</dd>
            </div>
          )}
          {group.guids !== null && (
            <div>
              <dt>GUIDs</dt>
              <dd>{group.guids.toLocaleString('en-US')}</dd>
            </div>
          )}
          <div>
            <dt>First seen</dt>
            <dd title={absoluteTime(group.firstSeen)}>{relativeTime(group.firstSeen, now)}</dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd title={absoluteTime(group.lastSeen)}>{relativeTime(group.lastSeen, now)}</dd>
          </div>
          {group.environment && (
            <div>
              <dt>Environment</dt>
              <dd>{group.environment}</dd>
            </div>
          )}
          {group.latestObjectId && (
            <div>
              <dt>Latest object</dt>
              <dd>
                <code>{group.latestObjectId}</code>
              </dd>
            </div>
          )}
        </dl>
      </section>

      <section className="detail-section" aria-label="Notification decision">
        <h3>Notification</h3>
        {decision ? (
          <p className={`decision ${decision.notify ? 'decision-yes' : 'decision-no'}`}>
            <strong>{decision.notify ? (decision.digested ? 'Notified in a digest' : 'Notified') : 'Not notified'}</strong>
            {': '}
            {decisionReason(decision)}
            <span className="muted small"> · {relativeTime(decision.at, now)}</span>
          </p>
        ) : (
          <p className="muted">No decision recorded yet.</p>
        )}
      </section>

      {(group.page || browser || os) && (
        <section className="detail-section">
          <h3>Where it happened</h3>
          <dl className="facts">
            {group.page && (
              <div className="fact-wide">
                <dt>Page</dt>
                <dd>
                  {/* The page is the site where the error happened, as the hook says: shown, never opened from here. */}
                  <span className="mono wrap">{group.page}</span>{' '}
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={`Copy page ${group.page}`}
                    onClick={() =>
                      copy(group.page!, {}).then(
                        () => setNotice('Page copied'),
                        (err) => setNotice(errorMessage(err)),
                      )
                    }
                  >
                    Copy
                  </button>
                </dd>
              </div>
            )}
            {browser && (
              <div>
                <dt>Browser</dt>
                <dd>{browser}</dd>
              </div>
            )}
            {os && (
              <div>
                <dt>OS</dt>
                <dd>{os}</dd>
              </div>
            )}
          </dl>
          {group.userAgent && <p className="muted small mono wrap">{group.userAgent}</p>}
        </section>
      )}

      {group.callstack.length > 0 && (
        <section className="detail-section">
          <h3>Callstack</h3>
          <ol className="callstack">
            {group.callstack.map((frame, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a static list whose entries may repeat and never move
              <li key={i}>
                <code>{frame}</code>
              </li>
            ))}
          </ol>
        </section>
      )}

      {group.classifiers.length > 0 && (
        <section className="detail-section">
          <h3>Classifiers</h3>
          <ul className="tags" aria-label="Classifiers">
            {group.classifiers.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a static list whose entries may repeat and never move
              <li key={`${c}-${i}`} className="tag">
                {c}
              </li>
            ))}
          </ul>
        </section>
      )}

      {attributes.length > 0 && (
        <section className="detail-section">
          <h3>Attributes</h3>
          <div className="histograms">
            {attributes.map(([name, h]) => (
              <HistogramChart key={name} name={name} histogram={h} />
            ))}
          </div>
        </section>
      )}

      {group.description && (
        <section className="detail-section">
          <h3>Summary</h3>
          <p className="wrap">{group.description}</p>
        </section>
      )}

      <section className="detail-section">
        <details>
          <summary>Latest hook body</summary>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a long body scrolls, and the keyboard must reach it to scroll it */}
          <pre className="code-block" role="region" aria-label="Latest hook body" tabIndex={0}>
            {prettyValue(group.latestRaw)}
          </pre>
        </details>
        <p className="muted small">
          Group key <code className="wrap">{group.groupKey}</code> · {plural(group.hooks, 'hook')} · received{' '}
          {relativeTime(group.lastReceivedAt, now)}
        </p>
      </section>
    </article>
  );
}

/**
 * The link's fate in words: where it goes when it opens (and whether Crashbell built it), or the link as text
 * with why it does not open.
 */
function LinkNote({ group, provider }: { group: GroupWithLink; provider: string }) {
  const link = group.link;
  if (!link) return <p className="muted small">{provider} sent no link for this error.</p>;
  return (
    <div className="link-note small">
      {link.opens ? (
        <p className="muted">
          Opens <span className="mono wrap">{link.url}</span>
        </p>
      ) : (
        <p className="note note-warn" role="note">
          <strong>Not opened:</strong> {link.reason}. <span className="mono wrap">{link.url}</span>
        </p>
      )}
      {link.derived && <p className="muted">Link built by Crashbell: {link.derived}.</p>}
    </div>
  );
}
