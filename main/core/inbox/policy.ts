/**
 * The notification policy: a pure function of the group (before and after the event), the event, the
 * settings and the recent notification history. It never reads a clock or the disk, so every rule is
 * testable as a plain function call.
 */
import { isoOf } from '../base/iso-time';
import type { Decision, GroupSummary, NormalizedEvent, NotificationRequest } from '../../../shared/events';
import type { Settings, Source } from '../../../shared/settings';
import { getProvider } from '../providers/index';
import { dndStatus } from './dnd';

/** Why an event would raise a notification, before the suppressing rules (mute, pause, DND, filters, storm). */
export type Trigger =
  | 'new-group'
  | 'first-occurrence'
  | 'regressed'
  | 'regressed-after-resolve'
  | 'quiet-return'
  | 'milestone'
  | 'provider-milestone'
  | 'min-occurrences-reached'
  | 'snooze-ended';

/** Everything the policy looks at. */
export interface PolicyInput {
  /** The group before this event; null when the event starts a group. */
  before: GroupSummary | null;
  /** The group with the event folded in (marks as they were before the event). */
  after: GroupSummary;
  event: NormalizedEvent;
  isNew: boolean;
  /** The event's source, when it is still configured. */
  source: Source | null;
  settings: Settings;
  /** When (ms since epoch) individual notifications were raised recently, across all sources. */
  recent: readonly number[];
  /**
   * A storm is under way: groups are waiting for a digest, or a digest went out within the storm window.
   * Everything then goes into the next digest (one a minute) rather than back to single notifications.
   */
  stormActive?: boolean;
  /**
   * A catch-up of the team relay is under way: a notification the rules would raise is held for its one "while
   * you were away" summary instead (storm control neither counts nor digests it).
   */
  hold?: boolean;
  /**
   * State changes this Crashbell itself just made in the provider (an action through its API): the provider's
   * own state hook that follows is recognised as already applied and raises nothing.
   */
  echoes?: readonly ProviderEcho[];
  now: number;
}

/** A state change Crashbell made in the provider, whose state hook may follow. */
export type ProviderEcho = 'resolved' | 'reopened' | 'ignored';

/** What the policy decided, and what the event does to the group's marks. */
export interface PolicyOutcome {
  decision: Decision;
  /** The group's `resolved` mark after the event, or null when the event leaves it alone. */
  resolved: boolean | null;
  /** The group's `ignored` mark after the event (the provider ignored or reopened it), or null. */
  ignored: boolean | null;
  /** The event ends the group's snooze (its time passed, or its count was reached). */
  unsnooze: boolean;
  /** Why it would notify (also set when a suppressing rule held it back), or null. */
  trigger: Trigger | null;
  /** The occurrence milestone crossed, when the trigger is one. */
  milestone: number | null;
  /** True when storm control held it back for the next digest. */
  digested: boolean;
  /** The notification to raise now, or null. */
  notification: NotificationRequest | null;
  /** The notification held for a catch-up's summary (see {@link PolicyInput.hold}), or null. */
  held: NotificationRequest | null;
}

function decision(notify: boolean, code: string, reason: string, now: number, digested?: boolean, until?: string | null): Decision {
  const d: Decision = { notify, code, reason, at: isoOf(now) };
  if (digested) d.digested = true;
  if (until) d.until = until;
  return d;
}

/** The largest milestone in (before, after], or null. */
export function crossedMilestone(milestones: readonly number[], before: number, after: number): number | null {
  let crossed: number | null = null;
  for (const m of milestones) {
    if (m > before && m <= after && (crossed === null || m > crossed)) crossed = m;
  }
  return crossed;
}

/**
 * Whether the event matches a source's attribute filter. `environment` matches the event's environment;
 * any name also matches a Backtrace attribute histogram holding the value, or a top-level field of the raw
 * body equal to it.
 */
export function attributeMatches(event: NormalizedEvent, name: string, value: string): boolean {
  const want = value.toLowerCase();
  if (name.toLowerCase() === 'environment' && event.environment !== null && event.environment.toLowerCase() === want) {
    return true;
  }
  const histogram = event.attributes[name];
  if (histogram?.some(([v]) => String(v).toLowerCase() === want)) return true;
  const raw = event.raw;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const field = (raw as Record<string, unknown>)[name];
    if ((typeof field === 'string' || typeof field === 'number' || typeof field === 'boolean') && String(field).toLowerCase() === want) {
      return true;
    }
  }
  return false;
}

function triggerFor(input: PolicyInput): { trigger: Trigger | null; milestone: number | null; reason: string } {
  const { before, after, event, isNew, settings, source, now } = input;
  const p = settings.policy;
  if (isNew && p.notifyNewGroups) return { trigger: 'new-group', milestone: null, reason: 'New group' };
  if (event.provider === 'errorception' && event.isFirstOccurrence === true && p.notifyFirstOccurrence) {
    return { trigger: 'first-occurrence', milestone: null, reason: 'First occurrence of this error (Errorception)' };
  }
  if (before !== null) {
    if (event.lifecycle === 'regressed' && p.notifyOnRegression) {
      return { trigger: 'regressed', milestone: null, reason: 'Regressed: the provider reopened it' };
    }
    if (before.resolved && p.notifyOnRegression) {
      const by = before.resolvedBy ? ` by ${before.resolvedBy}` : '';
      return { trigger: 'regressed-after-resolve', milestone: null, reason: `Regressed: a hook after it was marked resolved${by}` };
    }
    if (p.quietHours > 0) {
      const quietMs = now - Date.parse(before.lastReceivedAt);
      if (quietMs >= p.quietHours * 3_600_000) {
        const hours = Math.floor(quietMs / 3_600_000);
        return { trigger: 'quiet-return', milestone: null, reason: `Back after ${hours} h of quiet` };
      }
    }
    const m = crossedMilestone(p.milestones, before.occurrences, after.occurrences);
    if (m !== null) return { trigger: 'milestone', milestone: m, reason: `Crossed ${m} occurrences` };
  }
  if (event.milestone !== null && event.milestone !== '') {
    return { trigger: 'provider-milestone', milestone: null, reason: `Milestone: ${event.milestone}` };
  }
  const min = source?.filters.minOccurrences ?? null;
  if (min !== null && before !== null && before.notifiedAt === null && before.occurrences < min && after.occurrences >= min) {
    return { trigger: 'min-occurrences-reached', milestone: null, reason: `Reached ${min} occurrences (source filter)` };
  }
  if (isNew) return { trigger: null, milestone: null, reason: 'New group, but notifying new groups is off' };
  return { trigger: null, milestone: null, reason: 'Known group: no regression or milestone' };
}

/**
 * Where a notification says the error is, and what a digest counts it under ("14 new errors in Game client"):
 * the source's name, the one thing every provider has and the user chose. Providers fill `application` and
 * `project` with different kinds of things (an executable, a release, a code version, an account, a
 * numeric id), so a title built from them would name something different for each provider. The provider's
 * name stands in once the source is gone.
 */
export function placeOf(group: GroupSummary, source: Source | null): string {
  return source?.name ?? getProvider(group.provider)?.name ?? group.provider;
}

/** The notification for one group and trigger, in the words the issue uses; every title names the source. */
export function notificationFor(
  group: GroupSummary,
  trigger: Trigger,
  milestone: number | null,
  event: NormalizedEvent,
  source: Source | null,
): NotificationRequest {
  const place = placeOf(group, source);
  let title: string;
  switch (trigger) {
    case 'new-group':
    case 'first-occurrence':
      title = `New error in ${place}: ${group.title}`;
      break;
    case 'regressed':
    case 'regressed-after-resolve':
      title = `Regressed in ${place}: ${group.title}`;
      break;
    case 'snooze-ended':
      title = `Back after a snooze in ${place}: ${group.title}`;
      break;
    case 'quiet-return':
      title = `Back in ${place}: ${group.title}`;
      break;
    case 'milestone':
      title = `${group.title} crossed ${milestone ?? 0} occurrences in ${place}`;
      break;
    case 'provider-milestone':
      title = `${group.title} in ${place}: ${event.milestone ?? 'milestone'}`;
      break;
    case 'min-occurrences-reached':
      title = `${group.title} reached ${group.occurrences} occurrences in ${place}`;
      break;
  }
  // Crashbell's own sample says so, so "Send test event" is never mistaken for a crash.
  if (event.test === true) title = `Test event: ${title}`;
  const n: NotificationRequest = { title, body: group.description, url: group.url, group: group.id, digest: false };
  if (source?.sound && source.sound !== 'default') n.sound = source.sound;
  return n;
}

/**
 * Whether a group is snoozed at `now`: null when not at all, 'ended' when a snooze it had is over (its time passed
 * or its count is reached: this event ends it), else the words saying until when.
 */
function snoozeState(g: GroupSummary, now: number): { until: string | null; words: string } | 'ended' | null {
  const until = g.snoozedUntil ?? null;
  const count = g.snoozeCount ?? null;
  if (until === null && count === null) return null;
  const timeLeft = until !== null && Date.parse(until) > now;
  const countLeft = count !== null && g.occurrences < count;
  if (!timeLeft && !countLeft) return 'ended';
  // The end of a snooze by time is left for each front end to word in its own time zone (as Do Not Disturb's).
  if (timeLeft) return { until, words: 'Snoozed: recorded without a notification' };
  return { until: null, words: `Snoozed until it reaches ${count} occurrences (${g.occurrences} now): recorded without a notification` };
}

/**
 * Decides whether one event raises a notification, and why (or why not).
 *
 * Order: a provider's "resolved" only marks the group; then what would notify (new group, Errorception
 * first occurrence, regression, return after quiet hours, an occurrence milestone, a provider milestone);
 * then what holds it back (muted, paused source, pause all, Do Not Disturb, the source's filters); last,
 * storm control, which folds it into the next digest.
 */
export function decide(input: PolicyInput): PolicyOutcome {
  const { before, after, event, now } = input;
  const state: StateEffects = { resolved: null, ignored: null, unsnooze: false };
  const none = (code: string, reason: string, why: Why | null = null, until: string | null = null): PolicyOutcome =>
    silent(decision(false, code, reason, now, false, until), state, why);

  const providerSaid = providerState(input);
  if (providerSaid) {
    if (providerSaid.ignored !== undefined) state.ignored = providerSaid.ignored;
    if (providerSaid.resolved !== undefined) state.resolved = providerSaid.resolved;
    return none(providerSaid.code, providerSaid.reason);
  }
  // Any new hook un-resolves a resolved group (a regression), whatever else holds the toast back.
  state.resolved = before?.resolved ? false : null;
  // The provider reopened it: whatever ignored it is over.
  if (event.lifecycle === 'regressed' && after.ignored === true) state.ignored = false;
  if (event.lifecycle === 'regressed' && input.echoes?.includes('reopened')) {
    return none('own-action', 'Reopened by Crashbell in the provider just before: already applied, nothing raised');
  }
  const snooze = snoozeState(after, now);
  if (snooze === 'ended') state.unsnooze = true;
  const found = triggerFor(input);
  const ended = snooze === 'ended' && found.trigger === null;
  const why: Why = { trigger: ended ? 'snooze-ended' : found.trigger, milestone: found.milestone };
  const reason = ended ? 'Back after a snooze' : found.reason;
  // Nothing to tell comes first: a hook that would not notify anyway is explained as such, not as muted or DND.
  if (why.trigger === null) return none(input.isNew ? 'new-group-off' : 'known-group', reason);
  const held = heldBack(input, state, snooze);
  if (held) return none(held.code, held.reason, why, held.until ?? null);
  return deliver(input, state, why, reason);
}

/** What the event does to the group's marks, beside the decision. */
interface StateEffects {
  resolved: boolean | null;
  ignored: boolean | null;
  unsnooze: boolean;
}

/** Why it would notify: the trigger and the milestone it crossed. */
interface Why {
  trigger: Trigger | null;
  milestone: number | null;
}

/** An outcome that raises nothing now. */
function silent(d: Decision, state: StateEffects, why: Why | null): PolicyOutcome {
  return {
    decision: d,
    resolved: state.resolved,
    ignored: state.ignored,
    unsnooze: state.unsnooze,
    trigger: why?.trigger ?? null,
    milestone: why?.milestone ?? null,
    digested: false,
    notification: null,
    held: null,
  };
}

/** The provider's own word on the group's state (resolved, ignored, or the echo of Crashbell's own action), or null. */
function providerState(input: PolicyInput): { code: string; reason: string; resolved?: boolean; ignored?: boolean } | null {
  const { event } = input;
  if (event.lifecycle === 'resolved') {
    return { code: 'provider-resolved', reason: 'Resolved by the provider: marked resolved, no notification', resolved: true };
  }
  if (event.lifecycle !== 'ignored') return null;
  // Crashbell's own ignore or snooze, told back by the provider: already applied here (a snooze stays a snooze).
  if (input.echoes?.includes('ignored')) {
    return { code: 'own-action', reason: 'Ignored or snoozed by Crashbell in the provider just before: already applied, nothing raised' };
  }
  return { code: 'provider-ignored', reason: 'Ignored in the provider: marked ignored, no notification', ignored: true };
}

/** What holds a notification back (muted, ignored, snoozed, paused, Do Not Disturb, the source's filters), or null. */
function heldBack(
  input: PolicyInput,
  state: StateEffects,
  snooze: ReturnType<typeof snoozeState>,
): { code: string; reason: string; until?: string | null } | null {
  const { after, event, source, settings, now } = input;
  if (after.muted) return { code: 'muted', reason: 'Muted: recorded without a notification' };
  if (after.ignored === true && state.ignored !== false) return { code: 'ignored', reason: 'Ignored: recorded without a notification' };
  if (snooze !== null && snooze !== 'ended') return { code: 'snoozed', reason: snooze.words, until: snooze.until };
  if (settings.pausedAll) return { code: 'paused-all', reason: 'All notifications paused: recorded only' };
  if (source?.paused) return { code: 'source-paused', reason: `Source "${source.name}" is paused: recorded only` };
  const dnd = dndStatus(settings.dnd, now);
  if (dnd.active) return { code: dnd.kind === 'until' ? 'dnd' : 'quiet-window', reason: dnd.reason ?? 'Do Not Disturb', until: dnd.until };
  const filters = source?.filters;
  if (filters?.minOccurrences != null && after.occurrences < filters.minOccurrences) {
    return {
      code: 'filtered-min-occurrences',
      reason: `Below the source's minimum of ${filters.minOccurrences} occurrences (${after.occurrences})`,
    };
  }
  const attribute = filters?.attribute ?? null;
  if (attribute !== null && !attributeMatches(event, attribute.name, attribute.value)) {
    return { code: 'filtered-attribute', reason: `Does not match the source's filter ${attribute.name} = ${attribute.value}` };
  }
  return null;
}

/** What nothing held back: held for a catch-up's summary, folded into the storm's digest, or raised now. */
function deliver(input: PolicyInput, state: StateEffects, why: Why, reason: string): PolicyOutcome {
  const { after, event, source, settings, recent, now } = input;
  const trigger = why.trigger!;
  const group = state.resolved === null ? after : { ...after, resolved: state.resolved };
  const base = { resolved: state.resolved, ignored: state.ignored, unsnooze: state.unsnooze, trigger, milestone: why.milestone };
  if (input.hold === true) {
    const d = decision(false, 'away', `${reason}; held for the "while you were away" summary`, now, true);
    return {
      ...base,
      decision: d,
      digested: false,
      notification: null,
      held: notificationFor(group, trigger, why.milestone, event, source),
    };
  }
  const windowMs = settings.policy.stormWindowSeconds * 1000;
  const inWindow = recent.filter((t) => t > now - windowMs && t <= now).length;
  if (inWindow >= settings.policy.stormLimit || input.stormActive === true) {
    const { stormLimit, stormWindowSeconds } = settings.policy;
    const words = `${reason}; storm control: more than ${stormLimit} notifications in ${stormWindowSeconds} s, so it goes into the next digest`;
    return { ...base, decision: decision(false, 'storm', words, now, true), digested: true, notification: null, held: null };
  }
  const notification = notificationFor(group, trigger, why.milestone, event, source);
  return { ...base, decision: decision(true, trigger, reason, now), digested: false, notification, held: null };
}
