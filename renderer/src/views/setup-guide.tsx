/**
 * The first run's guide in Setup: it asks whether the hooks reach this computer alone (its own tunnel) or the
 * whole team (the relay), and shows the steps for that choice.
 */
import { useState } from 'react';
import type { ProviderInfo } from '../../../shared/ipc';
import { namesOf, providersByCredentials } from '../lib/providers';

/** The guide, until the user says "Got it" (`onDone`). */
export function FirstRunGuide({ providers, onDone }: { providers: ProviderInfo[]; onDone: () => void }) {
  const [mode, setMode] = useState<'me' | 'team'>('me');
  return (
    <section className="card guide" aria-labelledby="guide-heading">
      <h2 id="guide-heading">Welcome to Crashbell</h2>
      <p>Crashbell listens for crash-monitoring webhooks and tells you, with a desktop notification, when something breaks.</p>
      <fieldset className="guide-choice">
        <legend>How will the hooks reach you?</legend>
        <label>
          <input type="radio" name="guide-mode" value="me" checked={mode === 'me'} onChange={() => setMode('me')} />
          <span>
            <strong>Just me (tunnel)</strong>
            <span className="muted small"> — this computer receives the hooks itself, through its own ngrok tunnel.</span>
          </span>
        </label>
        <label>
          <input type="radio" name="guide-mode" value="team" checked={mode === 'team'} onChange={() => setMode('team')} />
          <span>
            <strong>My team (relay)</strong>
            <span className="muted small">
              {' '}
              — an always-on gateway receives them once for everyone, and this computer catches up whenever it wakes.
            </span>
          </span>
        </label>
      </fieldset>
      {mode === 'team' ? <TeamSteps /> : <TunnelSteps providers={providers} />}
      <button type="button" className="btn btn-primary" onClick={onDone}>
        Got it
      </button>
    </section>
  );
}

/** The steps through the team relay. */
function TeamSteps() {
  return (
    <ol className="guide-steps">
      <li>
        <strong>Get the relay’s address and credentials</strong> from whoever runs your team’s gateway (NATS server URL, and a user and
        password, a token or a .creds file). No gateway yet? See docs/team-relay.md.
      </li>
      <li>
        <strong>Fill in the Team relay card</strong> below, with your name as the team should see it.
      </li>
      <li>
        <strong>Press Test relay</strong>: a message goes round the stream and comes back. From then on the team’s errors arrive here, with
        your own notification rules.
      </li>
    </ol>
  );
}

/** The steps through this computer's own tunnel, naming what each provider asks for. */
function TunnelSteps({ providers }: { providers: ProviderInfo[] }) {
  const { asking, making, later } = providersByCredentials(providers);
  return (
    <ol className="guide-steps">
      <li>
        <strong>Make it reachable.</strong> Paste your ngrok authtoken below so {namesOf(providers, 'or')} can reach this computer. Without
        one, Crashbell only listens locally.
      </li>
      <li>
        <strong>Add a source</strong> for each provider project.{' '}
        {asking.length > 0 && making.length > 0
          ? `${namesOf(asking, 'and')} ask for the secret they show you; for ${namesOf(making, 'and')}, Crashbell makes the webhook URL and any credentials itself.`
          : 'Crashbell makes the webhook URL and any credentials it can; paste in whatever secret the provider shows you.'}
        {later.length > 0 &&
          ` ${namesOf(later, 'and')} show ${later.length === 1 ? 'it' : 'theirs'} only once the webhook is saved: add the source first and paste the secret afterwards.`}
      </li>
      <li>
        <strong>Paste the values</strong> into the provider’s webhook settings with the Copy buttons.
      </li>
      <li>
        <strong>Send a test event</strong> to see a real notification arrive.
      </li>
    </ol>
  );
}
