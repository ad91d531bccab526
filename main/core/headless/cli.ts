/**
 * Headless mode's command line: `serve` (the default) and its options, the verbs that talk to a running Crashbell
 * (their table is verbs.ts), `--version` and `--help`; the usage text, the default data folder and the exit codes.
 */
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, errorText } from '../errors';
import { type Verb, type VerbInput, verbNamed, VERBS } from './verbs';

/** Exit code after a clean stop (SIGINT, SIGTERM). */
export const EXIT_OK = 0;
/** Exit code when the core cannot start (port in use, data folder held by another Crashbell...). */
export const EXIT_START = 1;
/** Exit code when the provider or the running Crashbell refused a command (a 403, an unknown group, a test event it did not accept). */
export const EXIT_REFUSED = 1;
/** Exit code for bad arguments and bad config files. */
export const EXIT_USAGE = 2;
/** Exit code of a command when no Crashbell runs for the data folder (no control socket, or nothing answers). */
export const EXIT_NOT_RUNNING = 3;

/** The per-user data folder headless mode uses when --data-dir is not given. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const name = 'crashbell-headless';
  if (platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), name);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', name);
  return join(env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), name);
}

/**
 * How the user started us, for the usage text and advice: `npm run headless --` through npm, `crashbell` when
 * installed (npm's bin link is named so), else the bundle's path.
 */
export function programName(env: NodeJS.ProcessEnv = process.env, script: string | undefined = process.argv[1]): string {
  if (env['npm_lifecycle_event'] === 'headless') return 'npm run headless --';
  if (script && basename(script) === 'crashbell') return 'crashbell';
  return 'node out/headless/headless.js';
}

/** The command line's whole usage text: serve, the verbs, the config file (with its relay block) and exit codes. */
export function usage(program: string = programName()): string {
  const width = Math.max(...VERBS.map((v) => `${v.name} ${v.usage}`.length));
  const verbLines = VERBS.flatMap((v) => {
    const options = Object.values(v.options ?? {}).map((o) => `${' '.repeat(width + 6)}${o.help}`);
    return [`  ${`${v.name} ${v.usage}`.padEnd(width)}    ${v.summary}`, ...options];
  });
  return `Usage: ${program} [serve] --config FILE [--port N] [--data-dir DIR] [--host ADDR] [--json]
       ${program} COMMAND [ARGUMENTS] [--data-dir DIR] [--json]
       ${program} --version | --help

serve (the default when the first argument is an option) receives webhooks until SIGINT or SIGTERM:
  --config FILE    JSON settings (below)
  --port N         listen on port N instead of the file's port (0 picks a free port)
  --data-dir DIR   where the history is kept (default: ${defaultDataDir()})
  --host ADDR      address to listen on (default 127.0.0.1; 0.0.0.0 to reach it from outside WSL or a container)
  --json           one JSON object per line on stdout, for programs (through npm: npm run --silent headless -- --json,
                   or npm's banner comes first)

Commands act on the Crashbell running for a data folder (serve, or the desktop app), through its control
socket in that folder:
${verbLines.join('\n')}
  Each takes --data-dir DIR (the running Crashbell's; the desktop app's is its user-data folder's "history"),
  and --json: the answer as one JSON document. GROUP is a group id, as in "received" lines and in list.

The config file (JSON, the shape of the app's settings; only "sources" or "relay" is required):
  {
    "port": 7317,
    "sources": [{"id": "22+ random characters", "provider": "backtrace", "name": "Game client",
                 "credentials": {"username": "...", "password": "..."}}],
    "tunnel": {"authtoken": "from the ngrok dashboard", "domain": "optional reserved domain"},
    "headless": {"notify": {"command": {"argv": ["/usr/local/bin/page-me"]}, "ntfy": {"url": "https://ntfy.sh/topic"}}},
    "relay": {"servers": ["nats://nats.example.com:4222"], "publish": false, "subscribe": true, "member": "ana",
              "auth": {"user": "ana", "pass": "..."} or {"token": "..."} or {"credsFile": "/path/ana.creds"},
              "tls": {"ca": "/path/ca.pem"}, "stream": "CRASHBELL", "shareMarks": true}
  }
  A source's "api": {"token": "...", "url": "optional API base", "assignee": "you, as the provider names you"} lets
  resolve, snooze, ignore and assign act in its provider too (the repository's docs/providers.md, per provider).
  relay: "publish" forwards every hook this Crashbell accepts to the team's NATS JetStream stream (a gateway);
  "subscribe" reads the stream into this Crashbell's history (a member; a member needs no sources of its own).
  The repository's docs/team-relay.md has every field and how to run a gateway.

Environment: NGROK_AUTHTOKEN is the tunnel's authtoken when the config file has none.
Signals: SIGINT and SIGTERM stop serve cleanly (requests in progress finish, the history is flushed).
Exit codes: 0 done (serve: stopped cleanly); 1 the provider or Crashbell refused (the reason on stderr, and with
  --json in {"type":"error","code","reason"}), or serve could not start (e.g. port in use);
  2 bad arguments or config file; 3 no Crashbell is running for that data folder.
`;
}

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
    throw new ConfigError(`${errorText(error)}\n\n${usage()}`);
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
  if (!values.config) throw new ConfigError(`--config FILE is required\n\n${usage()}`);
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

/** What the command line asks for. `argv` is what follows the verb. */
export type Command =
  | { kind: 'serve'; argv: string[] }
  | { kind: 'verb'; verb: Verb; argv: string[] }
  | { kind: 'help' }
  | { kind: 'version' };

/**
 * Reads the verb: `serve` (also when the first argument is an option, or there is none), one of {@link VERBS},
 * `--version`, or `--help`; throws ConfigError for an unknown one.
 */
export function readCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help' };
  if (first === undefined || first.startsWith('-')) return { kind: 'serve', argv: [...argv] };
  if (first === 'serve') return { kind: 'serve', argv: rest };
  const verb = verbNamed(first);
  if (verb) return { kind: 'verb', verb, argv: rest };
  throw new ConfigError(
    `unknown command "${first.slice(0, 100)}": the commands are serve, ${VERBS.map((v) => v.name).join(', ')} (--help says more)`,
  );
}

/** A verb's command line, once read. */
export interface VerbArgs {
  input: VerbInput;
  dataDir: string;
  json: boolean;
}

/**
 * The arguments with every operand moved after a `--`, in order: a group id may start with `-` (ids are base64url),
 * and parseArgs would read `-yQ3x...` as short options. An operand is a word that is neither an option (`--name`,
 * `-h`) nor the value a string option takes (`--for 2h`).
 */
function operandsLast(argv: readonly string[], stringOptions: ReadonlySet<string>): string[] {
  const options: string[] = [];
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') || arg === '-h') {
      options.push(arg);
      if (stringOptions.has(arg.slice(2)) && i + 1 < argv.length) options.push(argv[++i]!);
      continue;
    }
    operands.push(arg);
  }
  return operands.length > 0 ? [...options, '--', ...operands] : options;
}

/** Reads a verb's operands and options (its own, `--data-dir`, `--json`); throws ConfigError naming the problem. */
export function parseVerbArgs(verb: Verb, argv: string[]): VerbArgs | 'help' {
  const own = Object.fromEntries(Object.entries(verb.options ?? {}).map(([name, o]) => [name, { type: o.type }]));
  const strings = new Set([
    'data-dir',
    ...Object.entries(verb.options ?? {})
      .filter(([, o]) => o.type === 'string')
      .map(([name]) => name),
  ]);
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  const line = `${verb.name} ${verb.usage} [--data-dir DIR] [--json]`;
  try {
    parsed = parseArgs({
      args: operandsLast(argv, strings),
      options: {
        ...own,
        'data-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: true,
    }) as typeof parsed;
  } catch (error) {
    throw new ConfigError(`${errorText(error)}: ${line}`);
  }
  const { values, positionals } = parsed;
  if (values['help']) return 'help';
  const required = verb.operands.filter((o) => !o.endsWith('?')).length;
  if (positionals.length < required || positionals.length > verb.operands.length) {
    throw new ConfigError(
      `${verb.name} takes ${verb.usage || 'no arguments'}, not ${positionals.length === 0 ? 'nothing' : `"${positionals.join(' ')}"`}: ${line}`,
    );
  }
  const { 'data-dir': dataDir, json, help: _help, ...options } = values;
  const input: VerbInput = { operands: positionals, options };
  const problem = verb.check?.(input);
  if (problem) throw new ConfigError(`${problem}: ${line}`);
  return { input, dataDir: resolve(typeof dataDir === 'string' ? dataDir : defaultDataDir()), json: json === true };
}
