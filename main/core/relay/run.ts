/**
 * One applied configuration of the team relay, over a NATS connection: the gateway's forwarder, the
 * subscriber and the team marks, each following the connection. Loaded only once the settings name a NATS
 * server (team-relay.ts imports this file when it needs it), so a Crashbell without the relay never loads the
 * NATS client.
 */
import { randomUUID } from 'node:crypto';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RelayTestResult } from '../../../shared/events';
import type { RelaySettings } from '../../../shared/settings';
import type { ExtensionHost } from '../core';
import { oneLine } from '../plain-text';
import type { BackoffOptions } from '../tunnel';
import { RelayConnection } from './connection';
import type { StreamCursor } from './cursor';
import { encodeTest, TEST_SUBJECT } from './envelope';
import { Forwarder } from './forwarder';
import { TeamMarks } from './marks';
import type { Outbox } from './outbox';
import { explainJetStreamError } from './reasons';
import { ensureStream, ForeignStreamError, type StreamLimits } from './stream';
import { Subscriber } from './subscriber';
import { sleep } from './wait';

/** How long Test relay waits for its message to come back. */
export const TEST_TIMEOUT_MS = 15_000;

/** What a run needs from the relay that made it. */
export interface RunOptions {
  host: ExtensionHost;
  outbox: Outbox;
  cursor: StreamCursor;
  /** The member name shown to the team. */
  member: string;
  log?: (message: string) => void;
  /** Connection retry backoff (tests shorten it). */
  backoff?: Partial<BackoffOptions>;
  /**
   * Heartbeats missed before a consumer is re-created, the pull expiry, and how old an event must be to count as
   * late (tests shorten them).
   */
  consumer?: { missedHeartbeats?: number; expiresMs?: number; lateMs?: number };
}

/** What a run tells the relay that made it. */
export interface RunOwner {
  /** A part's state moved. */
  changed(): void;
  /** A catch-up ended after `events` events. */
  caughtUp(events: number): void;
}

/** A test result without when it was sent (the relay adds that). */
export type TestOutcome = Omit<RelayTestResult, 'sentAt'>;

/** Everything one applied configuration runs. */
export class Run {
  readonly connection: RelayConnection;
  readonly forwarder: Forwarder | null;
  readonly subscriber: Subscriber | null;
  readonly marks: TeamMarks | null;
  readonly problems = new Map<string, string>();
  private js: JetStreamClient | null = null;
  private nc: NatsConnection | null = null;
  private streamReady = false;
  /** The stream's own per-message limit (`max_msg_size`), once the gateway has seen it; null: none. */
  private streamMaxMsgSize: number | null = null;
  readonly tests = new Map<string, () => void>();

  constructor(
    readonly settings: RelaySettings,
    private readonly relay: RunOwner,
    private readonly opts: RunOptions,
    readonly origin: string,
  ) {
    const member = opts.member;
    const limits = this.limits;
    const log = opts.log;
    this.connection = new RelayConnection({
      config: { servers: settings.servers, auth: settings.auth, tlsCa: settings.tls.ca, name: `crashbell-${member}` },
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      ...(log ? { log } : {}),
    });
    this.connection.onState(() => relay.changed());
    // The client's own reconnect (same connection): the subscriber's consumer may be gone with the node it sat on.
    let dropped = false;
    this.connection.onState((s) => {
      if (s.status === 'disconnected') dropped = true;
      else if (s.status === 'connected' && dropped) {
        dropped = false;
        this.subscriber?.reconnected();
      }
    });
    this.connection.onViolation(({ reason, subject }) => {
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
            core: opts.host,
            bucket: `${settings.stream}-marks`,
            replicas: settings.replicas,
            origin,
            member: () => member,
            auth: settings.auth,
            live: () => this.subscriber === null || !this.subscriber.catchingUp,
            onProblem: (r) => this.problem('marks', r),
            ...(log ? { log } : {}),
          })
        : null;
    this.forwarder = settings.publish
      ? new Forwarder({
          outbox: opts.outbox,
          connection: this.connection,
          jetstream: () => (this.streamReady ? this.js : null),
          maxMessageBytes: () => this.maxMessageBytes,
          refreshLimits: () => this.refreshLimits(),
          stream: settings.stream,
          origin,
          onProblem: (r) => this.problem('gateway', r),
          onForwarded: () => relay.changed(),
          onParked: (entry, reason) => {
            opts.host.warn(
              `Relay: the hook "${oneLine(entry.event.title)}" (outbox entry ${entry.seq}) cannot be forwarded to the team and is parked: ${reason}. The hooks after it go on`,
            );
            relay.changed();
          },
          ...(log ? { log } : {}),
        })
      : null;
    this.subscriber = settings.subscribe
      ? new Subscriber({
          core: opts.host,
          cursor: opts.cursor,
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

  /**
   * The largest message the gateway may publish now: the server's `max_payload` (from the connection's server
   * info, 1 MB unless the server sets it) and the stream's `max_msg_size`, whichever is lower; null while not
   * connected.
   */
  get maxMessageBytes(): number | null {
    const payload = this.nc?.info?.max_payload;
    if (typeof payload !== 'number' || payload <= 0) return null;
    const stream = this.streamMaxMsgSize;
    return stream !== null && stream > 0 ? Math.min(payload, stream) : payload;
  }

  /** Reads the stream's per-message limit again (the connection's server info is always the current one). */
  private async refreshLimits(): Promise<void> {
    const nc = this.nc;
    if (!nc) return;
    try {
      const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 5_000 });
      this.streamMaxMsgSize = (await jsm.streams.info(this.settings.stream)).config.max_msg_size ?? null;
    } catch (err) {
      this.opts.log?.(`relay: could not read the stream's limits again (${explainJetStreamError(err, 'read the stream').reason})`);
    }
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
    this.nc = nc;
    this.js = jetstream(nc, { timeout: 5_000 });
    const abort = new AbortController();
    const cleanups: Array<() => Promise<void>> = [];
    if (this.marks) cleanups.push(this.marks.attach(nc));
    if (this.subscriber) cleanups.push(this.subscriber.attach(nc));
    const setup = this.forwarder ? this.prepareGateway(nc, abort.signal) : Promise.resolve();
    return async () => {
      abort.abort();
      this.js = null;
      this.nc = null;
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
        const { info, created } = await ensureStream(jsm, this.limits, true);
        if (created) this.opts.log?.(`relay: created the stream ${this.settings.stream}`);
        this.streamMaxMsgSize = info.config.max_msg_size ?? null;
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

  /**
   * Test relay: publishes a test message to the stream and waits for this Crashbell to read it back. Never
   * throws; the outcome says what happened in words. `lag` says how far behind the subscriber is, for the words.
   */
  async test(sentAt: Date, lag: () => number | null): Promise<TestOutcome> {
    const fail = (reason: string, seq: number | null = null): TestOutcome => ({
      ok: false,
      seq,
      cameBackAt: null,
      roundTripMs: null,
      reason,
    });
    const js = this.js;
    if (!js || !this.connection.connected) return fail('Not connected to NATS yet');
    const nonce = randomUUID();
    let cameBack: () => void = () => undefined;
    const back = new Promise<number>((resolve) => (cameBack = () => resolve(Date.now())));
    this.tests.set(nonce, cameBack);
    try {
      let seq: number;
      try {
        const ack = await js.publish(TEST_SUBJECT, encodeTest(this.origin, nonce, this.opts.member, sentAt.toISOString()), {
          msgID: `cb1.test.${nonce}`,
          timeout: 5_000,
          expect: { streamName: this.settings.stream },
        });
        seq = ack.seq;
      } catch (err) {
        return fail(`The test message was refused: ${explainJetStreamError(err, `publish to ${TEST_SUBJECT}`).reason}`);
      }
      if (!this.subscriber) {
        return {
          ok: true,
          seq,
          cameBackAt: null,
          roundTripMs: null,
          reason: `Stored in the stream at sequence ${seq}. This Crashbell does not subscribe, so it cannot watch it come back`,
        };
      }
      const at = await Promise.race([back, sleep(TEST_TIMEOUT_MS).then(() => null)]);
      if (at === null) {
        const behind = lag();
        return fail(
          `Stored in the stream at sequence ${seq}, but it did not come back within ${TEST_TIMEOUT_MS / 1000} s${behind ? ` (the subscriber is ${behind} messages behind)` : ''}`,
          seq,
        );
      }
      const ms = at - sentAt.getTime();
      return { ok: true, seq, cameBackAt: new Date(at).toISOString(), roundTripMs: ms, reason: `Came back through the stream in ${ms} ms` };
    } finally {
      this.tests.delete(nonce);
    }
  }

  /** Dials again now (after the machine woke: the connection may have died silently while it slept). */
  async reconnect(): Promise<void> {
    await this.connection.nc?.reconnect().catch((err: unknown) => this.opts.log?.(`relay: ${(err as Error).message}`));
  }

  async stop(): Promise<void> {
    await this.forwarder?.stop();
    this.subscriber?.dispose();
    await this.connection.stop();
  }
}
