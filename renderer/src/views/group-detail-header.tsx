/**
 * The top of the detail pane: Back, the group's title and state, the actions on the crash (in its provider when
 * it can) and the pane's own, where its link goes, and what the last action came to.
 */
import type { GroupDetail } from '../../../shared/ipc';
import { GroupChips } from '../components/group-chips';
import { ProviderBadge } from '../components/provider-badge';
import { groupChips } from '../lib/group-chips';
import { useProviderInfo, useProviderLook } from '../lib/providers';
import type { GroupActionModel } from '../lib/use-group-action';
import type { GroupDetailModel } from '../lib/use-group-detail';
import { GroupAct } from './group-detail-act';
import { DeleteConfirm, GroupDetailActions } from './group-detail-actions';

/** What the header shows and acts on. */
export interface GroupDetailHeaderProps {
  group: GroupDetail;
  detail: GroupDetailModel;
  actions: GroupActionModel;
  sourceName: string | null;
  /** The source's "Resolve in <provider> too" setting. */
  resolveInProvider: boolean;
  now: number;
  onClose: () => void;
}

/** The detail pane's header. */
export function GroupDetailHeader({ group, detail, actions, sourceName, resolveInProvider, now, onClose }: GroupDetailHeaderProps) {
  const provider = useProviderLook()(group.provider).name;
  const info = useProviderInfo(group.provider)?.actions;
  return (
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
        <GroupChips chips={groupChips(group, now, true)} />
      </p>
      <GroupAct group={group} provider={provider} info={info} resolveInProvider={resolveInProvider} actions={actions} now={now} />
      <GroupDetailActions group={group} detail={detail} provider={provider} />
      <LinkNote group={group} provider={provider} />
      {detail.confirmingDelete && <DeleteConfirm detail={detail} />}
      {detail.notice && (
        <p className="notice" role="status">
          {detail.notice}
        </p>
      )}
    </header>
  );
}

/**
 * The link's fate in words: where it goes when it opens (and whether Crashbell built it), or the link as text
 * with why it does not open.
 */
function LinkNote({ group, provider }: { group: GroupDetail; provider: string }) {
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
