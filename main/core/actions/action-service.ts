/**
 * Acting on a crash: resolve, snooze, ignore, assign or claim a group, from the window, the tray, a notification
 * or the command line. An action goes to the provider through its API when it can (provider module, token, the
 * ids the hooks carried), recorded as pending first, and changes the group here only once the provider accepted
 * it (the action's record and the mark in one write); a refusal changes nothing and says why. When the provider
 * cannot be asked (no API, no token, resolving in the provider turned off), the change is made here only, and
 * the words say so.
 */
import type { ActionResult, GroupAction, GroupActionState } from '../../../shared/actions';
import { ACTION_KINDS, durationWords } from '../../../shared/actions';
import type { ActionAvailability } from '../../../shared/actions';
import type { GroupMarks, GroupSummary } from '../../../shared/events';
import type { Source } from '../../../shared/settings';
import type { ExtensionHost } from '../core';
import { errorText } from '../errors';
import { getProvider } from '../providers/index';
import type { ActionLedger } from './action-ledger';
import { type ActionRunOptions, actionAvailability, resolvesInProvider, runProviderAction } from './runner';

/** What the action service needs. */
export interface ActionServiceOptions {
  host: ExtensionHost;
  ledger: ActionLedger;
  /** Who acts (the member name the team sees, or the system user). */
  member: () => string;
  /** How long a claim holds by default, in hours (settings). */
  claimHours: () => number;
  /**
   * Shares the marks an action set with the team (the relay), when it shares marks, with the provider it was
   * also made in; throws with the reason.
   */
  share?: (groupId: string, marks: GroupMarks, inProvider: string | null) => Promise<void>;
  /** The HTTP client's knobs, for tests. */
  http?: ActionRunOptions['http'];
  now?: () => number;
}

/** The action kinds whose change can also be made here only, when the provider cannot be asked. */
const LOCAL_KINDS = new Set<GroupAction['kind']>(['resolve', 'unresolve', 'snooze', 'snooze-occurrences', 'ignore', 'claim', 'release']);

/** What an action does to the group here. */
export function marksFor(
  action: GroupAction,
  group: GroupSummary,
  member: string,
  assignee: string | null,
  now: number,
  claimHours: number,
): GroupMarks {
  switch (action.kind) {
    case 'resolve':
    case 'resolve-next-release':
      return { resolved: true, read: true };
    case 'unresolve':
      return { resolved: false, ignored: false };
    case 'snooze':
      return { snoozedUntil: new Date(now + action.minutes * 60_000).toISOString(), read: true };
    case 'snooze-occurrences':
      return { snoozeCount: group.occurrences + action.count, read: true };
    case 'ignore':
      return { ignored: true, read: true };
    case 'assign-to-me':
      return { assignee: assignee ?? member };
    case 'claim':
      return { claimedBy: member, claimedUntil: new Date(now + (action.hours ?? claimHours) * 3_600_000).toISOString() };
    case 'release':
      return { claimedBy: null };
  }
}

/** The change in words, made here only ("Resolved here"). */
function localWords(action: GroupAction, why: string | null): string {
  const done: Record<GroupAction['kind'], string> = {
    resolve: 'Resolved',
    'resolve-next-release': 'Resolved',
    unresolve: 'Reopened',
    snooze: action.kind === 'snooze' ? `Snoozed for ${durationWords(action.minutes)}` : 'Snoozed',
    'snooze-occurrences': action.kind === 'snooze-occurrences' ? `Snoozed for ${action.count} more occurrences` : 'Snoozed',
    ignore: 'Ignored',
    'assign-to-me': 'Assigned to you',
    claim: 'Claimed: the team sees you are on it',
    release: 'Claim released',
  };
  return why ? `${done[action.kind]} here only: ${why}` : `${done[action.kind]} here`;
}

function failed(
  action: GroupAction,
  words: string,
  code: ActionResult['code'],
  status: number | null = null,
  retryAt: string | null = null,
): ActionResult {
  return { state: 'failed', action: action.kind, words, where: null, code, status, retryAt };
}

/** Runs actions on groups (see the module comment). */
export class ActionService {
  private readonly now: () => number;
  private readonly running = new Map<string, Promise<ActionResult>>();
  private readonly abort = new AbortController();

  constructor(private readonly opts: ActionServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The group's last action and where it stands, or null. */
  stateOf(groupId: string): GroupActionState | null {
    return this.opts.ledger.of(groupId);
  }

  /** What the window offers for a group, each provider action with why not when it cannot go to the provider. */
  availability(group: GroupSummary): ActionAvailability[] {
    const source = this.opts.host.sourceById(group.sourceId);
    if (!source) return ACTION_KINDS.map((kind) => ({ kind, available: false, reason: 'its source is no longer configured' }));
    return actionAvailability(source, group);
  }

  /**
   * Runs one action on a group; one at a time per group (a second one waits for the first). Never throws for a
   * provider's refusal: the result says it in words. A group that is not there fails with code `gone`.
   */
  run(groupId: string, action: GroupAction, by: string | null = null): Promise<ActionResult> {
    const previous = this.running.get(groupId) ?? Promise.resolve(null);
    const next = previous.then(
      () => this.runNow(groupId, action, by),
      () => this.runNow(groupId, action, by),
    );
    this.running.set(groupId, next);
    void next.finally(() => {
      if (this.running.get(groupId) === next) this.running.delete(groupId);
    });
    return next;
  }

  private async runNow(groupId: string, action: GroupAction, by: string | null): Promise<ActionResult> {
    const group = this.opts.host.group(groupId);
    if (!group) return failed(action, 'That error group is no longer in the history', 'gone');
    const source = this.opts.host.sourceById(group.sourceId);
    const route = this.routeOf(action, group, source);
    if (route.kind === 'local') return this.applyHere(action, group, source, by ?? this.opts.member(), route.why, null);
    if (route.kind === 'unavailable') return failed(action, route.why, 'unsupported');
    return this.inProvider(action as Extract<GroupAction, { kind: (typeof ACTION_KINDS)[number] }>, group, route.source, by);
  }

  /** Where an action goes: the provider, here only (with why), or nowhere (with why). */
  private routeOf(
    action: GroupAction,
    group: GroupSummary,
    source: Source | null,
  ): { kind: 'provider'; source: Source } | { kind: 'local'; why: string | null } | { kind: 'unavailable'; why: string } {
    if (action.kind === 'claim' || action.kind === 'release') return { kind: 'local', why: null };
    const name = getProvider(group.provider)?.name ?? group.provider;
    if (!source) {
      return LOCAL_KINDS.has(action.kind)
        ? { kind: 'local', why: 'its source is no longer configured, so the provider cannot be asked' }
        : { kind: 'unavailable', why: 'Its source is no longer configured, so the provider cannot be asked' };
    }
    const offer = actionAvailability(source, group).find((a) => a.kind === action.kind);
    if (offer?.available && (action.kind !== 'resolve' || resolvesInProvider(source))) return { kind: 'provider', source };
    const why =
      offer?.available && action.kind === 'resolve'
        ? `resolving in ${name} is turned off for this source`
        : (offer?.reason ?? `${name} cannot do that`);
    return LOCAL_KINDS.has(action.kind) ? { kind: 'local', why } : { kind: 'unavailable', why };
  }

  /** Makes the change here (and shares it with the team); `inProvider` names the provider it was made in too. */
  private async applyHere(
    action: GroupAction,
    group: GroupSummary,
    source: Source | null,
    by: string,
    why: string | null,
    inProvider: { name: string; words: string } | null,
  ): Promise<ActionResult> {
    const { host, ledger } = this.opts;
    const assignee = source?.api?.assignee?.trim() || null;
    const marks = marksFor(action, group, by, assignee, this.now(), this.opts.claimHours());
    const words = inProvider ? inProvider.words : localWords(action, why);
    const done = ledger.done(group.id, action, words, by);
    try {
      const updated = await host.mark(group.id, marks, by, { inProvider: inProvider?.name ?? null, additions: [done.addition] });
      if (!updated) return failed(action, 'That error group is no longer in the history', 'gone');
    } catch (error) {
      return failed(action, `${words}, but Crashbell could not record it: ${errorText(error)}`, 'rejected');
    }
    done.committed();
    await this.share(group.id, marks, inProvider?.name ?? null);
    return { state: 'done', action: action.kind, words, where: inProvider ? 'provider' : 'local', code: null, status: null, retryAt: null };
  }

  private async share(groupId: string, marks: GroupMarks, inProvider: string | null): Promise<void> {
    if (!this.opts.share) return;
    try {
      await this.opts.share(groupId, marks, inProvider);
    } catch (error) {
      // The change holds here; the team just does not hear of it.
      this.opts.host.warn(errorText(error));
    }
  }

  /** Asks the provider; the change is made here only once it accepted. */
  private async inProvider(
    action: Extract<GroupAction, { kind: (typeof ACTION_KINDS)[number] }>,
    group: GroupSummary,
    source: Source,
    by: string | null,
  ): Promise<ActionResult> {
    const { ledger } = this.opts;
    const who = by ?? this.opts.member();
    const name = getProvider(group.provider)?.name ?? group.provider;
    try {
      await ledger.begin(group.id, action, `Asking ${name}…`, who);
    } catch (error) {
      return failed(action, `Crashbell could not record the action, so it was not sent: ${errorText(error)}`, 'rejected');
    }
    const outcome = await runProviderAction(source, group, action, {
      ...(this.opts.http ? { http: this.opts.http } : {}),
      signal: this.abort.signal,
      now: this.now,
      onProgress: (p) => ledger.progress(group.id, p.words, p.retryAt),
    });
    if (outcome.state === 'done') return this.applyHere(action, group, source, who, null, { name, words: outcome.words });
    // Cancelled because the app is quitting: it stays pending and is asked again at the next start.
    if (outcome.state === 'failed' && outcome.code === 'cancelled' && this.abort.signal.aborted) {
      return failed(action, `${outcome.words}; it is asked again when Crashbell next starts`, 'cancelled');
    }
    const retryAt = outcome.state === 'failed' ? outcome.retryAt : null;
    await ledger.fail(group.id, action, outcome.words, retryAt, who).catch((error: unknown) => this.opts.host.warn(errorText(error)));
    return failed(action, outcome.words, outcome.code, outcome.state === 'failed' ? outcome.status : null, retryAt);
  }

  /**
   * Actions left pending when the app last stopped (it quit while a provider was being asked): each is asked
   * again, so none stays pending; one whose group is gone is recorded failed.
   */
  async resumePending(): Promise<void> {
    for (const k of this.opts.ledger.pending()) {
      const result = await this.run(k.groupId, k.request, k.by);
      if (result.code === 'gone') {
        await this.opts.ledger
          .fail(k.groupId, k.request, 'The error group was gone when Crashbell started again', null, k.by)
          .catch(() => undefined);
      }
    }
  }

  /** Cancels what is being asked (the app is quitting): those stay pending and are asked again at the next start. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.running.values()]);
  }
}
