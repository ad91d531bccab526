/**
 * The provider registry: the one list of provider modules Crashbell knows. Adding a provider is one module
 * beside this file and one line in {@link PROVIDERS}; the receiver, inbox, UI and headless mode need no edit.
 */
import type { ProviderId } from '../../../shared/events';
import type { ProviderInfo } from '../../../shared/ipc';
import { backtraceProvider } from './backtrace';
import { errorceptionProvider } from './errorception';
import { sentryProvider } from './sentry';
import { bugsnagProvider } from './bugsnag';
import { rollbarProvider } from './rollbar';
import { raygunProvider } from './raygun';
import { honeybadgerProvider } from './honeybadger';
import { genericProvider } from './generic';
import type { ProviderModule } from './types';

/** Every provider module, in the order the setup view lists them. */
export const PROVIDERS: readonly ProviderModule[] = [
  backtraceProvider,
  errorceptionProvider,
  sentryProvider,
  bugsnagProvider,
  rollbarProvider,
  raygunProvider,
  honeybadgerProvider,
  genericProvider,
];

/** The module for a provider id, or undefined when Crashbell has none for it (yet). */
export function getProvider(id: ProviderId | string): ProviderModule | undefined {
  return PROVIDERS.find((p) => p.id === id);
}

/** What the setup view offers for a provider: the fields the user types (generated ones are made for them). */
export function providerInfo(p: ProviderModule): ProviderInfo {
  return {
    id: p.id,
    name: p.name,
    docsUrl: p.docsUrl,
    securityNote: p.securityNote,
    setupSteps: [...p.setupSteps],
    fields: p.credentials
      .filter((c) => !c.generated)
      .map((c) => ({ key: c.key, label: c.label, secret: c.secret, required: c.required, help: c.help })),
  };
}

/** Every header name any provider marks secret, lower-case: the request log masks them all. */
export function allSecretHeaders(): string[] {
  return [...new Set(PROVIDERS.flatMap((p) => p.secretHeaders.map((h) => h.toLowerCase())))];
}

export type { ProviderModule } from './types';
