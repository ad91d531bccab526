/**
 * Headless mode: the same engine without Electron, for servers, WSL and tests.
 *
 *   npm run headless -- --config FILE [--port N] [--data-dir DIR] [--host ADDR] [--json]
 *
 * FILE is JSON in the shape of the app's settings (at least `sources` with credentials). With --json, stdout
 * carries exactly one JSON object per line (`listening`, `received`, `rejected`, `notification`, `error`);
 * everything else goes to stderr. Exit codes: see cli.ts.
 */
import { MIN_UNGUESSABLE_ID_LENGTH } from '../../../shared/settings';
import { openConfigStore } from '../config-file';
import { startEngine, type Engine } from '../engine';
import { ConfigError, CrashbellError, ListenError } from '../errors';
import { getProvider } from '../providers/index';
import type { SettingsStore } from '../settings-access';
import { EXIT_OK, EXIT_START, EXIT_USAGE, type HeadlessArgs, parseHeadlessArgs, USAGE, wantsJson } from './cli';
import { npmBannerOnStdout, watchLauncher } from './launcher';
import { notificationLine, notificationText, receivedLine, receivedText, rejectedLine, rejectedText, type SourceNames } from './lines';

/** How to fix a listen error from the command line (the core's message says what is wrong). */
function listenAdvice(error: ListenError, configPath: string): string {
  switch (error.code) {
    case 'port-in-use':
      return `pass --port N (0 picks a free port) or change "port" in ${configPath}`;
    case 'port-not-allowed':
      return 'use a port above 1023 (--port N), or 0 for a free one';
    case 'host-not-available':
      return 'pass --host with an address of this machine (127.0.0.1 for this machine only, 0.0.0.0 for every interface)';
    default:
      return `pass --port N or --host ADDR`;
  }
}

/** Runs headless mode until SIGINT or SIGTERM; resolves with the exit code. */
export async function runHeadless(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const say = (line: string): void => void out.write(`${line}\n`);
  const warn = (line: string): void => void err.write(`${line}\n`);
  const json = wantsJson(argv);
  const emit = (obj: Record<string, unknown>): void => say(JSON.stringify(obj));
  /** A start-up failure: words on stderr, and in --json mode an `error` line a program can read too. */
  const fail = (code: number, kind: string, message: string): number => {
    warn(`crashbell: ${message}`);
    if (json) emit({ type: 'error', code: kind, reason: message });
    return code;
  };

  if (json && npmBannerOnStdout()) {
    warn(
      'crashbell: npm printed its "> crashbell@… headless" banner on stdout before Crashbell started, so stdout is not ' +
        'JSON only: use npm run --silent headless -- --json …, or node out/headless/headless.js --json …',
    );
  }

  let args: HeadlessArgs;
  let settings: SettingsStore;
  try {
    const parsed = parseHeadlessArgs(argv);
    if (parsed === 'help') {
      say(USAGE);
      return EXIT_OK;
    }
    args = parsed;
    settings = openConfigStore(args.config);
  } catch (error) {
    if (error instanceof ConfigError) return fail(EXIT_USAGE, 'config', error.message);
    throw error;
  }

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

  let engine: Engine;
  try {
    engine = await startEngine({
      settings,
      dataDir: args.dataDir,
      host: args.host,
      ...(args.port !== null ? { port: args.port } : {}),
      ngrok: null,
      onWarning: (message) => warn(`crashbell: warning: ${message}`),
    });
  } catch (error) {
    if (error instanceof ListenError) {
      return fail(EXIT_START, error.code, `cannot start: ${error.message}: ${listenAdvice(error, args.config)}`);
    }
    const message = error instanceof Error ? error.message : String(error);
    return fail(EXIT_START, error instanceof CrashbellError ? error.code : 'start', `cannot start: ${message}`);
  }
  const { core } = engine;

  const names: SourceNames = (id) => (id === null ? null : (settings.get().sources.find((s) => s.id === id)?.name ?? null));
  core.events.on('received', ({ event, result }) => (json ? emit(receivedLine(event, result)) : say(receivedText(event, result, names))));
  core.events.on('rejected', (record) => (json ? emit(rejectedLine(record)) : say(rejectedText(record, names))));
  core.events.on('notification', (n) => (json ? emit(notificationLine(n)) : say(notificationText(n))));

  const sources = settings.get().sources.map((s) => ({ id: s.id, provider: s.provider, url: core.webhookUrl(s.id) }));
  const groups = core.inbox.counts().groups;
  if (json) {
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
      if (!json) say(`${signal}: stopping…`);
      engine.stop().then(
        () => {
          if (!json) say('stopped');
          done(EXIT_OK);
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
