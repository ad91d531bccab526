/**
 * What `serve` prints while it runs: one line per thing the engine reports (a JSON object with --json, words
 * otherwise), in the order a program reading stdout needs: `listening` first, then tunnel states (held until then),
 * hooks received and rejected, notifications, group states, the relay's states once per status or reason.
 */
import type { TunnelState } from '../../../shared/events';
import type { AuthtokenSource } from '../config-file';
import type { Engine } from '../engine';
import { getProvider } from '../providers/index';
import { publicBaseOf } from '../tunnel';
import { listeningLine } from './listening';
import {
  caughtUpLine,
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
import type { HeadlessNotifier } from './notify';
import type { HeadlessOutput } from './output';
import { RelayLogFilter, relayLineKey } from './relay-lines';

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

/** Prints what the engine reports. */
export class ServePrinter {
  /** Filters the relay's own log lines on stderr, once per relay state. */
  readonly relayLog = new RelayLogFilter();
  private engine: Engine | null = null;
  private heldTunnel: TunnelState | null = null;
  private lastTunnel = '';
  private lastRelay = '';
  private stopping = false;

  constructor(
    private readonly output: HeadlessOutput,
    private readonly json: boolean,
    private readonly config: { path: string; dataDir: string; authtoken: AuthtokenSource },
  ) {}

  /** One JSON line, encoded once. */
  emit(obj: Record<string, unknown>): void {
    this.output.stdout.bytes(jsonLineBytes(obj));
  }

  /** Every tunnel state from the first: held until `listening` is printed (a program reads that first). */
  tunnelState(state: TunnelState): void {
    if (this.engine) this.printTunnel(state);
    else this.heldTunnel = state;
  }

  /** From now on the stop is under way: "Tunnel stopped" needs no advice. */
  stopped(): void {
    this.stopping = true;
  }

  /** Follows the engine's events, prints `listening`, then what was held. */
  start(engine: Engine, notifier: HeadlessNotifier): void {
    const { core } = engine;
    const { json, output } = this;
    const names: SourceNames = (id) => (id === null ? null : (core.sourceById(id)?.name ?? null));
    core.onReceived(({ event, result }) =>
      json ? this.emit(receivedLine(event, result)) : output.say(receivedText(event, result, names)),
    );
    core.onRejected((record) => (json ? this.emit(rejectedLine(record)) : output.say(rejectedText(record, names))));
    core.onNotification((n) => {
      if (json) this.emit(notificationLine(n));
      else output.say(notificationText(n));
      // Finished by the core: its link already passed the link rule the desktop's click is held to.
      notifier.notify(n);
    });
    // Whatever made it (an action here, the provider's own state hook, a teammate): printed, and told to the outlets
    // so what they raised can follow (a script clears its pager, ntfy clears the phone's notification).
    core.onGroupState((change) => {
      if (json) this.emit(groupStateLine(change));
      else output.say(groupStateText(change, core.group(change.group)?.title ?? null));
      notifier.groupState(change);
    });
    this.printListening(engine, notifier);
    this.engine = engine;
    if (this.heldTunnel) this.printTunnel(this.heldTunnel);
    engine.relay.onState(() => this.printRelay());
    engine.relay.onCaughtUp((events) =>
      json ? this.emit(caughtUpLine(events)) : output.say(`relay     caught up: ${events} events read from the stream`),
    );
    this.printRelay();
  }

  private labelOf(source: { provider: string; name: string }): string {
    return `${getProvider(source.provider)?.name ?? source.provider} "${source.name}"`;
  }

  private urlsUnder(engine: Engine, base: string | null): SourceUrl[] {
    return engine.settings.get().sources.map((s) => ({ id: s.id, provider: s.provider, url: engine.core.webhookUrl(s.id, base) }));
  }

  private printListening(engine: Engine, notifier: HeadlessNotifier): void {
    const { core, settings } = engine;
    const off = core.receiver.off === true;
    const groups = core.inbox.counts().groups;
    const where = `history in ${this.config.dataDir}: ${groups} groups`;
    if (this.json) {
      this.emit(listeningLine(off ? null : core.port, off ? [] : this.urlsUnder(engine, null), groups, notifier.names));
      return;
    }
    const say = this.output.say;
    if (off) say(`Crashbell headless running as a team relay member, with no sources and no receiver (${where})`);
    else {
      say(`Crashbell headless listening on ${core.localBaseUrl} (${where})`);
      for (const source of settings.get().sources) {
        say(`  ${this.labelOf(source)}${source.paused ? ' (paused)' : ''}: ${core.webhookUrl(source.id)}`);
      }
    }
    const { command, ntfy } = settings.get().headless.notify;
    if (command) say(`Notifications also run: ${command.argv.join(' ')}`);
    if (ntfy) say(`Notifications also go to the ntfy topic on ${new URL(ntfy.url).origin}`);
    say('Press Ctrl+C to stop.');
  }

  /** A tunnel state, once per distinct state (re-applied settings report the same one again). */
  private printTunnel(state: TunnelState): void {
    const engine = this.engine!;
    // A member-only Crashbell (no sources) opens no receiver, so there is nothing for a tunnel to reach.
    const shown = JSON.stringify(state);
    if (engine.core.receiver.off === true || shown === this.lastTunnel) return;
    this.lastTunnel = shown;
    const base = publicBaseOf(state);
    const urls = base ? this.urlsUnder(engine, base) : [];
    if (this.json) {
      this.emit(tunnelLine(state, urls));
      return;
    }
    const sources = engine.settings.get();
    const labelled = sources.sources.map((s, i) => ({ label: this.labelOf(s), url: urls[i]?.url ?? '' }));
    const fix = this.stopping ? null : tunnelFix(state, sources.tunnel.enabled, this.config.authtoken, this.config.path);
    for (const line of tunnelText(state, base ? labelled : [], fix)) this.output.say(line);
  }

  /**
   * The relay's state once per change of status or reason (its counters move all the time; a retry that fails the
   * same way is the same line, whatever names NATS generated for it).
   */
  private printRelay(): void {
    const state = this.engine!.relay.getState();
    const line = relayLine(state);
    const key = relayLineKey(state);
    if (!line || key === null || key === this.lastRelay) return;
    this.lastRelay = key;
    this.relayLog.reset();
    if (this.json) this.emit(line);
    else {
      const text = relayText(state);
      if (text) this.output.say(text);
    }
  }
}
