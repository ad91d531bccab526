/** A new source from Setup's form: checked first, and put as main's addSource takes it. */
import type { ProviderId } from '../../../shared/events';
import type { NewSourceInput, ProviderInfo, SourceView } from '../../../shared/ipc';
import { typedCredentials } from './credentials';
import { configFromMapping, type MappingConfig, mappingProblem } from './mapping';
import { validateNewSource } from './providers';

/** The Add a source form as typed. */
export interface NewSourceForm {
  providerId: ProviderId;
  /** The provider chosen, as main's registry describes it; undefined when none is. */
  provider: ProviderInfo | undefined;
  /** The name typed; empty takes the provider's name. */
  name: string;
  /** What was typed in each of the provider's fields. */
  values: Record<string, string>;
  /** The field mapping, sent only for a generic source. */
  mapping: MappingConfig;
}

/** The source to add, or the form's first problem in words (nothing is sent then). */
export function newSourceInput(form: NewSourceForm): { ok: true; input: NewSourceInput } | { ok: false; problem: string } {
  const { providerId, provider, values, mapping } = form;
  const isGeneric = providerId === 'generic';
  const name = form.name.trim() || provider?.name || '';
  const problem = validateNewSource(provider, name, values) ?? (isGeneric ? mappingProblem(mapping) : null);
  if (problem || !provider) return { ok: false, problem: problem ?? 'Choose a provider.' };
  const credentials = typedCredentials(provider.fields, values);
  return { ok: true, input: { provider: providerId, name, credentials, ...(isGeneric ? { config: configFromMapping(mapping) } : {}) } };
}

/** What to do once a source is added. */
export function addedText(source: SourceView): string {
  return `Added ${source.name}. Paste its values into ${source.providerName}.`;
}
