/**
 * Setup: what to paste into each provider, adding, renaming and removing sources, test events, the tunnel
 * that makes the receiver reachable from the internet, and the team relay. The first run opens here with a
 * short guide that asks which of the two the user wants.
 *
 * This module lays the cards out; each card keeps its own state (the tunnel's is `lib/use-tunnel-form.ts`, the
 * relay's `lib/use-relay-form.ts`, a source's actions `lib/use-source-actions.ts`).
 */
import type { AppState, ProviderInfo, SettingsView } from '../../../shared/ipc';
import { updateSettings } from '../api';
import { RelayCard } from '../components/relay-card';
import { DEFAULT_OVERLAP_HOURS } from '../lib/credentials';
import { availableProviders } from '../lib/providers';
import { AddSourceForm } from './setup-add-source';
import { FirstRunGuide } from './setup-guide';
import { OverlapSetting } from './setup-overlap';
import { SourceCard } from './setup-source-card';
import { TunnelCard } from './setup-tunnel';

/** What the Setup view takes from the app. */
export interface SetupViewProps {
  state: AppState;
  /** The saved settings, null until they load. */
  settings: SettingsView | null;
  onSettings: (s: SettingsView) => void;
}

/** The Setup view. */
export function SetupView({ state, settings, onSettings }: SetupViewProps) {
  const providers = availableProviders(state);
  return (
    <div className="page setup-view">
      <header className="page-header">
        <h1>Setup</h1>
        <p className="muted">Connect your crash monitoring services to Crashbell.</p>
      </header>
      {!state.onboarded && (
        <FirstRunGuide providers={providers} onDone={() => updateSettings({ onboarded: true }).then(onSettings, () => undefined)} />
      )}
      {!state.secretStorage.available && (
        <p className="note note-warn" role="note">
          <strong>Secrets are not encrypted on this machine.</strong>{' '}
          {state.secretStorage.note ??
            'The system keychain is not available, so the ngrok authtoken and source credentials are stored in plain text in the settings file.'}
        </p>
      )}
      <TunnelCard state={state} settings={settings} onSettings={onSettings} />
      <RelayCard state={state} settings={settings} onSettings={onSettings} />
      <SourcesCard state={state} settings={settings} onSettings={onSettings} providers={providers} />
    </div>
  );
}

/** Every source as a card, the form that adds one, and how long replaced credentials stay accepted. */
function SourcesCard({ state, settings, onSettings, providers }: SetupViewProps & { providers: ProviderInfo[] }) {
  return (
    <section className="card" aria-labelledby="sources-heading">
      <h2 id="sources-heading">Sources</h2>
      {state.sources.length === 0 ? (
        <p className="muted">No source yet. Add one for each provider project you want to hear about.</p>
      ) : (
        <ul className="source-list">
          {state.sources.map((s) => (
            <li key={s.id}>
              <SourceCard
                source={s}
                tunnelOnline={state.tunnel.status === 'online'}
                provider={providers.find((p) => p.id === s.provider)}
                overlapHours={settings?.credentialOverlapHours ?? DEFAULT_OVERLAP_HOURS}
              />
            </li>
          ))}
        </ul>
      )}
      <AddSourceForm providers={providers} />
      {settings && <OverlapSetting settings={settings} onSettings={onSettings} />}
    </section>
  );
}
