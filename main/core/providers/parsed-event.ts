/**
 * Shared building blocks for the SaaS provider modules (Sentry, Bugsnag, Rollbar, Raygun, Honeybadger,
 * generic JSON): a blank parsed event to fill, the lifecycle-table type each module exports, HMAC helpers and
 * the "acknowledged, nothing to record" result.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Lifecycle, ProviderId } from '../../../shared/events';
import type { ProviderMark } from '../../../shared/ipc';
import type { HookRequest, ParsedEvent, ParseResult, ProviderActions, ProviderModule, Rejection } from './types';

/** How one provider trigger maps onto the normalized lifecycle and milestone (null: acknowledged, not recorded). */
export interface TriggerMapping {
  lifecycle: Lifecycle;
  /** Plain words for a milestone trigger, or null. */
  milestone: string | null;
}

/** A provider's trigger table: trigger name → mapping, or `null` for hooks that carry no error to record. */
export type LifecycleTable = Readonly<Record<string, TriggerMapping | null>>;

/**
 * Looks a trigger up in a table by own keys only: trigger names come from the internet, and a plain
 * `table[name]` would find `toString` or `__proto__` on the prototype. Undefined means unknown trigger.
 */
export function lookupTrigger(table: LifecycleTable, name: string): TriggerMapping | null | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** Redelivery window for providers that retry within minutes. */
export const TEN_MINUTES = 10 * 60 * 1000;
export const ONE_DAY = 24 * 60 * 60 * 1000;

/** Longest title or description we keep; provider messages can be whole log dumps. */
const MAX_TEXT = 500;

/** Trims and shortens free text from a provider to something a notification can show. */
export function shortText(value: string | null | undefined, max = MAX_TEXT): string {
  if (!value) return '';
  const text = value.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The first non-empty string among the candidates, or null. */
export function firstText(...values: Array<string | null | undefined>): string | null {
  for (const v of values) if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return null;
}

/** An event with every optional field empty; providers spread their own fields over it. */
export function blankEvent(fields: Pick<ParsedEvent, 'groupKey' | 'title' | 'redelivery' | 'raw'> & Partial<ParsedEvent>): ParsedEvent {
  return {
    description: '',
    url: null,
    occurrences: null,
    hosts: null,
    guids: null,
    firstSeen: null,
    lastSeen: null,
    classifiers: [],
    attributes: {},
    callstack: [],
    application: null,
    project: null,
    environment: null,
    objectId: null,
    page: null,
    userAgent: null,
    browser: null,
    os: null,
    isFirstOccurrence: null,
    lifecycle: 'unknown',
    milestone: null,
    ...fields,
  };
}

/** "Acknowledged, nothing to record": a hook that is genuine and well-formed but carries no error. */
export function acknowledged(note: string): ParseResult {
  return { ok: true, event: null, note };
}

/** A 400 with a reason (and the field when one is to blame). */
export function badRequest(reason: string, field?: string): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: field === undefined ? { status: 400, reason } : { status: 400, reason, field } };
}

/** A 401 with a reason. */
export function unauthorized(reason: string): Rejection {
  return { status: 401, reason };
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Lower-case hex HMAC-SHA256. */
export function hmacHex(key: string | Buffer, data: string | Buffer): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

/** Base64 HMAC-SHA256. */
export function hmacBase64(key: string | Buffer, data: string | Buffer): string {
  return createHmac('sha256', key).update(data).digest('base64');
}

/** Short stable hash of a body, for redelivery keys when a provider sends no delivery id. */
export function bodyHash(raw: Buffer | string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 32);
}

/** Epoch seconds given as a header string → milliseconds, or null when it is not a number. */
export function headerSeconds(value: string | null): number | null {
  if (value === null || !/^\s*\d{1,12}(\.\d+)?\s*$/.test(value)) return null;
  return Math.round(Number(value) * 1000);
}

/** Five minutes: the tolerance for signed timestamps (Sentry, Standard Webhooks). */
export const TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * Refuses a signed timestamp more than five minutes from now, either way. Returns null when it is fresh.
 * `label` names the header in the reason.
 */
export function checkTimestamp(label: string, value: string | null, now: number): Rejection | null {
  if (value === null) return unauthorized(`missing ${label} header`);
  const ms = headerSeconds(value);
  if (ms === null) return unauthorized(`${label} is not a Unix timestamp in seconds`);
  const skew = Math.abs(now - ms);
  if (skew > TIMESTAMP_TOLERANCE_MS) {
    return unauthorized(
      `stale ${label}: ${Math.round(skew / 1000)} s away from this computer's clock (more than 5 minutes); check both clocks, or this is a replay`,
    );
  }
  return null;
}

/** What differs between providers that sign nothing: everything but verification. */
export interface UnsignedProviderSpec {
  id: ProviderId;
  name: string;
  mark: ProviderMark;
  docsUrl: string;
  setupSteps: string[];
  /** The provider's web-app hosts (see {@link ProviderModule.webHosts}). */
  webHosts: readonly string[];
  /** See {@link ProviderModule.webUrlHelp}; default null. */
  webUrlHelp?: string | null;
  /** Parses a body already known to be a JSON object. */
  parse(req: HookRequest): ParseResult;
  /** A documented-shape sample body with a fresh group key. */
  sampleBody(now: number): unknown;
  /** Said when the body is JSON but not an object (e.g. a provider's other formats). */
  notAnObject?: string;
  /** See {@link ProviderModule.actions}. */
  actions: ProviderActions;
}

/**
 * A provider module for a service that signs nothing and sends no credentials: the source's unguessable URL
 * is its only secret, and the setup view says so.
 */
export function unsignedProvider(spec: UnsignedProviderSpec): ProviderModule {
  return {
    id: spec.id,
    name: spec.name,
    mark: spec.mark,
    docsUrl: spec.docsUrl,
    credentials: [],
    secretHeaders: [],
    securityNote: `${spec.name} does not sign its webhooks or send credentials, so this source's unguessable URL is its only secret: keep it private, and delete the source to revoke it.`,
    webHosts: spec.webHosts,
    webUrlHelp: spec.webUrlHelp ?? null,
    setupSteps: spec.setupSteps,
    generateCredentials: () => ({}),
    validateSource: () => null,
    verify: () => null,
    parse(req) {
      try {
        if (!isObject(req.json)) return badRequest(spec.notAnObject ?? 'the body must be a JSON object');
        return spec.parse(req);
      } catch (error) {
        return badRequest(`the body could not be read: ${String(error)}`);
      }
    },
    sample: (_source, now) => ({
      headers: { 'content-type': 'application/json', 'user-agent': `Crashbell test event (${spec.name} format)` },
      body: JSON.stringify(spec.sampleBody(now)),
    }),
    actions: spec.actions,
  };
}
