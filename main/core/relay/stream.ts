/**
 * The relay's stream: what a gateway creates when it is missing, and the check every member makes that a
 * stream of that name is really Crashbell's (a stream with other subjects is refused in words, never adopted).
 */
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  type StreamConfig,
  type StreamInfo,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { STREAM_SUBJECTS } from './envelope';

const DAY_MS = 86_400_000;

/**
 * JetStream's de-duplication window for `Nats-Msg-Id`. A day, not the 2-minute default: a redelivery to the
 * same gateway never reaches the stream (the gateway's inbox answers it as a duplicate without forwarding),
 * so the window serves the cases only the stream can catch, and those are far apart in time: the same hook
 * through a second gateway (Sentry's three retries 5 minutes apart, Honeybadger's and Bugsnag's schedules of
 * minutes to hours), and a gateway re-sending entries after a restart or a NATS outage whose ack was lost.
 * Retry schedules beyond a day (Rollbar's, over about 16 days) outlive what a subscriber could still read
 * anyway; each subscriber's own redelivery keys catch those. The cost is the server's memory for ids seen in
 * a day (about 100 bytes each).
 */
export const DUPLICATE_WINDOW_MS = DAY_MS;

/** What a gateway creates the stream with. */
export interface StreamLimits {
  name: string;
  maxAgeDays: number;
  maxBytes: number;
  replicas: number;
}

export function streamConfig(limits: StreamLimits): Partial<StreamConfig> & { name: string } {
  const maxAge = limits.maxAgeDays * DAY_MS;
  return {
    name: limits.name,
    subjects: [...STREAM_SUBJECTS],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(maxAge),
    max_bytes: limits.maxBytes,
    // A message is at most a 1 MiB body plus its event.
    max_msg_size: 4 * 1024 * 1024,
    duplicate_window: nanos(Math.min(DUPLICATE_WINDOW_MS, maxAge)),
    num_replicas: limits.replicas,
  };
}

/** A stream of the relay's name exists but is not the relay's. */
export class ForeignStreamError extends Error {}

/** Refuses a stream whose subjects are not the relay's, in words saying what to do. */
export function checkStream(info: StreamInfo, name: string): void {
  const have = [...(info.config.subjects ?? [])].sort();
  const want = [...STREAM_SUBJECTS].sort();
  if (have.join(',') !== want.join(',')) {
    throw new ForeignStreamError(
      `The stream ${name} exists with other subjects (${have.join(', ') || 'none'}); Crashbell needs ${want.join(', ')}. ` +
        'Choose another stream name in the relay settings, or ask your NATS admin to fix that stream',
    );
  }
}

/** True when the error is JetStream's "stream not found". */
export function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

/** The stream's info, creating the stream first when it is missing and `create` is allowed (gateways). */
export async function ensureStream(
  jsm: JetStreamManager,
  limits: StreamLimits,
  create: boolean,
): Promise<{ info: StreamInfo; created: boolean }> {
  try {
    const info = await jsm.streams.info(limits.name);
    checkStream(info, limits.name);
    return { info, created: false };
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
    if (!create) {
      throw new MissingStreamError(
        `The stream ${limits.name} does not exist yet: a gateway creates it when it first connects (relay "publish": true), or check the stream name`,
      );
    }
  }
  const info = await jsm.streams.add(streamConfig(limits));
  return { info, created: true };
}

/** The stream is not there and this Crashbell does not create it. */
export class MissingStreamError extends Error {}

/** The identity a subscriber's cursor belongs to: a recreated stream (same name) starts over. */
export function streamKey(info: StreamInfo): string {
  return `${info.config.name}@${info.created}`;
}

/**
 * How far apart the nodes of a cluster may date one stream's creation. nats-server 2.9 lets each replica date the
 * stream as it takes it on (seen 18 ms apart in the cluster test, after a failover), so its `created` differs by
 * the node that answers; a stream deleted and made anew is later than this, by the hand of an admin.
 */
export const CREATED_SPREAD_MS = 60_000;

/** Whether two {@link streamKey}s name the same stream: its name, and creation times no further apart than a cluster's spread. */
export function sameStream(a: string, b: string): boolean {
  if (a === b) return true;
  const at = a.lastIndexOf('@');
  const bt = b.lastIndexOf('@');
  if (at < 0 || bt < 0 || a.slice(0, at) !== b.slice(0, bt)) return false;
  const apart = Math.abs(Date.parse(a.slice(at + 1)) - Date.parse(b.slice(bt + 1)));
  return apart <= CREATED_SPREAD_MS;
}
