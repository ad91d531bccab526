/**
 * Actions in the history: a ledger of their own, so an action asked for is never lost nor left pending.
 *
 * - `ac` records an action's state: `pending` before the provider is asked (an app that quits then retries it at
 *   the next start), `failed` with the provider's reason (nothing else changed);
 * - a done action rides in the mark record it caused (the field `ac`): the change in the group and the action that
 *   made it reach the disk in one write.
 *
 * It also tells the ingest pipeline which state hooks are the provider's echo of an action just done here (a
 * Sentry `issue.unresolved` right after Crashbell reopened the issue), so they raise nothing.
 */
import type { GroupAction, GroupActionState } from '../../../shared/actions';
import type { BoundedEvent } from '../bounded-event';
import { type Ledger, type LedgerStore, type LiveRecord, type RecordAddition, type StoredRecord, unbound } from '../history/ledger';
import type { Fold } from '../inbox/fold';
import type { ProviderEcho } from '../inbox/policy';
import type { Contribution, FoldHints, IngestContributor } from '../pipeline/extension';

/** How long after an action the provider's state hook counts as its echo. */
export const ECHO_WINDOW_MS = 10 * 60_000;

/** How many groups' last actions are kept (the detail view shows the last one; older ones are history). */
const KEPT_GROUPS = 10_000;

/** An action's state as a record carries it. */
interface ActionRecordFields {
  /** The group. */
  g: string;
  /** The action as asked. */
  a: GroupAction;
  s: GroupActionState['state'];
  w: string;
  at: string;
  by?: string;
  ra?: string;
}

/** The last action of one group, and what it asked. */
export interface KeptAction extends GroupActionState {
  groupId: string;
  request: GroupAction;
}

function stateFrom(f: unknown): KeptAction | null {
  if (f === null || typeof f !== 'object') return null;
  const r = f as Partial<ActionRecordFields>;
  if (typeof r.g !== 'string' || !r.a || typeof r.a !== 'object' || typeof (r.a as { kind?: unknown }).kind !== 'string') return null;
  if (r.s !== 'pending' && r.s !== 'done' && r.s !== 'failed') return null;
  if (typeof r.w !== 'string' || typeof r.at !== 'string') return null;
  return {
    groupId: r.g,
    request: r.a,
    action: r.a.kind,
    state: r.s,
    words: r.w.slice(0, 1_000),
    at: r.at,
    retryAt: typeof r.ra === 'string' ? r.ra : null,
    by: typeof r.by === 'string' ? r.by : null,
  };
}

function fieldsOf(k: KeptAction): ActionRecordFields {
  const f: ActionRecordFields = { g: k.groupId, a: k.request, s: k.state, w: k.words, at: k.at };
  if (k.by) f.by = k.by;
  if (k.retryAt) f.ra = k.retryAt;
  return f;
}

/** The echo a done action's provider state hook makes. */
function echoOf(action: GroupAction['kind']): ProviderEcho | null {
  switch (action) {
    case 'resolve':
    case 'resolve-next-release':
      return 'resolved';
    case 'unresolve':
      return 'reopened';
    case 'ignore':
    case 'snooze':
    case 'snooze-occurrences':
      return 'ignored';
    default:
      return null;
  }
}

/** The actions ledger (see the module comment). */
export class ActionLedger implements Ledger, IngestContributor {
  readonly name = 'actions';
  readonly kinds = ['ac'] as const;
  readonly fields = ['ac'] as const;
  private store: LedgerStore = unbound;
  /** Each group's last action, least recently changed first. */
  private readonly last = new Map<string, KeptAction>();

  constructor(private readonly now: () => number = Date.now) {}

  bind(store: LedgerStore): void {
    this.store = store;
  }

  replay(record: StoredRecord): void {
    const kept = stateFrom(record.index);
    if (!kept) throw new Error('an action record without its group, action or state');
    this.keep(kept);
  }

  replayFields(record: StoredRecord): void {
    const kept = stateFrom(record.index['ac']);
    if (kept) this.keep(kept);
  }

  snapshot(): LiveRecord[] {
    return [...this.last.values()].map((k) => ({ index: JSON.stringify({ k: 'ac', ...fieldsOf(k) }), parts: [] }));
  }

  liveBytes(): number {
    return this.last.size * 160;
  }

  private keep(k: KeptAction): void {
    this.last.delete(k.groupId);
    this.last.set(k.groupId, k);
    if (this.last.size > KEPT_GROUPS) {
      const oldest = this.last.keys().next();
      if (!oldest.done) this.last.delete(oldest.value);
    }
  }

  /** A group's last action, or null. */
  of(groupId: string): GroupActionState | null {
    const k = this.last.get(groupId);
    if (!k) return null;
    return { action: k.action, state: k.state, words: k.words, at: k.at, retryAt: k.retryAt, by: k.by };
  }

  /** Actions that were pending when the app last stopped (to retry, or to report failed). */
  pending(): KeptAction[] {
    return [...this.last.values()].filter((k) => k.state === 'pending');
  }

  /** Records durably that an action is under way, before the provider is asked. */
  async begin(groupId: string, request: GroupAction, words: string, by: string | null): Promise<void> {
    await this.write({ groupId, request, action: request.kind, state: 'pending', words, at: this.iso(), retryAt: null, by });
  }

  /** Words while it waits (a rate limit's retry): in memory only, the pending record stands. */
  progress(groupId: string, words: string, retryAt: string | null): void {
    const k = this.last.get(groupId);
    if (k && k.state === 'pending') this.last.set(groupId, { ...k, words, retryAt });
  }

  /** Records durably that an action failed: nothing else changed. */
  async fail(groupId: string, request: GroupAction, words: string, retryAt: string | null, by: string | null): Promise<void> {
    await this.write({ groupId, request, action: request.kind, state: 'failed', words, at: this.iso(), retryAt, by });
  }

  /**
   * What a done action adds to the mark record it caused, so both reach the disk in one write; `committed` keeps it
   * once that write is durable.
   */
  done(groupId: string, request: GroupAction, words: string, by: string | null): { addition: RecordAddition; committed: () => void } {
    const kept: KeptAction = { groupId, request, action: request.kind, state: 'done', words, at: this.iso(), retryAt: null, by };
    return { addition: { fields: { ac: fieldsOf(kept) } }, committed: () => this.keep(kept) };
  }

  private async write(k: KeptAction): Promise<void> {
    const before = this.last.get(k.groupId);
    this.keep(k);
    try {
      await this.store.append(JSON.stringify({ k: 'ac', ...fieldsOf(k) })).done;
    } catch (error) {
      if (this.last.get(k.groupId) === k) {
        this.last.delete(k.groupId);
        if (before) this.keep(before);
      }
      throw error;
    }
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  // ---- the ingest pipeline ----

  /** A provider's state hook right after an action done here is its echo: already applied. */
  hints(groupId: string, event: BoundedEvent): FoldHints | null {
    const k = this.last.get(groupId);
    if (k?.state !== 'done') return null;
    const echo = echoOf(k.action);
    if (echo === null) return null;
    const at = Date.parse(k.at);
    const received = Date.parse(event.receivedAt);
    return Number.isFinite(at) && received - at <= ECHO_WINDOW_MS && received >= at - 1_000 ? { echoes: [echo] } : null;
  }

  contribute(_fold: Fold): Contribution | null {
    return null;
  }
}
