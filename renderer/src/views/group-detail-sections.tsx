/**
 * The body of the detail pane, section by section: the group's facts, the notification decision, where it
 * happened, its callstack, classifiers and attributes, the provider's summary, and the latest hook's body.
 * Every value is the hook's text, shown as text.
 */
import type { ReactNode } from 'react';
import type { GroupDetail } from '../../../shared/ipc';
import { trimmedBodyOf } from '../../../shared/relay-body';
import { HistogramChart } from '../components/histogram-chart';
import { absoluteTime, agentText, plural, prettyValue, relativeTime } from '../lib/format';
import { decisionReason } from '../lib/group-detail';

/** What the sections show. */
export interface GroupDetailSectionsProps {
  group: GroupDetail;
  /** The current time, for relative times. */
  now: number;
  /** Copies the page where the error happened. */
  onCopyPage: (page: string) => void;
}

/** The detail pane's sections, each only when the hooks carried something for it. */
export function GroupDetailSections({ group, now, onCopyPage }: GroupDetailSectionsProps) {
  const attributes = Object.entries(group.attributes).filter(([, h]) => h.length > 0);
  return (
    <>
      <Facts group={group} now={now} />
      <DecisionSection group={group} now={now} />
      <WhereSection group={group} onCopyPage={onCopyPage} />
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
      <LatestHook group={group} now={now} />
    </>
  );
}

/** A term and its value in a facts list. */
function Fact({ term, children, wide = false }: { term: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? 'fact-wide' : undefined}>
      <dt>{term}</dt>
      {children}
    </div>
  );
}

/** Counts, first and last seen, environment and latest object. */
function Facts({ group, now }: { group: GroupDetail; now: number }) {
  return (
    <section className="detail-section">
      <dl className="facts">
        <Fact term="Occurrences">
          <dd>{group.occurrences.toLocaleString('en-US')}</dd>
        </Fact>
        <Fact term="Hooks received">
          <dd>{group.hooks.toLocaleString('en-US')}</dd>
        </Fact>
        {group.hosts !== null && (
          <Fact term="Hosts">
            <dd>{group.hosts.toLocaleString('en-US')}</dd>
          </Fact>
        )}
        {group.guids !== null && (
          <Fact term="GUIDs">
            <dd>{group.guids.toLocaleString('en-US')}</dd>
          </Fact>
        )}
        <Fact term="First seen">
          <dd title={absoluteTime(group.firstSeen)}>{relativeTime(group.firstSeen, now)}</dd>
        </Fact>
        <Fact term="Last seen">
          <dd title={absoluteTime(group.lastSeen)}>{relativeTime(group.lastSeen, now)}</dd>
        </Fact>
        {group.environment && (
          <Fact term="Environment">
            <dd>{group.environment}</dd>
          </Fact>
        )}
        {group.latestObjectId && (
          <Fact term="Latest object">
            <dd>
              <code>{group.latestObjectId}</code>
            </dd>
          </Fact>
        )}
      </dl>
    </section>
  );
}

/** Whether the policy notified, and why. */
function DecisionSection({ group, now }: { group: GroupDetail; now: number }) {
  const decision = group.lastDecision;
  return (
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
  );
}

/** The page, browser and OS a browser error came from. */
function WhereSection({ group, onCopyPage }: { group: GroupDetail; onCopyPage: (page: string) => void }) {
  const browser = agentText(group.browser);
  const os = agentText(group.os);
  if (!group.page && !browser && !os) return null;
  const page = group.page;
  return (
    <section className="detail-section">
      <h3>Where it happened</h3>
      <dl className="facts">
        {page && (
          <Fact term="Page" wide>
            <dd>
              {/* The page is the site where the error happened, as the hook says: shown, never opened from here. */}
              <span className="mono wrap">{page}</span>{' '}
              <button type="button" className="btn btn-small btn-ghost" aria-label={`Copy page ${page}`} onClick={() => onCopyPage(page)}>
                Copy
              </button>
            </dd>
          </Fact>
        )}
        {browser && (
          <Fact term="Browser">
            <dd>{browser}</dd>
          </Fact>
        )}
        {os && (
          <Fact term="OS">
            <dd>{os}</dd>
          </Fact>
        )}
      </dl>
      {group.userAgent && <p className="muted small mono wrap">{group.userAgent}</p>}
    </section>
  );
}

/** The latest hook's body, folded, and the group's key. */
function LatestHook({ group, now }: { group: GroupDetail; now: number }) {
  // A hook read through the team relay whose body was too large to forward whole: say so, then its start.
  const trimmed = trimmedBodyOf(group.latestRaw);
  return (
    <section className="detail-section">
      <details>
        <summary>Latest hook body</summary>
        {trimmed && <p className="notice">{trimmed.note}</p>}
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a long body scrolls, and the keyboard must reach it to scroll it */}
        <pre className="code-block" role="region" aria-label="Latest hook body" tabIndex={0}>
          {trimmed ? `${trimmed.start}…` : prettyValue(group.latestRaw)}
        </pre>
      </details>
      <p className="muted small">
        Group key <code className="wrap">{group.groupKey}</code> · {plural(group.hooks, 'hook')} · received{' '}
        {relativeTime(group.lastReceivedAt, now)}
      </p>
    </section>
  );
}
