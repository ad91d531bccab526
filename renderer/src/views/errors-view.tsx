/**
 * Recent errors: one row per group, newest first, virtualized so thousands of groups scroll smoothly,
 * with search, filters, live updates and keyboard control; the detail opens beside the list and follows the
 * keyboard selection. Mark all read and Clear history (confirmed first) act on the whole history.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { GroupRow, GroupUpdate } from '../../../shared/events';
import { groupUpdate } from '../../../shared/group-filter';
import type { AppState } from '../../../shared/ipc';
import { clearHistory, errorMessage, listGroups, markAllRead, markGroup, onGroupRemoved, onGroupsReset, onGroupUpdated } from '../api';
import { EmptyState } from '../components/empty-state';
import { ErrorBox } from '../components/error-box';
import { ProviderBadge } from '../components/provider-badge';
import { Spinner } from '../components/spinner';
import { absoluteTime, compactCount, plural, relativeTime } from '../lib/format';
import { useProviderLook } from '../lib/providers';
import {
  appendPage,
  EMPTY_FILTERS,
  isFiltered,
  listAction,
  moveSelection,
  removeGroup,
  sameFilters,
  toQuery,
  upsertGroup,
  type ListFilters,
} from '../lib/group-list';
import { providerNames } from '../lib/providers';
import { useNow } from '../lib/use-now';
import { GroupDetail } from './group-detail';

const PAGE_SIZE = 500;
const ROW_HEIGHT = 64;

export interface ErrorsViewProps {
  state: AppState;
  /** A group to open (from a notification click or the tray). */
  openRequest: { groupId: string; nonce: number } | null;
  /** Called once the request is handled, so coming back to the list later does not reopen it. */
  onOpenHandled: () => void;
  onGoToSetup: () => void;
}

export function ErrorsView({ state, openRequest, onOpenHandled, onGoToSetup }: ErrorsViewProps) {
  const [filters, setFilters] = useState<ListFilters>(EMPTY_FILTERS);
  const [textInput, setTextInput] = useState('');
  const [rows, setRows] = useState<GroupRow[]>([]);
  /** The rows as last set, for updates that arrive before React renders them. */
  const rowsRef = useRef<GroupRow[]>([]);
  const [total, setTotal] = useState(0);
  /** The filters the rows shown answer: the empty state and the count speak of these, not of a query still running. */
  const [loaded, setLoaded] = useState<ListFilters | null>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const keepClearRef = useRef<HTMLButtonElement>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [phase, setPhase] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [selected, setSelected] = useState(-1);
  /** The selection as last set, so live updates can keep it on the same group. */
  const selectedRef = useRef(-1);
  selectedRef.current = selected;
  const [openId, setOpenId] = useState<string | null>(null);
  const [liveOpen, setLiveOpen] = useState<GroupRow | null>(null);
  const [actionNote, setActionNote] = useState<string | null>(null);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const openIdRef = useRef(openId);
  openIdRef.current = openId;
  const generation = useRef(0);
  const listRef = useRef<HTMLDivElement>(null);
  const now = useNow();
  const lookProvider = useProviderLook();

  const sourceNames = useMemo(() => new Map(state.sources.map((s) => [s.id, s.name])), [state.sources]);
  const sourcesRef = useRef(state.sources);
  sourcesRef.current = state.sources;

  // Search as the user types, without a request per keystroke.
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.text === textInput ? f : { ...f, text: textInput })), 150);
    return () => clearTimeout(t);
  }, [textInput]);

  const load = useCallback(() => {
    const gen = ++generation.current;
    const asked = filters;
    setPhase((p) => (p === 'ready' ? p : 'loading'));
    listGroups(toQuery(asked, PAGE_SIZE)).then(
      (page) => {
        if (gen !== generation.current) return;
        rowsRef.current = page.groups;
        setRows(page.groups);
        setTotal(page.total);
        setCursor(page.nextCursor);
        setLoaded(asked);
        setPhase('ready');
        setSelected((s) => (page.groups.length === 0 ? -1 : Math.min(Math.max(s, 0), page.groups.length - 1)));
      },
      (err) => {
        if (gen !== generation.current) return;
        setError(errorMessage(err));
        setPhase('error');
      },
    );
  }, [filters]);

  useEffect(load, [load]);
  const loadRef = useRef(load);
  loadRef.current = load;

  // Live: a changed group moves to its place (or in/out of the filter) without reloading the list.
  // One place applies a changed group to the rows and the match count. It works from a ref rather than inside
  // a state updater: updaters must be pure (React may run them twice), and the count moves with the rows.
  const applyUpdate = useCallback((update: GroupUpdate) => {
    const selectedId = rowsRef.current[selectedRef.current]?.id;
    const { rows: next, totalDelta } = upsertGroup(rowsRef.current, update, filtersRef.current, sourcesRef.current);
    rowsRef.current = next;
    setRows(next);
    if (totalDelta !== 0) setTotal((t) => Math.max(0, t + totalDelta));
    // Rows move under the keyboard selection (a new group on top, one leaving the filter): keep it on the
    // same group, or where it was when that group left, so M, R and Enter act on what the user chose.
    if (selectedId !== undefined) {
      const at = next.findIndex((r) => r.id === selectedId);
      const index = at >= 0 ? at : Math.min(selectedRef.current, next.length - 1);
      selectedRef.current = index;
      setSelected(index);
    }
  }, []);

  useEffect(() => {
    const offUpdated = onGroupUpdated((update) => {
      applyUpdate(update);
      if (update.row.id === openIdRef.current) setLiveOpen(update.row);
    });
    // A deleted group leaves the list (and the detail, when it was open) where it is.
    const offRemoved = onGroupRemoved(({ groupId }) => {
      const { rows: next, totalDelta } = removeGroup(rowsRef.current, groupId);
      rowsRef.current = next;
      setRows(next);
      if (totalDelta !== 0) setTotal((t) => Math.max(0, t + totalDelta));
      setSelected((s) => Math.min(s, next.length - 1));
      if (openIdRef.current === groupId) setOpenId(null);
    });
    // The history was cleared or every group marked read: the list is loaded again.
    const offReset = onGroupsReset(({ change }) => {
      if (change === 'cleared') setOpenId(null);
      loadRef.current();
    });
    return () => {
      offUpdated();
      offRemoved();
      offReset();
    };
  }, [applyUpdate]);

  // A confirmation starts on its safe choice.
  useEffect(() => {
    if (confirmClear) keepClearRef.current?.focus();
  }, [confirmClear]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore) return;
    const gen = generation.current;
    setLoadingMore(true);
    listGroups(toQuery(filtersRef.current, PAGE_SIZE, cursor)).then(
      (page) => {
        setLoadingMore(false);
        if (gen !== generation.current) return;
        const next = appendPage(rowsRef.current, page.groups);
        rowsRef.current = next;
        setRows(next);
        setCursor(page.nextCursor);
        setTotal(page.total);
      },
      (err) => {
        setLoadingMore(false);
        setActionNote(errorMessage(err));
      },
    );
  }, [cursor, loadingMore]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => listRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => rows[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    if (cursor && lastIndex >= rows.length - 40) loadMore();
  }, [lastIndex, rows.length, cursor, loadMore]);

  // A notification click or tray entry asks to open a group.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new request opens; later row changes must not re-open it
  useEffect(() => {
    if (!openRequest) return;
    setOpenId(openRequest.groupId);
    setLiveOpen(null);
    const i = rows.findIndex((r) => r.id === openRequest.groupId);
    if (i >= 0) setSelected(i);
    onOpenHandled();
  }, [openRequest]);

  const toggleMark = (g: GroupRow, key: 'muted' | 'resolved' | 'read') => {
    const value = !g[key];
    markGroup(g.id, { [key]: value }).then(
      (s) => {
        if (s) applyUpdate(groupUpdate(s));
        const words =
          key === 'muted'
            ? value
              ? 'Muted'
              : 'Unmuted'
            : key === 'resolved'
              ? value
                ? 'Marked resolved'
                : 'Reopened'
              : value
                ? 'Marked read'
                : 'Marked unread';
        setActionNote(`${words}: ${g.title}`);
      },
      (err) => setActionNote(errorMessage(err)),
    );
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const action = listAction(e.key, { ctrl: e.ctrlKey, meta: e.metaKey, alt: e.altKey });
    if (!action) return;
    const current = selected >= 0 ? rows[selected] : undefined;
    e.preventDefault();
    switch (action) {
      case 'up':
      case 'down':
      case 'home':
      case 'end': {
        const next = moveSelection(selected, action, rows.length);
        setSelected(next);
        if (next >= 0) virtualizer.scrollToIndex(next, { align: 'auto' });
        // An open detail follows the selection.
        const to = rows[next];
        if (openId && to && to.id !== openId) {
          setOpenId(to.id);
          setLiveOpen(null);
        }
        break;
      }
      case 'open':
        if (current) {
          setOpenId(current.id);
          setLiveOpen(null);
        }
        break;
      case 'mute':
        if (current) toggleMark(current, 'muted');
        break;
      case 'resolve':
        if (current) toggleMark(current, 'resolved');
        break;
      case 'read':
        if (current) toggleMark(current, 'read');
        break;
    }
  };

  const providers = useMemo(() => [...new Set(state.sources.map((s) => s.provider))], [state.sources]);
  const activeId = selected >= 0 ? rows[selected]?.id : undefined;
  // What is shown answers `loaded`; a query typed or still running changes nothing until its answer is in.
  const shown = loaded ?? filters;
  const filtered = isFiltered(shown);
  const searching = phase === 'ready' && (!sameFilters(shown, filters) || textInput.trim() !== filters.text.trim());

  const onMarkAllRead = () => {
    markAllRead().then(
      (n) => setActionNote(n === 0 ? 'Every error was already read' : `Marked ${plural(n, 'error group')} read`),
      (err) => setActionNote(errorMessage(err)),
    );
  };
  const onClearHistory = () => {
    setConfirmClear(false);
    clearHistory().then(
      (n) => {
        setActionNote(`History cleared: ${plural(n, 'error group')} deleted`);
        listRef.current?.focus();
      },
      (err) => setActionNote(errorMessage(err)),
    );
  };

  const list = (() => {
    if (phase === 'loading')
      return (
        <div className="list-placeholder">
          <Spinner label="Loading errors" />
        </div>
      );
    if (phase === 'error') return <ErrorBox message={error ?? 'Could not load errors.'} onRetry={load} />;
    if (rows.length === 0) {
      if (filtered) {
        return (
          <EmptyState title="Nothing matches" icon="⌕">
            <p>No error matches this search and these filters.</p>
            <button
              type="button"
              className="btn"
              onClick={() => {
                setTextInput('');
                setFilters(EMPTY_FILTERS);
              }}
            >
              Clear filters
            </button>
          </EmptyState>
        );
      }
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
            const sub =
              [g.application, g.project].filter(Boolean).join(' · ') || sourceNames.get(g.sourceId) || lookProvider(g.provider).name;
            return (
              <div
                key={item.key}
                id={`group-${g.id}`}
                role="option"
                aria-selected={item.index === selected}
                data-open={g.id === openId || undefined}
                data-unread={!g.read || undefined}
                className="group-row"
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => {
                  setSelected(item.index);
                  setOpenId(g.id);
                  setLiveOpen(null);
                  listRef.current?.focus();
                }}
              >
                {g.read ? (
                  <span className="unread-dot" aria-hidden="true" />
                ) : (
                  <span className="unread-dot" role="img" aria-label="Unread" />
                )}
                <ProviderBadge provider={g.provider} size="sm" />
                <span className="row-main">
                  <span className="row-title">{g.title}</span>
                  <span className="row-sub">{sub}</span>
                </span>
                <span className="row-marks">
                  {g.test && (
                    <span className="chip chip-test" title="Crashbell’s own test event: not counted as an unread error">
                      Test
                    </span>
                  )}
                  {g.muted && <span className="chip chip-muted">Muted</span>}
                  {g.resolved && <span className="chip chip-resolved">Resolved</span>}
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
          })}
        </div>
      </div>
    );
  })();

  return (
    <div className={`errors-view ${openId ? 'with-detail' : ''}`}>
      <h1 className="visually-hidden">Recent errors</h1>
      <section className="list-pane" aria-label="Error list">
        <div className="toolbar">
          <input
            type="search"
            className="search"
            placeholder="Search title, app, environment, version, browser, source…"
            aria-label="Search errors"
            value={textInput}
            onChange={(e) => setTextInput(e.currentTarget.value)}
            onKeyDown={(e) => {
              // From the search box straight into the results.
              if (e.key === 'ArrowDown' && rows.length > 0) {
                e.preventDefault();
                setSelected((s) => Math.max(s, 0));
                listRef.current?.focus();
              }
            }}
          />
          <div className="filters" role="group" aria-label="Filters">
            <select
              aria-label="Filter by source"
              value={filters.sourceId}
              onChange={(e) => setFilters({ ...filters, sourceId: e.currentTarget.value })}
            >
              <option value="">All sources</option>
              {state.sources.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
            <select
              aria-label="Filter by provider"
              value={filters.provider}
              onChange={(e) => setFilters({ ...filters, provider: e.currentTarget.value })}
            >
              <option value="">All providers</option>
              {providers.map((p) => (
                <option key={p} value={p}>
                  {lookProvider(p).name}
                </option>
              ))}
            </select>
            {(['unread', 'muted', 'resolved'] as const).map((k) => (
              <button
                key={k}
                type="button"
                className="chip-toggle"
                aria-pressed={filters[k]}
                onClick={() => setFilters({ ...filters, [k]: !filters[k] })}
              >
                {k === 'unread' ? 'Unread' : k === 'muted' ? 'Muted' : 'Resolved'}
              </button>
            ))}
          </div>
        </div>
        <div className="list-status">
          <span aria-live="polite">
            {phase !== 'ready' ? '\u00a0' : searching ? 'Searching…' : `${plural(total, 'error group')}${filtered ? ' match' : ''}`}
          </span>
          {(loadingMore || searching) && <Spinner label={searching ? 'Searching' : 'Loading more'} />}
          <span className="list-actions">
            <button type="button" className="btn btn-small btn-ghost" disabled={state.groups === 0} onClick={onMarkAllRead}>
              Mark all read
            </button>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              disabled={state.groups === 0 || confirmClear}
              onClick={() => setConfirmClear(true)}
            >
              Clear history…
            </button>
          </span>
          <span className="muted small keys-hint">↑↓ move · Enter open · M mute · R resolve</span>
        </div>
        {confirmClear && (
          <div className="confirm" role="group" aria-labelledby="confirm-clear-text">
            <p id="confirm-clear-text">
              Delete all {plural(state.groups, 'error group')} and the hooks stored with them? This cannot be undone; new hooks still
              arrive.
            </p>
            <button type="button" className="btn btn-small btn-danger" onClick={onClearHistory}>
              Clear history
            </button>
            <button type="button" ref={keepClearRef} className="btn btn-small" onClick={() => setConfirmClear(false)}>
              Keep it
            </button>
          </div>
        )}
        {actionNote && (
          <p className="notice" role="status">
            {actionNote}
          </p>
        )}
        {list}
      </section>
      {openId && (
        <section className="detail-pane" aria-label="Error detail">
          <GroupDetail
            groupId={openId}
            live={liveOpen}
            sourceName={(() => {
              const g = rows.find((r) => r.id === openId);
              return g ? (sourceNames.get(g.sourceId) ?? null) : null;
            })()}
            onClose={() => {
              setOpenId(null);
              listRef.current?.focus();
            }}
            onChanged={(s) => applyUpdate(groupUpdate(s))}
          />
        </section>
      )}
    </div>
  );
}
