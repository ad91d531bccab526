/**
 * Property tests: no body and no headers make any of these providers' verify or parse throw, and every
 * answer is a well-formed result (an event with a group key and title, an acknowledgement, or a 4xx with a
 * reason). Bodies are arbitrary JSON and documented fixtures with one value replaced by arbitrary JSON.
 */
import { sourceToCheck } from '../../../../main/core/credentials';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bugsnagProvider } from '../../../../main/core/providers/bugsnag';
import { genericProvider, previewMapping } from '../../../../main/core/providers/generic';
import { honeybadgerProvider } from '../../../../main/core/providers/honeybadger';
import { raygunProvider } from '../../../../main/core/providers/raygun';
import { rollbarProvider } from '../../../../main/core/providers/rollbar';
import { sentryProvider } from '../../../../main/core/providers/sentry';
import { sentryLegacyProvider } from '../../../../main/core/providers/sentry-legacy';
import type { ParseResult, ProviderModule } from '../../../../main/core/providers/types';
import type { Source } from '../../../../shared/settings';
import { fixture, fixtureNames, makeSource } from '../../../helpers/saas-fixtures';

const cases: Array<[ProviderModule, Source, string]> = [
  [sentryProvider, makeSource('sentry', { credentials: { clientSecret: 'secret' } }), 'sentry'],
  [sentryLegacyProvider, makeSource('sentry-legacy'), 'sentry-legacy'],
  [bugsnagProvider, makeSource('bugsnag'), 'bugsnag'],
  [rollbarProvider, makeSource('rollbar'), 'rollbar'],
  [raygunProvider, makeSource('raygun'), 'raygun'],
  [honeybadgerProvider, makeSource('honeybadger'), 'honeybadger'],
  [
    genericProvider,
    makeSource('generic', {
      config: {
        titlePath: '$.error.error_message',
        groupKeyPath: '$.error.id',
        urlPath: '$.airbrake_error_url',
        occurrencesPath: '$.error.times_occurred',
      },
    }),
    'generic',
  ],
];

const headerArb = fc.dictionary(
  fc.constantFrom(
    'sentry-hook-resource',
    'sentry-hook-signature',
    'sentry-hook-timestamp',
    'x-servicehook-signature',
    'request-id',
    'webhook-id',
    'webhook-signature',
    'webhook-timestamp',
    'x-anything',
  ),
  fc.oneof(fc.string(), fc.constantFrom('issue', 'error', 'event_alert', 'metric_alert', 'installation', 'comment', '0', '')),
);

function wellFormed(result: ParseResult): void {
  if (!result.ok) {
    expect([400, 401, 403, 409, 422]).toContain(result.rejection.status);
    expect(result.rejection.reason.length).toBeGreaterThan(0);
  } else if (result.event === null) {
    expect(result.note.length).toBeGreaterThan(0);
  } else {
    expect(typeof result.event.groupKey).toBe('string');
    expect(result.event.groupKey.length).toBeGreaterThan(0);
    expect(typeof result.event.title).toBe('string');
    expect(['new', 'recurring', 'regressed', 'resolved', 'ignored', 'unknown']).toContain(result.event.lifecycle);
  }
}

/** Every path to a value in a JSON document. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...prefix, i]));
  } else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function replaceAt(doc: unknown, path: Array<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = replacement;
  return copy;
}

describe.each(cases)('%s: no body makes verify or parse throw', (provider, source, fixtureDir) => {
  it('arbitrary JSON bodies and headers', () => {
    fc.assert(
      fc.property(fc.jsonValue(), headerArb, fc.integer({ min: 0, max: 4_000_000_000_000 }), (json, headers, now) => {
        const raw = JSON.stringify(json) ?? 'null';
        const req = { source: sourceToCheck(source), headers, rawBody: Buffer.from(raw), json, now };
        expect(() => provider.verify(req)).not.toThrow();
        let result: ParseResult | undefined;
        expect(() => {
          result = provider.parse(req);
        }).not.toThrow();
        wellFormed(result!);
      }),
      { numRuns: 300 },
    );
  });

  it('documented fixtures with one value replaced by arbitrary JSON', () => {
    const docs = fixtureNames(fixtureDir).map((n) => fixture(fixtureDir, n));
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat(),
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom('issue', 'error', 'event_alert', 'metric_alert', 'comment', ''),
        (d, p, replacement, resource) => {
          const doc = docs[d % docs.length]!;
          const all = paths(doc);
          const json = replaceAt(doc, all[p % all.length]!, replacement);
          const headers: Record<string, string> = resource ? { 'sentry-hook-resource': resource } : {};
          const req = {
            source: sourceToCheck(source),
            headers,
            rawBody: Buffer.from(JSON.stringify(json) ?? 'null'),
            json,
            now: Date.now(),
          };
          let result: ParseResult | undefined;
          expect(() => {
            result = provider.parse(req);
          }).not.toThrow();
          wellFormed(result!);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('previewMapping never throws', () => {
  it('for any config and body', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('titlePath', 'groupKeyPath', 'urlPath', 'bodyPath', 'verification', 'x'),
          fc.oneof(fc.string(), fc.jsonValue()),
        ),
        fc.jsonValue(),
        (config, body) => {
          const preview = previewMapping(config, body);
          expect(typeof preview.ok).toBe('boolean');
          expect(Array.isArray(preview.errors)).toBe(true);
          if (!preview.ok) expect(preview.errors.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
