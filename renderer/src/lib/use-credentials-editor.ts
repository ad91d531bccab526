/**
 * A source's credentials after it was made, as a hook: new values typed for the provider's fields (a source
 * waiting for its secret takes it here), Regenerate behind a confirmation, and ending the overlap in which
 * replaced values still count. Main re-validates each change; this module only talks to it.
 */
import { useState } from 'react';
import type { ProviderFieldInfo } from '../../../shared/ipc';
import { typedCredentials } from './credentials';
import { type SourceUpdate, useSourceUpdate } from './use-source-update';

/** The credentials editor's state, and what it can ask of main. */
export interface CredentialsEditorModel {
  /** What was typed in each field since the last save (a field absent shows its placeholder). */
  values: Record<string, string>;
  type: (key: string, value: string) => void;
  /** Regenerate's confirmation is showing. */
  confirmingRegenerate: boolean;
  /** Shows the confirmation; nothing is generated yet. */
  askToRegenerate: () => void;
  /** Closes the confirmation, keeping the current values. */
  keep: () => void;
  /** Saves the values typed; with none typed, says so and sends nothing. */
  save: () => void;
  /** Generates new values (the confirmed choice); `providerName` is for the words said. */
  regenerate: (providerName: string) => void;
  /** Stops accepting the values replaced, now. */
  endOverlap: () => void;
  message: SourceUpdate['message'];
}

/** The editor of source `sourceId`'s credentials, whose provider asks for `fields`. */
export function useCredentialsEditor(sourceId: string, fields: readonly ProviderFieldInfo[]): CredentialsEditorModel {
  const [values, setValues] = useState<Record<string, string>>({});
  const [confirmingRegenerate, setConfirmingRegenerate] = useState(false);
  const { message, update, fail } = useSourceUpdate(sourceId);
  const cleared = () => {
    setValues({});
    setConfirmingRegenerate(false);
  };
  return {
    values,
    type: (key, value) => setValues({ ...values, [key]: value }),
    confirmingRegenerate,
    askToRegenerate: () => setConfirmingRegenerate(true),
    keep: () => setConfirmingRegenerate(false),
    save: () => {
      const credentials = typedCredentials(fields, values);
      if (Object.keys(credentials).length === 0) fail('Paste a new value first.');
      else update({ credentials }, 'Saved.', cleared);
    },
    regenerate: (providerName) => update({ regenerate: true }, `New values generated: paste them into ${providerName}.`, cleared),
    endOverlap: () => update({ endOverlap: true }, 'Only the current credentials are accepted now.', cleared),
    message,
  };
}
