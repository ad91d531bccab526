/**
 * Builds normalized events the way the providers produce them, with overrides per test. Each body starts from its
 * provider module's own `sample()`, so it carries the fields a real hook does, in the provider's order, and follows
 * the module when its sample changes; the values tests assert on are then set here, fixed (a sample's ids and times
 * are random or the clock's): Backtrace's from its documented group notification
 * (test/fixtures/backtrace/group-notification.json), Errorception's a Chrome error on a checkout page.
 */
import { createHash } from 'node:crypto';
import type { NormalizedEvent } from '../../shared/events';
import { defaultSettings, type Settings, type SourceInput, sourceSchema } from '../../shared/settings';
import { getProvider } from '../../main/core/providers/index';
import { blankEvent } from '../../main/core/providers/parsed-event';

let seq = 0;

/** The instant the samples are made at: the tests' own "now". */
const SAMPLE_AT = Date.parse('2026-11-24T02:00:00Z');

const samples = new Map<string, Record<string, unknown>>();

/** A provider module's sample body, made once for a test source; each caller gets its own copy to change. */
function sampleBody(provider: 'backtrace' | 'errorception', sourceId: string): Record<string, unknown> {
  let body = samples.get(provider);
  if (body === undefined) {
    const module = getProvider(provider);
    if (!module) throw new Error(`no ${provider} provider in the registry`);
    const source = sourceSchema.parse({ id: sourceId, provider, name: 'Sample', credentials: module.generateCredentials() });
    body = JSON.parse(module.sample(source, SAMPLE_AT).body) as Record<string, unknown>;
    samples.set(provider, body);
  }
  return structuredClone(body);
}

/** Backtrace's sample body with the documented group notification's fingerprint, object and times. */
export function backtraceBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...sampleBody('backtrace', 'bt-source-0000000001'),
    fingerprint: '8910551e27a339e542',
    group_url: 'https://u.sp.backtrace.io/dashboard/my_universe/project/my_project/triage',
    object_id: '2e6',
    timestamp: [1502953926, 1502953926],
    ...over,
  };
}

/** A Backtrace event as the provider maps the body. */
export function backtraceEvent(over: Partial<NormalizedEvent> & { body?: Record<string, unknown>; at?: number } = {}): NormalizedEvent {
  const body = backtraceBody(over.body);
  const at = over.at ?? Date.parse('2026-11-24T02:00:00Z');
  const fingerprint = String(body.fingerprint);
  const occurrences = Number(body.occurrences);
  const objectId = String(body.object_id);
  const callstack = body.callstack as string[];
  const { body: _b, at: _a, ...rest } = over;
  return {
    id: `ev-${++seq}`,
    provider: 'backtrace',
    sourceId: 'bt-source-0000000001',
    receivedAt: new Date(at).toISOString(),
    ...blankEvent({
      groupKey: fingerprint,
      title: callstack[1] ?? fingerprint,
      description: callstack.slice(0, 3).join(' ← '),
      url: String(body.group_url),
      occurrences,
      hosts: Number(body.hosts),
      guids: Number(body.guids),
      firstSeen: '2017-08-17T07:12:06.000Z',
      lastSeen: '2017-08-17T07:12:06.000Z',
      classifiers: body.classifiers as string[],
      attributes: body.attributes as NormalizedEvent['attributes'],
      callstack,
      application: String(body.application),
      project: String(body.project),
      objectId,
      redelivery: { key: `${objectId}:${occurrences}`, windowMs: null },
      raw: body,
    }),
    ...rest,
  };
}

/** Errorception's sample body as a repeat of a Chrome error on a checkout page. */
export function errorceptionBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...sampleBody('errorception', 'ec-source-0000000001'),
    message: 'Uncaught TypeError: Cannot read property "foo" of undefined',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    when: 'before',
    page: 'https://example.com/checkout',
    date: '2026-11-24T01:59:00.000Z',
    isFirstOccurrence: false,
    webUrl: 'https://errorception.com/projects/abc/errors/123',
    apiUrl: 'https://api.errorception.com/projects/abc/errors/123',
    ...over,
  };
}

/** An Errorception event as the provider maps the body (each hook one occurrence, 10-minute redelivery window). */
export function errorceptionEvent(over: Partial<NormalizedEvent> & { body?: Record<string, unknown>; at?: number } = {}): NormalizedEvent {
  const body = errorceptionBody(over.body);
  const at = over.at ?? Date.parse('2026-11-24T02:00:00Z');
  const { body: _b, at: _a, ...rest } = over;
  return {
    id: `ev-${++seq}`,
    provider: 'errorception',
    sourceId: 'ec-source-0000000001',
    receivedAt: new Date(at).toISOString(),
    ...blankEvent({
      groupKey: String(body.webUrl),
      title: String(body.message),
      description: `${String(body.page)} · Chrome 120`,
      url: String(body.webUrl),
      lastSeen: String(body.date),
      page: String(body.page),
      userAgent: String(body.userAgent),
      browser: { name: 'Chrome', version: '120.0' },
      os: { name: 'Windows', version: '10' },
      isFirstOccurrence: body.isFirstOccurrence === true,
      lifecycle: body.isFirstOccurrence === true ? 'new' : 'recurring',
      redelivery: { key: createHash('sha256').update(JSON.stringify(body)).digest('hex'), windowMs: 10 * 60 * 1000 },
      raw: body,
    }),
    ...rest,
  };
}

/** Settings with the two test sources (and optional changes). */
export function testSettings(over: Partial<Settings> = {}, sources: SourceInput[] = []): Settings {
  const base = defaultSettings();
  const all: SourceInput[] = [
    { id: 'bt-source-0000000001', provider: 'backtrace', name: 'Backtrace prod', credentials: { username: 'u', password: 'p' } },
    { id: 'ec-source-0000000001', provider: 'errorception', name: 'Shop', credentials: { secret: 's' } },
    ...sources,
  ];
  return { ...base, sources: all.map((s) => sourceSchema.parse(s)), ...over };
}
