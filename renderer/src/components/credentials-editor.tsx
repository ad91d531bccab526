/**
 * A source's credentials after it was made: values the user pastes can be replaced (or pasted for the first
 * time, for a source still waiting for its secret), values Crashbell generates can be regenerated, and replaced
 * values stay accepted for the overlap, shown here, so the provider can be updated without losing hooks. Its
 * state and talk with main are `lib/use-credentials-editor.ts`.
 */
import { useState } from 'react';
import type { ProviderFieldInfo, ProviderInfo, SourceView } from '../../../shared/ipc';
import { overlapNote, regeneratedNames, untilText } from '../lib/credentials';
import { type CredentialsEditorModel, useCredentialsEditor } from '../lib/use-credentials-editor';
import { FormMessage } from './form-message';

/** What the credentials editor edits. */
export interface CredentialsEditorProps {
  source: SourceView;
  provider: ProviderInfo | undefined;
  /** How long a replaced value stays accepted (Settings `credentialOverlapHours`). */
  overlapHours: number;
}

/** The credentials editor, folded under its summary; nothing for a provider with nothing to edit. */
export function CredentialsEditor({ source, provider, overlapHours }: CredentialsEditorProps) {
  const fields = provider?.fields ?? [];
  const editor = useCredentialsEditor(source.id, fields);
  const waiting = source.waitingFor ?? [];
  // Open at first while the source waits for its secret; then the user's to open and close (saving the
  // secret must not fold away the answer).
  const [open, setOpen] = useState(() => waiting.length > 0);
  const overlap = overlapNote(overlapHours, source.providerName);
  if (fields.length === 0 && !provider?.regenerable) return null;
  return (
    <details className="steps" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Credentials{waiting.length > 0 ? ` (waiting for its ${waiting.join(', ').toLowerCase()})` : ''}</summary>
      {fields.length > 0 && <CredentialFields fields={fields} source={source} editor={editor} overlap={overlap} />}
      {provider?.regenerable && <Regenerate source={source} editor={editor} overlap={overlap} />}
      {source.previousUntil && (
        <p className="note" role="note">
          The previous credentials are still accepted until {untilText(source.previousUntil)}.{' '}
          <button type="button" className="link-button small" onClick={editor.endOverlap}>
            Stop accepting them now
          </button>
        </p>
      )}
      <FormMessage message={editor.message} />
    </details>
  );
}

/** The provider's fields, each empty with a placeholder saying whether a value is saved. */
function CredentialFields({
  fields,
  source,
  editor,
  overlap,
}: {
  fields: readonly ProviderFieldInfo[];
  source: SourceView;
  editor: CredentialsEditorModel;
  overlap: string;
}) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        editor.save();
      }}
    >
      <div className="form-grid">
        {fields.map((f) => {
          const set = (source.credentials[f.key] ?? '') !== '';
          return (
            <label key={f.key} className="field">
              <span>
                {f.label}
                {f.required ? '' : ' (optional)'}
              </span>
              <input
                type={f.secret ? 'password' : 'text'}
                autoComplete="off"
                spellCheck={false}
                placeholder={set ? 'Saved — paste a new one to replace it' : 'Not set yet'}
                value={editor.values[f.key] ?? ''}
                onChange={(e) => editor.type(f.key, e.currentTarget.value)}
              />
              {f.help && <span className="muted small">{f.help}</span>}
            </label>
          );
        })}
      </div>
      <p className="muted small">{overlap}</p>
      <div className="form-actions">
        <button type="submit" className="btn">
          Save credentials
        </button>
      </div>
    </form>
  );
}

/** Regenerate the values Crashbell makes, once confirmed (the old ones then count for the overlap). */
function Regenerate({ source, editor, overlap }: { source: SourceView; editor: CredentialsEditorModel; overlap: string }) {
  return (
    <div className="form-actions">
      {editor.confirmingRegenerate ? (
        <>
          <button type="button" className="btn btn-danger" onClick={() => editor.regenerate(source.providerName)}>
            Generate new values
          </button>
          <button type="button" className="btn" onClick={editor.keep}>
            Keep the current ones
          </button>
          <span className="muted small">{overlap}</span>
        </>
      ) : (
        <button type="button" className="btn" onClick={editor.askToRegenerate}>
          Regenerate {regeneratedNames(source.setup)}
        </button>
      )}
    </div>
  );
}
