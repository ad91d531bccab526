/**
 * The detail pane's actions on its group, as a hook over `group-actions.ts`: runs one through main's
 * `runAction` (one at a time), says it pending at once ("Resolving in Sentry…"), follows main's progress while
 * it runs (a rate limit's "retrying at 14:05:30") or while an action from elsewhere is pending, and says how it
 * ended: done in the provider's words, or failed with them (nothing changed then).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GroupAction } from '../../../shared/actions';
import type { GroupDetail } from '../../../shared/ipc';
import { errorMessage, getGroup, runAction } from '../api';
import { type ActionStatus, endedAction, type LocalAction, shownStatus, startedAction } from './group-actions';

/** How often main is asked for an action's progress while one is pending. */
export const PROGRESS_POLL_MS = 1_000;

/** The pane's actions: what it shows of the last one, and how to run one. */
export interface GroupActionModel {
  /** The last action on the group as the pane shows it, or null. */
  status: ActionStatus | null;
  /** An action asked for here is under way: the row takes no other. */
  busy: boolean;
  /** Runs an action; `pending` is said until main answers. Resolves once it ended (never rejects). */
  run: (action: GroupAction, pending: string) => Promise<void>;
}

/**
 * The actions on `group`. `onRefreshed` gets the group fetched again while an action is pending (its progress)
 * and once one ended (its new state and its record).
 */
export function useGroupAction(group: GroupDetail | null, onRefreshed: (g: GroupDetail) => void): GroupActionModel {
  const [local, setLocal] = useState<LocalAction | null>(null);
  const refreshed = useRef(onRefreshed);
  refreshed.current = onRefreshed;
  const groupId = group?.id ?? null;
  const refetch = useCallback((id: string) => {
    getGroup(id).then(
      (g) => g && g.id === id && refreshed.current(g),
      () => undefined,
    );
  }, []);
  const busy = local !== null && local.groupId === groupId && local.state === 'pending';
  const pendingElsewhere = group?.action?.state === 'pending';
  useEffect(() => {
    if (!groupId || !(busy || pendingElsewhere)) return;
    const timer = setInterval(() => refetch(groupId), PROGRESS_POLL_MS);
    return () => clearInterval(timer);
  }, [groupId, busy, pendingElsewhere, refetch]);

  const run = useCallback(
    async (action: GroupAction, pending: string) => {
      if (!groupId) return;
      setLocal(startedAction(groupId, action, pending, Date.now()));
      try {
        const result = await runAction(groupId, action);
        setLocal(endedAction(groupId, result, Date.now()));
      } catch (err) {
        // main refused the call itself (its argument check): nothing was asked of anyone.
        const words = errorMessage(err);
        setLocal({ groupId, action: action.kind, state: 'failed', words, retryAt: null, at: new Date().toISOString() });
      }
      refetch(groupId);
    },
    [groupId, refetch],
  );
  return { status: group ? shownStatus(local, group.action ?? null, group.id) : null, busy, run };
}
