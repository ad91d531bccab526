/**
 * Headless mode: the same engine without Electron, for servers, WSL and tests.
 *
 *   crashbell [serve] --config FILE [--port N] [--data-dir DIR] [--host ADDR] [--json]
 *   crashbell COMMAND [ARGUMENTS] [--data-dir DIR] [--json]      (list, show, resolve...: run-verb.ts)
 *
 * FILE is JSON in the shape of the app's settings (at least `sources` with credentials; `tunnel` for a public
 * URL through ngrok, `headless.notify` for a command and an ntfy topic to notify, `relay` for the team relay). With --json, stdout carries
 * exactly one JSON object per line (`listening`, `tunnel`, `received`, `rejected`, `notification`,
 * `group-state`, `notify-failed`, `relay`, `caught-up`, `error`); everything else goes to stderr. Exit codes: see cli.ts.
 */
import { startEngine, type Engine } from '../engine';
import { ConfigError, CrashbellError, DataDirInUseError, errorText, ListenError } from '../errors';
import { lazyNgrokSdk, type NgrokSdk } from '../tunnel';
import { EXIT_OK, EXIT_START, EXIT_USAGE, type HeadlessArgs, readCommand, usage, wantsJson } from './cli';
import { npmBannerOnStdout } from './launcher';
import { deliveryFailureLine, deliveryFailureText } from './lines';
import { HeadlessNotifier } from './notify';
import { type HeadlessOutput, headlessOutput, type OutputStream } from './output';
import { runVerb } from './run-verb';
import { readServeConfig, type ServeConfig } from './serve-config';
import { ServePrinter } from './serve-printer';
import { StopSignals } from './stop-signals';
import { CRASHBELL_VERSION } from './version';

/** File-system errors that mean the data folder cannot hold the history. */
const DATA_DIR_ERRORS = new Set(['EACCES', 'EPERM', 'ENOTDIR', 'EROFS', 'ENOSPC', 'EEXIST', 'EISDIR']);

/** How long queued notifications may still go out while headless mode stops. */
const NOTIFY_GRACE_MS = 10_000;

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

/** Why the engine could not start, in words that say what to change on the command line; with its stable code. */
function startFailure(error: unknown, args: HeadlessArgs): { code: string; message: string } {
  if (error instanceof ListenError)
    return { code: error.code, message: `cannot start: ${error.message}: ${listenAdvice(error, args.config)}` };
  if (error instanceof DataDirInUseError) return { code: error.code, message: `cannot start: ${error.message} (--data-dir DIR)` };
  const message = errorText(error);
  const fsCode = (error as NodeJS.ErrnoException | null)?.code;
  if (!(error instanceof CrashbellError) && fsCode && DATA_DIR_ERRORS.has(fsCode)) {
    // The history could not be opened: the fix is another --data-dir, whatever the file system said.
    return {
      code: 'data-dir',
      message: `cannot start: the data folder ${args.dataDir} cannot be used (${message}): pass --data-dir with a folder this user can write`,
    };
  }
  return { code: error instanceof CrashbellError ? error.code : 'start', message: `cannot start: ${message}` };
}

/** What tests and embedders may give headless mode besides its arguments. */
export interface HeadlessOptions {
  /** The ngrok SDK; default the real `@ngrok/ngrok`, loaded only when a tunnel is wanted. */
  ngrok?: NgrokSdk;
  /** Where `NGROK_AUTHTOKEN` is read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Stops headless mode as SIGTERM would. */
  stop?: AbortSignal;
}

/**
 * Runs headless mode until SIGINT or SIGTERM; resolves with the exit code once what it printed has been written
 * (or a reader that does not read has had its bounded wait: see output.ts).
 */
export async function runHeadless(
  argv: string[],
  out: OutputStream = process.stdout,
  err: OutputStream = process.stderr,
  options: HeadlessOptions = {},
): Promise<number> {
  const output = headlessOutput(out, err);
  try {
    return await dispatch(argv, output, options);
  } finally {
    await output.flush();
  }
}

/** Runs what the command line asks for: serve (the default), a verb, --version or --help. */
async function dispatch(argv: string[], output: HeadlessOutput, options: HeadlessOptions): Promise<number> {
  const json = wantsJson(argv);
  let command: ReturnType<typeof readCommand>;
  try {
    command = readCommand(argv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.warn(`crashbell: ${error.message}`);
    if (json) output.say(JSON.stringify({ type: 'error', code: 'usage', reason: error.message }));
    return EXIT_USAGE;
  }
  switch (command.kind) {
    case 'help':
      output.say(usage());
      return EXIT_OK;
    case 'version':
      output.say(json ? JSON.stringify({ type: 'version', version: CRASHBELL_VERSION }) : `crashbell ${CRASHBELL_VERSION}`);
      return EXIT_OK;
    case 'verb':
      return runVerb(command.verb, command.argv, output);
    case 'serve':
      return serve(command.argv, output, options);
  }
}

/** `serve`: the engine with its receiver, outlets and relay, until a stop signal; resolves with the exit code. */
async function serve(argv: string[], output: HeadlessOutput, options: HeadlessOptions): Promise<number> {
  const json = wantsJson(argv);
  const printer = new ServePrinter(output, json, { path: '', dataDir: '', authtoken: null });
  const fail = (code: number, kind: string, message: string): number => {
    output.warn(`crashbell: ${message}`);
    if (json) printer.emit({ type: 'error', code: kind, reason: message });
    return code;
  };
  if (json && npmBannerOnStdout()) {
    output.warn(
      'crashbell: npm printed its "> crashbell@… headless" banner on stdout before Crashbell started, so stdout is not ' +
        'JSON only: use npm run --silent headless -- --json …, or node out/headless/headless.js --json …',
    );
  }
  let config: ServeConfig | 'help';
  try {
    config = readServeConfig(argv, options.env ?? process.env);
  } catch (error) {
    if (error instanceof ConfigError) return fail(EXIT_USAGE, 'config', error.message);
    throw error;
  }
  if (config === 'help') {
    output.say(usage());
    return EXIT_OK;
  }
  for (const warning of config.warnings) output.warn(`crashbell: warning: ${warning}`);
  return run(config, output, json, options);
}

/** Starts the engine, prints and notifies until stopped; then stops in order and lets the outlets finish. */
async function run(config: ServeConfig, output: HeadlessOutput, json: boolean, options: HeadlessOptions): Promise<number> {
  const { args, settings } = config;
  const printer = new ServePrinter(output, json, { path: args.config, dataDir: args.dataDir, authtoken: config.authtoken });
  const signals = new StopSignals(output.warn, () => process.exit(EXIT_START), options.stop);
  let engine: Engine;
  try {
    engine = await startEngine({
      settings,
      dataDir: args.dataDir,
      owner: 'headless',
      host: args.host,
      // A team member with no sources of its own receives nothing: it takes no port (and clashes with no gateway).
      listen: settings.get().sources.length > 0,
      controlSocket: true,
      ...(args.port !== null ? { port: args.port } : {}),
      ngrok: options.ngrok ?? lazyNgrokSdk,
      onTunnelState: (state) => printer.tunnelState(state),
      onWarning: (message) => output.warn(`crashbell: warning: ${message}`),
      // The relay's own log lines (reconnects, retries) on stderr, once per relay state; the tunnel has its own.
      log: (message) => {
        if (message.startsWith('relay:') && printer.relayLog.admit(message)) output.warn(`crashbell: ${message}`);
      },
      // Short relay timings (reconnects, heartbeat watchdog) for the test suites that drive this process.
      ...(process.env['CRASHBELL_RELAY_FAST'] === '1'
        ? { relayTiming: { backoff: { initialMs: 200, factor: 2, maxMs: 2_000 }, consumer: { missedHeartbeats: 2, expiresMs: 2_000 } } }
        : {}),
    });
  } catch (error) {
    signals.dispose();
    const failure = startFailure(error, args);
    output.warn(`crashbell: ${failure.message}`);
    if (json) printer.emit({ type: 'error', code: failure.code, reason: failure.message });
    return EXIT_START;
  }
  const notifier = new HeadlessNotifier({
    settings: settings.get().headless.notify,
    onFailure: (failure) => {
      output.warn(deliveryFailureText(failure));
      if (json) printer.emit(deliveryFailureLine(failure));
    },
  });
  printer.start(engine, notifier);
  const signal = await new Promise<NodeJS.Signals>((resolve) => signals.whenStopped(resolve));
  printer.stopped();
  if (!json) output.say(`${signal}: stopping…`);
  // The engine raises a pending digest as it stops, so the notifier closes after it.
  const code = await engine.stop().then(
    () => EXIT_OK,
    (error: unknown) => {
      const message = `error while stopping: ${errorText(error)}`;
      output.warn(`crashbell: ${message}`);
      if (json) printer.emit({ type: 'error', code: 'stop', reason: message });
      return EXIT_START;
    },
  );
  const undelivered = await notifier.close(NOTIFY_GRACE_MS);
  if (undelivered > 0) output.warn(`crashbell: warning: ${undelivered} notification deliveries were cut short by the stop`);
  signals.dispose();
  if (!json) output.say('stopped');
  return code;
}
