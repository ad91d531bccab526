/**
 * Sources: one provider endpoint each, reached at `POST /hooks/<id>`. Here: unguessable ids, webhook URLs,
 * and making a new source with the credentials its provider generates.
 */
import { randomBytes } from 'node:crypto';
import type { NewSourceInput, SourcePatch } from '../../shared/ipc';
import { DEFAULT_CREDENTIAL_OVERLAP_HOURS, sourceSchema, type Source } from '../../shared/settings';
import { explainZodError } from '../../shared/zod-words';
import { changedCredentials } from './credentials';
import { InvalidSourceError } from './errors';
import { getProvider, unknownProviderMessage } from './providers/index';

/** Bytes of randomness in a source id: 128 bits, above the 96 the URL's secrecy needs. */
const SOURCE_ID_BYTES = 16;

/** The path prefix every webhook lives under; nothing else answers on the receiver. */
export const HOOKS_PREFIX = '/hooks/';

/** A new random, URL-safe source id (128 bits, base64url, 22 characters). */
export function newSourceId(): string {
  return randomBytes(SOURCE_ID_BYTES).toString('base64url');
}

/** `/hooks/<id>`. */
export function webhookPath(sourceId: string): string {
  return `${HOOKS_PREFIX}${encodeURIComponent(sourceId)}`;
}

/** The full webhook URL for a source under a base URL such as `http://127.0.0.1:7317` or an ngrok URL. */
export function webhookUrl(baseUrl: string, sourceId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${webhookPath(sourceId)}`;
}

/** `http://host:port`, with IPv6 hosts bracketed; the wildcard addresses map to loopback. */
export function localBaseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return reachable.includes(':') ? `http://[${reachable}]:${port}` : `http://${reachable}:${port}`;
}

/** Checks a source against the settings schema and its provider; returns plain words, or null when it is fine. */
export function sourceProblem(source: Source): string | null {
  const provider = getProvider(source.provider);
  if (!provider) return `source "${source.name}" (${source.id}): ${unknownProviderMessage(source.provider)}`;
  const problem = provider.validateSource(source);
  return problem ? `source "${source.name}" (${source.id}): ${problem}` : null;
}

/**
 * Makes a new source: a fresh id, the provider's generated credentials (those the user gave win), and
 * validation by the schema and the provider. Throws {@link InvalidSourceError} naming the problem.
 */
export function createSource(input: NewSourceInput, now: number = Date.now()): Source {
  const provider = getProvider(input.provider);
  if (!provider) throw new InvalidSourceError(unknownProviderMessage(String(input.provider)));
  const name = (input.name ?? '').trim() || provider.name;
  const checked = sourceSchema.safeParse({
    id: newSourceId(),
    provider: input.provider,
    name,
    paused: false,
    credentials: withoutEmpty({ ...provider.generateCredentials(), ...(input.credentials ?? {}) }),
    config: input.config ?? {},
    ...(input.webUrl !== undefined ? { webUrl: input.webUrl } : {}),
    createdAt: new Date(now).toISOString(),
  });
  if (!checked.success) {
    const problem = explainZodError(checked.error);
    throw new InvalidSourceError(`the new source is not valid${problem.field ? ` (${problem.field})` : ''}: ${problem.message}`);
  }
  const problem = provider.validateSource(checked.data);
  if (problem) throw new InvalidSourceError(problem);
  return checked.data;
}

function withoutEmpty(credentials: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(credentials).filter(([, v]) => v !== ''));
}

/** How credential edits treat the values they replace. */
export interface CredentialOverlap {
  /** Hours a replaced value stays accepted (settings `credentialOverlapHours`). */
  hours: number;
  now: number;
}

/**
 * A source with the window's edits applied (name, pause, credentials merged over the old ones or
 * regenerated, config, filters, web app URL), validated by the schema and its provider. A replaced credential
 * stays accepted for `overlap.hours` (see `credentials.ts`). Throws {@link InvalidSourceError} naming the
 * problem.
 */
export function updatedSource(
  current: Source,
  patch: SourcePatch,
  overlap: CredentialOverlap = { hours: DEFAULT_CREDENTIAL_OVERLAP_HOURS, now: Date.now() },
): Source {
  const provider = getProvider(current.provider);
  const touchesCredentials = patch.credentials !== undefined || patch.regenerate === true || patch.endOverlap === true;
  if (patch.regenerate && provider && !provider.credentials.some((c) => c.generated)) {
    throw new InvalidSourceError(`${provider.name} sources have no credentials Crashbell generates: paste new ones instead`);
  }
  const rotated =
    touchesCredentials && provider
      ? changedCredentials(
          provider,
          current,
          {
            ...(patch.credentials !== undefined ? { credentials: patch.credentials } : {}),
            ...(patch.regenerate ? { regenerate: true } : {}),
            ...(patch.endOverlap ? { endOverlap: true } : {}),
          },
          overlap.hours,
          overlap.now,
        )
      : null;
  const merged = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
    ...(patch.paused !== undefined ? { paused: patch.paused } : {}),
    ...(patch.sound !== undefined ? { sound: patch.sound } : {}),
    ...(rotated ? rotated : {}),
    ...(patch.config !== undefined ? { config: patch.config } : {}),
    ...(patch.filters !== undefined ? { filters: patch.filters } : {}),
    ...(patch.webUrl !== undefined ? { webUrl: patch.webUrl } : {}),
    ...(patch.api !== undefined ? { api: apiWith(current.api, patch.api) } : {}),
  };
  const checked = sourceSchema.safeParse(merged);
  if (!checked.success) {
    const problem = explainZodError(checked.error);
    throw new InvalidSourceError(`source "${current.name}"${problem.field ? ` (${problem.field})` : ''}: ${problem.message}`);
  }
  const problem = provider?.validateSource(checked.data) ?? null;
  if (problem) throw new InvalidSourceError(problem);
  return checked.data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A source in a settings document whose provider the registry does not hold. */
export interface UnknownProviderSource {
  /** Its index in `sources`. */
  index: number;
  /** `sources.<index>.provider`, for messages. */
  path: string;
  /** Plain words naming the id and the providers Crashbell has. */
  message: string;
}

/**
 * The sources of a raw settings document (a config file, the app's stored settings) that name a provider the
 * registry does not hold. Run where settings enter the core, before `parseSettings`: shared/ accepts any
 * provider id, since it knows no list.
 */
export function unknownProviderSources(document: unknown): UnknownProviderSource[] {
  if (!isRecord(document) || !Array.isArray(document['sources'])) return [];
  const found: UnknownProviderSource[] = [];
  document['sources'].forEach((source: unknown, index) => {
    if (!isRecord(source) || typeof source['provider'] !== 'string' || source['provider'] === '') return;
    if (getProvider(source['provider'])) return;
    found.push({ index, path: `sources.${index}.provider`, message: unknownProviderMessage(source['provider']) });
  });
  return found;
}

/**
 * A copy of a raw settings document in which each source written without a name (hand-written config files)
 * bears its provider's name. Sources of unknown providers are left as they are, for
 * {@link unknownProviderSources} to name.
 */
export function nameSourcesByProvider<T>(document: T): T {
  if (!isRecord(document) || !Array.isArray(document['sources'])) return document;
  const sources = document['sources'].map((source: unknown) => {
    if (!isRecord(source) || source['name'] !== undefined || typeof source['provider'] !== 'string') return source;
    const provider = getProvider(source['provider']);
    return provider ? { ...source, name: provider.name } : source;
  });
  return { ...document, sources };
}

/** A source's API access with a patch applied: a token left out keeps the saved one. */
function apiWith(current: Source['api'], patch: NonNullable<SourcePatch['api']>): NonNullable<Source['api']> {
  const base = current ?? { token: '', url: '', assignee: '', resolveInProvider: true };
  return {
    token: patch.token ?? base.token,
    url: patch.url ?? base.url,
    assignee: patch.assignee ?? base.assignee,
    resolveInProvider: patch.resolveInProvider ?? base.resolveInProvider,
  };
}

/** The configured source with this id, or null: the one lookup every part uses. */
export function findSource(settings: { sources: readonly Source[] }, sourceId: string): Source | null {
  for (const s of settings.sources) if (s.id === sourceId) return s;
  return null;
}
