/**
 * Team marks: what a member did to a group (resolved, muted, ignored, snoozed, assigned, claimed or released),
 * shared through a JetStream key-value bucket so every member's Crashbell shows "Resolved in Sentry by ana" or
 * "ana is on it", and the regression rule uses it.
 *
 * Who did it is what NATS enforced, not a field anyone can write. Each Crashbell writes only under its own
 * member key, `<member>.<group id>.<instance>` (the bucket's subject `$KV.<bucket>.<member>.>`, which the
 * server's per-user permissions grant to that user alone), and a reader takes the member from the key. The
 * member is the NATS user name (or the `.creds` JWT's name, which a scoped signing key's `{{name()}}` template
 * names); with a token or no authentication the server cannot tell members apart, and the member setting
 * stands in. One key per instance, so one person's two machines never overwrite each other's marks.
 *
 * A value holds each kind of mark that instance set, each with its own time and the provider it was also made
 * in; a reader takes, for each kind, the latest one over every key of the group. A resolve also ends a snooze
 * and a claim, and a reopen an ignore, as they do here (record-codec.ts `triageWith`), so those are written
 * with it.
 *
 * A shared mark applies to a member's local group by event time, not by arrival: a resolve made at T covers
 * the hooks received before T, and a hook received after T is a regression. So during a catch-up a mark waits
 * for the events it follows (applied right before the first newer one, or when the catch-up ends), and a
 * resolve older than the group's latest hook is stale (the error came back since) and is not applied. A time a
 * value claims is never later than the server stored it (a member cannot pin a mark in the future).
 */
import { readFile } from 'node:fs/promises';
import { jetstream } from '@nats-io/jetstream';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import { credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { GroupMarks, GroupSummary, NormalizedEvent } from '../../../shared/events';
import type { RelayAuth } from '../../../shared/settings';
import type { ExtensionHost } from '../core';
import { groupIdFor } from '../inbox/grouping';
import { explainJetStreamError, permissionViolationOf } from './reasons';
import { sleep } from './wait';

/** The bucket's limits: what one value may take, and all of them together. */
export const MARK_MAX_VALUE_BYTES = 2_048;
export const MARKS_MAX_BYTES = 32 * 1024 * 1024;
/**
 * How long a mark stays in the bucket after it was last written: as long as a member's history keeps a group by
 * default (retention's 90 days), so the bucket never fills with marks of errors long gone. Marks already applied
 * stay in each member's history.
 */
export const MARKS_TTL_MS = 90 * 24 * 3_600_000;
/** How many keys a reader keeps: a bucket made without limits (by hand) cannot make it grow without end. */
const MAX_KEYS = 100_000;
/** Warnings about marks that cannot be read, per run; after them, a last one says the rest are ignored quietly. */
const MAX_WARNINGS = 20;
/** How far a value's times may run ahead of when the server stored it (clocks differ a little). */
const CLOCK_SKEW_MS = 60_000;
/** The newest value format this Crashbell writes and reads. */
const FORMAT = 2;

/** A member key: one token of a NATS subject that a KV key and a permission line can both hold. */
export const MEMBER_KEY = /^[A-Za-z0-9_-]{1,64}$/;
/** Group ids are base64url (inbox/grouping.ts). */
const GROUP_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Instance ids as instance-id.ts makes them. */
const INSTANCE = /^[A-Za-z0-9_-]{8,64}$/;

/** The kinds of mark a team shares. `claim` is the claim's end (null: released); its holder is the key's member. */
export const MARK_KINDS = ['resolved', 'muted', 'ignored', 'snoozedUntil', 'snoozeCount', 'assignee', 'claim'] as const;
export type MarkKind = (typeof MARK_KINDS)[number];

/** One kind of mark as a value holds it: what it was set to, when, and the provider it was also made in. */
export interface MarkField<T> {
  to: T;
  /** ISO 8601. */
  at: string;
  /** The provider it was also made in ("Sentry"), when an action went through its API. */
  in?: string;
}

/** What one instance of a member set on a group, kind by kind. */
export interface TeamFields {
  resolved?: MarkField<boolean>;
  muted?: MarkField<boolean>;
  ignored?: MarkField<boolean>;
  snoozedUntil?: MarkField<string | null>;
  snoozeCount?: MarkField<number | null>;
  assignee?: MarkField<string | null>;
  claim?: MarkField<string | null>;
}

const iso = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)));
const field = <T extends z.ZodType>(to: T) => z.object({ to, at: iso, in: z.string().min(1).max(64).optional() }).optional();
const fieldsSchema = z.object({
  resolved: field(z.boolean()),
  muted: field(z.boolean()),
  ignored: field(z.boolean()),
  snoozedUntil: field(iso.nullable()),
  snoozeCount: field(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable()),
  assignee: field(z.string().max(200).nullable()),
  claim: field(iso.nullable()),
});

/** A bucket value read: its marks, or why it cannot be used. */
export type ParsedValue = { ok: true; fields: TeamFields } | { ok: false; reason: string };

/** Parses a bucket value. */
export function parseMarkValue(data: Uint8Array): ParsedValue {
  if (data.length > MARK_MAX_VALUE_BYTES) return { ok: false, reason: `its value is ${data.length} bytes, over ${MARK_MAX_VALUE_BYTES}` };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return { ok: false, reason: 'its value is not JSON' };
  }
  const v = (json as { v?: unknown } | null)?.v;
  if (typeof v === 'number' && v > FORMAT)
    return { ok: false, reason: `it was written by a newer Crashbell (format ${v}): update Crashbell` };
  if (v !== FORMAT) return { ok: false, reason: 'it is not a team mark of this format (an earlier Crashbell wrote it, or not Crashbell)' };
  const parsed = fieldsSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'its value is not a well-formed team mark' };
  const fields: TeamFields = {};
  for (const kind of MARK_KINDS) {
    const f = parsed.data[kind];
    if (f) (fields as Record<MarkKind, MarkField<unknown>>)[kind] = f;
  }
  return { ok: true, fields };
}

/** The bytes a value is written as. */
export function encodeMarkValue(fields: TeamFields): string {
  return JSON.stringify({ v: FORMAT, ...fields });
}

/** The key an instance of a member writes a group's marks under. */
export function markKey(member: string, groupId: string, instance: string): string {
  return `${member}.${groupId}.${instance}`;
}

/** A key's parts, or null when it is not `<member>.<group id>.<instance>`. */
export function parseMarkKey(key: string): { member: string; groupId: string; instance: string } | null {
  const parts = key.split('.');
  if (parts.length !== 3) return null;
  const [member, groupId, instance] = parts as [string, string, string];
  if (!MEMBER_KEY.test(member) || !GROUP_ID.test(groupId) || !INSTANCE.test(instance)) return null;
  return { member, groupId, instance };
}

/**
 * The kinds of mark a change shares, at `at`: read marks stay local. A resolve or reopen also ends a snooze and
 * a claim, and a reopen an ignore (unless the change says otherwise), as they do in each member's history. Null
 * when nothing is shared.
 */
export function fieldsFor(marks: GroupMarks, at: string, inProvider: string | null): TeamFields | null {
  const where = inProvider ? inProvider.slice(0, 64) : null;
  const f = <T>(to: T): MarkField<T> => (where ? { to, at, in: where } : { to, at });
  const out: TeamFields = {};
  if (marks.resolved !== undefined) {
    out.resolved = f(marks.resolved);
    out.snoozedUntil = f(null);
    out.snoozeCount = f(null);
    out.claim = f(null);
    if (!marks.resolved) out.ignored = f(false);
  }
  if (marks.muted !== undefined) out.muted = f(marks.muted);
  if (marks.ignored !== undefined) out.ignored = f(marks.ignored);
  if (marks.snoozedUntil !== undefined) out.snoozedUntil = f(marks.snoozedUntil);
  if (marks.snoozeCount !== undefined) out.snoozeCount = f(marks.snoozeCount);
  if (marks.assignee !== undefined) out.assignee = f(marks.assignee);
  if (marks.claimedBy === null) out.claim = f(null);
  // A claim is shared with its end: the holder is whoever's key it is under.
  else if (marks.claimedBy !== undefined && marks.claimedUntil) out.claim = f(marks.claimedUntil);
  return Object.keys(out).length > 0 ? out : null;
}

/** One kind of mark as the team last set it: who (from the key), on which instance, and when (clamped). */
export interface LatestMark<T = unknown> {
  member: string;
  instance: string;
  field: MarkField<T>;
  /** When it was set, in ms, never later than the server stored its value (plus a little skew). */
  atMs: number;
}

/** One key of a group: a member's instance's marks, and when the server stored them. */
export interface KeyedMarks {
  member: string;
  instance: string;
  fields: TeamFields;
  /** When the server stored the value, in ms. */
  storedMs: number;
}

/** For each kind, the latest mark over every key of a group (ties go to the member, then instance, sorted last). */
export function latestMarks(keys: Iterable<KeyedMarks>): Map<MarkKind, LatestMark> {
  const out = new Map<MarkKind, LatestMark>();
  for (const k of keys) {
    for (const kind of MARK_KINDS) {
      const f = k.fields[kind] as MarkField<unknown> | undefined;
      if (!f) continue;
      const atMs = Math.min(Date.parse(f.at), k.storedMs + CLOCK_SKEW_MS);
      const have = out.get(kind);
      const later = !have || atMs > have.atMs || (atMs === have.atMs && `${k.member}.${k.instance}` > `${have.member}.${have.instance}`);
      if (later) out.set(kind, { member: k.member, instance: k.instance, field: f, atMs });
    }
  }
  return out;
}

/** What the local group is, as far as a team mark cares. */
export type LocalMarks = Pick<GroupSummary, 'resolved' | 'muted' | 'lastReceivedAt'> &
  Partial<
    Pick<GroupSummary, 'resolvedBy' | 'mutedBy' | 'ignored' | 'snoozedUntil' | 'snoozeCount' | 'assignee' | 'claimedBy' | 'claimedUntil'>
  >;

/**
 * What one team mark changes on the local group now: the marks to set, `{}` when nothing (the group shows it
 * already, or it is stale: a resolve older than the group's latest hook, a claim or snooze already over), or
 * null when the group is not here yet (it waits).
 */
export function markChange(local: LocalMarks | null, kind: MarkKind, latest: LatestMark, now: number): GroupMarks | null {
  if (local === null) return null;
  const to = latest.field.to;
  const by = latest.member;
  switch (kind) {
    case 'resolved': {
      if (to === true && Date.parse(local.lastReceivedAt) > latest.atMs) return {};
      const same = to === local.resolved && (!to || (local.resolvedBy ?? null) === by);
      return same ? {} : { resolved: to as boolean };
    }
    case 'muted': {
      const same = to === local.muted && (!to || (local.mutedBy ?? null) === by);
      return same ? {} : { muted: to as boolean };
    }
    case 'ignored':
      return to === (local.ignored === true) ? {} : { ignored: to as boolean };
    case 'snoozedUntil':
      if (to !== null && Date.parse(to as string) <= now) return {};
      return to === (local.snoozedUntil ?? null) ? {} : { snoozedUntil: to as string | null };
    case 'snoozeCount':
      return to === (local.snoozeCount ?? null) ? {} : { snoozeCount: to as number | null };
    case 'assignee':
      return to === (local.assignee ?? null) ? {} : { assignee: to as string | null };
    case 'claim': {
      if (to === null) return (local.claimedBy ?? null) === null ? {} : { claimedBy: null };
      if (Date.parse(to as string) <= now) return {};
      const same = (local.claimedBy ?? null) === by && (local.claimedUntil ?? null) === to;
      return same ? {} : { claimedBy: by, claimedUntil: to as string };
    }
  }
}

/** Who this Crashbell's marks are written as: its member key, and whether the server enforces it. */
export interface MarkIdentity {
  member: string;
  /** True when it is the NATS identity the server's permissions name; false with a token or no authentication. */
  enforced: boolean;
}

/** A member key this Crashbell cannot use: the message says why and what to change. */
export class MarkIdentityError extends Error {}

function checkMemberKey(name: string, what: string): string {
  if (MEMBER_KEY.test(name)) return name;
  throw new MarkIdentityError(
    `${what} "${name.slice(0, 80)}" cannot name team marks (a key in the marks bucket takes letters, digits, - and _, up to 64): ask your NATS admin for such a user name. Your marks stay on this machine; teammates' marks still show here`,
  );
}

/** The member key when the server cannot tell members apart: the member name, with what a key cannot hold replaced. */
function unenforced(member: string): MarkIdentity {
  const key = member.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64);
  return { member: /^_*$/.test(key) ? 'member' : key, enforced: false };
}

/**
 * The member key at once when it needs no file: the NATS user name, or the stand-in with a token or no
 * authentication; null for a `.creds` file (see {@link markIdentity}). Throws {@link MarkIdentityError}.
 */
export function identityNow(auth: RelayAuth | null, member: string): MarkIdentity | null {
  if (auth && 'credsFile' in auth) return null;
  if (auth && 'user' in auth) return { member: checkMemberKey(auth.user, 'The NATS user name'), enforced: true };
  return unenforced(member);
}

/**
 * The member key this Crashbell writes marks under: the NATS user name; the `.creds` JWT's name (what a scoped
 * signing key's `{{name()}}` template expands to), else its subject; or, when the server cannot tell members
 * apart (a token, no authentication), the member name with what a key cannot hold replaced. Throws
 * {@link MarkIdentityError}.
 */
export async function markIdentity(auth: RelayAuth | null, member: string): Promise<MarkIdentity> {
  const now = identityNow(auth, member);
  if (now !== null || !auth || !('credsFile' in auth)) return now ?? unenforced(member);
  let name: unknown;
  try {
    // The library's own reading of the file; the JWT's claims are read, not verified (the server does that).
    const { jwt } = credsAuthenticator(await readFile(auth.credsFile))(undefined) as { jwt: string };
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { name?: unknown; sub?: unknown };
    name = typeof claims.name === 'string' && claims.name !== '' ? claims.name : claims.sub;
  } catch (err) {
    throw new MarkIdentityError(
      `The relay's .creds file ${auth.credsFile} does not name a user (${(err as Error).message}): your marks stay on this machine`,
    );
  }
  if (typeof name !== 'string')
    throw new MarkIdentityError(`The relay's .creds file ${auth.credsFile} does not name a user: your marks stay on this machine`);
  return { member: checkMemberKey(name, "The .creds file's user name"), enforced: true };
}

export interface TeamMarksOptions {
  core: ExtensionHost;
  bucket: string;
  replicas: number;
  origin: string;
  /** The member name, standing in for the member key when the server cannot tell members apart. */
  member: () => string;
  /** How this Crashbell authenticates: its NATS identity is its member key. */
  auth: RelayAuth | null;
  /** False while the subscriber catches up: marks then wait for the events they follow. */
  live: () => boolean;
  onProblem: (reason: string | null) => void;
  log?: (message: string) => void;
  now?: () => number;
}

/** How one change is shared: the provider it was also made in. */
export interface ShareHow {
  inProvider?: string | null;
}

export class TeamMarks {
  private readonly opts: TeamMarksOptions;
  private readonly now: () => number;
  /** Every key's marks, by group id, then by key. */
  private readonly groups = new Map<string, Map<string, KeyedMarks>>();
  private keyCount = 0;
  /** Per group, the marks already applied (or found stale), as `kind` → `<member>.<instance>@<at>`. */
  private readonly applied = new Map<string, Map<MarkKind, string>>();
  private readonly warned = new Set<string>();
  private warnings = 0;
  private identityResult: MarkIdentity | MarkIdentityError | null;
  private kv: KV | null = null;
  private readyResolve: (() => void) | null = null;
  private isReady = false;
  /** Resolves once the bucket's current marks are known (or it could not be read): catch-ups wait for it. */
  ready: Promise<void>;

  constructor(opts: TeamMarksOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    try {
      this.identityResult = identityNow(opts.auth, opts.member());
    } catch (err) {
      this.identityResult = err as MarkIdentityError;
    }
    this.ready = new Promise((r) => (this.readyResolve = r));
  }

  /** The member key this Crashbell's marks are written as, once known; null when it has none (the reason is the state's). */
  get identity(): string | null {
    const id = this.identityResult;
    return id === null || id instanceof MarkIdentityError ? null : id.member;
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
    return kvm.create(this.opts.bucket, {
      history: 1,
      replicas: this.opts.replicas,
      maxValueSize: MARK_MAX_VALUE_BYTES,
      max_bytes: MARKS_MAX_BYTES,
      ttl: MARKS_TTL_MS,
    });
  }

  /** The reason this Crashbell's own marks cannot be shared, or null. */
  private identityProblem(): string | null {
    const id = this.identityResult;
    return id instanceof MarkIdentityError ? `Team marks: ${id.message}` : null;
  }

  private async follow(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    if (this.identityResult === null) {
      try {
        this.identityResult = await markIdentity(this.opts.auth, this.opts.member());
      } catch (err) {
        this.identityResult = err instanceof MarkIdentityError ? err : new MarkIdentityError((err as Error).message);
      }
    }
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
        // The bucket's current marks come first; they apply once all are known (applied one by one, an older
        // mark would show for a moment before the newer one that replaces it).
        // (None when the bucket holds nothing now, though it held marks once: they all left it with age.)
        let replaying = status.streamInfo.state.messages > 0;
        if (!replaying) this.markReady();
        this.opts.onProblem(this.identityProblem());
        delay = 1_000;
        for await (const entry of watch) {
          await this.take(entry, !replaying);
          if (replaying && (entry.delta === 0 || entry.revision >= last)) {
            replaying = false;
            this.markReady();
            if (this.opts.live()) await this.sweep();
          }
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

  /** One entry of the bucket: kept when it is a team mark (applied when `apply` and live), else ignored with a warning once. */
  private async take(entry: KvEntry, apply: boolean): Promise<void> {
    const parts = parseMarkKey(entry.key);
    if (entry.operation !== 'PUT') {
      if (parts) this.forget(parts.groupId, entry.key);
      return;
    }
    if (!parts) {
      this.warnOnce(entry.key, 'it is not <member>.<group id>.<instance> (an earlier Crashbell wrote it, or not Crashbell)');
      return;
    }
    const value = parseMarkValue(entry.value);
    if (!value.ok) {
      this.warnOnce(entry.key, value.reason);
      return;
    }
    let keys = this.groups.get(parts.groupId);
    if (!keys?.has(entry.key) && this.keyCount >= MAX_KEYS) this.pruneAged();
    if (!keys?.has(entry.key) && this.keyCount >= MAX_KEYS) {
      this.warnOnce('\0full', `the bucket holds more than ${MAX_KEYS} marks; the rest are ignored`);
      return;
    }
    if (!keys) {
      keys = new Map();
      this.groups.set(parts.groupId, keys);
    }
    if (!keys.has(entry.key)) this.keyCount++;
    keys.set(entry.key, { member: parts.member, instance: parts.instance, fields: value.fields, storedMs: entry.created.getTime() });
    if (parts.instance === this.opts.origin && parts.member === this.identity) {
      // This Crashbell's own marks (back through the watch, or from before a restart) are in its history already.
      this.settle(parts.groupId);
    } else if (apply && this.opts.live()) {
      await this.apply(parts.groupId);
    }
  }

  private forget(groupId: string, key: string): void {
    const keys = this.groups.get(groupId);
    if (!keys?.delete(key)) return;
    this.keyCount--;
    if (keys.size === 0) {
      this.groups.delete(groupId);
      this.applied.delete(groupId);
    }
  }

  /** Forgets marks the bucket no longer holds: they left it with age (the watch does not tell of that). */
  private pruneAged(): void {
    const cutoff = this.now() - MARKS_TTL_MS;
    for (const [groupId, keys] of [...this.groups]) {
      for (const [key, k] of [...keys]) if (k.storedMs < cutoff) this.forget(groupId, key);
    }
  }

  private warnOnce(key: string, reason: string): void {
    if (this.warned.has(key) || this.warnings > MAX_WARNINGS) return;
    this.warned.add(key);
    this.warnings++;
    if (this.warnings > MAX_WARNINGS) {
      this.opts.core.warn(`Team marks: more marks in ${this.opts.bucket} cannot be used; they are ignored without further warnings`);
      return;
    }
    const what =
      key === '\0full' ? `Team marks: ${reason}` : `Team marks: ignored "${key.slice(0, 200)}" in ${this.opts.bucket}: ${reason}`;
    this.opts.core.warn(what);
  }

  private markReady(): void {
    this.isReady = true;
    this.readyResolve?.();
    this.readyResolve = null;
  }

  /** Records this instance's own latest marks of a group as applied: they were made here. */
  private settle(groupId: string): void {
    const keys = this.groups.get(groupId);
    if (!keys) return;
    for (const [kind, latest] of latestMarks(keys.values())) {
      if (latest.instance === this.opts.origin && latest.member === this.identity) this.appliedOf(groupId).set(kind, tag(latest));
    }
  }

  private appliedOf(groupId: string): Map<MarkKind, string> {
    let done = this.applied.get(groupId);
    if (!done) {
      done = new Map();
      this.applied.set(groupId, done);
    }
    return done;
  }

  /**
   * Applies a group's team marks not applied yet to the local group, those made up to `until` (ms; default
   * all), each member's in the order they were made, with who made them (via `team`).
   */
  async apply(groupId: string, until = Number.POSITIVE_INFINITY): Promise<void> {
    const keys = this.groups.get(groupId);
    if (!keys) return;
    const done = this.applied.get(groupId);
    const due = [...latestMarks(keys.values())]
      .filter(([kind, latest]) => latest.atMs <= until && done?.get(kind) !== tag(latest))
      .sort((a, b) => a[1].atMs - b[1].atMs);
    // One change per action: the marks one member set at one time, with the provider it was made in.
    while (due.length > 0) {
      const [, first] = due[0]!;
      const batch = due.filter(([, l]) => sameAction(l, first));
      for (const item of batch) due.splice(due.indexOf(item), 1);
      const local = this.opts.core.group(groupId);
      if (local === null) return;
      const marks: GroupMarks = {};
      const now = this.now();
      for (const [kind, latest] of batch) Object.assign(marks, markChange(local, kind, latest, now));
      if (Object.keys(marks).length > 0) {
        const updated = await this.opts.core.mark(groupId, marks, first.member, { via: 'team', inProvider: first.field.in ?? null });
        if (updated === null) return;
      }
      for (const [kind, latest] of batch) this.appliedOf(groupId).set(kind, tag(latest));
    }
  }

  /** Before a relayed event: marks made before it apply first, so the event counts as a regression. */
  async before(event: NormalizedEvent): Promise<void> {
    const id = groupIdFor(event.sourceId, event.groupKey);
    if (this.groups.has(id)) await this.apply(id, Date.parse(event.receivedAt));
  }

  /**
   * After an event: marks made after it apply now (they cover this hook). During a catch-up they wait: a later
   * event of the same group may still come before them, and the catch-up's end applies what is due.
   */
  async after(groupId: string): Promise<void> {
    if (this.groups.has(groupId) && this.opts.live()) await this.apply(groupId);
  }

  /** Applies every mark that is due (once a catch-up is over). */
  async sweep(): Promise<void> {
    for (const id of [...this.groups.keys()]) await this.apply(id);
  }

  /**
   * Shares the marks a change set (by this member, here) with the team, under this Crashbell's own key; read
   * marks stay local. Throws with the reason when they cannot be shared.
   */
  async share(groupId: string, marks: GroupMarks, how: ShareHow = {}): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const fields = fieldsFor(marks, at, how.inProvider ?? null);
    if (!fields) return;
    const id = this.identityResult;
    if (id instanceof MarkIdentityError) throw new Error(`Team marks: ${id.message}`);
    if (!GROUP_ID.test(groupId)) throw new Error(`"${groupId.slice(0, 80)}" is not a group id: the mark was kept on this machine only`);
    // Its own earlier marks of the group first: the key holds all of them, and a restart reads them back.
    if (!this.isReady) {
      const waited = new AbortController();
      await Promise.race([this.ready, sleep(5_000, waited.signal)]);
      waited.abort();
    }
    const kv = this.kv;
    if (!kv || id === null) throw new Error('The team relay is not connected: the mark was kept on this machine only');
    const key = markKey(id.member, groupId, this.opts.origin);
    const previous = this.groups.get(groupId)?.get(key)?.fields ?? {};
    const next: TeamFields = { ...previous, ...fields };
    const value = encodeMarkValue(next);
    if (Buffer.byteLength(value) > MARK_MAX_VALUE_BYTES) {
      throw new Error(`The mark is too big to share (over ${MARK_MAX_VALUE_BYTES} bytes): it was kept on this machine only`);
    }
    try {
      await kv.put(key, value);
    } catch (err) {
      throw new Error(this.refusal(err, id.member));
    }
    let keys = this.groups.get(groupId);
    if (!keys) {
      keys = new Map();
      this.groups.set(groupId, keys);
    }
    if (!keys.has(key)) this.keyCount++;
    keys.set(key, { member: id.member, instance: this.opts.origin, fields: next, storedMs: this.now() });
    this.settle(groupId);
  }

  /** Why a write was refused, in words that say what to do. */
  private refusal(err: unknown, member: string): string {
    const bucket = this.opts.bucket;
    if (permissionViolationOf(err)) {
      return `Team marks: ${explainJetStreamError(err, `share the mark through ${bucket}`).reason}. This user may write only under its own name: if "${member}" is its NATS user name, ask your NATS admin to allow it to publish to $KV.${bucket}.${member}.> (docs/team-relay.md, "Team marks"). The mark was kept on this machine only`;
    }
    const message = (err as Error | null)?.message ?? '';
    if (/maximum bytes exceeded/i.test(message)) {
      return `Team marks: the bucket ${bucket} is full (${MARKS_MAX_BYTES / 1024 / 1024} MiB): marks leave it ${MARKS_TTL_MS / 86_400_000} days after they were last written, or your NATS admin can purge it. The mark was kept on this machine only`;
    }
    return `Team marks: ${explainJetStreamError(err, `share the mark through ${bucket}`).reason}. The mark was kept on this machine only`;
  }

  /** A group's team marks, kind by kind, as this Crashbell last read them (for tests and the state). */
  marksOf(groupId: string): Map<MarkKind, LatestMark> {
    const keys = this.groups.get(groupId);
    return keys ? latestMarks(keys.values()) : new Map();
  }
}

function tag(l: LatestMark): string {
  return `${l.member}.${l.instance}@${l.field.at}`;
}

function sameAction(a: LatestMark, b: LatestMark): boolean {
  return a.member === b.member && a.instance === b.instance && a.field.at === b.field.at && a.field.in === b.field.in;
}
