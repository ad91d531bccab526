/**
 * The pane's own actions on the group: open it at its provider, copy its link, mute it here, and delete it from
 * the history (confirmed first). Each one's outcome is said by the header's notice. The actions on the crash
 * itself (resolve, snooze, claim...) are `group-detail-act.tsx`.
 */
import { useEffect, useRef } from 'react';
import type { GroupDetail } from '../../../shared/ipc';
import type { GroupDetailModel } from '../lib/use-group-detail';

/** What the actions act on. */
export interface GroupDetailActionsProps {
  group: GroupDetail;
  detail: GroupDetailModel;
  /** The provider's name, for the words on the buttons. */
  provider: string;
}

/** The pane's row of buttons. */
export function GroupDetailActions({ group, detail, provider }: GroupDetailActionsProps) {
  return (
    <div className="detail-actions">
      <button type="button" className="btn btn-primary" disabled={!group.link?.opens} onClick={() => detail.openInProvider(provider)}>
        Open in {provider}
      </button>
      <button type="button" className="btn" disabled={!group.url} onClick={() => group.url && detail.copyText(group.url, 'Link copied')}>
        Copy link
      </button>
      <button
        type="button"
        className="btn"
        aria-pressed={group.muted}
        onClick={() => detail.mark({ muted: !group.muted }, group.muted ? 'Unmuted' : 'Muted: it will not notify')}
      >
        {group.muted ? 'Unmute group' : 'Mute group'}
      </button>
      <button type="button" className="btn btn-danger-quiet" disabled={detail.confirmingDelete} onClick={detail.askToDelete}>
        Delete…
      </button>
    </div>
  );
}

/** Delete's confirmation. It opens on its safe choice, Keep it. */
export function DeleteConfirm({ detail }: { detail: GroupDetailModel }) {
  const keepRef = useRef<HTMLButtonElement>(null);
  useEffect(() => keepRef.current?.focus(), []);
  return (
    <div className="confirm" role="group" aria-labelledby="confirm-delete-text">
      <p id="confirm-delete-text">Delete this group and its stored hooks from the history? A new hook starts it again.</p>
      <button type="button" className="btn btn-small btn-danger" onClick={detail.remove}>
        Delete group
      </button>
      <button type="button" ref={keepRef} className="btn btn-small" onClick={detail.keep}>
        Keep it
      </button>
    </div>
  );
}
