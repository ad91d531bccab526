/**
 * The Settings view's changes, as a hook over `settings-save.ts`: each change is sent at once, main re-validates
 * it and answers the settings (or refuses the change with the field named), and the view says what came of it.
 */
import { useReducer, useRef } from 'react';
import type { SettingsPatch, SettingsView } from '../../../shared/ipc';
import { errorMessage, updateSettings } from '../api';
import { INITIAL_SAVE_STATUS, type SaveStatus, saveStatusReducer } from './settings-save';

/** The status of the view's changes, and how it makes them. */
export interface SettingsSave extends SaveStatus {
  /** Sends a settings patch; main's answer goes to `onSettings`, and `done` is said once it is saved. */
  apply: (patch: SettingsPatch, done?: string) => void;
  /** Says what another call came to: `done` once it resolved, or why it failed. */
  report: (call: Promise<unknown>, done: string) => void;
  /** Says why something was not saved (a field refused before anything was sent, a call that failed). */
  fail: (error: string) => void;
}

/** The view's changes; `onSettings` gets the settings main answers to each patch. */
export function useSettingsSave(onSettings: (s: SettingsView) => void): SettingsSave {
  const [state, dispatch] = useReducer(saveStatusReducer, INITIAL_SAVE_STATUS);
  const onSaved = useRef(onSettings);
  onSaved.current = onSettings;
  return {
    ...state,
    apply: (patch, done = 'Saved') => {
      dispatch({ type: 'sending' });
      updateSettings(patch).then(
        (s) => {
          dispatch({ type: 'saved', done });
          onSaved.current(s);
        },
        (err) => dispatch({ type: 'refused', error: errorMessage(err) }),
      );
    },
    report: (call, done) => {
      call.then(
        () => dispatch({ type: 'done', text: done }),
        (err) => dispatch({ type: 'failed', error: errorMessage(err) }),
      );
    },
    fail: (error) => dispatch({ type: 'failed', error }),
  };
}
