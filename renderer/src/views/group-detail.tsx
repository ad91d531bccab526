/**
 * Everything the hooks carried about one group, and what to do with it. This module lays the pane out; its
 * state and its talk with main are `lib/use-group-detail.ts`.
 */
import type { GroupRow, GroupSummary } from '../../../shared/events';
import type { SourceView } from '../../../shared/ipc';
import { EmptyState } from '../components/empty-state';
import { ErrorBox } from '../components/error-box';
import { Spinner } from '../components/spinner';
import { useGroupAction } from '../lib/use-group-action';
import { useGroupDetail } from '../lib/use-group-detail';
import { useNow } from '../lib/use-now';
import { GroupDetailHeader } from './group-detail-header';
import { GroupDetailSections } from './group-detail-sections';

/** What the detail pane takes from the list. */
export interface GroupDetailProps {
  groupId: string;
  /** The latest row pushed for this group: a newer hook refetches the detail, new marks show at once. */
  live: GroupRow | null;
  sourceName: string | null;
  /** The configured sources: the group's own says whether resolving goes to its provider too. */
  sources?: readonly SourceView[];
  onClose: () => void;
  onChanged: (g: GroupSummary) => void;
}

/**
 * The detail pane for one group. Marks the group read when it opens. When `groupId` changes (the list's
 * selection moved) it shows the new group as soon as it arrives, keeping the previous one until then.
 */
export function GroupDetail({ groupId, live, sourceName, sources = [], onClose, onChanged }: GroupDetailProps) {
  const detail = useGroupDetail(groupId, live, { onChanged, onGone: onClose });
  const actions = useGroupAction(detail.group, detail.refreshed);
  const now = useNow();
  const { group, phase } = detail;
  const source = group ? sources.find((s) => s.id === group.sourceId) : undefined;
  if (phase === 'loading' && !group)
    return (
      <div className="detail detail-loading">
        <Spinner label="Loading error" />
      </div>
    );
  if (phase === 'error')
    return (
      <div className="detail">
        <ErrorBox message={detail.error ?? 'Could not load the error.'} onRetry={detail.reload} />
      </div>
    );
  if (phase === 'missing' || !group) {
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
  return (
    <article className="detail" aria-labelledby="detail-title" aria-busy={phase === 'loading' || undefined}>
      <GroupDetailHeader
        group={group}
        detail={detail}
        actions={actions}
        sourceName={source?.name ?? sourceName}
        resolveInProvider={source?.api?.resolveInProvider ?? true}
        now={now}
        onClose={onClose}
      />
      <GroupDetailSections group={group} now={now} onCopyPage={(page) => detail.copyText(page, 'Page copied')} />
    </article>
  );
}
