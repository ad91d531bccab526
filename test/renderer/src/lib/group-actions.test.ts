import { describe, expect, it } from 'vitest';
import {
  type ActionContext,
  actionButtons,
  actionNotes,
  noteWords,
  doingWords,
  durationWords,
  endedAction,
  liveClaim,
  MAX_SNOOZE_OCCURRENCES,
  offersOccurrences,
  parseOccurrences,
  pendingWords,
  SNOOZE_CHOICES_MINUTES,
  shownStatus,
  startedAction,
} from '../../../../renderer/src/lib/group-actions';
import * as shared from '../../../../shared/actions';
import type { ActionAvailability, ActionKind, GroupActionState, ProviderActionsInfo } from '../../../../shared/actions';
import { makeGroupDetail, registryProviders } from '../../../helpers/fake-api';

const NOW = Date.parse('2026-03-04T10:00:00.000Z');
const sentry = registryProviders().find((p) => p.id === 'sentry')!.actions!;
const rollbar = registryProviders().find((p) => p.id === 'rollbar')!.actions!;
const backtrace = registryProviders().find((p) => p.id === 'backtrace')!.actions!;

function offers(available: boolean, reason: string | null = null, except: Partial<Record<ActionKind, string>> = {}): ActionAvailability[] {
  return shared.ACTION_KINDS.map((kind) =>
    except[kind] !== undefined ? { kind, available: false, reason: except[kind]! } : { kind, available, reason: available ? null : reason },
  );
}

function ctx(info: ProviderActionsInfo, over: Partial<ActionContext> = {}): ActionContext {
  return { provider: 'Sentry', info, resolveInProvider: true, now: NOW, ...over };
}

describe('the detail view’s actions', () => {
  it('offers Resolve, Resolve in next release, Snooze, Ignore, Assign to me and Claim on an open group the provider can act on', () => {
    const g = makeGroupDetail({ actions: offers(true) });
    const buttons = actionButtons(g, ctx(sentry));
    expect(buttons.map((b) => [b.label, b.enabled, b.inProvider, b.why])).toEqual([
      ['Resolve', true, true, null],
      ['Resolve in next release', true, true, null],
      ['Snooze', true, true, null],
      ['Ignore', true, true, null],
      ['Assign to me', true, true, null],
      ['Claim', true, false, null],
    ]);
    expect(offersOccurrences(ctx(sentry))).toBe(true);
  });

  it('leaves out what the provider has not (Rollbar: next release, snoozing by count)', () => {
    const g = makeGroupDetail({ actions: offers(true) });
    expect(actionButtons(g, ctx(rollbar, { provider: 'Rollbar' })).map((b) => b.label)).not.toContain('Resolve in next release');
    expect(offersOccurrences(ctx(rollbar))).toBe(false);
    expect(offersOccurrences(ctx(backtrace))).toBe(false);
  });

  it('says why an action cannot reach the provider; the core still makes it here, except Assign to me', () => {
    const why = "set a Sentry auth token with the event:write scope in this source's API settings";
    const g = makeGroupDetail({ actions: offers(false, why) });
    const buttons = actionButtons(g, ctx(sentry));
    expect(buttons.filter((b) => b.why === why).map((b) => [b.label, b.enabled])).toEqual([
      ['Resolve', true],
      ['Resolve in next release', false],
      ['Snooze', true],
      ['Ignore', true],
      ['Assign to me', false],
    ]);
    const notes = actionNotes(buttons, 'd');
    expect(notes).toEqual([
      { id: 'd-why-0', here: ['Resolve', 'Snooze', 'Ignore'], nowhere: ['Resolve in next release', 'Assign to me'], why },
    ]);
    expect(noteWords(notes[0]!, 'Sentry')).toEqual({
      lead: 'Resolve, Snooze, Ignore stay in Crashbell, not Sentry; Resolve in next release, Assign to me cannot be done',
      why: `${why}.`,
    });
    const one = { id: 'x', here: ['Resolve'], nowhere: [], why: 'resolving in Sentry is turned off for this source.' };
    expect(noteWords(one, 'Sentry')).toEqual({ lead: 'Resolve stays in Crashbell, not Sentry', why: one.why });
  });

  it('a provider without a write API: everything stays here, saying its module’s reason', () => {
    const reason = (backtrace as { reason: string }).reason;
    const g = makeGroupDetail({ actions: offers(false, reason) });
    const buttons = actionButtons(g, ctx(backtrace, { provider: 'Backtrace' }));
    expect(buttons.map((b) => b.label)).toEqual(['Resolve', 'Snooze', 'Ignore', 'Assign to me', 'Claim']);
    expect(buttons.every((b) => b.inProvider === false)).toBe(true);
  });

  it('resolving with the source’s “Resolve in the provider too” off stays here, and says so', () => {
    const g = makeGroupDetail({ actions: offers(true) });
    const [resolve] = actionButtons(g, ctx(sentry, { resolveInProvider: false }));
    expect(resolve).toEqual({
      kind: 'resolve',
      label: 'Resolve',
      enabled: true,
      inProvider: false,
      why: 'resolving in Sentry is turned off for this source',
    });
  });

  it('offers Reopen in Resolve’s place for a resolved or ignored group, and Release while a claim holds', () => {
    const claimedUntil = new Date(NOW + 3_600_000).toISOString();
    for (const over of [{ resolved: true }, { ignored: true }]) {
      const g = makeGroupDetail({ ...over, actions: offers(true), claimedBy: 'ana', claimedUntil });
      expect(actionButtons(g, ctx(sentry)).map((b) => b.label)).toEqual(['Reopen', 'Assign to me', 'Release claim']);
    }
    expect(liveClaim({ claimedBy: 'ana', claimedUntil: new Date(NOW - 1).toISOString() }, NOW)).toBe(false);
    expect(liveClaim({ claimedBy: 'ana', claimedUntil: null }, NOW)).toBe(true);
    expect(liveClaim({ claimedBy: null, claimedUntil }, NOW)).toBe(false);
  });

  it('a group answered without availability (an older main) still offers what the core makes here', () => {
    const { actions: _none, ...g } = makeGroupDetail();
    const buttons = actionButtons(g as never, ctx(backtrace));
    expect(buttons.find((b) => b.kind === 'resolve')).toMatchObject({ enabled: true, inProvider: false });
  });
});

describe('an action’s words and state', () => {
  it('says what is under way, in the provider or here', () => {
    expect(pendingWords({ kind: 'resolve' }, true, 'Sentry')).toBe('Resolving in Sentry…');
    expect(pendingWords({ kind: 'resolve' }, false, 'Backtrace')).toBe('Resolving…');
    expect(doingWords({ kind: 'snooze', minutes: 8 * 60 })).toBe('Snoozing for 8 hours');
    expect(doingWords({ kind: 'snooze-occurrences', count: 1000 })).toBe('Snoozing until 1,000 more occurrences');
    expect(doingWords({ kind: 'snooze-occurrences', count: 1 })).toBe('Snoozing until 1 more occurrence');
    expect(doingWords({ kind: 'claim' })).toBe('Claiming');
  });

  it('shows the newer of this pane’s own action and main’s record, and main’s progress while its own runs', () => {
    const started = startedAction('g1', { kind: 'resolve' }, 'Resolving in Sentry…', NOW);
    expect(shownStatus(started, null, 'g1')).toMatchObject({ state: 'pending', words: 'Resolving in Sentry…' });
    // Another group's action is not shown here.
    expect(shownStatus(started, null, 'g2')).toBeNull();
    const progress: GroupActionState = {
      action: 'resolve',
      state: 'pending',
      words: 'Sentry is limiting requests: retrying at 10:00:30',
      at: new Date(NOW + 10).toISOString(),
      retryAt: new Date(NOW + 30_000).toISOString(),
      by: 'ana',
    };
    expect(shownStatus(started, progress, 'g1')).toBe(progress);
    // An older record (the last action before this one) does not hide this one.
    const older = { ...progress, state: 'done' as const, words: 'Ignored in Sentry', at: new Date(NOW - 60_000).toISOString() };
    expect(shownStatus(started, older, 'g1')).toBe(started);
    const failed = endedAction(
      'g1',
      { state: 'failed', action: 'resolve', words: 'Sentry refused', where: null, code: 'forbidden', status: 403, retryAt: null },
      NOW + 20,
    );
    expect(shownStatus(failed, progress, 'g1')).toBe(failed);
    // Later, an action from the tray: the newer record shows.
    const fromTray = {
      ...progress,
      state: 'done' as const,
      words: 'Snoozed for 1 hour in Sentry',
      at: new Date(NOW + 60_000).toISOString(),
    };
    expect(shownStatus(failed, fromTray, 'g1')).toBe(fromTray);
    expect(shownStatus(null, fromTray, 'g1')).toBe(fromTray);
  });

  it('takes a whole number of occurrences from 1, and says the problem otherwise', () => {
    expect(parseOccurrences(' 250 ')).toEqual({ ok: true, count: 250 });
    for (const bad of ['', '0', '-3', '2.5', 'ten', String(MAX_SNOOZE_OCCURRENCES + 1)]) {
      expect(parseOccurrences(bad)).toEqual({ ok: false, problem: 'Give a whole number of occurrences from 1 to 1,000,000.' });
    }
  });

  it('keeps the same snooze choices, limit and words as shared/actions.ts (copied: zod stays out of the page)', () => {
    expect(SNOOZE_CHOICES_MINUTES).toEqual(shared.SNOOZE_CHOICES_MINUTES);
    expect(MAX_SNOOZE_OCCURRENCES).toBe(shared.MAX_SNOOZE_OCCURRENCES);
    for (const m of [1, 59, 60, 90, 120, 480, 1440, 2880, 43_200]) expect(durationWords(m)).toBe(shared.durationWords(m));
  });
});
