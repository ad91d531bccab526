/**
 * Setup's Tunnel card: the ngrok tunnel that makes the receiver reachable from the internet, where it stands,
 * its authtoken and reserved domain, Reconnect, and the switch. Its state and talk with main are
 * `lib/use-tunnel-form.ts`.
 */
import type { AppState, SettingsView } from '../../../shared/ipc';
import { FormMessage } from '../components/form-message';
import { Spinner } from '../components/spinner';
import { Toggle } from '../components/toggle';
import { tunnelSummary } from '../lib/format';
import { type TunnelFormModel, useTunnelForm } from '../lib/use-tunnel-form';

/** What the Tunnel card takes from Setup. */
export interface TunnelCardProps {
  state: AppState;
  /** The saved settings, null until they load. */
  settings: SettingsView | null;
  onSettings: (s: SettingsView) => void;
}

/** The Tunnel card. */
export function TunnelCard({ state, settings, onSettings }: TunnelCardProps) {
  const form = useTunnelForm(settings, onSettings);
  const summary = tunnelSummary(state.tunnel, settings?.tunnel ?? null);
  // Without a token the note below says what the state's own reason would say again.
  const needsToken = !form.hasToken && state.tunnel.status !== 'online';
  return (
    <section className="card" aria-labelledby="tunnel-heading">
      <div className="card-head">
        <h2 id="tunnel-heading">Tunnel</h2>
        <span className={`status-pill tone-${summary.tone}`} role="status" aria-label={`Tunnel ${summary.label}`}>
          {summary.label}
        </span>
      </div>
      {summary.detail && !needsToken && (
        <p className={summary.tone === 'bad' ? 'error-text' : summary.tone === 'ok' ? 'mono wrap' : 'muted'}>{summary.detail}</p>
      )}
      {needsToken && (
        <p className="note" role="note">
          Without an ngrok authtoken Crashbell runs on its local URL only ({state.receiver.localBaseUrl ?? 'not listening'}): providers on
          the internet cannot reach it.
        </p>
      )}
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          form.submit();
        }}
      >
        <TunnelFields form={form} />
        <TunnelActions form={form} />
        {settings && (
          <Toggle
            label="Use the tunnel"
            hint="Turn off to listen on this computer only."
            checked={settings.tunnel.enabled}
            onChange={form.setEnabled}
          />
        )}
      </form>
      <FormMessage message={form.message} />
    </section>
  );
}

/** The authtoken (never shown once saved) and the reserved domain. */
function TunnelFields({ form }: { form: TunnelFormModel }) {
  return (
    <>
      <label className="field">
        <span>ngrok authtoken</span>
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={form.hasToken ? 'Saved — paste a new one to replace it' : 'Paste from dashboard.ngrok.com'}
          value={form.token}
          onChange={(e) => form.typeToken(e.currentTarget.value)}
        />
      </label>
      <label className="field">
        <span>Reserved domain (optional)</span>
        <input
          type="text"
          spellCheck={false}
          placeholder="e.g. my-crashbell.ngrok.app"
          value={form.domain}
          onChange={(e) => form.typeDomain(e.currentTarget.value)}
        />
        <span className="muted small">Keeps the same URL across restarts, so the providers’ settings stay valid.</span>
      </label>
    </>
  );
}

/** Save, Remove authtoken, and Reconnect with why it cannot run when it cannot. */
function TunnelActions({ form }: { form: TunnelFormModel }) {
  return (
    <div className="form-actions">
      <button type="submit" className="btn btn-primary" disabled={form.busy || !form.edited}>
        Save tunnel settings
      </button>
      {form.hasToken && (
        <button type="button" className="btn" disabled={form.busy} onClick={form.removeToken}>
          Remove authtoken
        </button>
      )}
      <button
        type="button"
        className="btn"
        disabled={form.busy || form.noReconnect !== null}
        aria-describedby={form.noReconnect ? 'reconnect-why' : undefined}
        onClick={form.reconnect}
      >
        Reconnect
      </button>
      {form.busy && <Spinner label="Saving" />}
      {form.noReconnect && (
        <span id="reconnect-why" className="muted small">
          {form.noReconnect}
        </span>
      )}
    </div>
  );
}
