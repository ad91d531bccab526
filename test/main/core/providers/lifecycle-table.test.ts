/**
 * The lifecycle mapping table: every provider's triggers onto new / recurring / regressed / resolved and
 * milestones, as issue 7 fixes them, and proof that each table is what the parser actually does.
 */
import { describe, expect, it } from 'vitest';
import { bugsnagLifecycle, bugsnagProvider, bugsnagStateChange } from '../../../../main/core/providers/bugsnag';
import { genericLifecycle } from '../../../../main/core/providers/generic';
import { honeybadgerLifecycle, honeybadgerProvider } from '../../../../main/core/providers/honeybadger';
import type { LifecycleTable } from '../../../../main/core/providers/parsed-event';
import { raygunLifecycle, raygunProvider, raygunStatusChange } from '../../../../main/core/providers/raygun';
import { rollbarLifecycle, rollbarProvider } from '../../../../main/core/providers/rollbar';
import { sentryProvider } from '../../../../main/core/providers/sentry';
import { sentryLifecycle } from '../../../../main/core/providers/sentry-parse';
import { signSentryHook } from '../../../../main/core/providers/sentry-signature';
import type { ParseResult, ProviderModule } from '../../../../main/core/providers/types';
import { fixture, makeSource, rawHook } from '../../../helpers/saas-fixtures';

type Row = [provider: string, trigger: string, lifecycle: string | null, milestone: boolean];

/** The expected table (null lifecycle: acknowledged, nothing recorded). */
const EXPECTED: Row[] = [
  ['sentry', 'issue.created', 'new', false],
  ['sentry', 'issue.resolved', 'resolved', false],
  ['sentry', 'issue.unresolved', 'regressed', false],
  ['sentry', 'issue.ignored', 'ignored', false],
  ['sentry', 'issue.archived', 'ignored', false],
  ['sentry', 'issue.assigned', null, false],
  ['sentry', 'event_alert.triggered', 'unknown', false],
  ['sentry', 'error.created', 'unknown', false],
  ['sentry', 'metric_alert.critical', 'unknown', true],
  ['sentry', 'metric_alert.warning', 'unknown', true],
  ['sentry', 'metric_alert.resolved', 'resolved', false],
  ['sentry', 'installation.created', null, false],
  ['sentry', 'comment.created', null, false],
  ['bugsnag', 'firstException', 'new', false],
  ['bugsnag', 'exception', 'unknown', false],
  ['bugsnag', 'powerTen', 'recurring', true],
  ['bugsnag', 'errorEventFrequency', 'recurring', true],
  ['bugsnag', 'reopened', 'regressed', false],
  ['bugsnag', 'projectSpiking', 'unknown', true],
  ['bugsnag', 'comment', null, false],
  ['bugsnag', 'release', null, false],
  ['bugsnag', 'errorStateManualChange:fixed', 'resolved', false],
  ['bugsnag', 'errorStateManualChange:reopened', 'regressed', false],
  ['bugsnag', 'errorStateManualChange:snoozed', 'ignored', false],
  ['bugsnag', 'errorStateManualChange:snoozeCancelled', 'regressed', false],
  ['bugsnag', 'errorStateManualChange:ignored', 'ignored', false],
  ['bugsnag', 'errorStateManualChange:unignored', 'regressed', false],
  ['rollbar', 'new_item', 'new', false],
  ['rollbar', 'occurrence', 'recurring', false],
  ['rollbar', 'exp_repeat_item', 'recurring', true],
  ['rollbar', 'item_velocity', 'recurring', true],
  ['rollbar', 'reactivated_item', 'regressed', false],
  ['rollbar', 'reopened_item', 'regressed', false],
  ['rollbar', 'resolved_item', 'resolved', false],
  ['rollbar', 'deploy', null, false],
  ['raygun', 'error_notification.NewErrorOccurred', 'new', false],
  ['raygun', 'error_notification.ErrorReoccurred', 'regressed', false],
  ['raygun', 'error_notification.OneMinuteFollowUp', 'recurring', true],
  ['raygun', 'error_notification.HourlyFollowUp', 'recurring', true],
  ['raygun', 'error_activity.StatusChanged:Resolved', 'resolved', false],
  ['raygun', 'error_activity.StatusChanged:Active', 'regressed', false],
  ['raygun', 'error_activity.StatusChanged:Ignored', 'ignored', false],
  ['raygun', 'error_activity.StatusChanged:PermanentlyIgnored', 'ignored', false],
  ['raygun', 'error_activity.AssignedToUser', null, false],
  ['raygun', 'error_activity.CommentAdded', null, false],
  ['honeybadger', 'occurred', 'unknown', false],
  ['honeybadger', 'rate_exceeded', 'recurring', true],
  ['honeybadger', 'resolved', 'resolved', false],
  ['honeybadger', 'unresolved', 'regressed', false],
  ['honeybadger', 'assigned', null, false],
  ['honeybadger', 'commented', null, false],
  ['honeybadger', 'deployed', null, false],
  ['honeybadger', 'down', 'regressed', false],
  ['honeybadger', 'up', 'resolved', false],
];

const NOW = Date.UTC(2026, 10, 24, 2, 0, 0);

/** Builds a documented-shape body for one trigger and parses it through the provider. */
function parseTrigger(provider: string, trigger: string): ParseResult {
  const [name, refinement] = trigger.split(':') as [string, string | undefined];
  switch (provider) {
    case 'sentry': {
      const secret = 'sentry-table-secret';
      const src = makeSource('sentry', { credentials: { clientSecret: secret } });
      const [resource, action] = name.split('.') as [string, string];
      const file = {
        issue: 'issue-created.json',
        event_alert: 'event-alert-triggered.json',
        error: 'error-created.json',
        metric_alert: 'metric-alert-resolved.json',
        installation: 'installation-created.json',
        comment: 'comment-created.json',
      }[resource]!;
      const body = JSON.stringify({ ...fixture('sentry', file), action });
      return sentryProvider.parse(rawHook(src, body, signSentryHook(secret, resource, body, NOW), NOW));
    }
    case 'bugsnag': {
      const body = fixture('bugsnag', 'first-exception.json');
      body['trigger'] = { type: name, message: 'trigger message', ...(refinement ? { stateChange: refinement } : {}) };
      return bugsnagProvider.parse(rawHook(makeSource('bugsnag'), JSON.stringify(body)));
    }
    case 'rollbar': {
      const body = fixture('rollbar', 'new-item.json');
      body['event_name'] = name;
      return rollbarProvider.parse(rawHook(makeSource('rollbar'), JSON.stringify(body)));
    }
    case 'raygun': {
      const [event, eventType] = name.split('.') as [string, string];
      const body = fixture('raygun', 'new-error-occurred.json') as { error: Record<string, unknown> } & Record<string, unknown>;
      body['event'] = event;
      body['eventType'] = eventType;
      if (refinement) body.error['status'] = refinement;
      return raygunProvider.parse(rawHook(makeSource('raygun'), JSON.stringify(body)));
    }
    case 'honeybadger': {
      const body = fixture('honeybadger', 'occurred.json');
      body['event'] = name;
      if (name === 'down' || name === 'up') {
        delete body['fault'];
        body['site'] = { id: 'site-1', name: 'example.com', url: 'https://example.com' };
      }
      return honeybadgerProvider.parse(rawHook(makeSource('honeybadger'), JSON.stringify(body)));
    }
    default:
      throw new Error(provider);
  }
}

function tableEntry(provider: string, trigger: string) {
  const [name, refinement] = trigger.split(':') as [string, string | undefined];
  const tables: Record<string, LifecycleTable> = {
    sentry: sentryLifecycle,
    bugsnag: bugsnagLifecycle,
    rollbar: rollbarLifecycle,
    raygun: raygunLifecycle,
    honeybadger: honeybadgerLifecycle,
  };
  if (provider === 'bugsnag' && refinement) return bugsnagStateChange[refinement];
  if (provider === 'raygun' && refinement) return raygunStatusChange[refinement.toLowerCase()];
  return tables[provider]![name];
}

describe('lifecycle mapping table', () => {
  it.each(EXPECTED)('%s %s → %s', (provider, trigger, lifecycle, milestone) => {
    const entry = tableEntry(provider, trigger);
    const result = parseTrigger(provider, trigger);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    if (lifecycle === null) {
      expect(entry).toBeNull();
      expect(result.event).toBeNull();
      return;
    }
    expect(entry?.lifecycle).toBe(lifecycle);
    expect(result.event).not.toBeNull();
    expect(result.event!.lifecycle).toBe(lifecycle);
    if (milestone) {
      expect(entry?.milestone).toBeTruthy();
      expect(result.event!.milestone).toBeTruthy();
    } else {
      expect(result.event!.milestone).toBeNull();
    }
  });

  it("the issue's words: resolved resolves, reopened/unresolved/regressed regress, rate/spike/power-of-ten/velocity are milestones", () => {
    expect(bugsnagLifecycle['reopened']?.lifecycle).toBe('regressed');
    expect(honeybadgerLifecycle['unresolved']?.lifecycle).toBe('regressed');
    expect(rollbarLifecycle['resolved_item']?.lifecycle).toBe('resolved');
    expect(honeybadgerLifecycle['rate_exceeded']?.milestone).toMatch(/rate exceeded/);
    expect(bugsnagLifecycle['projectSpiking']?.milestone).toMatch(/spiking/);
    expect(bugsnagLifecycle['powerTen']?.milestone).toMatch(/power of ten/);
    expect(rollbarLifecycle['item_velocity']?.milestone).toMatch(/velocity/);
    expect(genericLifecycle['*']?.lifecycle).toBe('unknown');
  });

  it('every table row is covered by the expected table or is an extra documented trigger', () => {
    const providers: Array<[string, LifecycleTable, ProviderModule]> = [
      ['rollbar', rollbarLifecycle, rollbarProvider],
      ['honeybadger', honeybadgerLifecycle, honeybadgerProvider],
    ];
    for (const [name, table] of providers) {
      for (const trigger of Object.keys(table)) {
        const row = EXPECTED.find((r) => r[0] === name && r[1] === trigger);
        if (row) expect(table[trigger] === null ? null : table[trigger]!.lifecycle).toBe(row[2]);
      }
    }
  });
});

describe('trigger names that exist on Object.prototype', () => {
  // Found by the property test: a Honeybadger `event` of "toString" read the prototype's function as a mapping.
  const PROTOTYPE_NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];
  const CASES: Array<[provider: string, trigger: string]> = [];
  for (const name of PROTOTYPE_NAMES) {
    CASES.push(['bugsnag', name], ['rollbar', name], ['honeybadger', name], ['raygun', `error_notification.${name}`]);
    CASES.push(['bugsnag', `errorStateManualChange:${name}`], ['sentry', `issue.${name}`]);
  }
  it.each(CASES)('%s %s is treated as an unknown trigger, never as a mapping', (provider, trigger) => {
    const result = parseTrigger(provider, trigger);
    if (result.ok && result.event) {
      expect(['new', 'recurring', 'regressed', 'resolved', 'unknown']).toContain(result.event.lifecycle);
      expect(result.event.milestone === null || typeof result.event.milestone === 'string').toBe(true);
    } else if (!result.ok) {
      expect(result.rejection.status).toBeGreaterThanOrEqual(400);
      expect(result.rejection.reason).toEqual(expect.any(String));
    }
  });
});
