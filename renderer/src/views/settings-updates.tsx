/** Settings' Updates card: the app's own updates, the setting, where they stand, "Check now", and the restart. */
import { useState } from 'react';
import type { UpdateState } from '../../../shared/ipc';
import { checkForUpdates, errorMessage, installUpdate } from '../api';
import { Toggle } from '../components/toggle';
import { absoluteTime } from '../lib/format';
import { updateSummary } from '../lib/updates';

/** What the Updates card shows and changes. */
export interface UpdatesCardProps {
  /** Where the updates stand; null until main has said. */
  update: UpdateState | null;
  /** The autoUpdate setting. */
  autoUpdate: boolean;
  onToggle: (on: boolean) => void;
  onError: (message: string) => void;
}

/** The app's own updates: the setting, where they stand, "Check now", and "Restart to update" when one waits. */
export function UpdatesCard({ update, autoUpdate, onToggle, onError }: UpdatesCardProps) {
  const [asking, setAsking] = useState(false);
  const summary = update ? updateSummary(update, absoluteTime) : null;
  // A copy that cannot update (run from source, the deb) says why; the switch would change nothing.
  const cannot = update?.status === 'disabled' && update.by !== 'setting';
  const busy = update?.status === 'checking' || update?.status === 'available' || update?.status === 'downloading';
  const checkNow = () => {
    setAsking(true);
    checkForUpdates().then(
      () => setAsking(false),
      (err) => {
        setAsking(false);
        onError(errorMessage(err));
      },
    );
  };
  return (
    <section className="card" aria-labelledby="updates-heading">
      <div className="card-head">
        <h2 id="updates-heading">Updates</h2>
        {summary && <span className={`status-pill tone-${summary.tone}`}>{summary.label}</span>}
      </div>
      <Toggle
        label="Check for updates automatically"
        hint="At start and once a day, from Crashbell’s releases on GitHub, over HTTPS. A new version downloads in the background and installs when you restart."
        checked={autoUpdate}
        disabled={cannot}
        onChange={onToggle}
      />
      {summary?.detail && (
        <p className={update?.status === 'error' ? 'error-text' : 'muted small'} aria-live="polite">
          {summary.detail}
        </p>
      )}
      <div className="button-row">
        <button
          type="button"
          className="btn"
          disabled={!update || update.status === 'disabled' || update.status === 'ready' || busy || asking}
          onClick={checkNow}
        >
          {asking || update?.status === 'checking' ? 'Checking…' : 'Check now'}
        </button>
        {update?.status === 'ready' && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => installUpdate().catch((err: unknown) => onError(errorMessage(err)))}
          >
            Restart to update
          </button>
        )}
      </div>
    </section>
  );
}
