/** The banner shown when the public URL moved: each source's new webhook URL, to paste into its provider. */
import type { AppState } from '../../../shared/ipc';
import { CopyButton } from './copy-button';

/** The public URL moved: each source's new webhook URL, with a copy button, and where to keep it from moving. */
export function UrlChangedBanner({ state, onSetup }: { state: AppState; onSetup: () => void }) {
  return (
    <section className="banner" role="alert" aria-labelledby="url-changed-heading">
      <h2 id="url-changed-heading">Your webhook URLs changed</h2>
      <p>
        Crashbell’s public URL is now <code>{state.publicBaseUrl}</code>. Update the webhook URL in each provider’s settings, or their hooks
        will not reach Crashbell:
      </p>
      <ul className="banner-list">
        {state.sources.map((s) => (
          <li key={s.id}>
            <span className="banner-source">{s.name}</span>
            <code className="wrap">{s.webhookUrl}</code>
            <CopyButton text={s.webhookUrl} label={`Copy new webhook URL for ${s.name}`} what={{ sourceId: s.id, webhookUrl: true }} />
          </li>
        ))}
      </ul>
      <p className="muted small">
        A reserved ngrok domain keeps the URL the same across restarts.{' '}
        <button type="button" className="link-button" onClick={onSetup}>
          Set one in Setup
        </button>
      </p>
    </section>
  );
}
