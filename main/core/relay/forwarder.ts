/**
 * The gateway's forwarder: the relay's outbox (outbox.ts), forwarded to the stream in order and at least once. One entry
 * is in flight at a time, each with its stable `Nats-Msg-Id`, and an entry counts as forwarded only once
 * JetStream acknowledged it (the inbox then records that durably, coalesced with its other writes). While
 * NATS is away nothing is lost: the outbox is on disk, the forwarder waits for the connection, and retries
 * the same entry with a capped backoff (a publish made while disconnected is discarded by the client, so it
 * is never counted as sent).
 *
 * A publish JetStream answers as a duplicate (its `Nats-Msg-Id` already in the stream) is counted and said,
 * never silently taken for a new message.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Outbox, OutboxEntry } from './outbox';
import { getProvider } from '../providers/index';
import type { RelayConnection } from './connection';
import { type EnvelopeSource, encodeEvent, msgIdFor, subjectFor } from './envelope';
import { explainJetStreamError, isTransient } from './reasons';
import { sleep, Waker } from './wait';

export interface ForwarderOptions {
  outbox: Pick<Outbox, 'next' | 'forwarded' | 'onDurable'>;
  connection: Pick<RelayConnection, 'whenConnected' | 'connected'>;
  /** The JetStream client of the current connection (null between connections). */
  jetstream: () => JetStreamClient | null;
  stream: string;
  origin: string;
  /** A problem a person should see (null: it cleared), and progress. */
  onProblem: (reason: string | null) => void;
  onForwarded?: (entry: OutboxEntry, streamSeq: number) => void;
  log?: (message: string) => void;
  /** Per publish; default 5 s. */
  publishTimeoutMs?: number;
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
        const msgID = msgIdFor(entry.event);
        try {
          const ack = await js.publish(
            subjectFor(entry.event.sourceId),
            encodeEvent(this.opts.origin, sourceOf(entry), entry.event, entry.rawJson),
            {
              msgID,
              timeout: this.opts.publishTimeoutMs ?? 5_000,
              expect: { streamName: this.opts.stream },
            },
          );
          if (ack.duplicate) {
            this.duplicates++;
            this.opts.log?.(
              `relay: JetStream already held a message with the id of hook ${entry.seq} ("${entry.event.title}", ${msgID}) and did not store it again: ` +
                'a re-send after a restart or an outage, or the same hook through another gateway',
            );
          }
          // Not awaited: the next publish goes out while the position is written (a crash re-sends a few,
          // and JetStream drops them by their ids).
          void this.opts.outbox.forwarded(entry.seq);
          this.forwarded++;
          this.lastForwardedAt = new Date().toISOString();
          this.opts.onForwarded?.(entry, ack.seq);
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

  async stop(): Promise<void> {
    this.abort.abort();
    this.offOutbox.dispose();
    await this.running;
  }
}
