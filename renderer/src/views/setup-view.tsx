/**
 * Setup: what to paste into each provider, adding, renaming and removing sources, test events, the tunnel
 * that makes the receiver reachable from the internet, and the team relay. The first run opens here with a
 * short guide that asks which of the two the user wants.
 */
import { useState, type FormEvent } from 'react';
import type { AppState, DeliveryResult, ProviderInfo, SettingsView, SourceView } from '../../../shared/ipc';
import type { ProviderId } from '../../../shared/events';
import { addSource, errorMessage, openLink, reconnectTunnel, removeSource, sendTestEvent, updateSettings, updateSource } from '../api';
import { CopyField } from '../components/copy-field';
import { ErrorBox } from '../components/error-box';
import { ProviderBadge } from '../components/provider-badge';
import { Spinner } from '../components/spinner';
import { Toggle } from '../components/toggle';
import { RelayCard } from '../components/relay-card';
import { CredentialsEditor } from '../components/credentials-editor';
import { GenericMappingEditor } from '../components/generic-mapping-editor';
import { MappingFields } from '../components/mapping-fields';
import { SourceFiltersEditor } from '../components/source-filters-editor';
import { WebUrlEditor } from '../components/web-url-editor';
import { configFromMapping, EMPTY_MAPPING, mappingProblem } from '../lib/mapping';
import { tunnelSummary } from '../lib/format';
import { availableProviders, namesOf, validateNewSource } from '../lib/providers';
import { type FormOutcome, FormMessage } from '../components/form-message';

export interface SetupViewProps {
  state: AppState;
  settings: SettingsView | null;
  onSettings: (s: SettingsView) => void;
}

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
      <TunnelSection state={state} settings={settings} onSettings={onSettings} />
      <RelayCard state={state} settings={settings} onSettings={onSettings} />
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
    </div>
  );
}

/** How long a replaced credential stays accepted (Settings `credentialOverlapHours`). */
function OverlapSetting({ settings, onSettings }: { settings: SettingsView; onSettings: (s: SettingsView) => void }) {
  const current = settings.credentialOverlapHours ?? DEFAULT_OVERLAP_HOURS;
  const [hours, setHours] = useState<string | null>(null);
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const value = hours ?? String(current);
  const save = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 720) {
      setMessage({ ok: false, text: 'Give a number of hours from 0 to 720.' });
      return;
    }
    updateSettings({ credentialOverlapHours: n }).then(
      (s) => {
        onSettings(s);
        setHours(null);
        setMessage({
          ok: true,
          text: n === 0 ? 'Replaced credentials now stop working at once.' : `Replaced credentials stay accepted for ${n} h.`,
        });
      },
      (err) => setMessage({ ok: false, text: errorMessage(err) }),
    );
  };
  return (
    <form className="inline-form" onSubmit={save} aria-label="Credential overlap">
      <label className="field">
        <span>Keep accepting a replaced credential for (hours)</span>
        <input type="number" min={0} max={720} value={value} onChange={(e) => setHours(e.currentTarget.value)} />
        <span className="muted small">
          While you paste a new secret or password into the provider, hooks signed with the old one still count.
        </span>
      </label>
      <button type="submit" className="btn btn-small" disabled={hours === null}>
        Save overlap
      </button>
      <FormMessage message={message} />
    </form>
  );
}

function FirstRunGuide({ providers, onDone }: { providers: ProviderInfo[]; onDone: () => void }) {
  // Some providers show a secret to paste into the source; for the others Crashbell makes what they need.
  const asking = providers.filter((p) => p.fields.some((f) => f.required));
  const making = providers.filter((p) => !asking.includes(p));
  // Of those, the ones that show it only once their webhook (with Crashbell's URL) is saved.
  const later = asking.filter((p) => p.fields.some((f) => f.required && f.pasteLater));
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
      {mode === 'team' ? (
        <ol className="guide-steps">
          <li>
            <strong>Get the relay’s address and credentials</strong> from whoever runs your team’s gateway (NATS server URL, and a user and
            password, a token or a .creds file). No gateway yet? See docs/team-relay.md.
          </li>
          <li>
            <strong>Fill in the Team relay card</strong> below, with your name as the team should see it.
          </li>
          <li>
            <strong>Press Test relay</strong>: a message goes round the stream and comes back. From then on the team’s errors arrive here,
            with your own notification rules.
          </li>
        </ol>
      ) : (
        <ol className="guide-steps">
          <li>
            <strong>Make it reachable.</strong> Paste your ngrok authtoken below so {namesOf(providers, 'or')} can reach this computer.
            Without one, Crashbell only listens locally.
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
      )}
      <button type="button" className="btn btn-primary" onClick={onDone}>
        Got it
      </button>
    </section>
  );
}

function TunnelSection({ state, settings, onSettings }: SetupViewProps) {
  const [token, setToken] = useState('');
  const [domain, setDomain] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const summary = tunnelSummary(state.tunnel, settings?.tunnel ?? null);
  const hasToken = settings?.tunnel.hasAuthtoken ?? false;
  const enabled = settings?.tunnel.enabled ?? true;
  // Without a token the note below says what the state's own reason would say again.
  const needsToken = !hasToken && state.tunnel.status !== 'online';
  // Why Reconnect cannot do anything now, if it cannot.
  const noReconnect = !hasToken
    ? 'Reconnect needs an ngrok authtoken: paste one above and save it.'
    : !enabled
      ? 'Reconnect needs the tunnel: turn on “Use the tunnel”.'
      : null;
  const domainValue = domain ?? settings?.tunnel.domain ?? '';

  const save = (patch: { authtoken?: string; domain?: string; enabled?: boolean }, done: string) => {
    setBusy(true);
    setMessage(null);
    updateSettings({ tunnel: patch }).then(
      (s) => {
        setBusy(false);
        onSettings(s);
        setToken('');
        setDomain(null);
        setMessage({ tone: 'ok', text: done });
      },
      (err) => {
        setBusy(false);
        setMessage({ tone: 'bad', text: errorMessage(err) });
      },
    );
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const patch: { authtoken?: string; domain?: string } = {};
    if (token.trim()) patch.authtoken = token.trim();
    if (domain !== null) patch.domain = domain.trim();
    if (Object.keys(patch).length === 0) return;
    save(patch, 'Saved. The tunnel reconnects with the new settings.');
  };

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
      <form className="form-grid" onSubmit={submit}>
        <label className="field">
          <span>ngrok authtoken</span>
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder={hasToken ? 'Saved — paste a new one to replace it' : 'Paste from dashboard.ngrok.com'}
            value={token}
            onChange={(e) => setToken(e.currentTarget.value)}
          />
        </label>
        <label className="field">
          <span>Reserved domain (optional)</span>
          <input
            type="text"
            spellCheck={false}
            placeholder="e.g. my-crashbell.ngrok.app"
            value={domainValue}
            onChange={(e) => setDomain(e.currentTarget.value)}
          />
          <span className="muted small">Keeps the same URL across restarts, so the providers’ settings stay valid.</span>
        </label>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || (token.trim() === '' && domain === null)}>
            Save tunnel settings
          </button>
          {hasToken && (
            <button
              type="button"
              className="btn"
              disabled={busy}
              onClick={() => save({ authtoken: '' }, 'Authtoken removed. Crashbell now listens locally only.')}
            >
              Remove authtoken
            </button>
          )}
          <button
            type="button"
            className="btn"
            disabled={busy || noReconnect !== null}
            aria-describedby={noReconnect ? 'reconnect-why' : undefined}
            onClick={() => {
              setBusy(true);
              reconnectTunnel().then(
                (t) => {
                  setBusy(false);
                  setMessage({
                    tone: t.status === 'error' ? 'bad' : 'ok',
                    text: `Tunnel: ${tunnelSummary(t, settings?.tunnel ?? null).label}`,
                  });
                },
                (err) => {
                  setBusy(false);
                  setMessage({ tone: 'bad', text: errorMessage(err) });
                },
              );
            }}
          >
            Reconnect
          </button>
          {busy && <Spinner label="Saving" />}
          {noReconnect && (
            <span id="reconnect-why" className="muted small">
              {noReconnect}
            </span>
          )}
        </div>
        {settings && (
          <Toggle
            label="Use the tunnel"
            hint="Turn off to listen on this computer only."
            checked={settings.tunnel.enabled}
            onChange={(enabled) => save({ enabled }, enabled ? 'Tunnel on.' : 'Tunnel off.')}
          />
        )}
      </form>
      {message && (
        <p className={message.tone === 'bad' ? 'error-text' : 'notice'} role={message.tone === 'bad' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </section>
  );
}

function deliveryText(r: DeliveryResult): string {
  const via = r.via === 'tunnel' ? 'through the tunnel' : 'to the local receiver';
  if (r.status >= 200 && r.status < 300) return `Delivered ${via}: ${r.status} ${r.reason}. Watch for the notification.`;
  return `Sent ${via}, refused with ${r.status}: ${r.reason}`;
}

/** What Setup says of the overlap before settings have loaded (the schema's default). */
const DEFAULT_OVERLAP_HOURS = 24;

/** One source: what to paste, test, rename, pause and remove; its credentials and web app URL. */
export function SourceCard({
  source,
  tunnelOnline,
  provider,
  overlapHours = DEFAULT_OVERLAP_HOURS,
}: {
  source: SourceView;
  tunnelOnline: boolean;
  provider?: ProviderInfo | undefined;
  overlapHours?: number;
}) {
  const waiting = source.waitingFor ?? [];
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(source.name);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<FormOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);

  const rename = (e: FormEvent) => {
    e.preventDefault();
    const next = name.trim();
    if (!next) {
      setError('A source needs a name.');
      return;
    }
    updateSource(source.id, { name: next }).then(
      () => {
        setRenaming(false);
        setError(null);
      },
      (err) => setError(errorMessage(err)),
    );
  };

  return (
    <article className="source-card" aria-label={`${source.name} (${source.providerName})`}>
      <header className="source-head">
        <ProviderBadge provider={source.provider} />
        {renaming ? (
          <form className="inline-form" onSubmit={rename}>
            {/* biome-ignore lint/a11y/noAutofocus: the name field is what the user came to fill once they chose a provider */}
            <input aria-label="Source name" value={name} onChange={(e) => setName(e.currentTarget.value)} autoFocus maxLength={200} />
            <button type="submit" className="btn btn-small btn-primary">
              Save
            </button>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                setRenaming(false);
                setName(source.name);
              }}
            >
              Cancel
            </button>
          </form>
        ) : (
          <div className="source-title">
            <h3>{source.name}</h3>
            <span className="muted small">
              {source.providerName}
              {source.paused ? ' · paused' : ''}
            </span>
            {waiting.length > 0 && (
              <span className="status-pill tone-busy" role="status">
                Waiting for its {waiting.join(', ').toLowerCase()}
              </span>
            )}
          </div>
        )}
        <div className="source-actions">
          {!renaming && (
            <button
              type="button"
              className="btn btn-small btn-ghost"
              aria-label={`Rename ${source.name}`}
              onClick={() => setRenaming(true)}
            >
              Rename
            </button>
          )}
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-pressed={source.paused}
            aria-label={`${source.paused ? 'Resume' : 'Pause'} notifications from ${source.name}`}
            onClick={() => updateSource(source.id, { paused: !source.paused }).catch((err) => setError(errorMessage(err)))}
          >
            {source.paused ? 'Resume' : 'Pause'}
          </button>
          {confirmRemove ? (
            <>
              <button
                type="button"
                className="btn btn-small btn-danger"
                onClick={() => removeSource(source.id).catch((err) => setError(errorMessage(err)))}
              >
                Remove {source.name}
              </button>
              <button type="button" className="btn btn-small" onClick={() => setConfirmRemove(false)}>
                Keep
              </button>
            </>
          ) : (
            <button
              type="button"
              className="btn btn-small btn-ghost"
              aria-label={`Remove ${source.name}`}
              onClick={() => setConfirmRemove(true)}
            >
              Remove
            </button>
          )}
        </div>
      </header>
      <p className="muted small">Paste these into {source.providerName}’s webhook settings:</p>
      <div className="copy-fields">
        {source.setup.map((f) => (
          <CopyField
            key={f.label}
            label={f.label}
            value={f.value}
            secret={f.secret}
            what={f.value === source.webhookUrl ? { sourceId: source.id, webhookUrl: true } : { sourceId: source.id }}
          />
        ))}
      </div>
      {!source.publicUrl && (
        <p className="muted small">This is the local URL: {source.providerName} can reach it only once the tunnel is online.</p>
      )}
      {waiting.length > 0 && (
        <p className="note note-warn" role="note">
          This source is waiting for its {waiting.join(', ').toLowerCase()}: {source.providerName} shows it once the webhook is saved. Paste
          it under Credentials below; until then its hooks are refused with “not set yet”.
        </p>
      )}
      {source.previousUntil && (
        <p className="note" role="note">
          The credentials you replaced are still accepted until {new Date(source.previousUntil).toLocaleString()}: update{' '}
          {source.providerName} before then.
        </p>
      )}
      {source.securityNote && (
        <p className="note" role="note">
          {source.securityNote}
        </p>
      )}
      {source.setupSteps && source.setupSteps.length > 0 && (
        <details className="steps">
          <summary>Steps in {source.providerName}</summary>
          <ol>
            {source.setupSteps.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a static list whose entries may repeat and never move
              <li key={i}>{s}</li>
            ))}
          </ol>
        </details>
      )}
      <CredentialsEditor source={source} provider={provider} overlapHours={overlapHours} />
      <WebUrlEditor source={source} provider={provider} />
      {source.provider === 'generic' && <GenericMappingEditor source={source} />}
      <SourceFiltersEditor source={source} />
      <div className="source-foot">
        <button
          type="button"
          className="btn"
          disabled={testing}
          onClick={() => {
            setTesting(true);
            setResult(null);
            sendTestEvent(source.id).then(
              (r) => {
                setTesting(false);
                setResult({ ok: r.status >= 200 && r.status < 300, text: deliveryText(r) });
              },
              (err) => {
                setTesting(false);
                setResult({ ok: false, text: errorMessage(err) });
              },
            );
          }}
        >
          {testing ? 'Sending…' : 'Send test event'}
        </button>
        {testing && <Spinner label={tunnelOnline ? 'Sending through the tunnel' : 'Sending'} />}
        <button type="button" className="link-button small" onClick={() => void openLink(source.docsUrl)}>
          {source.providerName} webhook documentation
        </button>
      </div>
      {result && (
        <p className={result.ok ? 'notice' : 'error-text'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      )}
      {error && <ErrorBox message={error} />}
    </article>
  );
}

/** Adds a source: provider, name and any credential the provider needs from the user. */
export function AddSourceForm({ providers }: { providers: ProviderInfo[] }) {
  const [providerId, setProviderId] = useState<ProviderId>(providers[0]?.id ?? '');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [mapping, setMapping] = useState(EMPTY_MAPPING);
  const provider = providers.find((p) => p.id === providerId);
  const isGeneric = providerId === 'generic';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const finalName = name.trim() || provider?.name || '';
    const problem = validateNewSource(provider, finalName, values) ?? (isGeneric ? mappingProblem(mapping) : null);
    if (problem) {
      setError(problem);
      return;
    }
    const credentials: Record<string, string> = {};
    for (const f of provider!.fields) if (values[f.key]?.trim()) credentials[f.key] = values[f.key]!.trim();
    setBusy(true);
    setError(null);
    addSource({ provider: providerId, name: finalName, credentials, ...(isGeneric ? { config: configFromMapping(mapping) } : {}) }).then(
      (s) => {
        setBusy(false);
        setName('');
        setValues({});
        setMapping(EMPTY_MAPPING);
        setAdded(`Added ${s.name}. Paste its values into ${s.providerName}.`);
      },
      (err) => {
        setBusy(false);
        setError(errorMessage(err));
      },
    );
  };

  return (
    <form className="add-source" onSubmit={submit} aria-labelledby="add-source-heading">
      <h3 id="add-source-heading">Add a source</h3>
      <div className="form-grid">
        <label className="field">
          <span>Provider</span>
          <select
            aria-label="Provider"
            value={providerId}
            onChange={(e) => {
              setProviderId(e.currentTarget.value);
              setValues({});
              setError(null);
            }}
          >
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Name</span>
          <input
            value={name}
            placeholder={provider ? `${provider.name} — my project` : ''}
            maxLength={200}
            onChange={(e) => setName(e.currentTarget.value)}
          />
        </label>
        {provider?.fields.map((f) => (
          <label key={f.key} className="field">
            <span>
              {f.label}
              {f.pasteLater ? ' (can be pasted later)' : f.required ? '' : ' (optional)'}
            </span>
            <input
              type={f.secret ? 'password' : 'text'}
              autoComplete="off"
              spellCheck={false}
              value={values[f.key] ?? ''}
              onChange={(e) => setValues({ ...values, [f.key]: e.currentTarget.value })}
            />
            {f.help && <span className="muted small">{f.help}</span>}
          </label>
        ))}
      </div>
      {isGeneric && <MappingFields value={mapping} onChange={setMapping} />}
      {provider && provider.fields.length === 0 && provider.id === 'backtrace' && (
        <p className="muted small">Crashbell generates a username and password for Backtrace’s Basic authentication.</p>
      )}
      {provider?.securityNote && <p className="note small">{provider.securityNote}</p>}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Add source
        </button>
        {busy && <Spinner label="Adding" />}
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {added && !error && (
        <p className="notice" role="status">
          {added}
        </p>
      )}
    </form>
  );
}
