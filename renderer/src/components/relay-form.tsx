/**
 * The Team relay card's form: the servers, the credentials (user and password, a token or a .creds file), a
 * private CA, the member's name and the stream; Save and Test relay; and once settings are saved, the switches
 * for the relay's roles, each saved as it flips.
 */
import type { RelaySettingsView } from '../../../shared/ipc';
import type { RelayAuthKind } from '../lib/relay-form';
import type { RelayFormModel } from '../lib/use-relay-form';
import { Spinner } from './spinner';
import { Toggle } from './toggle';

const AUTH_KINDS: Array<{ kind: RelayAuthKind; label: string }> = [
  { kind: 'none', label: 'None' },
  { kind: 'user', label: 'User and password' },
  { kind: 'token', label: 'Token' },
  { kind: 'creds', label: '.creds file (NKey/JWT)' },
];

/** What the form edits. */
export interface RelayFormProps {
  form: RelayFormModel;
  /** The saved relay settings; the role switches show only once there are some. */
  saved: RelaySettingsView | null;
  /** A relay is configured, so Test relay has something to test. */
  canTest: boolean;
}

/** The relay settings form. */
export function RelayForm({ form, saved, canTest }: RelayFormProps) {
  const { fields, edit } = form;
  return (
    <form
      className="form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        form.submit();
      }}
    >
      <label className="field">
        <span>NATS servers</span>
        <textarea
          rows={2}
          spellCheck={false}
          placeholder="nats://nats.example.com:4222"
          value={fields.servers}
          onChange={(e) => edit({ servers: e.currentTarget.value })}
        />
        <span className="muted small">One per line. tls://host:4222 for TLS. Leave empty to turn the relay off.</span>
      </label>
      <RelayAuthFields form={form} />
      <label className="field">
        <span>CA certificate (optional)</span>
        <input
          spellCheck={false}
          placeholder="/path/ca.pem"
          value={fields.tlsCa}
          onChange={(e) => edit({ tlsCa: e.currentTarget.value })}
        />
        <span className="muted small">Only for servers whose certificate comes from a private CA.</span>
      </label>
      <label className="field">
        <span>Your name for the team</span>
        <input maxLength={100} placeholder="e.g. ana" value={fields.member} onChange={(e) => edit({ member: e.currentTarget.value })} />
        <span className="muted small">Shown as “Resolved by …” to the others. Empty: your user name on this computer.</span>
      </label>
      <label className="field">
        <span>Stream</span>
        <input spellCheck={false} maxLength={64} value={fields.stream} onChange={(e) => edit({ stream: e.currentTarget.value })} />
      </label>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={form.saving}>
          Save relay settings
        </button>
        <button type="button" className="btn" disabled={form.testing || !canTest} onClick={form.runTest}>
          {form.testing ? 'Testing…' : 'Test relay'}
        </button>
        {(form.saving || form.testing) && <Spinner label={form.testing ? 'Waiting for the test message to come back' : 'Saving'} />}
      </div>
      {saved && <RelayRoleSwitches form={form} saved={saved} />}
    </form>
  );
}

/** The credentials chooser and the fields of the kind chosen. A saved password or token is never shown. */
function RelayAuthFields({ form }: { form: RelayFormModel }) {
  const { fields, edit } = form;
  return (
    <>
      <label className="field">
        <span>Credentials</span>
        <select aria-label="Credentials" value={fields.kind} onChange={(e) => edit({ kind: e.currentTarget.value as RelayAuthKind })}>
          {AUTH_KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      {fields.kind === 'user' && (
        <>
          <label className="field">
            <span>User</span>
            <input autoComplete="off" spellCheck={false} value={fields.user} onChange={(e) => edit({ user: e.currentTarget.value })} />
          </label>
          <label className="field">
            <span>Password</span>
            <input
              type="password"
              autoComplete="off"
              placeholder={form.hasSecret ? 'Saved — type a new one to replace it' : ''}
              value={form.secret}
              onChange={(e) => form.typeSecret(e.currentTarget.value)}
            />
          </label>
        </>
      )}
      {fields.kind === 'token' && (
        <label className="field">
          <span>Token</span>
          <input
            type="password"
            autoComplete="off"
            placeholder={form.hasSecret ? 'Saved — paste a new one to replace it' : ''}
            value={form.secret}
            onChange={(e) => form.typeSecret(e.currentTarget.value)}
          />
        </label>
      )}
      {fields.kind === 'creds' && (
        <label className="field">
          <span>.creds file</span>
          <input
            spellCheck={false}
            placeholder="/home/me/team.creds"
            value={fields.credsFile}
            onChange={(e) => edit({ credsFile: e.currentTarget.value })}
          />
          <span className="muted small">The file your NATS service or admin gave you (nsc), on this computer.</span>
        </label>
      )}
    </>
  );
}

/** The relay's roles on this computer: receive the team's events, forward its own hooks, share marks. */
function RelayRoleSwitches({ form, saved }: { form: RelayFormModel; saved: RelaySettingsView }) {
  return (
    <>
      <Toggle
        label="Receive the team’s events"
        hint="Reads the stream into this computer’s list, with your own notification rules."
        checked={saved.subscribe}
        disabled={form.saving}
        onChange={(subscribe) =>
          form.save({ subscribe }, subscribe ? 'Receiving the team’s events.' : 'No longer receiving the team’s events.')
        }
      />
      <Toggle
        label="Forward this computer’s hooks (gateway)"
        hint="For an always-on machine: every hook it accepts goes to the stream."
        checked={saved.publish}
        disabled={form.saving}
        onChange={(publish) => form.save({ publish }, publish ? 'Forwarding hooks to the team.' : 'No longer forwarding hooks.')}
      />
      <Toggle
        label="Share resolve and mute with the team"
        hint="Off: your marks stay on this computer."
        checked={saved.shareMarks}
        disabled={form.saving}
        onChange={(shareMarks) => form.save({ shareMarks }, shareMarks ? 'Marks are shared.' : 'Marks stay on this computer.')}
      />
    </>
  );
}
