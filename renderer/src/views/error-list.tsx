/**
 * The errors list's body: a spinner while the first page loads, the failure with Try again, the empty states,
 * or the rows (each with its state as chips: muted, resolved, ignored, snoozed, claimed), virtualized so
 * thousands of groups scroll smoothly, with the list's keys (↑/↓, Home/End, Enter, M mutes, R resolves through
 * the action, U). The next page is asked for as the end of the loaded rows comes near.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import type { KeyboardEvent, RefObject } from 'react';
import { useEffect } from 'react';
import type { GroupRow } from '../../../shared/events';
import type { AppState } from '../../../shared/ipc';
import { EmptyState } from '../components/empty-state';
import { ErrorBox } from '../components/error-box';
import { GroupChips } from '../components/group-chips';
import { ProviderBadge } from '../components/provider-badge';
import { Spinner } from '../components/spinner';
import { absoluteTime, compactCount, plural, relativeTime } from '../lib/format';
import { groupChips } from '../lib/group-chips';
import { listAction } from '../lib/group-list';
import { providerNames, useProviderLook } from '../lib/providers';
import type { GroupList } from '../lib/use-group-list';
import { useNow } from '../lib/use-now';

/** A row's height in pixels, set on each row, so the virtualizer places rows without measuring them. */
const ROW_HEIGHT = 64;
/** Rows drawn beyond the visible ones, so a fast scroll shows no gap. */
const OVERSCAN = 12;
/** How close to the end of the loaded rows the next page is asked for. */
const PREFETCH_ROWS = 40;

/** What the list body shows and acts on. */
export interface ErrorListProps {
  list: GroupList;
  /** The listbox element, focused from the search box, a row click and the detail's Back. */
  listRef: RefObject<HTMLDivElement | null>;
  state: AppState;
  sourceNames: ReadonlyMap<string, string>;
  onGoToSetup: () => void;
}

/** The list body in whichever state the list is. */
export function ErrorList({ list, listRef, state, sourceNames, onGoToSetup }: ErrorListProps) {
  const { rows, cursor, loadMore } = list;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => listRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    getItemKey: (i) => rows[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    if (cursor && lastIndex >= rows.length - PREFETCH_ROWS) loadMore();
  }, [lastIndex, rows.length, cursor, loadMore]);
  const now = useNow();
  const lookProvider = useProviderLook();

  if (list.phase === 'loading')
    return (
      <div className="list-placeholder">
        <Spinner label="Loading errors" />
      </div>
    );
  if (list.phase === 'error') return <ErrorBox message={list.error ?? 'Could not load errors.'} onRetry={list.reload} />;
  if (rows.length === 0)
    return list.filtered ? <NothingMatches onClear={list.clearFilters} /> : <NoErrorsYet state={state} onGoToSetup={onGoToSetup} />;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const action = listAction(e.key, { ctrl: e.ctrlKey, meta: e.metaKey, alt: e.altKey });
    if (!action) return;
    e.preventDefault();
    const moved = list.act(action);
    if (moved !== null && moved >= 0) virtualizer.scrollToIndex(moved, { align: 'auto' });
  };
  const activeId = list.selected >= 0 ? rows[list.selected]?.id : undefined;
  return (
    <div
      ref={listRef}
      className="group-list"
      role="listbox"
      tabIndex={0}
      aria-label="Recent errors"
      aria-activedescendant={activeId ? `group-${activeId}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const g = rows[item.index]!;
          return (
            <ErrorRow
              key={item.key}
              row={g}
              top={item.start}
              selected={item.index === list.selected}
              open={g.id === list.openId}
              sub={[g.application, g.project].filter(Boolean).join(' · ') || sourceNames.get(g.sourceId) || lookProvider(g.provider).name}
              now={now}
              onClick={() => {
                list.open(g.id);
                listRef.current?.focus();
              }}
            />
          );
        })}
      </div>
    </div>
  );
}

/** One group's row: unread dot, badge, title and where it came from, marks, count and when. */
function ErrorRow(props: { row: GroupRow; top: number; selected: boolean; open: boolean; sub: string; now: number; onClick: () => void }) {
  const { row: g, sub, now } = props;
  return (
    <div
      id={`group-${g.id}`}
      role="option"
      aria-selected={props.selected}
      data-open={props.open || undefined}
      data-unread={!g.read || undefined}
      className="group-row"
      style={{ transform: `translateY(${props.top}px)`, height: ROW_HEIGHT }}
      onClick={props.onClick}
    >
      {g.read ? <span className="unread-dot" aria-hidden="true" /> : <span className="unread-dot" role="img" aria-label="Unread" />}
      <ProviderBadge provider={g.provider} size="sm" />
      <span className="row-main">
        <span className="row-title">{g.title}</span>
        <span className="row-sub">{sub}</span>
      </span>
      <span className="row-marks">
        <GroupChips chips={groupChips(g, now)} />
      </span>
      <span className="row-meta">
        <span className="row-count" title={plural(g.occurrences, 'occurrence')}>
          {compactCount(g.occurrences)}×{g.hosts !== null && <span className="muted"> · {plural(g.hosts, 'host')}</span>}
        </span>
        <time className="row-time" dateTime={g.lastReceivedAt} title={absoluteTime(g.lastSeen)}>
          {relativeTime(g.lastReceivedAt, now)}
        </time>
      </span>
    </div>
  );
}

/** The empty state of a search or filters that match nothing. */
function NothingMatches({ onClear }: { onClear: () => void }) {
  return (
    <EmptyState title="Nothing matches" icon="⌕">
      <p>No error matches this search and these filters.</p>
      <button type="button" className="btn" onClick={onClear}>
        Clear filters
      </button>
    </EmptyState>
  );
}

/** The empty state of a history with no group yet: what to do to get one. */
function NoErrorsYet({ state, onGoToSetup }: { state: AppState; onGoToSetup: () => void }) {
  return (
    <EmptyState title="No errors yet" icon="✓">
      {state.sources.length === 0 ? (
        <p>Add a source in Setup, paste its webhook URL into {providerNames(state)}, and errors will appear here as they happen.</p>
      ) : (
        <p>
          Crashbell is listening on {plural(state.sources.length, 'source')}. Errors appear here the moment a provider sends a hook. Try
          “Send test event” in Setup.
        </p>
      )}
      <button type="button" className="btn btn-primary" onClick={onGoToSetup}>
        Go to Setup
      </button>
    </EmptyState>
  );
}
