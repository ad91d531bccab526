/**
 * The Team relay card's form, as a hook over `relay-form.ts`: saves the relay settings through main (the form
 * and each switch), and runs Test relay. The rules are the reducer's, tested without React; this module only
 * talks to main.
 */
import { useReducer, useRef } from 'react';
import type { RelaySettingsPatch, RelaySettingsView, SettingsView } from '../../../shared/ipc';
import { errorMessage, testRelay, updateSettings } from '../api';
import {
  failedTest,
  hasSavedSecret,
  INITIAL_RELAY_FORM,
  type RelayFields,
  type RelayFormState,
  relayFields,
  relayFormReducer,
  relaySubmission,
} from './relay-form';

/** The relay form: its state, and what the card can ask of it. */
export interface RelayFormModel extends Omit<RelayFormState, 'edits'> {
  /** The fields as shown: what was typed over the saved settings. */
  fields: RelayFields;
  /** A password or token is saved for the credentials chosen: the empty field keeps it. */
  hasSecret: boolean;
  /** Takes what was typed in some fields. */
  edit: (fields: Partial<RelayFields>) => void;
  typeSecret: (secret: string) => void;
  /** Checks the form and saves it; a problem is said and nothing is sent. */
  submit: () => void;
  /** Saves one change (a switch); `done` is said once main took it. */
  save: (patch: RelaySettingsPatch, done: string) => void;
  /** Sends a test message round the stream and shows when it came back. */
  runTest: () => void;
}

/** The form over the saved relay settings (null until they load); `onSettings` gets main's answer to a save. */
export function useRelayForm(saved: RelaySettingsView | null, onSettings: (s: SettingsView) => void): RelayFormModel {
  const [state, dispatch] = useReducer(relayFormReducer, INITIAL_RELAY_FORM);
  const onSaved = useRef(onSettings);
  onSaved.current = onSettings;
  const { edits, ...shown } = state;
  const fields = relayFields(edits, saved);

  const save = (patch: RelaySettingsPatch, done: string) => {
    dispatch({ type: 'saving' });
    updateSettings({ relay: patch }).then(
      (s) => {
        dispatch({ type: 'saved', done });
        onSaved.current(s);
      },
      (err) => dispatch({ type: 'saveFailed', error: errorMessage(err) }),
    );
  };
  return {
    ...shown,
    fields,
    hasSecret: hasSavedSecret(saved, fields.kind),
    edit: (changed) => dispatch({ type: 'edited', fields: changed }),
    typeSecret: (secret) => dispatch({ type: 'secretTyped', secret }),
    submit: () => {
      const submission = relaySubmission(fields, state.secret);
      if (submission.ok) save(submission.patch, submission.done);
      else dispatch({ type: 'refused', problem: submission.problem });
    },
    save,
    runTest: () => {
      dispatch({ type: 'testing' });
      testRelay().then(
        (result) => dispatch({ type: 'tested', result }),
        (err) => dispatch({ type: 'tested', result: failedTest(errorMessage(err), new Date()) }),
      );
    },
  };
}
