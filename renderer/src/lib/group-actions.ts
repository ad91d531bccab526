/**
 * The detail view's actions on a group (Resolve, Resolve in next release, Snooze, Ignore, Assign to me, Claim or
 * Release, Reopen) as pure functions: which buttons a group gets, whether each reaches its provider (and why
 * not), the words while one runs, and what the pane shows of the last one. `use-group-action.ts` runs them
 * through main's `runAction`; the core decides where each goes, this module only says it beforehand.
 */
import type {
  ActionAvailability,
  ActionKind,
  ActionResult,
  GroupAction,
  GroupActionState,
  ProviderActionsInfo,
} from '../../../shared/actions';
import type { GroupDetail } from '../../../shared/ipc';

// The values of shared/actions.ts (tested equal): importing them would bring zod into the page.
/** The snoozes offered, in minutes: 1 h, 8 h, 24 h. */
export const SNOOZE_CHOICES_MINUTES = [60, 8 * 60, 24 * 60] as const;
/** The largest "until N more occurrences". */
export const MAX_SNOOZE_OCCURRENCES = 1_000_000;

/**
 * The actions the core makes here only when the provider cannot be asked (action-service.ts): the others
 * (resolve in next release, assign to me) exist only in the provider.
 */
const LOCAL_TOO = new Set<GroupAction['kind']>(['resolve', 'unresolve', 'snooze', 'snooze-occurrences', 'ignore', 'claim', 'release']);

/** "1 hour", "8 hours", "90 minutes", "2 days": a snooze's length in words (as shared/actions.ts says it). */
export function durationWords(minutes: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes % (24 * 60) === 0) return plural(minutes / (24 * 60), 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

/** One button of the actions row. */
export interface ActionButton {
  /** What it asks for; `snooze` opens the Snooze menu. */
  kind: GroupAction['kind'];
  label: string;
  /** It can do something: false only for an action that exists in the provider alone and cannot reach it. */
  enabled: boolean;
  /** It goes to the provider (through its API), not here only. */
  inProvider: boolean;
  /** Why it does not reach the provider (it acts here only, or not at all); null when it does, or it is the team's. */
  why: string | null;
}

/** What the row needs to know besides the group. */
export interface ActionContext {
  /** The provider's name ("Sentry"). */
  provider: string;
  /** What the provider's API has (from main's registry); absent when main did not say. */
  info: ProviderActionsInfo | undefined;
  /** The source's "Resolve in <provider> too" setting. */
  resolveInProvider: boolean;
  now: number;
}

/** Whether the provider's API has an action at all (a local-only provider has none). */
export function providerHas(info: ProviderActionsInfo | undefined, kind: ActionKind): boolean {
  return info?.kind === 'api' && !info.unsupported.includes(kind);
}

/** Whether the group is claimed now (a claim past its time has lapsed). */
export function liveClaim(group: Pick<GroupDetail, 'claimedBy' | 'claimedUntil'>, now: number): boolean {
  if (!group.claimedBy) return false;
  const until = group.claimedUntil ? Date.parse(group.claimedUntil) : Number.NaN;
  return !Number.isFinite(until) || until > now;
}

function button(kind: GroupAction['kind'], label: string, offers: readonly ActionAvailability[], ctx: ActionContext): ActionButton {
  if (kind === 'claim' || kind === 'release') return { kind, label, enabled: true, inProvider: false, why: null };
  const offer = offers.find((a) => a.kind === kind);
  const off = kind === 'resolve' && offer?.available === true && !ctx.resolveInProvider;
  const inProvider = offer?.available === true && !off;
  const why = inProvider ? null : off ? `resolving in ${ctx.provider} is turned off for this source` : (offer?.reason ?? null);
  return { kind, label, enabled: inProvider || LOCAL_TOO.has(kind), inProvider, why };
}

/**
 * The buttons for a group, in order: Reopen in place of Resolve for a resolved or ignored group; Resolve in next
 * release, Snooze and Ignore while it is open (the first where the provider has it); Assign to me; Claim, or
 * Release while claimed.
 */
export function actionButtons(group: GroupDetail, ctx: ActionContext): ActionButton[] {
  // A group answered without them (an older main) offers each action as the core would make it here.
  const offers = group.actions ?? [];
  const closed = group.resolved || group.ignored === true;
  const out: ActionButton[] = [];
  if (closed) out.push(button('unresolve', 'Reopen', offers, ctx));
  else {
    out.push(button('resolve', 'Resolve', offers, ctx));
    if (providerHas(ctx.info, 'resolve-next-release')) out.push(button('resolve-next-release', 'Resolve in next release', offers, ctx));
    out.push(button('snooze', 'Snooze', offers, ctx));
    out.push(button('ignore', 'Ignore', offers, ctx));
  }
  out.push(button('assign-to-me', 'Assign to me', offers, ctx));
  out.push(liveClaim(group, ctx.now) ? button('release', 'Release claim', offers, ctx) : button('claim', 'Claim', offers, ctx));
  return out;
}

/** Whether the Snooze menu offers "until N more occurrences" (where the provider has it). */
export function offersOccurrences(ctx: Pick<ActionContext, 'info'>): boolean {
  return providerHas(ctx.info, 'snooze-occurrences');
}

/** Why some buttons do not reach the provider: one note per reason, naming the buttons it is about. */
export interface ActionNote {
  /** For `aria-describedby`: stable for the reason's place in the list. */
  id: string;
  /** The buttons that still act here. */
  here: string[];
  /** The buttons that cannot act at all (they exist in the provider alone). */
  nowhere: string[];
  why: string;
}

/** The notes under the row, one per distinct reason; `prefix` makes their ids unique in the page. */
export function actionNotes(buttons: readonly ActionButton[], prefix: string): ActionNote[] {
  const notes: ActionNote[] = [];
  for (const b of buttons) {
    if (b.why === null) continue;
    let note = notes.find((n) => n.why === b.why);
    if (!note) {
      note = { id: `${prefix}-why-${notes.length}`, here: [], nowhere: [], why: b.why };
      notes.push(note);
    }
    (b.enabled ? note.here : note.nowhere).push(b.label);
  }
  return notes;
}

/** A note in words: "Resolve, Snooze stay in Crashbell, not Backtrace; Assign to me cannot be done: <why>." */
export function noteWords(note: ActionNote, provider: string): { lead: string; why: string } {
  const parts: string[] = [];
  if (note.here.length > 0) parts.push(`${note.here.join(', ')} stay${note.here.length === 1 ? 's' : ''} in Crashbell, not ${provider}`);
  if (note.nowhere.length > 0) parts.push(`${note.nowhere.join(', ')} cannot be done`);
  return { lead: parts.join('; '), why: /[.!?]$/.test(note.why) ? note.why : `${note.why}.` };
}

/** "Resolving", "Snoozing for 8 hours": what an action is doing, as its pending words start. */
export function doingWords(action: GroupAction): string {
  switch (action.kind) {
    case 'resolve':
      return 'Resolving';
    case 'resolve-next-release':
      return 'Marking resolved in the next release';
    case 'unresolve':
      return 'Reopening';
    case 'snooze':
      return `Snoozing for ${durationWords(action.minutes)}`;
    case 'snooze-occurrences':
      return `Snoozing until ${action.count.toLocaleString('en-US')} more occurrence${action.count === 1 ? '' : 's'}`;
    case 'ignore':
      return 'Ignoring';
    case 'assign-to-me':
      return 'Assigning to you';
    case 'claim':
      return 'Claiming';
    case 'release':
      return 'Releasing the claim';
  }
}

/** The words while an action runs: "Resolving in Sentry…", or "Resolving…" when it is made here only. */
export function pendingWords(action: GroupAction, inProvider: boolean, provider: string): string {
  return `${doingWords(action)}${inProvider ? ` in ${provider}` : ''}…`;
}

/** What the pane shows of the last action on the group: pending, done or failed, in words. */
export interface ActionStatus {
  action: GroupAction['kind'];
  state: 'pending' | 'done' | 'failed';
  words: string;
  /** ISO 8601 of the next try while a rate limit lasts; null otherwise. */
  retryAt: string | null;
  /** ISO 8601 of this state. */
  at: string;
}

/** An action this pane asked for: under way, or how it ended. */
export type LocalAction = ActionStatus & { groupId: string };

/** The status when this pane asks for an action. */
export function startedAction(groupId: string, action: GroupAction, words: string, now: number): LocalAction {
  return { groupId, action: action.kind, state: 'pending', words, retryAt: null, at: new Date(now).toISOString() };
}

/** The status once main answered. */
export function endedAction(groupId: string, result: ActionResult, now: number): LocalAction {
  return {
    groupId,
    action: result.action,
    state: result.state,
    words: result.words,
    retryAt: result.retryAt,
    at: new Date(now).toISOString(),
  };
}

/**
 * What the pane shows: the newer of what it asked for itself and what main recorded last (an action from the
 * tray, a notification, the command line; or, while this pane's runs, main's progress: "retrying at 14:05:30").
 */
export function shownStatus(local: LocalAction | null, recorded: GroupActionState | null, groupId: string): ActionStatus | null {
  const mine = local?.groupId === groupId ? local : null;
  if (!recorded) return mine;
  if (!mine) return recorded;
  // While this pane's own call runs, main's pending record carries its progress.
  if (mine.state === 'pending') return recorded.state === 'pending' && recorded.at >= mine.at ? recorded : mine;
  return recorded.at > mine.at ? recorded : mine;
}

/** Parses "until N more occurrences" as typed: a whole number from 1; the problem in words otherwise. */
export function parseOccurrences(text: string): { ok: true; count: number } | { ok: false; problem: string } {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_SNOOZE_OCCURRENCES) {
    return { ok: false, problem: `Give a whole number of occurrences from 1 to ${MAX_SNOOZE_OCCURRENCES.toLocaleString('en-US')}.` };
  }
  return { ok: true, count: n };
}
