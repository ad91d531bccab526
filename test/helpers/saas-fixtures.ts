/**
 * Test helpers for the SaaS provider tests: documented fixtures, sources and hook requests.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { HookRequest, ParsedEvent, ParseResult } from '../../main/core/providers/types';
import type { ProviderId } from '../../shared/events';
import { sourceToCheck } from '../../main/core/credentials';
import { sourceSchema, type Source, type SourceInput } from '../../shared/settings';
import { FIXTURES } from './paths';

/** The raw text of a documented fixture. */
export function fixtureText(provider: string, name: string): string {
  return readFileSync(join(FIXTURES, provider, name), 'utf8');
}

/** A documented fixture, parsed. */
export function fixture(provider: string, name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(provider, name)) as Record<string, unknown>;
}

/** Every fixture file name of a provider. */
export function fixtureNames(provider: string): string[] {
  return readdirSync(join(FIXTURES, provider))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** A valid source of a provider (ids are 22 URL-safe characters, like real ones). */
export function makeSource(provider: ProviderId, extra: Partial<SourceInput> = {}): Source {
  return sourceSchema.parse({ id: `${provider.padEnd(8, 'x')}-src-0123456789`, provider, name: provider, ...extra });
}

/** A hook request whose raw body is exactly `raw` (the JSON is parsed from it, as the receiver does). */
export function rawHook(source: Source, raw: string, headers: Record<string, string> = {}, now = Date.now()): HookRequest {
  let json: unknown = null;
  try {
    json = JSON.parse(raw);
  } catch {
    json = null;
  }
  return { source: sourceToCheck(source), headers, rawBody: Buffer.from(raw, 'utf8'), json, now };
}

/** Unwraps a parse result that must be a recorded event. */
export function expectEvent(result: ParseResult): ParsedEvent {
  if (!result.ok) throw new Error(`expected an event, got ${result.rejection.status}: ${result.rejection.reason}`);
  if (result.event === null) throw new Error(`expected an event, got an acknowledgement: ${result.note}`);
  return result.event;
}

/** Asserts a parse result is an acknowledgement (2xx, nothing recorded) and returns its note. */
export function expectAcknowledged(result: ParseResult): string {
  expect(result.ok).toBe(true);
  if (!result.ok || result.event !== null) throw new Error('expected an acknowledgement with no event');
  expect(result.note.length).toBeGreaterThan(0);
  return result.note;
}
