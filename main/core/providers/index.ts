/**
 * The provider registry: the one list of provider modules Crashbell knows. Adding a provider is one module
 * beside this file (its id, name, mark, schema, verification, parsing and docs) and one line in
 * {@link PROVIDERS}; the receiver, inbox, UI and headless mode need no edit. Settings name providers by id
 * as plain strings (`shared/` knows no list); the core checks them against this registry where settings
 * enter, with {@link unknownProviderMessage}.
 */
import { ACTION_KINDS, type ProviderActionsInfo } from '../../../shared/actions';
import type { ProviderId } from '../../../shared/events';
import type { ProviderInfo } from '../../../shared/ipc';
import { CrashbellError } from '../errors';
import { backtraceProvider } from './backtrace';
import { errorceptionProvider } from './errorception';
import { sentryProvider } from './sentry';
import { sentryLegacyProvider } from './sentry-legacy';
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
  sentryLegacyProvider,
  bugsnagProvider,
  rollbarProvider,
  raygunProvider,
  honeybadgerProvider,
  genericProvider,
];

/** The module for a provider id, or undefined when Crashbell has none for it (yet). */
export function getProvider(id: ProviderId): ProviderModule | undefined {
  return PROVIDERS.find((p) => p.id === id);
}

/** Whether the registry holds a provider with this id. */
export function isKnownProvider(id: ProviderId): boolean {
  return getProvider(id) !== undefined;
}

/** Plain words for a provider id the registry does not hold, naming the ones it does. */
export function unknownProviderMessage(id: ProviderId): string {
  return `Crashbell has no "${id}" provider: use one of ${PROVIDERS.map((p) => p.id).join(', ')}`;
}

/** A provider id the registry does not hold; the message names the known ones. */
export class UnknownProviderError extends CrashbellError {
  readonly provider: ProviderId;

  constructor(id: ProviderId) {
    super('unknown-provider', unknownProviderMessage(id));
    this.provider = id;
  }
}

/** The module for a provider id; throws {@link UnknownProviderError} naming the known ones when there is none. */
export function requireProvider(id: ProviderId): ProviderModule {
  const provider = getProvider(id);
  if (!provider) throw new UnknownProviderError(id);
  return provider;
}

/** What the setup view offers for a provider: the fields the user types (generated ones are made for them). */
export function providerInfo(p: ProviderModule): ProviderInfo {
  return {
    id: p.id,
    name: p.name,
    mark: { ...p.mark },
    docsUrl: p.docsUrl,
    securityNote: p.securityNote,
    setupSteps: [...p.setupSteps],
    fields: p.credentials
      .filter((c) => !c.generated)
      .map((c) => ({
        key: c.key,
        label: c.label,
        secret: c.secret,
        required: c.required,
        help: c.help,
        pasteLater: c.pasteLater === true,
      })),
    regenerable: p.credentials.some((c) => c.generated),
    webUrlHelp: p.webUrlHelp,
    actions: actionsInfo(p),
  };
}

/** What a provider's API lets Crashbell do, as the window says it (the module's facts, copied). */
function actionsInfo(p: ProviderModule): ProviderActionsInfo {
  const a = p.actions;
  if (a.kind === 'local') return { kind: 'local', reason: a.reason };
  return {
    kind: 'api',
    tokenLabel: a.token.label,
    tokenScope: a.token.scope,
    tokenHelp: a.token.help,
    defaultApiUrl: a.defaultBaseUrl,
    unsupported: ACTION_KINDS.filter((k) => a.unsupported[k] !== undefined),
  };
}

/** Every header name any provider marks secret, lower-case: the request log masks them all. */
export function allSecretHeaders(): string[] {
  return [...new Set(PROVIDERS.flatMap((p) => p.secretHeaders.map((h) => h.toLowerCase())))];
}

export type { ProviderModule } from './types';
