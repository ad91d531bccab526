/**
 * Setup's Add a source form as a hook over `new-source.ts`: the provider chosen, the name and fields typed, a
 * generic source's mapping, and adding it through main, which makes the source's URL and any credentials it can.
 */
import { useState } from 'react';
import type { ProviderId } from '../../../shared/events';
import type { ProviderInfo } from '../../../shared/ipc';
import { addSource, errorMessage } from '../api';
import { EMPTY_MAPPING, type MappingConfig } from './mapping';
import { addedText, newSourceInput } from './new-source';

/** The form's state, and what it can ask of main. */
export interface AddSourceModel {
  providerId: ProviderId;
  /** The provider chosen, as main's registry describes it. */
  provider: ProviderInfo | undefined;
  /** Chooses another provider: the fields typed for the previous one go. */
  chooseProvider: (id: ProviderId) => void;
  name: string;
  setName: (name: string) => void;
  values: Record<string, string>;
  type: (key: string, value: string) => void;
  mapping: MappingConfig;
  setMapping: (mapping: MappingConfig) => void;
  /** The source is being added. */
  busy: boolean;
  /** Why the source was not added. */
  error: string | null;
  /** What to do with the source last added. */
  added: string | null;
  /** Checks the form and adds the source; a problem is said and nothing is sent. */
  submit: () => void;
}

/** The Add a source form over the providers main offers (the first one chosen at first). */
export function useAddSource(providers: readonly ProviderInfo[]): AddSourceModel {
  const [providerId, setProviderId] = useState<ProviderId>(providers[0]?.id ?? '');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [mapping, setMapping] = useState(EMPTY_MAPPING);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const provider = providers.find((p) => p.id === providerId);
  return {
    providerId,
    provider,
    chooseProvider: (id) => {
      setProviderId(id);
      setValues({});
      setError(null);
    },
    name,
    setName,
    values,
    type: (key, value) => setValues({ ...values, [key]: value }),
    mapping,
    setMapping,
    busy,
    error,
    added,
    submit: () => {
      const checked = newSourceInput({ providerId, provider, name, values, mapping });
      if (!checked.ok) {
        setError(checked.problem);
        return;
      }
      setBusy(true);
      setError(null);
      addSource(checked.input).then(
        (s) => {
          setBusy(false);
          setName('');
          setValues({});
          setMapping(EMPTY_MAPPING);
          setAdded(addedText(s));
        },
        (err) => {
          setBusy(false);
          setError(errorMessage(err));
        },
      );
    },
  };
}
