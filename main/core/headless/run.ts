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
import type { TunnelState } from '../../../shared/events';
import { MIN_UNGUESSABLE_ID_LENGTH } from '../../../shared/settings';
import { type AuthtokenSource, configExposureWarning, readConfigFile, withEnvironment } from '../config-file';
import { waitingFor } from '../credentials';
import { startEngine, type Engine } from '../engine';
import { ConfigError, CrashbellError, DataDirInUseError, ListenError } from '../errors';
import { getProvider } from '../providers/index';
import { MemorySettingsStore, type SettingsStore } from '../settings-access';
import { lazyNgrokSdk, type NgrokSdk, publicBaseOf } from '../tunnel';
import { EXIT_OK, EXIT_START, EXIT_USAGE, type HeadlessArgs, parseHeadlessArgs, readCommand, usage, wantsJson } from './cli';
import { npmBannerOnStdout, watchLauncher } from './launcher';
import { type HeadlessOutput, headlessOutput, type OutputStream } from './output';
import { listeningLine } from './listening';
import {
  caughtUpLine,
  deliveryFailureLine,
  deliveryFailureText,
  groupStateLine,
  groupStateText,
  jsonLineBytes,
  notificationLine,
  notificationText,
  receivedLine,
  receivedText,
  rejectedLine,
  rejectedText,
  relayLine,
  relayText,
  type SourceNames,
  type SourceUrl,
  tunnelLine,
  tunnelText,
} from './lines';
import { HeadlessNotifier } from './notify';
import { RelayLogFilter, relayLineKey } from './relay-lines';
import { runVerb } from './run-verb';
import { CRASHBELL_VERSION } from './version';

/** File-system errors that mean the data folder cannot hold the history. */
const DATA_DIR_ERRORS = new Set(['EACCES', 'EPERM', 'ENOTDIR', 'EROFS', 'ENOSPC', 'EEXIST', 'EISDIR']);

/** How long queued notifications may still go out while headless mode stops. */
const NOTIFY_GRACE_MS = 10_000;

/** A second stop signal this soon after the first is the same stop asked again (see the signal handler). */
const REPEAT_SIGNAL_MS = 2_000;

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

/** Headless mode's advice for a tunnel state that will not get better by itself; null when there is none. */
function tunnelFix(state: TunnelState, enabled: boolean, authtoken: AuthtokenSource, configPath: string): string | null {
  if (state.status === 'off' && enabled && authtoken === null) {
    return `For a public URL put "tunnel": {"authtoken": "..."} in ${configPath}, or set NGROK_AUTHTOKEN (the token is on the ngrok dashboard)`;
  }
  if (state.status === 'error' && state.retryAt === null) {
    const where = authtoken === 'environment' ? `NGROK_AUTHTOKEN or "tunnel" in ${configPath}` : `"tunnel" in ${configPath}`;
    return `fix ${where}, then start headless mode again`;
  }
  return null;
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

async function serve(argv: string[], output: HeadlessOutput, options: HeadlessOptions): Promise<number> {
  const { say, warn } = output;
  const json = wantsJson(argv);
  const emit = (obj: Record<string, unknown>): void => output.stdout.bytes(jsonLineBytes(obj));
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
  let authtoken: AuthtokenSource;
  let exposed: string | null = null;
  try {
    const parsed = parseHeadlessArgs(argv);
    if (parsed === 'help') {
      say(usage());
      return EXIT_OK;
    }
    args = parsed;
    const fromFile = readConfigFile(args.config);
    // What the file itself holds (not what the environment adds) is what others could read.
    exposed = configExposureWarning(args.config, fromFile);
    const configured = withEnvironment(fromFile, options.env ?? process.env);
    settings = new MemorySettingsStore(configured.settings);
    authtoken = configured.authtoken;
  } catch (error) {
    if (error instanceof ConfigError) return fail(EXIT_USAGE, 'config', error.message);
    throw error;
  }

  if (exposed) warn(`crashbell: warning: ${exposed}`);

  for (const source of settings.get().sources) {
    if (source.id.length < MIN_UNGUESSABLE_ID_LENGTH) {
      warn(
        `crashbell: warning: source "${source.name}" has the short id "${source.id}": its webhook URL is guessable. ` +
          `Use a random id of at least ${MIN_UNGUESSABLE_ID_LENGTH} URL-safe characters (e.g. node -e "console.log(crypto.randomBytes(16).toString('base64url'))").`,
      );
    }
    const provider = getProvider(source.provider);
    const missing = provider ? waitingFor(provider, source) : [];
    if (missing.length > 0) {
      warn(
        `crashbell: warning: source "${source.name}" is waiting for its ${missing.join(', ')}: its hooks are refused with 401 ` +
          `("not set yet") until you add it to the source's "credentials" in ${args.config} and restart.`,
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
  const onStop = (): void => onSignal('SIGTERM');
  options.stop?.addEventListener('abort', onStop, { once: true });
  // Watched from before start-up: npm may be killed the moment it has printed `listening`.
  const unwatch = watchLauncher(() => {
    warn('crashbell: the npm process that started headless mode is gone: stopping');
    onSignal('SIGTERM');
  });
  const unlisten = (): void => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    options.stop?.removeEventListener('abort', onStop);
    unwatch();
  };

  // Tunnel states print once `listening` has (a program reads that first); until then the latest is held.
  let started = false;
  let stopping = false;
  let heldTunnel: TunnelState | null = null;
  let printTunnel: (state: TunnelState) => void = () => undefined;
  const onTunnelState = (state: TunnelState): void => {
    if (started) printTunnel(state);
    else heldTunnel = state;
  };

  const relayLog = new RelayLogFilter();
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
      onTunnelState,
      onWarning: (message) => warn(`crashbell: warning: ${message}`),
      // The relay's own log lines (reconnects, retries) on stderr, each once per relay state; the tunnel has its
      // own lines already.
      log: (message) => {
        if (message.startsWith('relay:') && relayLog.admit(message)) warn(`crashbell: ${message}`);
      },
      // Short relay timings (reconnects, heartbeat watchdog) for the test suites that drive this process.
      ...(process.env['CRASHBELL_RELAY_FAST'] === '1'
        ? { relayTiming: { backoff: { initialMs: 200, factor: 2, maxMs: 2_000 }, consumer: { missedHeartbeats: 2, expiresMs: 2_000 } } }
        : {}),
    });
  } catch (error) {
    unlisten();
    if (error instanceof ListenError) {
      return fail(EXIT_START, error.code, `cannot start: ${error.message}: ${listenAdvice(error, args.config)}`);
    }
    if (error instanceof DataDirInUseError) return fail(EXIT_START, error.code, `cannot start: ${error.message} (--data-dir DIR)`);
    const message = error instanceof Error ? error.message : String(error);
    const fsCode = (error as NodeJS.ErrnoException | null)?.code;
    if (!(error instanceof CrashbellError) && fsCode && DATA_DIR_ERRORS.has(fsCode)) {
      // The history could not be opened: the fix is another --data-dir, whatever the file system said.
      return fail(
        EXIT_START,
        'data-dir',
        `cannot start: the data folder ${args.dataDir} cannot be used (${message}): pass --data-dir with a folder this user can write`,
      );
    }
    return fail(EXIT_START, error instanceof CrashbellError ? error.code : 'start', `cannot start: ${message}`);
  }
  const { core } = engine;
  const configPath = args.config;

  const notifier = new HeadlessNotifier({
    settings: settings.get().headless.notify,
    onFailure: (failure) => {
      warn(deliveryFailureText(failure));
      if (json) emit(deliveryFailureLine(failure));
    },
  });

  const names: SourceNames = (id) => (id === null ? null : (settings.get().sources.find((s) => s.id === id)?.name ?? null));
  core.onReceived(({ event, result }) => (json ? emit(receivedLine(event, result)) : say(receivedText(event, result, names))));
  core.onRejected((record) => (json ? emit(rejectedLine(record)) : say(rejectedText(record, names))));
  core.onNotification((n) => {
    if (json) emit(notificationLine(n));
    else say(notificationText(n));
    // Finished by the core: its link already passed the link rule the desktop's click is held to.
    notifier.notify(n);
  });
  // Whatever made it (an action here, the provider's own state hook, a teammate): printed, and told to the outlets
  // so what they raised can follow (a script clears its pager, ntfy clears the phone's notification).
  core.onGroupState((change) => {
    if (json) emit(groupStateLine(change));
    else say(groupStateText(change, core.group(change.group)?.title ?? null));
    notifier.groupState(change);
  });
  const labelOf = (source: { provider: string; name: string }): string =>
    `${getProvider(source.provider)?.name ?? source.provider} "${source.name}"`;
  const urlsUnder = (base: string | null): SourceUrl[] =>
    settings.get().sources.map((s) => ({ id: s.id, provider: s.provider, url: core.webhookUrl(s.id, base) }));
  // The tunnel reports a state again when the settings are re-applied; the same state twice is one line.
  // A member-only Crashbell (no sources) opens no receiver, so there is nothing for a tunnel to reach.
  const receiverOff = core.receiver.off === true;
  let lastTunnel = '';
  printTunnel = (state) => {
    const shown = JSON.stringify(state);
    if (receiverOff || shown === lastTunnel) return;
    lastTunnel = shown;
    const base = publicBaseOf(state);
    const urls = base ? urlsUnder(base) : [];
    if (json) {
      emit(tunnelLine(state, urls));
      return;
    }
    const labelled = settings.get().sources.map((s, i) => ({ label: labelOf(s), url: urls[i]?.url ?? '' }));
    // Once stopping, "Tunnel stopped" needs no advice.
    const fix = stopping ? null : tunnelFix(state, settings.get().tunnel.enabled, authtoken, configPath);
    for (const line of tunnelText(state, base ? labelled : [], fix)) say(line);
  };

  const groups = core.inbox.counts().groups;
  if (json) {
    emit(listeningLine(receiverOff ? null : core.port, receiverOff ? [] : urlsUnder(null), groups, notifier.names));
  } else {
    if (receiverOff) {
      say(
        `Crashbell headless running as a team relay member, with no sources and no receiver (history in ${args.dataDir}: ${groups} groups)`,
      );
    } else {
      say(`Crashbell headless listening on ${core.localBaseUrl} (history in ${args.dataDir}: ${groups} groups)`);
      for (const source of settings.get().sources) {
        say(`  ${labelOf(source)}${source.paused ? ' (paused)' : ''}: ${core.webhookUrl(source.id)}`);
      }
    }
    const { command, ntfy } = settings.get().headless.notify;
    if (command) say(`Notifications also run: ${command.argv.join(' ')}`);
    if (ntfy) say(`Notifications also go to the ntfy topic on ${new URL(ntfy.url).origin}`);
    say('Press Ctrl+C to stop.');
  }
  started = true;
  if (heldTunnel) printTunnel(heldTunnel);

  // The relay's state once per change of status or reason (its counters move all the time; a retry that fails
  // the same way is the same line, whatever names NATS generated for it).
  let lastRelay = '';
  const printRelay = (): void => {
    const state = engine.relay.getState();
    const line = relayLine(state);
    const key = relayLineKey(state);
    if (!line || key === null || key === lastRelay) return;
    lastRelay = key;
    relayLog.reset();
    if (json) emit(line);
    else {
      const text = relayText(state);
      if (text) say(text);
    }
  };
  engine.relay.onState(() => printRelay());
  engine.relay.onCaughtUp((events) =>
    json ? emit(caughtUpLine(events)) : say(`relay     caught up: ${events} events read from the stream`),
  );
  printRelay();

  return new Promise<number>((done) => {
    let stopAskedAt = 0;
    let repeats = 0;
    onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // Ctrl+C in a terminal signals npm and us, and npm forwards it to us again; `timeout` signals us, then our
        // whole process group: one stop, asked twice. A further signal, or one long after, means "do not wait".
        repeats += 1;
        if (repeats === 1 && Date.now() - stopAskedAt < REPEAT_SIGNAL_MS) return;
        warn(`crashbell: ${signal} again, exiting without waiting`);
        process.exit(EXIT_START);
      }
      stopping = true;
      stopAskedAt = Date.now();
      if (!json) say(`${signal}: stopping…`);
      // Commands stop first (nothing new is asked of a stopping engine); the engine raises a pending digest as it
      // stops, so the notifier closes after it.
      const stopped = engine.stop().then(
        () => EXIT_OK,
        (error: unknown) => {
          const message = `error while stopping: ${error instanceof Error ? error.message : String(error)}`;
          warn(`crashbell: ${message}`);
          if (json) emit({ type: 'error', code: 'stop', reason: message });
          return EXIT_START;
        },
      );
      void stopped.then(async (code) => {
        const undelivered = await notifier.close(NOTIFY_GRACE_MS);
        if (undelivered > 0) warn(`crashbell: warning: ${undelivered} notification deliveries were cut short by the stop`);
        unlisten();
        if (!json) say('stopped');
        done(code);
      });
    };
    if (signalled) onSignal(signalled);
  });
}
