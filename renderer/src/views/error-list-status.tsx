/**
 * The line under the errors list's toolbar: how many groups match (never a stale count while a search runs),
 * the history actions with Clear history's confirmation, the keys, and what the last action came to.
 */
import { useEffect, useRef } from 'react';
import { Spinner } from '../components/spinner';
import { plural } from '../lib/format';
import type { GroupList } from '../lib/use-group-list';
import type { HistoryActions } from '../lib/use-history-actions';

/** What the status line shows and acts on. */
export interface ErrorListStatusProps {
  list: GroupList;
  history: HistoryActions;
  /** How many groups the history holds (the history actions have nothing to do when none). */
  groups: number;
}

/** The count, the history actions, their confirmation and the last action's note. */
export function ErrorListStatus({ list, history, groups }: ErrorListStatusProps) {
  const { phase, searching, filtered, loadingMore } = list;
  return (
    <>
      <div className="list-status">
        <span aria-live="polite">
          {phase !== 'ready' ? '\u00a0' : searching ? 'Searching…' : `${plural(list.total, 'error group')}${filtered ? ' match' : ''}`}
        </span>
        {(loadingMore || searching) && <Spinner label={searching ? 'Searching' : 'Loading more'} />}
        <span className="list-actions">
          <button type="button" className="btn btn-small btn-ghost" disabled={groups === 0} onClick={history.markAllRead}>
            Mark all read
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost"
            disabled={groups === 0 || history.confirmingClear}
            onClick={history.askToClear}
          >
            Clear history…
          </button>
        </span>
        <span className="muted small keys-hint">↑↓ move · Enter open · M mute · R resolve</span>
      </div>
      {history.confirmingClear && <ClearConfirm groups={groups} history={history} />}
      {list.note && (
        <p className="notice" role="status">
          {list.note}
        </p>
      )}
    </>
  );
}

/** Clear history's confirmation. It opens on its safe choice, Keep it. */
function ClearConfirm({ groups, history }: { groups: number; history: HistoryActions }) {
  const keepRef = useRef<HTMLButtonElement>(null);
  useEffect(() => keepRef.current?.focus(), []);
  return (
    <div className="confirm" role="group" aria-labelledby="confirm-clear-text">
      <p id="confirm-clear-text">
        Delete all {plural(groups, 'error group')} and the hooks stored with them? This cannot be undone; new hooks still arrive.
      </p>
      <button type="button" className="btn btn-small btn-danger" onClick={history.clear}>
        Clear history
      </button>
      <button type="button" ref={keepRef} className="btn btn-small" onClick={history.keep}>
        Keep it
      </button>
    </div>
  );
}
