/**
 * What `serve` starts from: its arguments, the config file (with NGROK_AUTHTOKEN from the environment), and the
 * warnings an operator should read before anything runs (a config others can read, a guessable source id, a source
 * still waiting for its secret).
 */
import { MIN_UNGUESSABLE_ID_LENGTH } from '../../../shared/settings';
import { type AuthtokenSource, configExposureWarning, readConfigFile, withEnvironment } from '../config-file';
import { waitingFor } from '../credentials';
import { getProvider } from '../providers/index';
import { MemorySettingsStore, type SettingsStore } from '../settings-access';
import { type HeadlessArgs, parseHeadlessArgs } from './cli';

/** A config ready to serve. */
export interface ServeConfig {
  args: HeadlessArgs;
  settings: SettingsStore;
  /** Where the ngrok authtoken came from (the file, the environment), or null. */
  authtoken: AuthtokenSource;
  /** Warnings to print before start-up, without the `crashbell: warning: ` prefix. */
  warnings: string[];
}

/** Reads the arguments and the config; `'help'` when asked for it. Throws ConfigError naming the problem. */
export function readServeConfig(argv: string[], env: NodeJS.ProcessEnv): ServeConfig | 'help' {
  const parsed = parseHeadlessArgs(argv);
  if (parsed === 'help') return 'help';
  const fromFile = readConfigFile(parsed.config);
  const warnings: string[] = [];
  // What the file itself holds (not what the environment adds) is what others could read.
  const exposed = configExposureWarning(parsed.config, fromFile);
  if (exposed) warnings.push(exposed);
  const configured = withEnvironment(fromFile, env);
  const settings = new MemorySettingsStore(configured.settings);
  for (const source of settings.get().sources) warnings.push(...sourceWarnings(source, parsed.config));
  return { args: parsed, settings, authtoken: configured.authtoken, warnings };
}

function sourceWarnings(source: ReturnType<SettingsStore['get']>['sources'][number], configPath: string): string[] {
  const out: string[] = [];
  if (source.id.length < MIN_UNGUESSABLE_ID_LENGTH) {
    out.push(
      `source "${source.name}" has the short id "${source.id}": its webhook URL is guessable. ` +
        `Use a random id of at least ${MIN_UNGUESSABLE_ID_LENGTH} URL-safe characters (e.g. node -e "console.log(crypto.randomBytes(16).toString('base64url'))").`,
    );
  }
  const provider = getProvider(source.provider);
  const missing = provider ? waitingFor(provider, source) : [];
  if (missing.length > 0) {
    out.push(
      `source "${source.name}" is waiting for its ${missing.join(', ')}: its hooks are refused with 401 ` +
        `("not set yet") until you add it to the source's "credentials" in ${configPath} and restart.`,
    );
  }
  return out;
}
