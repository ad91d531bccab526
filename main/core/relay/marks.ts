/**
 * Team marks: resolving or muting a group, shared through a JetStream key-value bucket (one key per group id)
 * so every member's Crashbell shows "Resolved by <member>" and the regression rule uses it.
 *
 * A shared mark applies to a member's local group by event time, not by arrival: a resolve made at T covers
 * the hooks received before T, and a hook received after T is a regression. So during a catch-up a mark waits
 * for the events it follows (applied right after the last older one, or right before the first newer one),
 * and a resolve older than the group's latest hook is stale (the error came back since) and is not applied.
 */
import { jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { GroupMarks, GroupSummary, NormalizedEvent } from '../../../shared/events';
import type { ExtensionHost } from '../core';
import { groupIdFor } from '../inbox/grouping';
import { explainJetStreamError } from './reasons';
import { sleep } from './wait';

/** A group's shared marks as the bucket holds them. */
export interface TeamMark {
  resolved?: boolean;
  muted?: boolean;
  /** The member who set them last. */
  by: string;
  /** ISO 8601, when they were set. */
  at: string;
  /** The Crashbell instance that set them (its own marks come back through the watch and are skipped). */
  origin: string;
}

const teamMarkSchema = z.object({
  v: z.number().int().min(1).optional(),
  resolved: z.boolean().optional(),
  muted: z.boolean().optional(),
  by: z.string().max(100),
  at: z.string().max(64),
  origin: z.string().max(100),
});

/** Parses a bucket value; null when it is not a team mark this Crashbell can read. */
export function parseTeamMark(data: Uint8Array): TeamMark | null {
  try {
    const parsed = teamMarkSchema.safeParse(JSON.parse(new TextDecoder().decode(data)));
    if (!parsed.success || Number.isNaN(Date.parse(parsed.data.at))) return null;
    const { v: _v, ...mark } = parsed.data;
    return mark as TeamMark;
  } catch {
    return null;
  }
}

/** What the local group is, as far as a team mark cares. */
export type LocalMarks = Pick<GroupSummary, 'resolved' | 'muted' | 'lastReceivedAt'> &
  Partial<Pick<GroupSummary, 'resolvedBy' | 'mutedBy'>>;

/**
 * The marks a team mark sets on the local group now, or null when it changes nothing. A resolve older than the
 * group's latest hook is stale: the error came back after it, so the group stays open.
 */
export function teamMarkAction(local: LocalMarks | null, mark: TeamMark): GroupMarks | null {
  if (local === null) return null;
  const out: GroupMarks = {};
  if (mark.muted !== undefined && (mark.muted !== local.muted || (mark.muted && (local.mutedBy ?? null) !== mark.by)))
    out.muted = mark.muted;
  if (mark.resolved !== undefined && (mark.resolved !== local.resolved || (mark.resolved && (local.resolvedBy ?? null) !== mark.by))) {
    const stale = mark.resolved && Date.parse(local.lastReceivedAt) > Date.parse(mark.at);
    if (!stale) out.resolved = mark.resolved;
  }
  return Object.keys(out).length > 0 ? out : null;
}

export interface TeamMarksOptions {
  core: ExtensionHost;
  bucket: string;
  replicas: number;
  origin: string;
  member: () => string;
  /** False while the subscriber catches up: marks then wait for the events they follow. */
  live: () => boolean;
  onProblem: (reason: string | null) => void;
  log?: (message: string) => void;
}

/** The bucket's keys are group ids (base64url); a key that is not one is ignored. */
const KEY = /^[A-Za-z0-9_-]{1,64}$/;

export class TeamMarks {
  private readonly opts: TeamMarksOptions;
  private readonly marks = new Map<string, TeamMark>();
  private kv: KV | null = null;
  private readyResolve: (() => void) | null = null;
  /** Resolves once the bucket's current marks are known (or it could not be read): catch-ups wait for it. */
  ready: Promise<void>;

  constructor(opts: TeamMarksOptions) {
    this.opts = opts;
    this.ready = new Promise((r) => (this.readyResolve = r));
  }

  /** Opens (or creates) the bucket on a new connection and follows it; returns the cleanup. */
  attach(nc: NatsConnection): () => Promise<void> {
    const abort = new AbortController();
    const running = this.follow(nc, abort.signal);
    return async () => {
      abort.abort();
      await running;
    };
  }

  private async open(nc: NatsConnection): Promise<KV> {
    // Without the API check: it would ask $JS.API.INFO first, one more permission for members to need.
    const kvm = new Kvm(jetstream(nc, { checkAPI: false, timeout: 5_000 }));
    const kv = await kvm.open(this.opts.bucket);
    try {
      await kv.status();
      return kv;
    } catch (err) {
      if (!/stream not found/i.test((err as Error).message)) throw err;
    }
    return kvm.create(this.opts.bucket, { history: 1, replicas: this.opts.replicas });
  }

  private async follow(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    let delay = 1_000;
    while (!signal.aborted) {
      try {
        const kv = await this.open(nc);
        this.kv = kv;
        const status = await kv.status();
        const last = status.streamInfo.state.last_seq;
        const watch = await kv.watch({ key: '>' });
        const onAbort = (): void => void watch.stop();
        signal.addEventListener('abort', onAbort, { once: true });
        // Told to stop while the bucket was being opened: the listener came too late to hear it.
        if (signal.aborted) watch.stop();
        if (last === 0) this.markReady();
        this.opts.onProblem(null);
        delay = 1_000;
        for await (const entry of watch) {
          if (entry.operation === 'PUT' && KEY.test(entry.key)) {
            const mark = parseTeamMark(entry.value);
            if (mark && mark.origin !== this.opts.origin) {
              this.marks.set(entry.key, mark);
              if (this.opts.live()) await this.apply(entry.key);
            } else if (mark) {
              this.marks.set(entry.key, mark);
            }
          } else if (entry.operation !== 'PUT') {
            this.marks.delete(entry.key);
          }
          if (entry.delta === 0 || entry.revision >= last) this.markReady();
        }
        signal.removeEventListener('abort', onAbort);
      } catch (err) {
        if (signal.aborted) break;
        this.markReady();
        this.opts.onProblem(`Team marks: ${explainJetStreamError(err, `use the team marks bucket ${this.opts.bucket}`).reason}`);
      } finally {
        this.kv = null;
      }
      await sleep(delay, signal);
      delay = Math.min(delay * 2, 30_000);
    }
  }

  private markReady(): void {
    this.readyResolve?.();
    this.readyResolve = null;
  }

  /** Applies a group's team mark to the local group, when it is due. */
  async apply(groupId: string): Promise<GroupSummary | null> {
    const mark = this.marks.get(groupId);
    if (!mark) return null;
    const local = this.opts.core.group(groupId);
    const marks = teamMarkAction(local, mark);
    if (!marks) return null;
    return this.opts.core.mark(groupId, marks, mark.by, { via: 'team' });
  }

  /** Before a relayed event: a resolve made before it applies first, so the event counts as a regression. */
  async before(event: NormalizedEvent): Promise<void> {
    const id = groupIdFor(event.sourceId, event.groupKey);
    const mark = this.marks.get(id);
    if (mark && Date.parse(mark.at) <= Date.parse(event.receivedAt)) await this.apply(id);
  }

  /** After an event: a mark made after it applies now (it covers this hook). */
  async after(groupId: string): Promise<void> {
    if (this.marks.has(groupId)) await this.apply(groupId);
  }

  /** Applies every mark that is due (once a catch-up is over). */
  async sweep(): Promise<void> {
    for (const id of [...this.marks.keys()]) await this.apply(id);
  }

  /**
   * Shares a member's resolve or mute with the team. Read marks stay local. Throws with the reason when the
   * bucket cannot be written.
   */
  async share(groupId: string, marks: GroupMarks): Promise<void> {
    if (marks.resolved === undefined && marks.muted === undefined) return;
    const kv = this.kv;
    if (!kv) throw new Error('The team relay is not connected: the mark was kept on this machine only');
    const previous = this.marks.get(groupId);
    const next: TeamMark = {
      ...(previous?.resolved !== undefined ? { resolved: previous.resolved } : {}),
      ...(previous?.muted !== undefined ? { muted: previous.muted } : {}),
      ...(marks.resolved !== undefined ? { resolved: marks.resolved } : {}),
      ...(marks.muted !== undefined ? { muted: marks.muted } : {}),
      by: this.opts.member(),
      at: new Date().toISOString(),
      origin: this.opts.origin,
    };
    try {
      await kv.put(groupId, JSON.stringify({ v: 1, ...next }));
    } catch (err) {
      throw new Error(explainJetStreamError(err, `share the mark through ${this.opts.bucket}`).reason);
    }
    this.marks.set(groupId, next);
  }

  /** Who shared a group's current mark, for tests and the state. */
  markOf(groupId: string): TeamMark | null {
    return this.marks.get(groupId) ?? null;
  }
}
