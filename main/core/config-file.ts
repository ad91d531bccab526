/**
 * Headless mode's settings: a JSON file in the same shape as the app's settings (shared/settings.ts), read
 * once at start into a settings store. Every problem becomes a ConfigError whose message names the file and
 * the problem, so a server admin can fix it without reading code.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ZodError } from 'zod';
import { parseSettings, type Settings } from '../../shared/settings';
import { ConfigError, errorText } from './errors';
import { readableByOthers } from './private-files';
import { MemorySettingsStore, type SettingsStore } from './settings-access';
import { nameSourcesByProvider, sourceProblem, unknownProviderSources } from './sources';
import { domainOf } from './tunnel';
import { explainZodError } from '../../shared/zod-words';

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * " (near line 3, column 7)" for a JSON.parse error. Older engines say "at position N"; V8 in Node 20 quotes
 * up to ten characters either side of the bad token instead, so the quote is looked up in the text.
 */
function whereInJson(text: string, message: string): string {
  const position = /position (\d+)/.exec(message);
  if (position) return ` (${lineAndColumn(text, Number(position[1]))})`;
  if (/Unexpected end of JSON input/.test(message)) return ` (the file ends early, at ${lineAndColumn(text, text.length)})`;
  const quoted = /^Unexpected .*?, (\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (!quoted) return '';
  const snippet = quoted[2] ?? '';
  const at = text.indexOf(snippet);
  if (at < 0 || snippet === '') return '';
  // With a leading "...", V8 shows exactly ten characters before the bad token.
  const offset = quoted[1] ? at + 10 : at;
  return ` (near ${lineAndColumn(text, offset)})`;
}

function describeZod(error: ZodError, document: unknown): string {
  const problem = explainZodError(error, document);
  if (problem.field === '') return problem.message;
  return `"${problem.field}" ${problem.missing ? 'is missing' : `is not valid (${problem.message})`}`;
}

/**
 * Parses settings from the file's text and checks every source with its provider (the id against the
 * registry, then the credentials); a source without a name gets its provider's. Throws ConfigError naming
 * the problem; `label` (the file's path) prefixes every message.
 */
export function parseConfig(text: string, label: string): Settings {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = errorText(error);
    throw new ConfigError(`config file ${label} is not valid JSON${whereInJson(text, message)}: ${message}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ConfigError(`config file ${label} must hold a JSON object with at least "sources"`);
  }
  const unknown = unknownProviderSources(document)[0];
  if (unknown) throw new ConfigError(`config file ${label}: "${unknown.path}" is not valid (${unknown.message})`);
  let settings: Settings;
  try {
    settings = parseSettings(nameSourcesByProvider(document));
  } catch (error) {
    if (error instanceof ZodError) throw new ConfigError(`config file ${label}: ${describeZod(error, document)}`);
    throw error;
  }
  // As the app's Setup does: a reserved domain pasted as its URL is kept as the host name ngrok expects.
  settings = { ...settings, tunnel: { ...settings.tunnel, domain: domainOf(settings.tunnel.domain) } };
  // A team member's headless Crashbell may only read the relay: then it needs no source of its own.
  const relayReader = settings.relay.servers.length > 0 && settings.relay.subscribe;
  if (settings.sources.length === 0 && !relayReader) {
    throw new ConfigError(
      `config file ${label} has no sources: add at least one to "sources" (id, provider, name, credentials), or a "relay" to subscribe to`,
    );
  }
  if (settings.relay.publish && settings.relay.servers.length === 0) {
    throw new ConfigError(`config file ${label}: "relay.publish" is on but "relay.servers" is empty: add the NATS server URLs`);
  }
  const seen = new Set<string>();
  for (const source of settings.sources) {
    if (seen.has(source.id)) throw new ConfigError(`config file ${label}: two sources have the id "${source.id}"; each needs its own`);
    seen.add(source.id);
    const problem = sourceProblem(source);
    if (problem) throw new ConfigError(`config file ${label}: ${problem}`);
  }
  return settings;
}

/** Reads and checks a config file. Throws ConfigError naming the problem (missing, unreadable, not JSON...). */
export function readConfigFile(path: string): Settings {
  const full = resolve(path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`config file ${full} does not exist: pass --config with the path of a JSON settings file`);
    if (code === 'EISDIR') throw new ConfigError(`config file ${full} is a folder, not a file`);
    if (code === 'EACCES') throw new ConfigError(`config file ${full} cannot be read: permission denied`);
    throw new ConfigError(`config file ${full} cannot be read: ${(error as Error).message}`);
  }
  return parseConfig(text, full);
}

/** A settings store over a config file, read once (headless mode never writes settings back). */
export function openConfigStore(path: string): SettingsStore {
  return new MemorySettingsStore(readConfigFile(path));
}

/** Where the tunnel's authtoken came from, for advice on fixing it. */
export type AuthtokenSource = 'config' | 'environment' | null;

/**
 * The settings with what headless mode takes from the environment: `NGROK_AUTHTOKEN` (ngrok's own variable)
 * when the config file has no `tunnel.authtoken`, so the secret can stay out of the file.
 */
export function withEnvironment(settings: Settings, env: NodeJS.ProcessEnv): { settings: Settings; authtoken: AuthtokenSource } {
  if (settings.tunnel.authtoken.trim() !== '') return { settings, authtoken: 'config' };
  const fromEnv = env['NGROK_AUTHTOKEN']?.trim() ?? '';
  if (fromEnv === '') return { settings, authtoken: null };
  return { settings: { ...settings, tunnel: { ...settings.tunnel, authtoken: fromEnv } }, authtoken: 'environment' };
}

/**
 * Plain words when the config file holds secrets (source credentials and API tokens, the ngrok authtoken, the relay's NATS
 * password or token, an ntfy topic) and users other than
 * its owner can read it, saying how to fix it; null otherwise (and always on Windows, where mode bits mean nothing).
 */
export function configExposureWarning(path: string, settings: Settings): string | null {
  const holds: string[] = [];
  if (settings.sources.some((s) => Object.values(s.credentials).some((v) => v !== ''))) holds.push('source credentials');
  if (settings.sources.some((s) => (s.api?.token ?? '') !== '')) holds.push('source API tokens');
  if (settings.tunnel.authtoken !== '') holds.push('the ngrok authtoken');
  const relayAuth = settings.relay.auth;
  if (relayAuth && ('pass' in relayAuth || 'token' in relayAuth)) holds.push('the relay credentials');
  const ntfy = settings.headless.notify.ntfy;
  // On ntfy.sh the topic's name is its only secret; a token is one anywhere.
  if (ntfy && (ntfy.token !== '' || /^https?:\/\/ntfy\.sh\//i.test(ntfy.url))) holds.push('the ntfy topic');
  if (holds.length === 0) return null;
  const full = resolve(path);
  const mode = readableByOthers(full);
  if (mode === null) return null;
  return `config file ${full} holds secrets (${holds.join(' and ')}) and other users can read it (mode ${mode}): chmod 600 ${full}`;
}
