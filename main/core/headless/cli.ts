/**
 * Headless mode's command line: the usage text, the options, the default data folder and the exit codes.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';

/** Exit code after a clean stop (SIGINT, SIGTERM). */
export const EXIT_OK = 0;
/** Exit code when the core cannot start (port in use, data folder held by another Crashbell...). */
export const EXIT_START = 1;
/** Exit code for bad arguments and bad config files. */
export const EXIT_USAGE = 2;

/** The per-user data folder headless mode uses when --data-dir is not given. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const name = 'crashbell-headless';
  if (platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), name);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', name);
  return join(env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), name);
}

export const USAGE = `Usage: npm run headless -- --config FILE [--port N] [--data-dir DIR] [--host ADDR] [--json]

  --config FILE    JSON settings: {"sources": [{"id", "provider", "name", "credentials"}]}, and optionally
                   "port" (7317), "tunnel": {"authtoken", "domain"} and "headless": {"notify": {"command", "ntfy"}}
  --port N         listen on port N instead of the file's port (0 picks a free port)
  --data-dir DIR   where the history is kept (default: ${defaultDataDir()})
  --host ADDR      address to listen on (default 127.0.0.1; 0.0.0.0 to reach it from outside WSL or a container)
  --json           one JSON object per line on stdout, for programs (through npm: npm run --silent headless -- --json,
                   or npm's banner comes first)

Environment: NGROK_AUTHTOKEN is the tunnel's authtoken when the config file has none.
Signals: SIGINT and SIGTERM stop it cleanly (requests in progress finish, the history is flushed).
Exit codes: 0 stopped, 1 could not start (e.g. port in use), 2 bad arguments or config file.
`;

/** Parsed command line. */
export interface HeadlessArgs {
  config: string;
  port: number | null;
  dataDir: string;
  host: string;
  json: boolean;
}

/** node:util's parseArgs over our options; a usage problem becomes a ConfigError with the usage text. */
function readArgv(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
}

/** True when the arguments ask for JSON lines, read before they are checked (so a usage error prints as JSON too). */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

/** Reads the command line; throws ConfigError with the usage problem in plain words. */
export function parseHeadlessArgs(argv: string[]): HeadlessArgs | 'help' {
  const values = readArgv(argv);
  if (values.help) return 'help';
  if (!values.config) throw new ConfigError(`--config FILE is required\n\n${USAGE}`);
  let port: number | null = null;
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
      throw new ConfigError(`--port must be a number from 0 to 65535 (0 picks a free port), not "${values.port}"`);
    }
    port = Number(values.port);
  }
  return {
    config: values.config,
    port,
    dataDir: resolve(values['data-dir'] ?? defaultDataDir()),
    host: values.host ?? '127.0.0.1',
    json: values.json ?? false,
  };
}
