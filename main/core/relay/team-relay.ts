/**
 * The team relay: Crashbell's hooks shared through NATS JetStream, with no relay server of our own.
 *
 * - Gateway (`publish`): every hook this Crashbell accepts is kept in the outbox (outbox.ts: in the same
 *   durable record as the hook) and forwarded to the stream `crashbell.events.<source id>` (forwarder.ts).
 * - Subscriber (`subscribe`): the stream read into this Crashbell's own history through the core's one event
 *   route (subscriber.ts), its place kept with each event (cursor.ts), with a "while you were away" summary
 *   after a catch-up.
 * - Team marks: what members do to a group (resolve, mute, ignore, snooze, assign, claim) shared through a
 *   key-value bucket, each member writing under its own NATS identity (marks.ts).
 *
 * `TeamRelay` owns the two ledgers (they plug into the ingest pipeline: {@link TeamRelay.extensions}) and builds
 * a run (run.ts) from the `relay` settings, rebuilding it when they change; its state (with plain reasons) is
 * what Setup, the tray and headless mode show. The NATS client is loaded only once a server is configured.
 * Electron-free.
 */
import { hostname, userInfo } from 'node:os';
import type { GroupMarks, RelayState, RelayTestResult } from '../../../shared/events';
import type { RelaySettings } from '../../../shared/settings';
import { Emitter, type Event } from '../base/event';
import type { ExtensionHost } from '../core';
import { errorText } from '../errors';
import type { IngestExtension } from '../pipeline/extension';
import type { SettingsStore } from '../settings-access';
import type { BackoffOptions } from '../tunnel';
import { StreamCursor } from './cursor';
import { instanceId } from './instance-id';
import { Outbox } from './outbox';
import type { ConnectionState } from './connection';
import type { ShareHow } from './marks';
import type { Run } from './run';

export interface TeamRelayOptions {
  settings: SettingsStore;
  /** The data folder: the relay keeps this instance's id there. */
  dataDir: string;
  log?: (message: string) => void;
  /** Connection retry backoff (tests shorten it). */
  backoff?: Partial<BackoffOptions>;
  /**
   * Heartbeats missed before a consumer is re-created, the pull expiry, and how old an event must be to count as
   * late (tests shorten them).
   */
  consumer?: { missedHeartbeats?: number; expiresMs?: number; lateMs?: number };
}

/** The member name shown to the team: the setting, else the system user name. */
export function memberName(settings: RelaySettings): string {
  if (settings.member.trim() !== '') return settings.member.trim();
  systemUser ??= (() => {
    try {
      return userInfo().username || hostname();
    } catch {
      return hostname();
    }
  })();
  return systemUser;
}

/** The system user name, looked up once (the state is built on every forwarded hook). */
let systemUser: string | null = null;

/** The settings a running relay depends on: a change to any of them rebuilds it. */
function configKey(r: RelaySettings): string {
  return JSON.stringify([
    r.servers,
    r.auth,
    r.tls.ca,
    r.stream,
    r.publish,
    r.subscribe,
    r.member,
    r.shareMarks,
    r.replicas,
    r.maxAgeDays,
    r.maxBytes,
  ]);
}

/** The team relay, built from the settings and rebuilt when they change. */
export class TeamRelay {
  private readonly opts: TeamRelayOptions;
  /** The gateway's outbox: a ledger in the history, fed by the ingest pipeline. */
  readonly outbox: Outbox;
  /** The subscriber's place in the stream and its away tally: a ledger in the history. */
  readonly cursor: StreamCursor;
  private host: ExtensionHost | null = null;
  private run: Run | null = null;
  private key: string | null = null;
  private readonly stateEmitter = new Emitter<RelayState>();
  private readonly caughtUpEmitter = new Emitter<number>();
  /** The state moved (status, reason, counters). */
  readonly onState: Event<RelayState> = this.stateEmitter.event;
  /** A catch-up ended, with the number of events read (`caught-up` in headless mode). */
  readonly onCaughtUp: Event<number> = this.caughtUpEmitter.event;
  private lastTest: RelayTestResult | null = null;
  private origin: string | null = null;
  private applying: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(opts: TeamRelayOptions) {
    this.opts = opts;
    this.outbox = new Outbox((m) => this.host?.warn(m));
    this.cursor = new StreamCursor();
    // At once, not when `apply` gets to it: a hook accepted the moment the receiver listens is kept too.
    const r = opts.settings.get().relay;
    this.outbox.enabled = r.servers.length > 0 && r.publish;
  }

  /** The relay's ledgers, to plug into the core's ingest pipeline before it opens. */
  get extensions(): IngestExtension[] {
    return [this.outbox, this.cursor];
  }

  /** The core the relay ingests into and asks for marks and warnings; then {@link apply} starts it. */
  attach(host: ExtensionHost): void {
    this.host = host;
  }

  /** This instance's relay id. */
  get id(): string {
    this.origin ??= instanceId(this.opts.dataDir);
    return this.origin;
  }

  /** Starts, rebuilds or stops the relay for the current settings (a save that does not touch them changes nothing). */
  apply(): Promise<void> {
    this.applying = this.applying.then(() => this.applyNow()).catch((err: unknown) => this.opts.log?.(`relay: ${errorText(err)}`));
    return this.applying;
  }

  private async applyNow(): Promise<void> {
    if (this.stopped || this.host === null) return;
    const settings = this.opts.settings.get().relay;
    const active = settings.servers.length > 0 && (settings.publish || settings.subscribe);
    const key = active ? configKey(settings) : null;
    this.outbox.enabled = active && settings.publish;
    if (key === this.key) return;
    this.key = key;
    const old = this.run;
    this.run = null;
    if (old) await old.stop();
    if (key !== null) {
      const { Run } = await import('./run');
      if (this.stopped || this.key !== key) return;
      this.run = new Run(
        settings,
        { changed: () => this.changed(), caughtUp: (n) => this.caughtUpEmitter.fire(n) },
        {
          host: this.host,
          outbox: this.outbox,
          cursor: this.cursor,
          member: memberName(settings),
          ...(this.opts.log ? { log: this.opts.log } : {}),
          ...(this.opts.backoff ? { backoff: this.opts.backoff } : {}),
          ...(this.opts.consumer ? { consumer: this.opts.consumer } : {}),
        },
        this.id,
      );
      this.run.start();
    }
    this.changed();
  }

  /** The state, for Setup, the tray and headless output. */
  getState(): RelayState {
    const s = this.opts.settings.get().relay;
    const run = this.run;
    const base = {
      servers: s.servers,
      member: memberName(s),
      stream: s.stream,
      publish: s.publish,
      subscribe: s.subscribe,
      test: this.lastTest,
    };
    if (!run) {
      const reason =
        s.servers.length === 0
          ? 'No NATS server configured: the team relay is off'
          : 'Neither publish nor subscribe is on: the team relay is off';
      return { ...base, status: 'off', reason, server: null, retryAt: null, gateway: null, subscriber: null };
    }
    const c: ConnectionState = run.connection.getState();
    const problem = [...run.problems.values()][0] ?? null;
    let status: RelayState['status'];
    let reason: string | null = null;
    let retryAt: string | null = null;
    let server: string | null = null;
    switch (c.status) {
      case 'connecting':
        status = 'connecting';
        reason = c.attempt > 1 ? `Connecting (attempt ${c.attempt})` : null;
        break;
      case 'connected':
        server = c.server;
        status = problem ? 'error' : 'connected';
        reason = problem;
        break;
      case 'disconnected':
        status = 'disconnected';
        reason = c.reason;
        break;
      case 'error':
        status = 'error';
        reason = c.reason;
        retryAt = c.retryAt;
        break;
    }
    const out = this.outbox.stats();
    const parked = this.outbox.parked();
    const cursor = this.cursor.cursor();
    const sub = run.subscriber;
    return {
      ...base,
      status,
      reason,
      server,
      retryAt,
      gateway: run.forwarder
        ? {
            pending: out.pending,
            forwarded: out.forwarded,
            lastForwardedAt: run.forwarder.lastForwardedAt,
            duplicates: run.forwarder.duplicates,
            parked: parked.count,
            lastParked: parked.last,
          }
        : null,
      subscriber: sub
        ? {
            ingested: cursor.seq,
            newest: sub.newest,
            lag: sub.newest === null ? null : Math.max(0, sub.newest - cursor.seq),
            caughtUp: sub.caughtUp,
            lastEventAt: sub.lastEventAt,
          }
        : null,
    };
  }

  /** A part's state moved: tell who listens. */
  private changed(): void {
    if (!this.stateEmitter.hasListeners) return;
    this.stateEmitter.fire(this.getState());
  }

  /**
   * Test relay: publishes a test message to the stream and waits for this Crashbell to read it back. Never
   * throws; the result says what happened in words.
   */
  async test(): Promise<RelayTestResult> {
    const sentAt = new Date();
    const run = this.run;
    const outcome = run
      ? await run.test(sentAt, () => this.getState().subscriber?.lag ?? null)
      : { ok: false, seq: null, cameBackAt: null, roundTripMs: null, reason: this.getState().reason ?? 'The team relay is off' };
    if (!outcome.ok && run && outcome.seq === null && outcome.reason === 'Not connected to NATS yet') {
      outcome.reason = this.getState().reason ?? outcome.reason;
    }
    this.lastTest = { sentAt: sentAt.toISOString(), ...outcome };
    this.changed();
    return this.lastTest;
  }

  /** Whether marks are shared with the team now (the setting is on and the relay runs). */
  get sharing(): boolean {
    const run = this.run;
    return run !== null && run.marks !== null && this.opts.settings.get().relay.shareMarks;
  }

  /**
   * Who this Crashbell's marks are made as: the member key they are shared under (its NATS user) while it shares
   * them, so a claim or a resolve reads the same here as on every teammate's; else the member name.
   */
  get member(): string {
    return this.run?.marks?.identity ?? memberName(this.opts.settings.get().relay);
  }

  /**
   * Shares the marks a change set with the team (with the provider it was also made in); throws with the reason
   * when it could not.
   */
  async shareMark(groupId: string, marks: GroupMarks, how: ShareHow = {}): Promise<void> {
    const teamMarks = this.run?.marks;
    if (!teamMarks) throw new Error('Team marks are off: the mark was kept on this machine only');
    await teamMarks.share(groupId, marks, how);
  }

  /**
   * After the machine wakes: the connection may have died silently while it slept, so dial again now rather
   * than after the missed pings, and the catch-up starts at once.
   */
  async reconnect(): Promise<void> {
    await this.run?.reconnect();
  }

  /**
   * After any event (a hook this machine accepted too): a team mark made after it applies now. Called for
   * every hook, so without shared marks it does nothing at all (no promise on the hot path).
   */
  afterEvent(groupId: string): void {
    const marks = this.run?.marks;
    if (marks) void marks.after(groupId).catch((err: unknown) => this.opts.log?.(`relay: ${errorText(err)}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.applying;
    const run = this.run;
    this.run = null;
    this.key = null;
    this.outbox.enabled = false;
    await run?.stop();
    await this.outbox.close();
    this.stateEmitter.dispose();
    this.caughtUpEmitter.dispose();
  }
}
