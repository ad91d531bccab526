/**
 * Builds normalized events the way the providers produce them from the seed samples
 * (shared/seeds/backtrace-webhook.txt and errorception-webhook.txt), with overrides per test.
 */
import { createHash } from 'node:crypto';
import type { NormalizedEvent } from '../../shared/events';
import { defaultSettings, type Settings, type SourceInput, sourceSchema } from '../../shared/settings';
import { blankEvent } from '../../main/core/providers/parsed-event';

let seq = 0;

/** The Backtrace seed sample body (comments and trailing comma removed). */
export function backtraceBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    universe: 'my_universe',
    project: 'my_project',
    application: 'my_app.exe',
    fingerprint: '8910551e27a339e542',
    href: 'https://u.sp.backtrace.io/',
    group_url: 'https://u.sp.backtrace.io/dashboard/my_universe/project/my_project/triage',
    callstack: ['printf', 'my_fn', 'main'],
    occurrences: 35,
    object_id: '2e6',
    timestamp: [1502953926, 1502953926],
    classifiers: ['exception'],
    hosts: 4,
    guids: 0,
    attributes: {
      version: [
        ['1.2.3', 10],
        ['1.2.2', 1],
        ['1.1.0', 24],
      ],
      environment: [
        ['production', 33],
        ['staging', 1],
        ['devel', 1],
      ],
    },
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

/** The Errorception seed sample body. */
export function errorceptionBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    isInline: true,
    message: 'Uncaught TypeError: Cannot read property "foo" of undefined',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    when: 'before',
    scriptPath: null,
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
