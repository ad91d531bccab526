/**
 * A value the user pastes somewhere else (a webhook URL, a credential), shown as text, masked while secret.
 * The value is a React text child, so it is escaped, never parsed as HTML.
 */
import { useState } from 'react';
import { maskSecret } from '../lib/format';
import { CopyButton } from './copy-button';

/** One value to paste somewhere: label, the value (masked when secret, with reveal), copy button. */
export function CopyField({
  label,
  value,
  secret = false,
  what,
}: {
  label: string;
  value: string;
  secret?: boolean;
  what?: { sourceId?: string; webhookUrl?: boolean };
}) {
  const [revealed, setRevealed] = useState(false);
  const shown = secret && !revealed ? maskSecret(value) : value;
  return (
    <div className="copy-field">
      <span className="copy-label">{label}</span>
      <code className="copy-value" data-secret={secret && !revealed ? 'masked' : undefined}>
        {shown}
      </code>
      <span className="copy-actions">
        {secret && (
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label={`${revealed ? 'Hide' : 'Reveal'} ${label}`}
            aria-pressed={revealed}
            onClick={() => setRevealed((r) => !r)}
          >
            {revealed ? 'Hide' : 'Reveal'}
          </button>
        )}
        <CopyButton text={value} label={`Copy ${label}`} what={what} />
      </span>
    </div>
  );
}
