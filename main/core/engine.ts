/**
 * The one way to build Crashbell's engine, for the desktop app, headless mode and the e2e harness alike: the
 * core (inbox, receiver, request log), the tunnel manager over whichever ngrok SDK the caller has, the team
 * relay (NATS JetStream, from the `relay` settings) and the app service, wired the same way everywhere.
 * Settings changes move the receiver and reconfigure the tunnel and the relay; `stop()` takes it all down in
 * order, flushing what was acknowledged.
 */
import type { SecretStorageState } from '../../shared/ipc';
import { ActionLedger } from './actions/action-ledger';
import { ActionService } from './actions/action-service';
import { type AppService, createAppService, type ShellHooks } from './app-service';
import { type ControlServer, startControlServer } from './control/server';
import { type CoreOptions, CrashbellCore } from './core';
import { errorText } from './errors';
import { TeamRelay, type TeamRelayOptions } from './relay/team-relay';
import type { SettingsStore } from './settings-access';
import { describeTunnel, type NgrokSdk, type TunnelConfig, type TunnelListener, TunnelManager } from './tunnel';

/** Receiver addresses ngrok reaches as localhost (the SDK's default for a bare port). */
const LOCALHOST_OR_ANY = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '::', '::1', '']);

/** Options for {@link startEngine}: the core's, plus the tunnel and the shell's powers. */
export interface EngineOptions extends Omit<CoreOptions, 'extensions'> {
  /**
   * The ngrok SDK the tunnel uses (the real `@ngrok/ngrok`, loaded lazily, or a test's stand-in); null for
   * no tunnel at all.
   */
  ngrok: NgrokSdk | null;
  /** Bound on each `forward()`; default the tunnel's own (20 s). */
  tunnelTimeoutMs?: number;
  /** The desktop shell's powers (clipboard, browser, login items); absent in headless mode. */
  shell?: ShellHooks;
  secretStorage?: SecretStorageState;
  version?: string;
  platform?: string;
  /** Coalesces state pushes; default 100 ms. */
  stateDebounceMs?: number;
  /** Plain-words log lines (tunnel state, receiver moves). */
  log?: (message: string) => void;
  /** Every tunnel state from the first (subscribed before the tunnel starts, so none is missed). */
  onTunnelState?: TunnelListener;
  /**
   * Subscribes to the core before its history opens and its receiver listens, so nothing it reports at start-up
   * is missed (a hook that arrives the moment the port opens). Others subscribe once `startEngine` resolves.
   */
  subscribe?: (core: CrashbellCore) => void;
  /**
   * Serves the IPC table's calls on the data folder's control socket, for the command line's verbs (headless
   * `serve` and the desktop app); a socket that cannot be opened is a warning, not a failure to start.
   */
  controlSocket?: boolean;
  /** Relay timings (connection backoff, consumer heartbeats), for tests. */
  relayTiming?: Pick<TeamRelayOptions, 'backoff' | 'consumer'>;
}

/** The running engine. */
export interface Engine {
  core: CrashbellCore;
  /** The tunnel manager; null when built without an SDK. */
  tunnel: TunnelManager | null;
  /** The team relay (off until the settings name a NATS server). */
  relay: TeamRelay;
  /** Actions on groups, in the provider when it can. */
  actions: ActionService;
  /** The control socket the command line talks to; null when not asked for or when it could not be opened. */
  control: ControlServer | null;
  service: AppService;
  settings: SettingsStore;
  /** Applies the tunnel settings now (they are applied on every settings change and at start too). */
  applyTunnel(): Promise<void>;
  /** Stops the tunnel, the service, the receiver and the inbox, in that order. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The core and what plugs into it, started: the relay's ledgers and the actions ledger are read back with it. */
async function openCore(options: EngineOptions, log: (m: string) => void) {
  const {
    ngrok: _n,
    shell: _s,
    secretStorage: _ss,
    version: _v,
    platform: _p,
    stateDebounceMs: _d,
    tunnelTimeoutMs: _t,
    onTunnelState: _o,
    relayTiming,
    subscribe,
    controlSocket: _c,
    ...coreOptions
  } = options;
  const settings = options.settings;
  // The relay's ledgers plug into the core's pipeline before the history is read back.
  const relay = new TeamRelay({ settings, dataDir: options.dataDir, log, ...(relayTiming ?? {}) });
  const actionLedger = new ActionLedger(options.now);
  const core = new CrashbellCore({ ...coreOptions, extensions: [...relay.extensions, actionLedger] });
  relay.attach(core);
  const actions = new ActionService({
    host: core,
    ledger: actionLedger,
    member: () => relay.member,
    claimHours: () => settings.get().claimHours,
    share: async (groupId, marks, inProvider) => {
      if (relay.sharing) await relay.shareMark(groupId, marks, { inProvider });
    },
    ...(options.now ? { now: options.now } : {}),
  });
  subscribe?.(core);
  await core.start();
  return { core, relay, actions };
}

/** The tunnel manager over the front end's ngrok SDK, logging each state; null without an SDK. */
function openTunnel(options: EngineOptions, log: (m: string) => void): TunnelManager | null {
  if (!options.ngrok) return null;
  const tunnel = new TunnelManager({
    sdk: options.ngrok,
    log,
    ...(options.tunnelTimeoutMs !== undefined ? { timeoutMs: options.tunnelTimeoutMs } : {}),
  });
  tunnel.subscribe((state) => log(`tunnel: ${describeTunnel(state)}`));
  if (options.onTunnelState) tunnel.subscribe(options.onTunnelState);
  return tunnel;
}

/**
 * What the engine does when settings change: move the receiver (unless an override pinned its port), re-apply the
 * tunnel and the relay. Answers `applyTunnel` and `stop` (which waits for a move under way).
 */
function followSettings(
  parts: { core: CrashbellCore; tunnel: TunnelManager | null; relay: TeamRelay; settings: SettingsStore },
  pinnedPort: boolean,
  log: (m: string) => void,
): { applyTunnel: () => Promise<void>; stop: () => Promise<void> } {
  const { core, tunnel, relay, settings } = parts;
  const tunnelConfig = (): TunnelConfig => {
    const s = settings.get();
    const config: TunnelConfig = {
      enabled: s.tunnel.enabled,
      port: core.port ?? s.port,
      authtoken: s.tunnel.authtoken,
      domain: s.tunnel.domain,
    };
    if (!LOCALHOST_OR_ANY.has(core.host)) config.host = core.host;
    return config;
  };
  const applyTunnel = async (): Promise<void> => {
    if (tunnel && core.port !== null) await tunnel.apply(tunnelConfig());
  };
  let wantedPort = settings.get().port;
  let moving: Promise<unknown> = Promise.resolve();
  const off = settings.subscribe((s) => {
    void relay.apply();
    if (pinnedPort || s.port === wantedPort) {
      void applyTunnel();
      return;
    }
    wantedPort = s.port;
    moving = moving
      .then(() => core.rebind(s.port))
      .then(
        (port) => log(`receiver: listening on port ${port}${core.receiver.error ? ` (${core.receiver.error})` : ''}`),
        (err: unknown) => log(`receiver: ${errorText(err)}`),
      )
      .finally(() => void applyTunnel());
  });
  return {
    applyTunnel,
    stop: async () => {
      off();
      await moving.catch(() => undefined);
    },
  };
}

/**
 * Opens the core (throwing its {@link ListenError} when the port cannot be had and `fallbackToFreePort` is
 * off), starts the tunnel without waiting for ngrok, and builds the app service over both.
 */
export async function startEngine(options: EngineOptions): Promise<Engine> {
  const log = options.log ?? (() => undefined);
  const settings = options.settings;
  const { core, relay, actions } = await openCore(options, log);
  const tunnel = openTunnel(options, log);
  // A team mark made after a hook this machine accepted itself applies once that hook is in.
  const offMarks = core.onReceived(({ result }) => {
    if (!result.duplicate) relay.afterEvent(result.group.id);
  });
  const service = createAppService({
    core,
    settings,
    tunnel,
    relay,
    actions,
    ...(options.shell ? { shell: options.shell } : {}),
    ...(options.secretStorage ? { secretStorage: options.secretStorage } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.platform !== undefined ? { platform: options.platform } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.stateDebounceMs !== undefined ? { stateDebounceMs: options.stateDebounceMs } : {}),
  });
  // Before a front end says it is listening: a program that reads that may run a command (`crashbell list`) at once.
  const control = options.controlSocket
    ? await startControlServer({ dataDir: options.dataDir, service, log }).catch((error: unknown) => {
        core.warn(`commands (list, resolve...) cannot reach this Crashbell: ${errorText(error)}`);
        return null;
      })
    : null;
  const following = followSettings({ core, tunnel, relay, settings }, options.port !== undefined, log);
  // Not awaited: connecting may take until the forward() timeout, and nothing must wait for ngrok or NATS.
  void following.applyTunnel();
  void relay.apply();
  // Actions the last run left pending (it quit while asking a provider) are asked again, in the background.
  void actions.resumePending().catch((err: unknown) => log(`actions: ${errorText(err)}`));

  // One stop, in the order that keeps what was acknowledged: commands first (nothing new is asked of a stopping
  // engine), then what follows the settings, the tunnel, the actions in flight (they stay pending and are asked again
  // at the next start), the relay (a relayed event being ingested finishes; the outbox stays on disk), the core.
  const steps: Array<() => unknown> = [
    () => control?.close(),
    () => following.stop(),
    () => offMarks.dispose(),
    () => service.close(),
    () => tunnel?.stop(),
    () => actions.stop(),
    () => relay.stop(),
    () => core.stop(),
  ];
  let stopping: Promise<void> | null = null;
  return {
    core,
    tunnel,
    relay,
    actions,
    service,
    settings,
    control,
    applyTunnel: following.applyTunnel,
    stop() {
      stopping ??= (async () => {
        for (const step of steps) await step();
      })();
      return stopping;
    },
  };
}
