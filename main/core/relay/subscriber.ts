/**
 * The subscriber: reads the team's stream from where this Crashbell left off, into its own history through
 * the one event route (`core.ingest`), each event with its stream sequence in the same durable record, so a
 * crash at any point neither loses nor repeats an event or a notification. Each member's own policy applies
 * (mute, DND, quiet hours, filters, storm control); after a catch-up of more than a few events the
 * notifications are held for one "while you were away" summary. So are they when a burst of late events arrives
 * while it reads live (a burst after a NATS outage: the gateway forwards the hooks that piled up while it could
 * not): see {@link Subscriber.burstHolds}.
 *
 * It uses an ordered consumer from the stored sequence + 1 (no server-side state per member), with a watchdog
 * that re-creates it from the cursor when heartbeats stop: an ordered consumer on a cluster node that died
 * never recovers by itself.
 */
import {
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { sourceObjectSchema, type Source } from '../../../shared/settings';
import type { ExtensionHost } from '../core';
import { errorText } from '../errors';
import { awaySummary, CATCH_UP_THRESHOLD } from './away';
import type { StreamCursor } from './cursor';
import { decodeEnvelope, type EnvelopeSource, type EventEnvelope, eventOf } from './envelope';
import type { TeamMarks } from './marks';
import { explainJetStreamError } from './reasons';
import { ensureStream, ForeignStreamError, MissingStreamError, sameStream, type StreamLimits, streamKey } from './stream';
import { sleep } from './wait';

/** How long a stream that looks shorter than what was read is given to agree with itself (a cluster's failover). */
const SHORT_STREAM_GRACE_MS = 30_000;

/** The stream looks shorter than what was read; retried like any passing problem. */
class StreamBehindError extends Error {
  override readonly name = 'StreamBehindError';
}

/** A source a relayed event names but this machine has not configured: enough for the policy and the list. */
export function sourceFromEnvelope(s: EnvelopeSource): Source {
  return sourceObjectSchema.parse({ id: s.id, provider: s.provider, name: s.name });
}

export interface SubscriberOptions {
  core: ExtensionHost;
  /** Where it stands in the stream (and what a catch-up holds), in the history. */
  cursor: StreamCursor;
  limits: StreamLimits;
  /** The gateway role creates the stream when missing; a member only checks it. */
  create: boolean;
  origin: string;
  marks: TeamMarks | null;
  onProblem: (reason: string | null) => void;
  onProgress: () => void;
  onCaughtUp: (events: number) => void;
  /** A Test relay message of ours came back. */
  onTest: (nonce: string) => void;
  log?: (message: string) => void;
  /** Heartbeats missed in a row before the consumer is re-created; default 3 (of expires/2 each). */
  missedHeartbeats?: number;
  /** Pull expiry; default 10 s (heartbeats every 5 s). */
  expiresMs?: number;
  /** Longest wait between attempts to read the stream again; default 30 s. */
  maxRetryMs?: number;
  /** How old an event must be when it arrives to count as late (see {@link LATE_MS}). */
  lateMs?: number;
}

/**
 * An event read live more than this long after its gateway accepted it arrived late: the gateway could not
 * forward it in time (NATS was away from it), or this Crashbell could not read it (away from NATS). Live hooks
 * arrive within a second; clocks of machines kept by NTP agree far better than this.
 */
export const LATE_MS = 30_000;

/** A burst of late events still held with no late event for this long is over: its summary is raised. */
export const BURST_QUIET_MS = 10_000;

export class Subscriber {
  private readonly opts: SubscriberOptions;
  /** The newest stream sequence seen (from a message's pending count or the stream's state). */
  newest: number | null = null;
  caughtUp = false;
  lastEventAt: string | null = null;
  private key: string | null = null;
  /** Since when the same stream has looked shorter than what was read (see {@link streamShorter}). */
  private shortSince: number | null = null;
  /** A burst of late events is being held for one summary (see {@link burstHolds}). */
  private burst = false;
  private quiet: ReturnType<typeof setTimeout> | null = null;
  /** Messages, the end of a catch-up and the end of a burst, one at a time: each may write the away tally. */
  private work: Promise<void> = Promise.resolve();
  private disposed = false;
  /** Gives up the consumer being read, so a new one starts from the cursor (null between consumers). */
  private restartConsumer: (() => void) | null = null;

  constructor(opts: SubscriberOptions) {
    this.opts = opts;
  }

  /**
   * The connection came back after it dropped. The consumer may sit on a node that is gone (an ordered consumer
   * has one replica), and the client's own recovery then waits on it for ever: from the drop on it stops
   * reporting missed heartbeats until an info request about that consumer succeeds, which no node answers. So
   * the consumer is given up and a new one starts from the cursor, which costs one request.
   */
  reconnected(): void {
    if (!this.restartConsumer) return;
    this.opts.log?.('relay: reconnected to NATS: reading the stream again from the last event read');
    this.restartConsumer();
  }

  /** Stops the burst's timer: the relay is stopping. */
  dispose(): void {
    this.disposed = true;
    if (this.quiet) clearTimeout(this.quiet);
    this.quiet = null;
  }

  /** Runs `fn` after whatever runs now (see {@link work}). */
  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.work.then(fn);
    this.work = run.catch(() => undefined);
    return run;
  }

  /** True while it is reading a catch-up (marks then wait for the events they follow). */
  get catchingUp(): boolean {
    return !this.caughtUp;
  }

  /** Follows the stream on a new connection; returns the cleanup. */
  attach(nc: NatsConnection): () => Promise<void> {
    const abort = new AbortController();
    let current: ConsumerMessages | null = null;
    const running = this.follow(nc, abort.signal, (m) => (current = m));
    return async () => {
      abort.abort();
      (current as ConsumerMessages | null)?.stop();
      await running;
    };
  }

  private async follow(nc: NatsConnection, signal: AbortSignal, setCurrent: (m: ConsumerMessages | null) => void): Promise<void> {
    const js = jetstream(nc, { timeout: 5_000 });
    let jsm: JetStreamManager | null = null;
    let delay = 1_000;
    let lastLogged: string | null = null;
    while (!signal.aborted) {
      try {
        jsm ??= await jetstreamManager(nc, { checkAPI: false, timeout: 5_000 });
        await this.readOnce(js, jsm, signal, setCurrent);
        delay = 1_000;
        lastLogged = null;
      } catch (err) {
        if (signal.aborted) break;
        const message =
          err instanceof ForeignStreamError || err instanceof MissingStreamError || err instanceof StreamBehindError ? err.message : null;
        const reason = message ?? explainJetStreamError(err, `read the stream ${this.opts.limits.name}`).reason;
        this.opts.onProblem(`Subscriber: ${reason}`);
        // Once per reason (the error's own text names a consumer generated afresh on each retry).
        if (reason !== lastLogged) this.opts.log?.(`relay: reading the stream failed (${errorText(err)}); retrying`);
        lastLogged = reason;
        await sleep(delay, signal);
        delay = Math.min(delay * 2, this.opts.maxRetryMs ?? 30_000);
        continue;
      }
      await sleep(500, signal);
    }
    setCurrent(null);
  }

  /** One consumer's life: from the cursor until it stops (watchdog, consumer gone, connection change). */
  private async readOnce(
    js: JetStreamClient,
    jsm: JetStreamManager,
    signal: AbortSignal,
    setCurrent: (m: ConsumerMessages | null) => void,
  ): Promise<void> {
    const ledger = this.opts.cursor;
    const { info } = await ensureStream(jsm, this.opts.limits, this.opts.create);
    const seen = streamKey(info);
    let cursor = ledger.cursor();
    // The identity read before is kept while it names this stream, whichever node dated it.
    const key = cursor.stream !== null && sameStream(cursor.stream, seen) ? cursor.stream : seen;
    if (cursor.stream !== key) {
      if (cursor.stream !== null)
        this.opts.log?.(`relay: the stream ${key} is not the one read before (${cursor.stream}): reading it from its start`);
      await ledger.moveTo(key, 0);
    } else if (cursor.seq > info.state.last_seq) {
      await this.streamShorter(key, info.state.last_seq, cursor.seq);
    } else {
      this.shortSince = null;
    }
    this.key = key;
    cursor = ledger.cursor();
    this.newest = info.state.last_seq;
    // Marks first, so a catch-up applies them in event order.
    if (this.opts.marks) await Promise.race([this.opts.marks.ready, sleep(5_000, signal)]);
    if (signal.aborted) return;

    const consumer = await js.consumers.get(this.opts.limits.name, { opt_start_seq: cursor.seq + 1 });
    const ci = await consumer.info(true);
    const backlog = ci.num_pending;
    const hold = backlog > CATCH_UP_THRESHOLD || (backlog > 0 && ledger.awayTally().held > 0);
    let read = 0;
    this.caughtUp = false;
    this.opts.onProblem(null);
    this.opts.onProgress();
    const caughtUp = (): Promise<void> =>
      this.serial(async () => {
        if (this.caughtUp) return;
        this.caughtUp = true;
        await this.finishCatchUp(read);
      });
    if (backlog === 0) await caughtUp();

    const expires = this.opts.expiresMs ?? 10_000;
    // Bounded by bytes, not count: a message may be up to 4 MiB (a 1 MiB body and its event).
    const msgs = await consumer.consume({ max_bytes: 16 * 1024 * 1024, expires });
    setCurrent(msgs);
    const onAbort = (): void => msgs.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) msgs.stop();
    const missedLimit = this.opts.missedHeartbeats ?? 3;
    // Given up on: the consumer is abandoned even if its iterator never ends (the client's own recovery can
    // hang on a consumer whose cluster node died), and a new one starts from the cursor. Each wait for the next
    // message gets its own way out: racing every `next()` against one long-lived promise left a reaction on
    // that promise per message, each holding the message it resolved with (a catch-up of 100,000 events kept
    // them all).
    let abandoned = false;
    let wakeWaiter: (() => void) | null = null;
    const giveUp = (): void => {
      abandoned = true;
      wakeWaiter?.();
      msgs.stop();
    };
    signal.addEventListener('abort', giveUp, { once: true });
    this.restartConsumer = giveUp;
    void (async () => {
      for await (const s of msgs.status()) {
        if (s.type === 'heartbeats_missed' && s.count >= missedLimit) {
          this.opts.log?.('relay: the stream stopped answering (heartbeats missed): re-creating the consumer from the last event read');
          giveUp();
        } else if (s.type === 'consumer_deleted' || s.type === 'stream_not_found') {
          giveUp();
        }
      }
    })().catch(() => undefined);
    const iterator = msgs[Symbol.asyncIterator]();
    try {
      for (;;) {
        if (abandoned) break;
        const next = await new Promise<IteratorResult<JsMsg> | 'abandoned'>((resolve, reject) => {
          wakeWaiter = () => resolve('abandoned');
          iterator.next().then(resolve, reject);
        });
        wakeWaiter = null;
        if (next === 'abandoned' || next.done) break;
        const m = next.value;
        if (signal.aborted) break;
        await this.serial(() => this.handle(m, hold && !this.caughtUp));
        read++;
        this.newest = Math.max(this.newest ?? 0, m.seq + m.info.pending);
        this.opts.onProgress();
        if (m.info.pending === 0) await caughtUp();
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      signal.removeEventListener('abort', giveUp);
      if (this.restartConsumer === giveUp) this.restartConsumer = null;
      setCurrent(null);
    }
  }

  /**
   * The stream, the same one (its name and creation time), ends before what was read. JetStream never numbers a
   * stream's messages backwards, so this is mostly a cluster's passing view (a node answering while it catches up
   * after a failover): reading again from the start then would store every event a second time. It is waited out
   * for {@link SHORT_STREAM_GRACE_MS}; only a stream still shorter after that (restored from a backup) is read
   * again from its start.
   */
  private async streamShorter(key: string, lastSeq: number, readSeq: number): Promise<void> {
    const now = Date.now();
    this.shortSince ??= now;
    if (now - this.shortSince < SHORT_STREAM_GRACE_MS) {
      throw new StreamBehindError(
        `the stream ${this.opts.limits.name} reports ${lastSeq} messages, fewer than the ${readSeq} this Crashbell read: waiting for the cluster to agree`,
      );
    }
    this.shortSince = null;
    this.opts.log?.(`relay: the stream ends at ${lastSeq}, before what was read (${readSeq}): reading it from its start`);
    await this.opts.cursor.moveTo(key, 0);
  }

  /** Ends a catch-up: the summary of what it held, the marks that waited, and the `caught-up` report. */
  private async finishCatchUp(read: number): Promise<void> {
    if (this.opts.marks) await this.opts.marks.sweep();
    // A burst under way is covered by this summary.
    this.burst = false;
    if (this.quiet) clearTimeout(this.quiet);
    this.quiet = null;
    await this.raiseAway();
    this.opts.onCaughtUp(read);
    this.opts.onProgress();
  }

  /** The summary of what was held, if anything was. */
  private async raiseAway(): Promise<void> {
    const { core, cursor } = this.opts;
    if (cursor.awayTally().held === 0) return;
    // Recorded as raised before it is raised: after a crash here it is lost rather than shown twice.
    const tally = await cursor.takeAway();
    if (tally.held > 0) core.notify(awaySummary(tally));
  }

  /**
   * Whether a relayed event read live is held for a "while you were away" summary. A catch-up is held when it
   * starts with a backlog; a burst can also come while this Crashbell reads live: after a NATS outage the
   * gateway forwards what piled up meanwhile, one message after another, so the stream never shows a backlog
   * here. Such a burst is told by its events: late (accepted more than {@link LATE_MS} before they arrive), with
   * more than a few behind them (in the stream for this consumer, or still in the gateway's outbox, which the
   * envelope says). Its late events are held until it is over: a live event arrives, nothing is left behind the
   * last one, or no late event came for {@link BURST_QUIET_MS}.
   */
  private burstHolds(m: JsMsg, envelope: EventEnvelope): boolean {
    const late = Date.now() - Date.parse(envelope.event.receivedAt) > (this.opts.lateMs ?? LATE_MS);
    if (!late) return false;
    if (!this.burst) {
      if (Math.max(m.info.pending, envelope.behind ?? 0) + 1 <= CATCH_UP_THRESHOLD) return false;
      this.burst = true;
      this.opts.log?.('relay: a burst of late events is arriving (the gateway could not forward them in time): held for one summary');
    }
    if (this.quiet) clearTimeout(this.quiet);
    this.quiet = setTimeout(() => {
      this.quiet = null;
      void this.serial(() => this.endBurst()).catch((err: unknown) => this.opts.log?.(`relay: ${errorText(err)}`));
    }, BURST_QUIET_MS);
    this.quiet.unref?.();
    return true;
  }

  /** A burst is over: its one summary. */
  private async endBurst(): Promise<void> {
    if (!this.burst) return;
    this.burst = false;
    if (this.quiet) clearTimeout(this.quiet);
    this.quiet = null;
    if (!this.disposed) await this.raiseAway();
  }

  private async handle(m: JsMsg, hold: boolean): Promise<void> {
    const { core, cursor } = this.opts;
    const seq = m.seq;
    const key = this.key;
    const last = cursor.cursor().seq;
    if (seq <= last) return;
    if (last > 0 && seq > last + 1) {
      // The stream's limits (age, size) dropped them before this Crashbell could read them.
      const missed = seq - last - 1;
      core.warn(
        `Relay: ${missed} event${missed === 1 ? ' was' : 's were'} dropped from the stream (its age or size limit) before this Crashbell read ${missed === 1 ? 'it' : 'them'}`,
      );
    }
    const decoded = decodeEnvelope(m.data);
    if (!decoded.ok) {
      core.warn(`Relay: skipped stream message ${seq} on ${m.subject}: ${decoded.reason}`);
      await cursor.moveTo(key, seq);
      return;
    }
    const envelope = decoded.envelope;
    if (envelope.kind === 'test') {
      if (envelope.origin === this.opts.origin) this.opts.onTest(envelope.nonce);
      await cursor.moveTo(key, seq);
      return;
    }
    // A gateway that also subscribes has its own hooks already: they went into its history when it accepted them.
    if (envelope.origin === this.opts.origin) {
      await cursor.moveTo(key, seq);
      return;
    }
    const { event, rawJson } = eventOf(envelope);
    const source = core.sourceById(event.sourceId) ?? sourceFromEnvelope(envelope.source);
    const marks = this.opts.marks;
    if (marks) await marks.before(event);
    const held = hold || this.burstHolds(m, envelope);
    // A live event after a burst: the burst was over before it, so its summary comes first.
    if (this.burst && !held) await this.endBurst();
    const result = await core.ingest(event, source, rawJson, { kind: 'relay', seq, hold: held });
    this.lastEventAt = event.receivedAt;
    if (marks && !result.duplicate) await marks.after(result.group.id);
    // Nothing left behind it, in the stream or at its gateway: the burst is over.
    if (this.burst && m.info.pending === 0 && (envelope.behind ?? 0) === 0) await this.endBurst();
  }
}
