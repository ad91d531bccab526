/**
 * The providers as the window knows them: only from main's registry (`AppState.providers`), which carries
 * each one's name, badge mark and the fields a new source needs. The renderer holds no list of its own, so a
 * provider added to the core shows here with no edit; an id main does not describe shows as itself with a
 * neutral '?' badge.
 */
import { createContext, useCallback, useContext } from 'react';
import type { ProviderId } from '../../../shared/events';
import type { AppState, ProviderInfo, ProviderMark } from '../../../shared/ipc';

/** The badge of a provider main does not describe: a '?' on a grey that carries white text at 4.5:1. */
export const NEUTRAL_MARK: ProviderMark = { text: '?', color: '#6e7781' };

/** What the window shows for a provider: its name and badge. */
export interface ProviderLook {
  id: ProviderId;
  name: string;
  mark: ProviderMark;
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** The name and mark of `id` among `providers`, or the id itself and the neutral mark when it is not there. */
export function providerLook(providers: readonly ProviderInfo[], id: ProviderId): ProviderLook {
  const info = providers.find((p) => p.id === id);
  if (!info) return { id, name: id, mark: NEUTRAL_MARK };
  // The colour goes into a style: anything but a plain hex colour falls back to the neutral one.
  const color = HEX_COLOR.test(info.mark.color) ? info.mark.color : NEUTRAL_MARK.color;
  return { id, name: info.name, mark: { text: info.mark.text || NEUTRAL_MARK.text, color } };
}

/** The registry main sent, for every view below the app; empty until the first state arrives. */
export const ProvidersContext = createContext<readonly ProviderInfo[]>([]);

/** A lookup of provider names and marks from the registry main sent. */
export function useProviderLook(): (id: ProviderId) => ProviderLook {
  const providers = useContext(ProvidersContext);
  return useCallback((id: ProviderId) => providerLook(providers, id), [providers]);
}

/** What main's registry says of provider `id` (its API's actions, its fields), or undefined when it says nothing. */
export function useProviderInfo(id: ProviderId): ProviderInfo | undefined {
  return useContext(ProvidersContext).find((p) => p.id === id);
}

/** The providers a source can be added for: main's registry. */
export function availableProviders(state: AppState): ProviderInfo[] {
  return state.providers;
}

/** Checks a new source's form before sending it; returns plain words naming the first problem. */
export function validateNewSource(provider: ProviderInfo | undefined, name: string, values: Record<string, string>): string | null {
  if (!provider) return 'Choose a provider.';
  if (name.trim() === '') return 'Give the source a name.';
  if (name.trim().length > 200) return 'The name is too long (200 characters at most).';
  for (const f of provider.fields) {
    // A value the provider shows only once its webhook exists is pasted into the source afterwards.
    if (f.required && !f.pasteLater && (values[f.key] ?? '').trim() === '') return `${provider.name} needs its ${f.label.toLowerCase()}.`;
  }
  return null;
}

/**
 * Every provider a source can be added for, by name, as one phrase: "Backtrace, Sentry or Generic JSON". From
 * main's list, so a provider added to the core is named here without an edit.
 */
export function providerNames(state: AppState, conjunction: 'or' | 'and' = 'or'): string {
  return namesOf(availableProviders(state), conjunction);
}

/** Names as one phrase: "A", "A or B", "A, B or C". */
export function namesOf(providers: ReadonlyArray<{ name: string }>, conjunction: 'or' | 'and' = 'or'): string {
  const names = providers.map((p) => p.name);
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} ${conjunction} ${names.at(-1)}`;
}

/** The providers as the first-run guide tells them apart, by what the user pastes into their source. */
export interface ProvidersByCredentials {
  /** The ones that show a secret to paste into the source. */
  asking: ProviderInfo[];
  /** The ones for which Crashbell makes whatever they need. */
  making: ProviderInfo[];
  /** Of those asking, the ones that show it only once their webhook (with Crashbell's URL) is saved. */
  later: ProviderInfo[];
}

/** Tells the providers apart by what the user pastes into their source. */
export function providersByCredentials(providers: readonly ProviderInfo[]): ProvidersByCredentials {
  const asking = providers.filter((p) => p.fields.some((f) => f.required));
  return {
    asking,
    making: providers.filter((p) => !asking.includes(p)),
    later: asking.filter((p) => p.fields.some((f) => f.required && f.pasteLater)),
  };
}
