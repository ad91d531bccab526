import { describe, expect, it } from 'vitest';
import type { GroupSummary, NormalizedEvent } from '../../../../shared/events';
import type { Settings } from '../../../../shared/settings';
import { applyEvent, groupIdFor } from '../../../../main/core/inbox/grouping';
import { attributeMatches, crossedMilestone, decide, type PolicyInput } from '../../../../main/core/inbox/policy';
import { backtraceEvent, errorceptionEvent, testSettings } from '../../../helpers/make-event';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const HOUR = 3_600_000;

function groupOf(ev: NormalizedEvent, over: Partial<GroupSummary> = {}): GroupSummary {
  return { ...applyEvent(null, ev, groupIdFor(ev.sourceId, ev.groupKey)), ...over };
}

/** A known group (seen an hour ago, notified) and the next hook for it. */
function known(
  ev: NormalizedEvent,
  over: Partial<GroupSummary> = {},
  settings: Settings = testSettings(),
  recent: number[] = [],
): PolicyInput {
  const before = groupOf(ev, {
    lastReceivedAt: new Date(NOW - HOUR).toISOString(),
    notifiedAt: new Date(NOW - HOUR).toISOString(),
    ...over,
  });
  const after = applyEvent(before, ev, before.id);
  return {
    before,
    after,
    event: ev,
    isNew: false,
    source: settings.sources.find((s) => s.id === ev.sourceId) ?? null,
    settings,
    recent,
    now: NOW,
  };
}

function fresh(ev: NormalizedEvent, settings: Settings = testSettings(), recent: number[] = []): PolicyInput {
  const after = applyEvent(null, ev, groupIdFor(ev.sourceId, ev.groupKey));
  return {
    before: null,
    after,
    event: ev,
    isNew: true,
    source: settings.sources.find((s) => s.id === ev.sourceId) ?? null,
    settings,
    recent,
    now: NOW,
  };
}

const bt = (occurrences = 35, over: Partial<NormalizedEvent> = {}): NormalizedEvent =>
  backtraceEvent({ body: { occurrences, object_id: `o${occurrences}` }, at: NOW, ...over });

describe('policy: how it notifies', () => {
  it('carries the source’s sound choice, and says a test event is one', () => {
    const s = testSettings();
    s.sources[0]!.sound = 'Glass';
    expect(decide(fresh(bt(), s)).notification?.sound).toBe('Glass');
    expect(decide(fresh(bt())).notification).not.toHaveProperty('sound');
    expect(decide(fresh(bt(35, { test: true }))).notification?.title).toBe('Test event: New error in Backtrace prod: my_fn');
  });
});

describe('policy: what notifies', () => {
  it('notifies a group new to Crashbell, with the error and the source in the title', () => {
    const out = decide(fresh(bt()));
    expect(out.decision).toMatchObject({ notify: true, code: 'new-group', reason: 'New group' });
    expect(out.notification).toEqual({
      title: 'New error in Backtrace prod: my_fn',
      body: 'printf ← my_fn ← main',
      url: 'https://u.sp.backtrace.io/dashboard/my_universe/project/my_project/triage',
      group: out.notification?.group,
      digest: false,
    });
    expect(out.notification?.group).toBe(groupIdFor('bt-source-0000000001', '8910551e27a339e542'));
  });

  it('stays quiet for a new group when notifyNewGroups is off', () => {
    const s = testSettings();
    s.policy.notifyNewGroups = false;
    const out = decide(fresh(bt(), s));
    expect(out.decision).toMatchObject({ notify: false, code: 'new-group-off' });
    expect(out.notification).toBeNull();
  });

  it('notifies Errorception isFirstOccurrence for a known group, and not when that setting is off', () => {
    const ev = errorceptionEvent({ body: { isFirstOccurrence: true }, at: NOW });
    expect(decide(known(ev)).decision).toMatchObject({ notify: true, code: 'first-occurrence' });
    const s = testSettings();
    s.policy.notifyFirstOccurrence = false;
    expect(decide(known(ev, {}, s)).decision).toMatchObject({ notify: false, code: 'known-group' });
  });

  it('stays quiet for a known group with nothing new', () => {
    const out = decide(known(bt(36)));
    expect(out.decision).toMatchObject({ notify: false, code: 'known-group' });
    expect(out.resolved).toBeNull();
  });

  it('notifies a hook after the user marked the group resolved, and un-resolves it', () => {
    const out = decide(known(bt(36), { resolved: true }));
    expect(out.decision).toMatchObject({ notify: true, code: 'regressed-after-resolve' });
    expect(out.resolved).toBe(false);
    expect(out.notification?.title).toBe('Regressed in Backtrace prod: my_fn');
  });

  it('un-resolves but does not notify when regression notifications are off', () => {
    const s = testSettings();
    s.policy.notifyOnRegression = false;
    const out = decide(known(bt(36), { resolved: true }, s));
    expect(out.decision.notify).toBe(false);
    expect(out.resolved).toBe(false);
  });

  it('notifies a hook after 24 h of quiet, not after 23 h; quietHours 0 turns it off', () => {
    const long = decide(known(bt(36), { lastReceivedAt: new Date(NOW - 25 * HOUR).toISOString() }));
    expect(long.decision).toMatchObject({ notify: true, code: 'quiet-return', reason: 'Back after 25 h of quiet' });
    expect(decide(known(bt(36), { lastReceivedAt: new Date(NOW - 23 * HOUR).toISOString() })).decision.notify).toBe(false);
    const s = testSettings();
    s.policy.quietHours = 0;
    expect(decide(known(bt(36), { lastReceivedAt: new Date(NOW - 99 * HOUR).toISOString() }, s)).decision.notify).toBe(false);
  });

  it('notifies when occurrences cross 10, 100, 1000, 10000, naming the milestone', () => {
    for (const [from, to, m] of [
      [9, 10, 10],
      [99, 120, 100],
      [999, 1000, 1000],
      [9000, 10001, 10000],
    ] as const) {
      const input = known(bt(to), { occurrences: from });
      const out = decide(input);
      expect(out.decision).toMatchObject({ notify: true, code: 'milestone', reason: `Crossed ${m} occurrences` });
      expect(out.milestone).toBe(m);
      expect(out.notification?.title).toBe(`my_fn crossed ${m} occurrences in Backtrace prod`);
    }
    expect(decide(known(bt(101), { occurrences: 100 })).decision.notify).toBe(false);
  });

  it('names the largest milestone when one hook jumps across several', () => {
    expect(crossedMilestone([10, 100, 1000], 5, 500)).toBe(100);
    expect(crossedMilestone([10, 100], 100, 100)).toBeNull();
  });

  it('counts Errorception hooks toward milestones', () => {
    const ev = errorceptionEvent({ at: NOW });
    const input = known(ev, { occurrences: 9 });
    expect(input.after.occurrences).toBe(10);
    expect(decide(input).decision).toMatchObject({ notify: true, code: 'milestone' });
  });

  it('treats a provider "resolved" as a mark, raising nothing', () => {
    const out = decide(known(bt(36, { lifecycle: 'resolved' })));
    expect(out.decision).toMatchObject({ notify: false, code: 'provider-resolved' });
    expect(out.resolved).toBe(true);
    expect(out.notification).toBeNull();
  });

  it('notifies a provider "regressed" as a regression', () => {
    const out = decide(known(bt(36, { lifecycle: 'regressed' })));
    expect(out.decision).toMatchObject({ notify: true, code: 'regressed' });
    expect(out.notification?.title).toMatch(/^Regressed in/);
  });

  it('notifies a provider milestone trigger as a milestone', () => {
    const out = decide(known(bt(36, { milestone: 'power of ten (100)' })));
    expect(out.decision).toMatchObject({ notify: true, code: 'provider-milestone', reason: 'Milestone: power of ten (100)' });
  });
});

describe('policy: what holds a notification back (still recorded)', () => {
  it('muted group', () => {
    const out = decide(known(bt(36), { muted: true, resolved: true }));
    expect(out.decision).toMatchObject({ notify: false, code: 'muted' });
    // Still recorded: the regression un-resolves it.
    expect(out.resolved).toBe(false);
    expect(out.trigger).toBe('regressed-after-resolve');
  });

  it('a hook that would not notify anyway is explained as such, not as muted or Do Not Disturb', () => {
    const dnd = testSettings();
    dnd.dnd.until = new Date(NOW + HOUR).toISOString();
    expect(decide(known(bt(36), {}, dnd)).decision).toMatchObject({ notify: false, code: 'known-group' });
    expect(decide(known(bt(36), { muted: true })).decision).toMatchObject({ notify: false, code: 'known-group' });
  });

  it('paused source and pause all', () => {
    const s = testSettings();
    s.sources[0]!.paused = true;
    expect(decide(fresh(bt(), s)).decision).toMatchObject({ notify: false, code: 'source-paused' });
    const all = testSettings({ pausedAll: true });
    expect(decide(fresh(bt(), all)).decision).toMatchObject({ notify: false, code: 'paused-all' });
  });

  it('Do Not Disturb until a time in the future, and not once it has passed', () => {
    const on = testSettings();
    on.dnd.until = new Date(NOW + HOUR).toISOString();
    const held = decide(fresh(bt(), on)).decision;
    expect(held).toMatchObject({ notify: false, code: 'dnd', until: on.dnd.until });
    // Stored with the group and printed by headless: the end in local time, never an ISO string.
    expect(held.reason).toMatch(/^Do Not Disturb until (tomorrow )?\d\d:\d\d$/);
    const past = testSettings();
    past.dnd.until = new Date(NOW - 1).toISOString();
    expect(decide(fresh(bt(), past)).decision.notify).toBe(true);
  });

  it('daily quiet window (local time), across midnight', () => {
    const s = testSettings();
    const local = new Date(NOW);
    const hh = String(local.getHours()).padStart(2, '0');
    const next = String((local.getHours() + 1) % 24).padStart(2, '0');
    s.dnd.quietWindow = { enabled: true, start: `${hh}:00`, end: `${next}:00` };
    expect(decide(fresh(bt(), s)).decision).toMatchObject({ notify: false, code: 'quiet-window' });
    s.dnd.quietWindow.enabled = false;
    expect(decide(fresh(bt(), s)).decision.notify).toBe(true);
  });

  it('per-source minimum occurrences, notifying once the group reaches it', () => {
    const s = testSettings();
    s.sources[1]!.filters.minOccurrences = 3;
    const first = decide(fresh(errorceptionEvent({ at: NOW }), s));
    expect(first.decision).toMatchObject({ notify: false, code: 'filtered-min-occurrences' });
    const third = decide(known(errorceptionEvent({ at: NOW }), { occurrences: 2, notifiedAt: null }, s));
    expect(third.decision).toMatchObject({ notify: true, code: 'min-occurrences-reached' });
  });

  it('per-source attribute match: environment and Backtrace histograms', () => {
    const s = testSettings();
    s.sources[0]!.filters.attribute = { name: 'environment', value: 'production' };
    expect(decide(fresh(bt(), s)).decision.notify).toBe(true);
    s.sources[0]!.filters.attribute = { name: 'environment', value: 'qa' };
    expect(decide(fresh(bt(), s)).decision).toMatchObject({ notify: false, code: 'filtered-attribute' });
    s.sources[0]!.filters.attribute = { name: 'version', value: '1.2.3' };
    expect(decide(fresh(bt(), s)).decision.notify).toBe(true);
  });

  it('attribute filter reads the normalized environment and raw fields', () => {
    const ev = bt(35, { environment: 'staging', attributes: {} });
    expect(attributeMatches(ev, 'environment', 'Staging')).toBe(true);
    expect(attributeMatches(ev, 'universe', 'my_universe')).toBe(true);
    expect(attributeMatches(ev, 'environment', 'production')).toBe(false);
  });

  it('storm control: past 5 in 60 s it goes to the digest; older notifications do not count', () => {
    const five = [NOW - 50_000, NOW - 40_000, NOW - 30_000, NOW - 20_000, NOW - 10_000];
    const out = decide(fresh(bt(), testSettings(), five));
    expect(out.decision).toMatchObject({ notify: false, code: 'storm', digested: true });
    expect(out.digested).toBe(true);
    expect(out.notification).toBeNull();
    const old = [NOW - 61_000, NOW - 40_000, NOW - 30_000, NOW - 20_000, NOW - 10_000];
    expect(decide(fresh(bt(), testSettings(), old)).decision.notify).toBe(true);
  });

  it('is pure: the same input gives the same output', () => {
    const input = known(bt(100), { occurrences: 50 });
    expect(decide(input)).toEqual(decide(input));
  });
});

describe('policy: ignored, snoozed, and the provider’s echo of an action', () => {
  it('holds an ignored group, and marks a group ignored on the provider’s word', () => {
    const held = decide(known(bt(36), { ignored: true }));
    expect(held.decision.code).toBe('known-group');
    const regressed = decide(known(bt(36, { lifecycle: 'regressed' }), { ignored: true }));
    // The provider reopened it: the ignore is over and the regression notifies.
    expect(regressed.ignored).toBe(false);
    expect(regressed.notification?.title).toMatch(/^Regressed in /);
    const ignoredByProvider = decide(known(bt(36, { lifecycle: 'ignored' })));
    expect(ignoredByProvider).toMatchObject({ ignored: true, notification: null, decision: { code: 'provider-ignored' } });
    const milestone = decide(known(bt(100), { ignored: true, occurrences: 99 }));
    expect(milestone).toMatchObject({ notification: null, decision: { code: 'ignored' }, trigger: 'milestone' });
  });

  it('holds a group snoozed for a time until then, with the end for each front end to word; after it, the next hook notifies', () => {
    const until = new Date(NOW + HOUR).toISOString();
    const held = decide(known(bt(100), { snoozedUntil: until, occurrences: 99 }));
    expect(held).toMatchObject({ notification: null, unsnooze: false, decision: { code: 'snoozed', until } });
    const over = decide(known(bt(36), { snoozedUntil: new Date(NOW - 1).toISOString() }));
    expect(over).toMatchObject({ unsnooze: true, trigger: 'snooze-ended' });
    expect(over.notification?.title).toMatch(/^Back after a snooze in /);
  });

  it('holds a group snoozed by count until it reaches the count', () => {
    const held = decide(known(bt(100), { snoozeCount: 145, occurrences: 99 }));
    expect(held.decision).toMatchObject({ code: 'snoozed', reason: expect.stringMatching(/145 occurrences/) });
    const reached = decide(known(bt(45), { snoozeCount: 45, occurrences: 44 }));
    expect(reached.unsnooze).toBe(true);
    expect(reached.notification).not.toBeNull();
  });

  it('takes a reopen that Crashbell itself just asked of the provider as already applied', () => {
    const echo = decide({ ...known(bt(36, { lifecycle: 'regressed' }), { resolved: true }), echoes: ['reopened'] });
    expect(echo).toMatchObject({ notification: null, decision: { code: 'own-action' }, resolved: false });
    const later = decide(known(bt(36, { lifecycle: 'regressed' }), { resolved: true }));
    expect(later.notification).not.toBeNull();
  });

  it("takes the provider's ignore hook right after Crashbell's own snooze or ignore as applied: a snooze stays a snooze", () => {
    const until = new Date(NOW + HOUR).toISOString();
    const echo = decide({ ...known(bt(36, { lifecycle: 'ignored' }), { snoozedUntil: until }), echoes: ['ignored'] });
    expect(echo).toMatchObject({ ignored: null, notification: null, decision: { code: 'own-action' } });
    const ownIgnore = decide({ ...known(bt(36, { lifecycle: 'ignored' }), { ignored: true }), echoes: ['ignored'] });
    expect(ownIgnore).toMatchObject({ ignored: null, notification: null });
    // Ignored in the provider by someone else: the mark is set, and a later regression still notifies.
    expect(decide(known(bt(36, { lifecycle: 'ignored' }))).ignored).toBe(true);
    const regression = decide(known(bt(37, { lifecycle: 'regressed' }), { ignored: true }));
    expect(regression).toMatchObject({ ignored: false, trigger: 'regressed' });
    expect(regression.notification?.title).toMatch(/^Regressed in /);
  });
});
