/**
 * The gateway's forwarder: the relay's outbox (outbox.ts), forwarded to the stream in order and at least once. One entry
 * is in flight at a time, each with its stable `Nats-Msg-Id`, and an entry counts as forwarded only once
 * JetStream acknowledged it (the inbox then records that durably, coalesced with its other writes). While
 * NATS is away nothing is lost: the outbox is on disk, the forwarder waits for the connection, and retries
 * the same entry with a capped backoff (a publish made while disconnected is discarded by the client, so it
 * is never counted as sent).
 *
 * No one entry may stop the ones after it: each envelope is fitted under the largest message the server takes
 * (its `max_payload`, and the stream's `max_msg_size`), the raw body trimmed with a marker when it does not fit;
 * an entry NATS refuses for itself (too large even so, a subject it rejects) is parked in the outbox with the
 * reason, and the next one goes. A publish JetStream answers as a duplicate (its `Nats-Msg-Id` already in the
 * stream) is counted and said, never silently taken for a new message.
 */
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { Outbox, OutboxEntry } from './outbox';
import { oneLine } from '../plain-text';
import { getProvider } from '../providers/index';
import type { RelayConnection } from './connection';
import { type EnvelopeSource, encodeEventWithin, MAX_ENVELOPE_BYTES, msgIdFor, subjectFor } from './envelope';
import { explainJetStreamError, isTransient, messageRefusal } from './reasons';
import { sleep, Waker } from './wait';

export interface ForwarderOptions {
  outbox: Pick<Outbox, 'next' | 'forwarded' | 'onDurable' | 'park' | 'stats'>;
  connection: Pick<RelayConnection, 'whenConnected' | 'connected'>;
  /** The JetStream client of the current connection (null between connections). */
  jetstream: () => JetStreamClient | null;
  stream: string;
  origin: string;
  /**
   * The largest message the server and the stream take now, in bytes (the connection's `max_payload`, the
   * stream's `max_msg_size`); null while not known.
   */
  maxMessageBytes: () => number | null;
  /** Reads the limits again (after NATS refused a message as too large). */
  refreshLimits?: () => Promise<void>;
  /** A problem a person should see (null: it cleared), and progress. */
  onProblem: (reason: string | null) => void;
  onForwarded?: (entry: OutboxEntry, streamSeq: number) => void;
  /** An entry was set aside for good: it cannot be forwarded as it is, and the entries after it go on. */
  onParked?: (entry: OutboxEntry, reason: string) => void;
  log?: (message: string) => void;
  /** Per publish; default 5 s. */
  publishTimeoutMs?: number;
}

/**
 * Room kept for what travels beside the envelope in the same message: the headers (`Nats-Msg-Id`,
 * `Nats-Expected-Stream`), which the server counts against the same limit.
 */
function headerRoom(msgId: string, stream: string): number {
  return 128 + msgId.length + stream.length;
}

/** The source an entry travels with (an entry of a source since removed still names its provider). */
function sourceOf(entry: OutboxEntry): EnvelopeSource {
  if (entry.source) return entry.source as EnvelopeSource;
  return {
    id: entry.event.sourceId,
    provider: entry.event.provider,
    name: getProvider(entry.event.provider)?.name ?? entry.event.provider,
  };
}

export class Forwarder {
  private readonly opts: ForwarderOptions;
  private readonly waker = new Waker();
  private readonly abort = new AbortController();
  private readonly offOutbox: { dispose(): void };
  private running: Promise<void> | null = null;
  /** When the last entry was acknowledged (ISO 8601). */
  lastForwardedAt: string | null = null;
  /** Entries acknowledged since start. */
  forwarded = 0;
  /** Publishes JetStream answered as duplicates since start (the stream already held a message of that id). */
  duplicates = 0;

  constructor(opts: ForwarderOptions) {
    this.opts = opts;
    this.offOutbox = opts.outbox.onDurable(() => this.waker.wake());
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** A new connection: look again at once. */
  poke(): void {
    this.waker.wake();
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    let delay = 250;
    let failures = 0;
    while (!signal.aborted) {
      await this.opts.connection.whenConnected(signal);
      const js = this.opts.jetstream();
      if (signal.aborted) break;
      if (!js) {
        await this.waker.wait(500, signal);
        continue;
      }
      const entries = this.opts.outbox.next(64);
      if (entries.length === 0) {
        await this.waker.wait(5_000, signal);
        continue;
      }
      for (const entry of entries) {
        if (signal.aborted || !this.opts.connection.connected) break;
        try {
          await this.forwardOne(js, entry);
          if (failures > 0) this.opts.onProblem(null);
          failures = 0;
          delay = 250;
        } catch (err) {
          if (signal.aborted) break;
          failures++;
          const explained = explainJetStreamError(err, `forward hooks to the stream ${this.opts.stream}`);
          const transient = isTransient(err);
          // A failover takes a few seconds: say so only when it lasts.
          if (!transient || failures >= 3) this.opts.onProblem(`Gateway: ${explained.reason}`);
          this.opts.log?.(`relay: forwarding entry ${entry.seq} failed (${explained.reason})`);
          await sleep(delay, signal);
          delay = Math.min(delay * 2, transient ? 10_000 : 30_000);
          break;
        }
      }
    }
  }

  /**
   * Publishes one entry, fitted under the largest message NATS takes now, or parks it when NATS refuses that
   * message for itself. Throws for every other failure: the entry stays at the head and is retried.
   */
  private async forwardOne(js: JetStreamClient, entry: OutboxEntry): Promise<void> {
    const msgID = msgIdFor(entry.event);
    for (let attempt = 1; ; attempt++) {
      const limit = Math.min(this.opts.maxMessageBytes() ?? MAX_ENVELOPE_BYTES, MAX_ENVELOPE_BYTES);
      // How many wait behind it: members tell a backlog arriving (after an outage) from live hooks by it.
      const behind = Math.max(0, this.opts.outbox.stats().pending - 1);
      const room = limit - headerRoom(msgID, this.opts.stream);
      const fitted = encodeEventWithin(this.opts.origin, sourceOf(entry), entry.event, entry.rawJson, room, { behind });
      if (!fitted.ok) {
        await this.park(
          entry,
          `its event alone is ${fitted.bytes} bytes, over the ${limit} bytes NATS takes per message (the server's max_payload, or the stream's max_msg_size): raise it on the server`,
        );
        return;
      }
      if (fitted.trimmed) {
        this.opts.log?.(
          `relay: the body of hook ${entry.seq} ("${oneLine(entry.event.title)}") is ${fitted.trimmed.bytes} bytes, more than the ${limit} bytes NATS takes per message: forwarded with its first ${fitted.trimmed.kept} characters and a note saying so`,
        );
      }
      let ack: PubAck;
      try {
        ack = await js.publish(subjectFor(entry.event.sourceId), fitted.data, {
          msgID,
          timeout: this.opts.publishTimeoutMs ?? 5_000,
          expect: { streamName: this.opts.stream },
        });
      } catch (err) {
        const refusal = messageRefusal(err);
        if (refusal === null) throw err;
        // The limits may have changed since they were read (the stream's max_msg_size lowered, a node with a
        // lower max_payload): fitted once more under fresh ones before it is given up on.
        if (attempt === 1 && this.opts.refreshLimits) {
          await this.opts.refreshLimits();
          continue;
        }
        await this.park(entry, refusal);
        return;
      }
      if (ack.duplicate) {
        this.duplicates++;
        this.opts.log?.(
          `relay: JetStream already held a message with the id of hook ${entry.seq} ("${oneLine(entry.event.title)}", ${msgID}) and did not store it again: ` +
            'a re-send after a restart or an outage, or the same hook through another gateway',
        );
      }
      // Not awaited: the next publish goes out while the position is written (a crash re-sends a few, and
      // JetStream drops them by their ids).
      void this.opts.outbox.forwarded(entry.seq);
      this.forwarded++;
      this.lastForwardedAt = new Date().toISOString();
      this.opts.onForwarded?.(entry, ack.seq);
      return;
    }
  }

  /** Sets an entry aside for good (durably, with the reason), so the ones after it go on. */
  private async park(entry: OutboxEntry, reason: string): Promise<void> {
    await this.opts.outbox.park(entry.seq, reason, entry.event.title);
    if (this.opts.onParked) this.opts.onParked(entry, reason);
    else this.opts.log?.(`relay: hook ${entry.seq} ("${oneLine(entry.event.title)}") cannot be forwarded and is parked: ${reason}`);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.offOutbox.dispose();
    await this.running;
  }
}
