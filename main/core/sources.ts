/**
 * Sources: one provider endpoint each, reached at `POST /hooks/<id>`. Here: unguessable ids, webhook URLs,
 * and making a new source with the credentials its provider generates.
 */
import { randomBytes } from 'node:crypto';
import type { ProviderId } from '../../shared/events';
import type { NewSourceInput, SourcePatch } from '../../shared/ipc';
import { PROVIDER_IDS } from '../../shared/events';
import { sourceSchema, type Source } from '../../shared/settings';
import { explainZodError } from '../../shared/zod-words';
import { InvalidSourceError } from './errors';
import { getProvider } from './providers/index';

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
  if (!provider) return `source "${source.name}": Crashbell has no "${source.provider}" provider yet`;
  const problem = provider.validateSource(source);
  return problem ? `source "${source.name}" (${source.id}): ${problem}` : null;
}

/**
 * Makes a new source: a fresh id, the provider's generated credentials (those the user gave win), and
 * validation by the schema and the provider. Throws {@link InvalidSourceError} naming the problem.
 */
export function createSource(input: NewSourceInput, now: number = Date.now()): Source {
  if (!(PROVIDER_IDS as readonly string[]).includes(input.provider)) {
    throw new InvalidSourceError(`unknown provider "${String(input.provider)}": choose one of ${PROVIDER_IDS.join(', ')}`);
  }
  const provider = getProvider(input.provider as ProviderId);
  if (!provider) throw new InvalidSourceError(`Crashbell has no "${input.provider}" provider yet`);
  const name = (input.name ?? '').trim() || provider.name;
  const checked = sourceSchema.safeParse({
    id: newSourceId(),
    provider: input.provider,
    name,
    paused: false,
    credentials: { ...provider.generateCredentials(), ...(input.credentials ?? {}) },
    config: input.config ?? {},
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

/**
 * A source with the window's edits applied (name, pause, credentials merged over the old ones, config,
 * filters), validated by the schema and its provider. Throws {@link InvalidSourceError} naming the problem.
 */
export function updatedSource(current: Source, patch: SourcePatch): Source {
  const merged = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
    ...(patch.paused !== undefined ? { paused: patch.paused } : {}),
    ...(patch.credentials !== undefined ? { credentials: { ...current.credentials, ...patch.credentials } } : {}),
    ...(patch.config !== undefined ? { config: patch.config } : {}),
    ...(patch.filters !== undefined ? { filters: patch.filters } : {}),
  };
  const checked = sourceSchema.safeParse(merged);
  if (!checked.success) {
    const problem = explainZodError(checked.error);
    throw new InvalidSourceError(`source "${current.name}"${problem.field ? ` (${problem.field})` : ''}: ${problem.message}`);
  }
  const problem = getProvider(checked.data.provider)?.validateSource(checked.data) ?? null;
  if (problem) throw new InvalidSourceError(problem);
  return checked.data;
}
