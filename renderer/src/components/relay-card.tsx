/**
 * Setup's Team relay card: the NATS servers, credentials, member name and roles; the relay's state with its
 * plain reason, the lag and the last event; and Test relay, which sends a message round the stream.
 *
 * This module lays the card out; the form's state and its talk with main are `lib/use-relay-form.ts`.
 */
import type { AppState, SettingsView } from '../../../shared/ipc';
import { parkedText, relaySummary, testText } from '../lib/relay';
import { useRelayForm } from '../lib/use-relay-form';
import { FormMessage } from './form-message';
import { RelayFacts } from './relay-facts';
import { RelayForm } from './relay-form';

/** What the relay card takes from Setup. */
export interface RelayCardProps {
  state: AppState;
  /** The saved settings, null until they load. */
  settings: SettingsView | null;
  onSettings: (s: SettingsView) => void;
}

/** The Team relay card. */
export function RelayCard({ state, settings, onSettings }: RelayCardProps) {
  const saved = settings?.relay ?? null;
  const relay = state.relay;
  const summary = relaySummary(relay);
  const form = useRelayForm(saved, onSettings);
  const shownTest = form.test ?? relay?.test ?? null;
  return (
    <section className="card relay-card" aria-labelledby="relay-heading">
      <div className="card-head">
        <h2 id="relay-heading">Team relay</h2>
        <span className={`status-pill tone-${summary.tone}`} role="status" aria-label={`Team relay ${summary.label}`}>
          {summary.label}
        </span>
      </div>
      <p className="muted">
        One webhook for the whole team, and nothing missed while this computer sleeps: an always-on gateway receives the hooks and relays
        them through NATS JetStream to every member.
      </p>
      {summary.detail && <p className={summary.tone === 'bad' ? 'error-text' : 'muted'}>{summary.detail}</p>}
      {relay && relay.status !== 'off' && <RelayFacts relay={relay} />}
      {relay?.gateway?.lastParked && (
        <p className="error-text" role="alert">
          {parkedText(relay.gateway.parked, relay.gateway.lastParked)}
        </p>
      )}
      <RelayForm form={form} saved={saved} canTest={!!relay && relay.status !== 'off'} />
      <FormMessage message={form.message} />
      {shownTest && <FormMessage message={{ ok: shownTest.ok, text: `Test relay: ${testText(shownTest)}` }} />}
    </section>
  );
}
