/**
 * Folding one event into its group: recognise a redelivery, fold the event's facts into the group, and ask the
 * policy what to raise. A pure function of the group as it was, the event and the settings: the inbox supplies
 * the state and writes what comes out.
 */
import { isoOf } from '../base/iso-time';
import type { Decision, GroupSummary, NotificationRequest } from '../../../shared/events';
import type { Settings, Source } from '../../../shared/settings';
import type { BoundedEvent } from '../bounded-event';
import { applyEvent } from './grouping';
import { isRedelivery, type RedeliveryKeys, rememberKey } from './redelivery-keys';
import { decide, type ProviderEcho, type Trigger } from './policy';
import type { GroupState } from './record-codec';

/** What folding looks at. */
export interface FoldInput {
  /** The group's id (from its source and group key). */
  id: string;
  event: BoundedEvent;
  /** The group as stored; null when the event starts it (or its record could not be read). */
  prior: GroupState | null;
  /** Who set the group's team marks (the stored summary may predate them). */
  marks: { resolvedBy: string | null; mutedBy: string | null } | null;
  /** The event's source, when it is still configured (its name, pause and filters). */
  source: Source | null;
  settings: Settings;
  /** Recent notifications and whether a storm is under way (storm control's view). */
  storm: { recent: readonly number[]; active: boolean };
  /** A relay catch-up is under way: hold what would notify for its summary. */
  hold: boolean;
  /** State changes this Crashbell just made in the provider (see the policy's `echoes`). */
  echoes?: readonly ProviderEcho[];
  now: number;
}

/** The event repeats a hook already recorded: nothing changes, nothing is raised. */
export interface DuplicateFold {
  duplicate: true;
  id: string;
  group: GroupSummary;
  isNew: false;
  decision: Decision;
  notification: null;
  held: null;
}

/** The event folded into its group, and what the policy made of it. */
export interface AcceptedFold {
  duplicate: false;
  id: string;
  /** The group after the event, marks and decision applied. */
  group: GroupSummary;
  /** The group before it; null when the event started it. */
  before: GroupSummary | null;
  /** The group's redelivery keys with this event's remembered. */
  keys: RedeliveryKeys;
  isNew: boolean;
  decision: Decision;
  /** What to raise now. */
  notification: NotificationRequest | null;
  /** What a catch-up holds for its summary. */
  held: NotificationRequest | null;
  /** Storm control holds it for the next digest. */
  digested: boolean;
  /** Why it would notify, or null. */
  trigger: Trigger | null;
}

export type Fold = DuplicateFold | AcceptedFold;

/** Folds one event into its group (see the module comment). */
export function foldEvent(input: FoldInput): Fold {
  const { id, event, prior, now } = input;
  if (prior && isRedelivery(prior.dk, event, now)) {
    const decision: Decision = {
      notify: false,
      code: 'duplicate',
      reason: 'A redelivery of a hook already recorded: nothing changed',
      at: isoOf(now),
    };
    return { duplicate: true, id, group: prior.g, isNew: false, decision, notification: null, held: null };
  }
  const before = prior?.g ?? null;
  const isNew = prior === null && input.marks === null;
  const folded = applyEvent(before, event, id);
  const outcome = decide({
    before,
    after: folded,
    event,
    isNew,
    source: input.source,
    settings: input.settings,
    recent: input.storm.recent,
    stormActive: input.storm.active,
    hold: input.hold,
    ...(input.echoes ? { echoes: input.echoes } : {}),
    now,
  });
  // `folded` is a fresh object of our own (the policy has finished reading it): complete it in place.
  const after = folded;
  if (outcome.resolved !== null) after.resolved = outcome.resolved;
  // A resolve ends what held the group (a snooze, a claim); a reopen ends an ignore; a snooze past its end is over.
  if (outcome.resolved === true || outcome.unsnooze) {
    after.snoozedUntil = null;
    after.snoozeCount = null;
  }
  if (outcome.resolved === true) {
    after.claimedBy = null;
    after.claimedUntil = null;
  }
  if (outcome.ignored !== null) after.ignored = outcome.ignored;
  after.lastDecision = outcome.decision;
  if (outcome.notification || outcome.held) after.notifiedAt = isoOf(now);
  const marks = input.marks;
  if (after.resolved && marks?.resolvedBy) after.resolvedBy = marks.resolvedBy;
  else delete after.resolvedBy;
  if (after.muted && marks?.mutedBy) after.mutedBy = marks.mutedBy;
  else delete after.mutedBy;
  return {
    duplicate: false,
    id,
    group: after,
    before,
    keys: rememberKey(prior?.dk ?? '', event, now),
    isNew,
    decision: outcome.decision,
    notification: outcome.notification,
    held: outcome.held,
    digested: outcome.digested,
    trigger: outcome.trigger,
  };
}
