/**
 * Recent errors: one row per group, newest first, virtualized so thousands of groups scroll smoothly,
 * with search, filters, live updates and keyboard control; the detail opens beside the list and follows the
 * keyboard selection. Mark all read and Clear history (confirmed first) act on the whole history.
 *
 * This module lays the parts out; the list's state and its talk with main are `lib/use-group-list.ts`.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { AppState } from '../../../shared/ipc';
import { useGroupList } from '../lib/use-group-list';
import { useHistoryActions } from '../lib/use-history-actions';
import { ErrorList } from './error-list';
import { ErrorListStatus } from './error-list-status';
import { ErrorListToolbar } from './error-list-toolbar';
import { GroupDetail } from './group-detail';

/** What the errors view takes from the app. */
export interface ErrorsViewProps {
  state: AppState;
  /** A group to open (from a notification click or the tray). */
  openRequest: { groupId: string; nonce: number } | null;
  /** Called once the request is handled, so coming back to the list later does not reopen it. */
  onOpenHandled: () => void;
  onGoToSetup: () => void;
}

/** The errors view: the list pane, and the detail pane while a group is open. */
export function ErrorsView({ state, openRequest, onOpenHandled, onGoToSetup }: ErrorsViewProps) {
  const list = useGroupList(state.sources);
  const listRef = useRef<HTMLDivElement>(null);
  const focusList = () => listRef.current?.focus();
  const history = useHistoryActions(list.say, focusList);
  const sourceNames = useMemo(() => new Map(state.sources.map((s) => [s.id, s.name])), [state.sources]);
  const { open, openId } = list;

  // A notification click or tray entry asks to open a group.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new request opens; a caller's callback may be new on every render
  useEffect(() => {
    if (!openRequest) return;
    open(openRequest.groupId);
    onOpenHandled();
  }, [openRequest, open]);

  const openRow = openId ? list.rows.find((r) => r.id === openId) : undefined;
  return (
    <div className={`errors-view ${openId ? 'with-detail' : ''}`}>
      <h1 className="visually-hidden">Recent errors</h1>
      <section className="list-pane" aria-label="Error list">
        <ErrorListToolbar list={list} sources={state.sources} listRef={listRef} />
        <ErrorListStatus list={list} history={history} groups={state.groups} />
        <ErrorList list={list} listRef={listRef} state={state} sourceNames={sourceNames} onGoToSetup={onGoToSetup} />
      </section>
      {openId && (
        <section className="detail-pane" aria-label="Error detail">
          <GroupDetail
            groupId={openId}
            live={list.liveOpen}
            sourceName={openRow ? (sourceNames.get(openRow.sourceId) ?? null) : null}
            sources={state.sources}
            onClose={() => {
              list.close();
              focusList();
            }}
            onChanged={list.changed}
          />
        </section>
      )}
    </div>
  );
}
