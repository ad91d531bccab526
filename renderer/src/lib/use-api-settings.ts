/**
 * A source's API settings editor as a hook over `api-settings.ts`: the form, Save (a token left empty keeps the
 * saved one; the field empties once saved, as a token is never shown back), Remove token, and Test token (a
 * harmless read in the provider, saving what was typed first). Main re-validates each change; this module only
 * talks to it.
 */
import { useState } from 'react';
import type { SourceView } from '../../../shared/ipc';
import { errorMessage, testApiToken, updateSource } from '../api';
import { type ApiForm, apiForm, apiFormChanged, apiPatch, tokenTestOutcome } from './api-settings';
import type { FormOutcome } from './form-outcome';

/** The editor's state, and what it can ask of main. */
export interface ApiSettingsModel {
  form: ApiForm;
  set: (patch: Partial<ApiForm>) => void;
  /** Saves the form. */
  save: () => void;
  /** Removes the saved token: actions stay in Crashbell until another is set. */
  removeToken: () => void;
  /** Tests the token (saving the form first when it changed). */
  test: () => void;
  testing: boolean;
  /** What the last save or removal came to. */
  saved: FormOutcome | null;
  /** What the last test found. */
  tested: FormOutcome | null;
}

/** The API settings editor of `source`. */
export function useApiSettings(source: SourceView): ApiSettingsModel {
  const [form, setForm] = useState<ApiForm>(() => apiForm(source));
  const [saved, setSaved] = useState<FormOutcome | null>(null);
  const [tested, setTested] = useState<FormOutcome | null>(null);
  const [testing, setTesting] = useState(false);
  /** Sends the form; resolves true once main took it (the typed token then leaves the field). */
  const send = async (done: string): Promise<boolean> => {
    try {
      await updateSource(source.id, { api: apiPatch(form) });
      setForm((f) => ({ ...f, token: '' }));
      setSaved({ ok: true, text: done });
      return true;
    } catch (err) {
      setSaved({ ok: false, text: errorMessage(err) });
      return false;
    }
  };
  return {
    form,
    set: (patch) => setForm((f) => ({ ...f, ...patch })),
    save: () => void send('API settings saved.'),
    removeToken: () => {
      updateSource(source.id, { api: { token: '' } }).then(
        () => setSaved({ ok: true, text: 'Token removed: actions stay in Crashbell.' }),
        (err) => setSaved({ ok: false, text: errorMessage(err) }),
      );
    },
    test: () => {
      setTesting(true);
      setTested(null);
      void (async () => {
        try {
          if (apiFormChanged(form, source) && !(await send('API settings saved.'))) return;
          setTested(tokenTestOutcome(await testApiToken(source.id)));
        } catch (err) {
          setTested({ ok: false, text: errorMessage(err) });
        } finally {
          setTesting(false);
        }
      })();
    },
    testing,
    saved,
    tested,
  };
}
