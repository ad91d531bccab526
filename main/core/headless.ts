/**
 * Headless mode: the same core without Electron, for servers, WSL and tests.
 *
 *   npm run headless -- --config FILE [--port N] [--data-dir DIR] [--host ADDR] [--json]
 *
 * FILE is JSON in the shape of the app's settings (at least `port` and `sources` with credentials). The
 * history lives in --data-dir, by default `$XDG_DATA_HOME/crashbell-headless` (`~/.local/share/...` on Linux,
 * `~/Library/Application Support/...` on macOS, `%LOCALAPPDATA%\...` on Windows). With --json, stdout carries
 * exactly one JSON object per line (`listening`, `received`, `rejected`, `notification`); everything else
 * goes to stderr (the project's .npmrc keeps npm's own banner off stdout). Exit codes: 0 after SIGINT/SIGTERM, 2 for bad arguments or a bad config file, 1 when the
 * core cannot start (port in use...).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { NormalizedEvent, NotificationRequest, RequestRecord } from '../../shared/events';
import { MIN_UNGUESSABLE_ID_LENGTH } from '../../shared/settings';
import { openConfigStore } from './config-file';
import { CrashbellCore } from './core';
import { ConfigError, CrashbellError } from './errors';
import type { IngestResult } from './inbox/types';
import { getProvider } from './providers/index';
import type { SettingsStore } from './settings-access';

const USAGE = `Usage: npm run headless -- --config FILE [--port N] [--data-dir DIR] [--host ADDR] [--json]

  --config FILE    JSON settings: {"port": 7317, "sources": [{"id", "provider", "name", "credentials"}]}
  --port N         listen on port N instead of the file's port (0 picks a free port)
  --data-dir DIR   where the history is kept (default: ${defaultDataDir()})
  --host ADDR      address to listen on (default 127.0.0.1; 0.0.0.0 to reach it from outside WSL or a container)
  --json           one JSON object per line on stdout, for programs

Signals: SIGINT and SIGTERM stop it cleanly (requests in progress finish, the history is flushed).
Exit codes: 0 stopped, 1 could not start (e.g. port in use), 2 bad arguments or config file.
`;

/** Exit code for bad arguments and bad config files. */
const EXIT_USAGE = 2;
/** Exit code when the core cannot start. */
const EXIT_START = 1;

/** The per-user data folder headless mode uses when --data-dir is not given. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const name = 'crashbell-headless';
  if (platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), name);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', name);
  return join(env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), name);
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
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
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

/** The `received` line: the event without its raw body, plus what the inbox made of it. */
export function receivedLine(event: NormalizedEvent, result: IngestResult): Record<string, unknown> {
  const { raw: _raw, ...fields } = event;
  return {
    type: 'received',
    ...fields,
    source: event.sourceId,
    eventOccurrences: event.occurrences,
    group: result.group.id,
    groupId: result.group.id,
    groupKey: result.group.groupKey,
    occurrences: result.group.occurrences,
    isNew: result.isNew,
    duplicate: result.duplicate,
    decision: result.decision,
  };
}

/** The `rejected` line. */
export function rejectedLine(record: RequestRecord): Record<string, unknown> {
  return { type: 'rejected', source: record.sourceId, status: record.status, reason: record.reason };
}

/** The `notification` line. */
export function notificationLine(n: NotificationRequest): Record<string, unknown> {
  return {
    type: 'notification',
    title: n.title,
    body: n.body,
    url: n.url,
    group: n.group,
    digest: n.digest,
    ...(n.groups ? { groups: n.groups } : {}),
  };
}

/** Runs headless mode until SIGINT or SIGTERM; resolves with the exit code. */
export async function runHeadless(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const say = (line: string): void => void out.write(`${line}\n`);
  const warn = (line: string): void => void err.write(`${line}\n`);

  let args: HeadlessArgs;
  let settings: SettingsStore;
  try {
    const parsed = parseHeadlessArgs(argv);
    if (parsed === 'help') {
      say(USAGE);
      return 0;
    }
    args = parsed;
    settings = openConfigStore(args.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      warn(`crashbell: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }

  const emit = args.json ? (obj: Record<string, unknown>): void => say(JSON.stringify(obj)) : null;
  for (const source of settings.get().sources) {
    if (source.id.length < MIN_UNGUESSABLE_ID_LENGTH) {
      warn(
        `crashbell: warning: source "${source.name}" has the short id "${source.id}": its webhook URL is guessable. ` +
          `Use a random id of at least ${MIN_UNGUESSABLE_ID_LENGTH} URL-safe characters (e.g. node -e "console.log(crypto.randomBytes(16).toString('base64url'))").`,
      );
    }
  }

  // Signal handlers go in before anything is printed: a supervisor may stop us the moment it reads
  // `listening`, and a signal during start-up must still end in a clean stop.
  let signalled: NodeJS.Signals | null = null;
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => {
    signalled ??= signal;
  };
  const handler = (signal: NodeJS.Signals): void => onSignal(signal);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);

  let core: CrashbellCore;
  try {
    core = await CrashbellCore.open({
      settings,
      dataDir: args.dataDir,
      host: args.host,
      ...(args.port !== null ? { port: args.port } : {}),
      onWarning: (message) => warn(`crashbell: warning: ${message}`),
    });
  } catch (error) {
    const message = error instanceof CrashbellError ? error.message : error instanceof Error ? error.message : String(error);
    warn(`crashbell: cannot start: ${message}`);
    return EXIT_START;
  }

  core.events.on('received', ({ event, result }) => {
    if (emit) return emit(receivedLine(event, result));
    const state = result.duplicate ? 'redelivery, ignored' : result.isNew ? 'new group' : `${result.group.occurrences} occurrences`;
    say(
      `received  [${event.provider}] ${event.title} — ${event.description} (${state}; ${result.decision.notify ? 'notify' : 'quiet'}: ${result.decision.reason})`,
    );
  });
  core.events.on('rejected', (record) => {
    if (emit) return emit(rejectedLine(record));
    say(
      `rejected  ${record.status} ${record.method} ${record.path}${record.sourceId ? ` [source ${record.sourceId}]` : ''}: ${record.reason}`,
    );
  });
  core.events.on('notification', (n) => {
    if (emit) return emit(notificationLine(n));
    say(`notify    ${n.digest ? '[digest] ' : ''}${n.title}: ${n.body}${n.url ? ` <${n.url}>` : ''}`);
  });

  const sources = settings.get().sources.map((s) => ({ id: s.id, provider: s.provider, url: core.webhookUrl(s.id) }));
  const groups = core.inbox.counts().groups;
  if (emit) {
    emit({ type: 'listening', port: core.port, sources, groups });
  } else {
    say(`Crashbell headless listening on ${core.localBaseUrl} (history in ${args.dataDir}: ${groups} groups)`);
    for (const source of settings.get().sources) {
      const provider = getProvider(source.provider)?.name ?? source.provider;
      say(`  ${provider} "${source.name}"${source.paused ? ' (paused)' : ''}: ${core.webhookUrl(source.id)}`);
    }
    say('Press Ctrl+C to stop.');
  }

  return new Promise<number>((done) => {
    let stopping = false;
    onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        warn(`crashbell: ${signal} again, exiting without waiting`);
        process.exit(EXIT_START);
      }
      stopping = true;
      if (!emit) say(`${signal}: stopping…`);
      core.stop().then(
        () => {
          if (!emit) say('stopped');
          done(0);
        },
        (error: unknown) => {
          warn(`crashbell: error while stopping: ${error instanceof Error ? error.message : String(error)}`);
          done(EXIT_START);
        },
      );
    };
    if (signalled) onSignal(signalled);
    // The watch ends with the process (its timer is unref'd), so its stop function is not needed here.
    watchLauncher(() => {
      warn('crashbell: the npm process that started headless mode is gone: stopping');
      onSignal('SIGTERM');
    });
  });
}

/**
 * Under `npm run headless` the process tree is npm → sh → node, and a SIGKILL to npm (a supervisor's or a
 * test's) would leave this server orphaned, still holding the port and the data dir. On Linux, watch the
 * shell's parent: when npm dies the shell is re-parented, and we stop cleanly as if sent SIGTERM.
 * Returns a function that stops watching. Does nothing when not started by npm or without /proc.
 */
export function watchLauncher(onGone: () => void, intervalMs = 250): () => void {
  if (process.env['npm_lifecycle_event'] !== 'headless' || !existsSync('/proc/self/stat')) return () => undefined;
  const parentOf = (pid: number): number | null => {
    try {
      // The command name (field 2) may hold spaces and parentheses; the parent pid follows its closing ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[1]);
    } catch {
      return null;
    }
  };
  const shell = process.ppid;
  const launcher = parentOf(shell);
  if (launcher === null) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid !== shell || parentOf(shell) !== launcher) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** True when this module is the process's entry point (not imported by a test). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  return /headless\.(?:js|mjs|cjs|ts)$/.test(entry);
}

if (isEntryPoint()) {
  runHeadless(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Flush stdout before leaving; nothing else should keep the loop alive after a clean stop.
      process.stdout.write('', () => process.exit(code));
    },
    (error: unknown) => {
      process.stderr.write(`crashbell: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(EXIT_START);
    },
  );
}
