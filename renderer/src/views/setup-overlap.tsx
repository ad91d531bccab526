/** How long a replaced credential stays accepted (Settings `credentialOverlapHours`), set from Setup's sources. */
import { useState } from 'react';
import type { SettingsView } from '../../../shared/ipc';
import { errorMessage, updateSettings } from '../api';
import { FormMessage } from '../components/form-message';
import type { FormOutcome } from '../lib/form-outcome';
import { DEFAULT_OVERLAP_HOURS, MAX_OVERLAP_HOURS, overlapSaved, parseOverlapHours } from '../lib/credentials';

/** The overlap's form: the hours typed are saved on submit, checked first. */
export function OverlapSetting({ settings, onSettings }: { settings: SettingsView; onSettings: (s: SettingsView) => void }) {
  const current = settings.credentialOverlapHours ?? DEFAULT_OVERLAP_HOURS;
  const [hours, setHours] = useState<string | null>(null);
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const value = hours ?? String(current);
  const save = () => {
    const parsed = parseOverlapHours(value);
    if (!parsed.ok) {
      setMessage({ ok: false, text: parsed.problem });
      return;
    }
    updateSettings({ credentialOverlapHours: parsed.hours }).then(
      (s) => {
        onSettings(s);
        setHours(null);
        setMessage({ ok: true, text: overlapSaved(parsed.hours) });
      },
      (err) => setMessage({ ok: false, text: errorMessage(err) }),
    );
  };
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
      aria-label="Credential overlap"
    >
      <label className="field">
        <span>Keep accepting a replaced credential for (hours)</span>
        <input type="number" min={0} max={MAX_OVERLAP_HOURS} value={value} onChange={(e) => setHours(e.currentTarget.value)} />
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
