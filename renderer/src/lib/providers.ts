/**
 * The providers the setup view offers. Main sends the list with their fields (AppState.providers); when an
 * older main does not, the two founding providers are offered with the fields their modules require.
 */
import type { AppState, ProviderInfo } from '../../../shared/ipc';

const FALLBACK: ProviderInfo[] = [
  {
    id: 'backtrace',
    name: 'Backtrace',
    docsUrl: 'https://docs.saucelabs.com/error-reporting/workflow-integrations/webhook/',
    securityNote: null,
    setupSteps: [],
    fields: [],
  },
  {
    id: 'errorception',
    name: 'Errorception',
    docsUrl: 'https://blog.errorception.com/2012/11/webhooks.html',
    securityNote: null,
    setupSteps: [],
    fields: [
      {
        key: 'secret',
        label: 'Secret key',
        secret: true,
        required: true,
        help: 'Shown on Errorception’s Settings › Service Hooks › WebHooks page when you create the webhook.',
      },
    ],
  },
];

/** The providers to offer, from main when it says, else the fallback. */
export function availableProviders(state: AppState): ProviderInfo[] {
  return state.providers && state.providers.length > 0 ? state.providers : FALLBACK;
}

/** Checks a new source's form before sending it; returns plain words naming the first problem. */
export function validateNewSource(provider: ProviderInfo | undefined, name: string, values: Record<string, string>): string | null {
  if (!provider) return 'Choose a provider.';
  if (name.trim() === '') return 'Give the source a name.';
  if (name.trim().length > 200) return 'The name is too long (200 characters at most).';
  for (const f of provider.fields) {
    if (f.required && (values[f.key] ?? '').trim() === '') return `${provider.name} needs its ${f.label.toLowerCase()}.`;
  }
  return null;
}
