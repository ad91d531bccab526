/**
 * The team relay: Crashbell's hooks shared through NATS JetStream, with no relay server of our own.
 *
 * - Gateway (`publish`): every hook this Crashbell accepts is kept in the inbox's outbox (same durable record)
 *   and forwarded to the stream `crashbell.events.<source id>` ({@link Forwarder}).
 * - Subscriber (`subscribe`): the stream read into this Crashbell's own history through `core.ingest`
 *   ({@link Subscriber}), with a "while you were away" summary after a catch-up.
 * - Team marks: resolve and mute shared through a key-value bucket ({@link TeamMarks}).
 *
 * `TeamRelay` builds those from the `relay` settings and rebuilds them when the settings change; its state
 * (with plain reasons) is what Setup, the tray and headless mode show. Electron-free.
 */
import { randomUUID } from 'node:crypto';
import { userInfo, hostname } from 'node:os';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { GroupMarks, RelayState, RelayTestResult } from '../../../shared/events';
import type { RelaySettings } from '../../../shared/settings';
import type { CrashbellCore } from '../core';
import type { SettingsStore } from '../settings-access';
import type { BackoffOptions } from '../tunnel';
import { type ConnectionState, RelayConnection } from './connection';
import { encodeTest, TEST_SUBJECT } from './envelope';
import { Forwarder } from './forwarder';
import { instanceId } from './instance-id';
import { TeamMarks } from './marks';
import { explainJetStreamError } from './reasons';
import { ensureStream, ForeignStreamError, type StreamLimits } from './stream';
import { Subscriber } from './subscriber';
import { sleep } from './wait';

export { awaySummary, CATCH_UP_THRESHOLD } from './subscriber';
export { decodeEnvelope, msgIdFor, TEST_SUBJECT, STREAM_SUBJECTS } from './envelope';
export { instanceId } from './instance-id';

/** How long Test relay waits for its message to come back. */
export const TEST_TIMEOUT_MS = 15_000;

export interface TeamRelayOptions {
  core: CrashbellCore;
  settings: SettingsStore;
  /** The data folder: the relay keeps this instance's id there. */
  dataDir: string;
  log?: (message: string) => void;
  /** Connection retry backoff (tests shorten it). */
  backoff?: Partial<BackoffOptions>;
  /** Heartbeats missed before a consumer is re-created, and the pull expiry (tests shorten them). */
  consumer?: { missedHeartbeats?: number; expiresMs?: number };
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

/** Everything one applied configuration runs. */
class Run {
  readonly connection: RelayConnection;
  readonly forwarder: Forwarder | null;
  readonly subscriber: Subscriber | null;
  readonly marks: TeamMarks | null;
  readonly problems = new Map<string, string>();
  private js: JetStreamClient | null = null;
  private streamReady = false;
  readonly tests = new Map<string, () => void>();

  constructor(
    readonly settings: RelaySettings,
    private readonly relay: TeamRelay,
    private readonly opts: TeamRelayOptions,
    readonly origin: string,
  ) {
    const member = memberName(settings);
    const limits = this.limits;
    const log = opts.log;
    this.connection = new RelayConnection({
      config: { servers: settings.servers, auth: settings.auth, tlsCa: settings.tls.ca, name: `crashbell-${member}` },
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      ...(log ? { log } : {}),
    });
    this.connection.subscribe(() => relay.changed());
    this.connection.onViolation((reason, subject) => {
      // A denied pull never rejects anything: it only shows on the connection.
      const part =
        subject.startsWith('$KV.') || subject.includes('KV_')
          ? 'marks'
          : subject.startsWith('crashbell.') || subject.startsWith('$JS.API.STREAM.')
            ? settings.publish
              ? 'gateway'
              : 'subscriber'
            : settings.subscribe
              ? 'subscriber'
              : 'gateway';
      const label = part === 'marks' ? 'Team marks' : part === 'gateway' ? 'Gateway' : 'Subscriber';
      this.problem(part, `${label}: ${reason}`);
    });
    this.marks =
      settings.shareMarks && (settings.subscribe || settings.publish)
        ? new TeamMarks({
            core: opts.core,
            bucket: `${settings.stream}-marks`,
            replicas: settings.replicas,
            origin,
            member: () => member,
            live: () => this.subscriber === null || !this.subscriber.catchingUp,
            onProblem: (r) => this.problem('marks', r),
            ...(log ? { log } : {}),
          })
        : null;
    this.forwarder = settings.publish
      ? new Forwarder({
          inbox: opts.core.inbox,
          connection: this.connection,
          jetstream: () => (this.streamReady ? this.js : null),
          stream: settings.stream,
          origin,
          onProblem: (r) => this.problem('gateway', r),
          onForwarded: () => relay.changed(),
          ...(log ? { log } : {}),
        })
      : null;
    this.subscriber = settings.subscribe
      ? new Subscriber({
          core: opts.core,
          limits,
          create: settings.publish,
          origin,
          marks: this.marks,
          onProblem: (r) => this.problem('subscriber', r),
          onProgress: () => relay.changed(),
          onCaughtUp: (n) => relay.caughtUp(n),
          onTest: (nonce) => this.tests.get(nonce)?.(),
          ...(log ? { log } : {}),
          ...(opts.consumer ?? {}),
          ...(opts.backoff?.maxMs !== undefined ? { maxRetryMs: opts.backoff.maxMs } : {}),
        })
      : null;
    this.connection.onConnection((nc) => this.attach(nc));
  }

  get limits(): StreamLimits {
    const s = this.settings;
    return { name: s.stream, maxAgeDays: s.maxAgeDays, maxBytes: s.maxBytes, replicas: s.replicas };
  }

  get jetstream(): JetStreamClient | null {
    return this.js;
  }

  problem(part: string, reason: string | null): void {
    const before = this.problems.get(part) ?? null;
    if (reason === null) this.problems.delete(part);
    else this.problems.set(part, reason);
    if (before !== reason) this.relay.changed();
  }

  start(): void {
    this.connection.start();
    this.forwarder?.start();
  }

  private attach(nc: NatsConnection): () => Promise<void> {
    this.js = jetstream(nc, { timeout: 5_000 });
    const abort = new AbortController();
    const cleanups: Array<() => Promise<void>> = [];
    if (this.marks) cleanups.push(this.marks.attach(nc));
    if (this.subscriber) cleanups.push(this.subscriber.attach(nc));
    const setup = this.forwarder ? this.prepareGateway(nc, abort.signal) : Promise.resolve();
    return async () => {
      abort.abort();
      this.js = null;
      this.streamReady = false;
      await setup;
      for (const c of cleanups) await c();
    };
  }

  /** The gateway creates the stream when missing (and says plainly when it may not), then forwards. */
  private async prepareGateway(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    let delay = 1_000;
    while (!signal.aborted) {
      try {
        const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 5_000 });
        const { created } = await ensureStream(jsm, this.limits, true);
        if (created) this.opts.log?.(`relay: created the stream ${this.settings.stream}`);
        this.streamReady = true;
        this.problem('gateway', null);
        this.forwarder?.poke();
        return;
      } catch (err) {
        if (signal.aborted) return;
        const reason =
          err instanceof ForeignStreamError ? err.message : explainJetStreamError(err, `create the stream ${this.settings.stream}`).reason;
        this.problem('gateway', `Gateway: ${reason}`);
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  async stop(): Promise<void> {
    await this.forwarder?.stop();
    await this.connection.stop();
  }
}

/** The team relay, built from the settings and rebuilt when they change. */
export class TeamRelay {
  private readonly opts: TeamRelayOptions;
  private run: Run | null = null;
  private key: string | null = null;
  private readonly listeners = new Set<(state: RelayState) => void>();
  private readonly caughtUpListeners = new Set<(events: number) => void>();
  private lastTest: RelayTestResult | null = null;
  private origin: string | null = null;
  private applying: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(opts: TeamRelayOptions) {
    this.opts = opts;
    // At once, not when `apply` gets to it: a hook accepted the moment the receiver listens is kept too.
    const r = opts.settings.get().relay;
    opts.core.outbox = r.servers.length > 0 && r.publish;
  }

  /** This instance's relay id. */
  get id(): string {
    this.origin ??= instanceId(this.opts.dataDir);
    return this.origin;
  }

  /** Starts, rebuilds or stops the relay for the current settings (a save that does not touch them changes nothing). */
  apply(): Promise<void> {
    this.applying = this.applying.then(() => this.applyNow()).catch((err: unknown) => this.opts.log?.(`relay: ${(err as Error).message}`));
    return this.applying;
  }

  private async applyNow(): Promise<void> {
    if (this.stopped) return;
    const settings = this.opts.settings.get().relay;
    const active = settings.servers.length > 0 && (settings.publish || settings.subscribe);
    const key = active ? configKey(settings) : null;
    this.opts.core.outbox = active && settings.publish;
    if (key === this.key) return;
    this.key = key;
    const old = this.run;
    this.run = null;
    if (old) await old.stop();
    if (key !== null) {
      this.run = new Run(settings, this, this.opts, this.id);
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
    const out = this.opts.core.inbox.outboxStats();
    const cursor = this.opts.core.inbox.relayCursor();
    const sub = run.subscriber;
    return {
      ...base,
      status,
      reason,
      server,
      retryAt,
      gateway: run.forwarder ? { pending: out.pending, forwarded: out.forwarded, lastForwardedAt: run.forwarder.lastForwardedAt } : null,
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

  subscribe(listener: (state: RelayState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called with the number of events read each time a catch-up ends (`caught-up` in headless mode). */
  onCaughtUp(listener: (events: number) => void): () => void {
    this.caughtUpListeners.add(listener);
    return () => this.caughtUpListeners.delete(listener);
  }

  /** @internal a part's state moved. */
  changed(): void {
    if (this.listeners.size === 0) return;
    const state = this.getState();
    for (const l of [...this.listeners]) {
      try {
        l(state);
      } catch (err) {
        this.opts.log?.(`relay: a state listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** @internal */
  caughtUp(events: number): void {
    for (const l of [...this.caughtUpListeners]) l(events);
  }

  /**
   * Test relay: publishes a test message to the stream and waits for this Crashbell to read it back. Never
   * throws; the result says what happened in words.
   */
  async test(): Promise<RelayTestResult> {
    const sentAt = new Date();
    const done = (r: Omit<RelayTestResult, 'sentAt'>): RelayTestResult => {
      this.lastTest = { sentAt: sentAt.toISOString(), ...r };
      this.changed();
      return this.lastTest;
    };
    const run = this.run;
    if (!run)
      return done({ ok: false, seq: null, cameBackAt: null, roundTripMs: null, reason: this.getState().reason ?? 'The team relay is off' });
    const js = run.jetstream;
    if (!js || !run.connection.connected) {
      return done({
        ok: false,
        seq: null,
        cameBackAt: null,
        roundTripMs: null,
        reason: this.getState().reason ?? 'Not connected to NATS yet',
      });
    }
    const nonce = randomUUID();
    let cameBack: () => void = () => undefined;
    const back = new Promise<number>((resolve) => (cameBack = () => resolve(Date.now())));
    run.tests.set(nonce, cameBack);
    try {
      let seq: number;
      try {
        const ack = await js.publish(TEST_SUBJECT, encodeTest(run.origin, nonce, memberName(run.settings), sentAt.toISOString()), {
          msgID: `cb1.test.${nonce}`,
          timeout: 5_000,
          expect: { streamName: run.settings.stream },
        });
        seq = ack.seq;
      } catch (err) {
        return done({
          ok: false,
          seq: null,
          cameBackAt: null,
          roundTripMs: null,
          reason: `The test message was refused: ${explainJetStreamError(err, `publish to ${TEST_SUBJECT}`).reason}`,
        });
      }
      if (!run.subscriber) {
        return done({
          ok: true,
          seq,
          cameBackAt: null,
          roundTripMs: null,
          reason: `Stored in the stream at sequence ${seq}. This Crashbell does not subscribe, so it cannot watch it come back`,
        });
      }
      const at = await Promise.race([back, sleep(TEST_TIMEOUT_MS).then(() => null)]);
      if (at === null) {
        const lag = this.getState().subscriber?.lag;
        return done({
          ok: false,
          seq,
          cameBackAt: null,
          roundTripMs: null,
          reason: `Stored in the stream at sequence ${seq}, but it did not come back within ${TEST_TIMEOUT_MS / 1000} s${lag ? ` (the subscriber is ${lag} messages behind)` : ''}`,
        });
      }
      const ms = at - sentAt.getTime();
      return done({
        ok: true,
        seq,
        cameBackAt: new Date(at).toISOString(),
        roundTripMs: ms,
        reason: `Came back through the stream in ${ms} ms`,
      });
    } finally {
      run.tests.delete(nonce);
    }
  }

  /** Whether marks are shared with the team now (the setting is on and the relay runs). */
  get sharing(): boolean {
    const run = this.run;
    return run !== null && run.marks !== null && this.opts.settings.get().relay.shareMarks;
  }

  /** The member name marks are shared under. */
  get member(): string {
    return memberName(this.opts.settings.get().relay);
  }

  /** Shares a resolve or mute with the team; throws with the reason when it could not. */
  async shareMark(groupId: string, marks: GroupMarks): Promise<void> {
    const teamMarks = this.run?.marks;
    if (!teamMarks) throw new Error('Team marks are off: the mark was kept on this machine only');
    await teamMarks.share(groupId, marks);
  }

  /**
   * After the machine wakes: the connection may have died silently while it slept, so dial again now rather
   * than after the missed pings, and the catch-up starts at once.
   */
  async reconnect(): Promise<void> {
    await this.run?.connection.nc?.reconnect().catch((err: unknown) => this.opts.log?.(`relay: ${(err as Error).message}`));
  }

  /**
   * After any event (a hook this machine accepted too): a team mark made after it applies now. Called for
   * every hook, so without shared marks it does nothing at all (no promise on the hot path).
   */
  afterEvent(groupId: string): void {
    const marks = this.run?.marks;
    if (marks) void marks.after(groupId).catch((err: unknown) => this.opts.log?.(`relay: ${(err as Error).message}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.applying;
    const run = this.run;
    this.run = null;
    this.key = null;
    this.opts.core.outbox = false;
    await run?.stop();
  }
}
