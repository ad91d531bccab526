/**
 * Setup's Team relay card: the NATS servers, credentials, member name and roles; the relay's state with its
 * plain reason, the lag and the last event; and Test relay, which sends a message round the stream.
 */
import { type FormEvent, useState } from 'react';
import type { RelayTestResult } from '../../../shared/events';
import type { AppState, RelaySettingsView, SettingsView } from '../../../shared/ipc';
import { errorMessage, testRelay, updateSettings } from '../api';
import { relativeTime } from '../lib/format';
import { authPatch, duplicatesText, lagText, parkedText, parseServers, relayFormProblem, relaySummary, testText } from '../lib/relay';
import { useNow } from '../lib/use-now';
import { Spinner } from './spinner';
import { Toggle } from './toggle';

type AuthKind = RelaySettingsView['auth']['kind'];

const AUTH_KINDS: Array<{ kind: AuthKind; label: string }> = [
  { kind: 'none', label: 'None' },
  { kind: 'user', label: 'User and password' },
  { kind: 'token', label: 'Token' },
  { kind: 'creds', label: '.creds file (NKey/JWT)' },
];

export function RelayCard({
  state,
  settings,
  onSettings,
}: {
  state: AppState;
  settings: SettingsView | null;
  onSettings: (s: SettingsView) => void;
}) {
  const saved = settings?.relay ?? null;
  const relay = state.relay;
  const summary = relaySummary(relay);
  const now = useNow();
  const [servers, setServers] = useState<string | null>(null);
  const [kind, setKind] = useState<AuthKind | null>(null);
  const [user, setUser] = useState<string | null>(null);
  const [secret, setSecret] = useState('');
  const [credsFile, setCredsFile] = useState<string | null>(null);
  const [tlsCa, setTlsCa] = useState<string | null>(null);
  const [member, setMember] = useState<string | null>(null);
  const [stream, setStream] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<RelayTestResult | null>(null);

  const value = {
    servers: servers ?? saved?.servers.join('\n') ?? '',
    kind: kind ?? saved?.auth.kind ?? 'none',
    user: user ?? saved?.auth.user ?? '',
    credsFile: credsFile ?? saved?.auth.credsFile ?? '',
    tlsCa: tlsCa ?? saved?.tlsCa ?? '',
    member: member ?? saved?.member ?? '',
    stream: stream ?? saved?.stream ?? 'CRASHBELL',
  };
  const hasSecret = saved !== null && saved.auth.kind === value.kind && saved.auth.hasSecret;

  const save = (patch: NonNullable<Parameters<typeof updateSettings>[0]['relay']>, done: string) => {
    setBusy(true);
    setMessage(null);
    updateSettings({ relay: patch }).then(
      (s) => {
        setBusy(false);
        onSettings(s);
        setServers(null);
        setKind(null);
        setUser(null);
        setSecret('');
        setCredsFile(null);
        setTlsCa(null);
        setMember(null);
        setStream(null);
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
    const list = parseServers(value.servers);
    const problem = relayFormProblem(list, value.kind, value.user, value.credsFile);
    if (problem) {
      setMessage({ tone: 'bad', text: problem });
      return;
    }
    save(
      {
        servers: list,
        member: value.member.trim(),
        stream: value.stream.trim(),
        tlsCa: value.tlsCa.trim(),
        auth: authPatch(value.kind, value.user, secret, value.credsFile),
      },
      list.length === 0 ? 'Saved. The team relay is off (no server).' : 'Saved. The relay connects with the new settings.',
    );
  };

  const runTest = () => {
    setTesting(true);
    setTest(null);
    testRelay().then(
      (r) => {
        setTesting(false);
        setTest(r);
      },
      (err) => {
        setTesting(false);
        setTest({ ok: false, sentAt: new Date().toISOString(), seq: null, cameBackAt: null, roundTripMs: null, reason: errorMessage(err) });
      },
    );
  };

  const lag = lagText(relay);
  const lastEvent = relay?.subscriber?.lastEventAt ?? null;
  const gateway = relay?.gateway ?? null;
  const shownTest = test ?? relay?.test ?? null;

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
      {relay && relay.status !== 'off' && (
        <dl className="facts relay-facts">
          <div>
            <dt>Member</dt>
            <dd>{relay.member}</dd>
          </div>
          <div>
            <dt>Stream</dt>
            <dd className="mono">{relay.stream}</dd>
          </div>
          {relay.subscriber && (
            <>
              <div>
                <dt>Lag</dt>
                <dd>{lag ?? 'Not known yet'}</dd>
              </div>
              <div>
                <dt>Last event</dt>
                <dd>{lastEvent ? relativeTime(lastEvent, now) : 'None yet'}</dd>
              </div>
            </>
          )}
          {gateway && (
            <div>
              <dt>Forwarded</dt>
              <dd>
                {gateway.forwarded} forwarded, {gateway.pending} waiting
                {gateway.lastForwardedAt ? ` (last ${relativeTime(gateway.lastForwardedAt, now)})` : ''}
                {gateway.duplicates > 0 ? `; ${duplicatesText(gateway.duplicates)}` : ''}
              </dd>
            </div>
          )}
        </dl>
      )}
      {gateway?.lastParked && (
        <p className="error-text" role="alert">
          {parkedText(gateway.parked, gateway.lastParked)}
        </p>
      )}
      <form className="form-grid" onSubmit={submit}>
        <label className="field">
          <span>NATS servers</span>
          <textarea
            rows={2}
            spellCheck={false}
            placeholder="nats://nats.example.com:4222"
            value={value.servers}
            onChange={(e) => setServers(e.currentTarget.value)}
          />
          <span className="muted small">One per line. tls://host:4222 for TLS. Leave empty to turn the relay off.</span>
        </label>
        <label className="field">
          <span>Credentials</span>
          <select aria-label="Credentials" value={value.kind} onChange={(e) => setKind(e.currentTarget.value as AuthKind)}>
            {AUTH_KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        {value.kind === 'user' && (
          <>
            <label className="field">
              <span>User</span>
              <input autoComplete="off" spellCheck={false} value={value.user} onChange={(e) => setUser(e.currentTarget.value)} />
            </label>
            <label className="field">
              <span>Password</span>
              <input
                type="password"
                autoComplete="off"
                placeholder={hasSecret ? 'Saved — type a new one to replace it' : ''}
                value={secret}
                onChange={(e) => setSecret(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        {value.kind === 'token' && (
          <label className="field">
            <span>Token</span>
            <input
              type="password"
              autoComplete="off"
              placeholder={hasSecret ? 'Saved — paste a new one to replace it' : ''}
              value={secret}
              onChange={(e) => setSecret(e.currentTarget.value)}
            />
          </label>
        )}
        {value.kind === 'creds' && (
          <label className="field">
            <span>.creds file</span>
            <input
              spellCheck={false}
              placeholder="/home/me/team.creds"
              value={value.credsFile}
              onChange={(e) => setCredsFile(e.currentTarget.value)}
            />
            <span className="muted small">The file your NATS service or admin gave you (nsc), on this computer.</span>
          </label>
        )}
        <label className="field">
          <span>CA certificate (optional)</span>
          <input spellCheck={false} placeholder="/path/ca.pem" value={value.tlsCa} onChange={(e) => setTlsCa(e.currentTarget.value)} />
          <span className="muted small">Only for servers whose certificate comes from a private CA.</span>
        </label>
        <label className="field">
          <span>Your name for the team</span>
          <input maxLength={100} placeholder="e.g. ana" value={value.member} onChange={(e) => setMember(e.currentTarget.value)} />
          <span className="muted small">Shown as “Resolved by …” to the others. Empty: your user name on this computer.</span>
        </label>
        <label className="field">
          <span>Stream</span>
          <input spellCheck={false} maxLength={64} value={value.stream} onChange={(e) => setStream(e.currentTarget.value)} />
        </label>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save relay settings
          </button>
          <button type="button" className="btn" disabled={testing || !relay || relay.status === 'off'} onClick={runTest}>
            {testing ? 'Testing…' : 'Test relay'}
          </button>
          {(busy || testing) && <Spinner label={testing ? 'Waiting for the test message to come back' : 'Saving'} />}
        </div>
        {saved && (
          <>
            <Toggle
              label="Receive the team’s events"
              hint="Reads the stream into this computer’s list, with your own notification rules."
              checked={saved.subscribe}
              disabled={busy}
              onChange={(subscribe) =>
                save({ subscribe }, subscribe ? 'Receiving the team’s events.' : 'No longer receiving the team’s events.')
              }
            />
            <Toggle
              label="Forward this computer’s hooks (gateway)"
              hint="For an always-on machine: every hook it accepts goes to the stream."
              checked={saved.publish}
              disabled={busy}
              onChange={(publish) => save({ publish }, publish ? 'Forwarding hooks to the team.' : 'No longer forwarding hooks.')}
            />
            <Toggle
              label="Share resolve and mute with the team"
              hint="Off: your marks stay on this computer."
              checked={saved.shareMarks}
              disabled={busy}
              onChange={(shareMarks) => save({ shareMarks }, shareMarks ? 'Marks are shared.' : 'Marks stay on this computer.')}
            />
          </>
        )}
      </form>
      {message && (
        <p className={message.tone === 'bad' ? 'error-text' : 'notice'} role={message.tone === 'bad' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      {shownTest && (
        <p className={shownTest.ok ? 'notice' : 'error-text'} role={shownTest.ok ? 'status' : 'alert'}>
          Test relay: {testText(shownTest)}
        </p>
      )}
    </section>
  );
}
