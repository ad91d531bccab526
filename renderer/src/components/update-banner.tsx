/**
 * "Restart to update": the banner the window shows once a new version of Crashbell is downloaded and verified.
 */
import { useState } from 'react';
import type { UpdateState } from '../../../shared/ipc';
import { errorMessage, installUpdate } from '../api';
import { versionLabel } from '../lib/updates';

/** Shown only while an update is ready; the button quits, installs it and starts the new version. */
export function UpdateBanner({ state }: { state: UpdateState | null }) {
  const [restarting, setRestarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (state?.status !== 'ready') return null;
  const restart = () => {
    setRestarting(true);
    setError(null);
    installUpdate().then(
      // The app quits from here on; nothing more to show.
      () => undefined,
      (err) => {
        setRestarting(false);
        setError(errorMessage(err));
      },
    );
  };
  return (
    <section className="banner banner-update" role="status" aria-labelledby="update-ready-heading">
      <div className="banner-row">
        <div>
          <h2 id="update-ready-heading">Crashbell {versionLabel(state.version)} is ready to install</h2>
          <p>It is downloaded and verified. Restarting installs it and starts the new version.</p>
        </div>
        <button type="button" className="btn btn-primary" disabled={restarting} onClick={restart}>
          {restarting ? 'Restarting…' : 'Restart to update'}
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          Not restarted: {error}
        </p>
      )}
    </section>
  );
}
