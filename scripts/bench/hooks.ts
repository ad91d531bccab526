/**
 * The hooks the bench sends, and the sources they are sent to.
 *
 * Every body is a variation of its provider module's own `sample()` (main/core/providers/*), so the bench loads
 * the shape the providers document and stays in step when a sample changes. Until issue 17 the Backtrace and
 * Errorception bodies were written out here by hand (Sentry's already came from its sample); they now come from
 * the samples with the same fields varied as before, so the bodies are byte for byte what they were and figures
 * compare across the change: 2,000 groups in rotation, each hook a new object id and a higher count (Backtrace),
 * a new time and one of 2,000 error ids (Errorception, kept a repeat occurrence as before: the sample's is a first
 * one), one of 2,000 issues with a new count and time (Sentry). Requests carry the sample's content type and
 * credential header only (not its test-event user agent), as before.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { NormalizedEvent } from '../../shared/events';
import { parseSettings, type Settings, type SourceInput } from '../../shared/settings';
import { getProvider } from '../../main/core/providers/index';
import { blankEvent } from '../../main/core/providers/parsed-event';
import { signSentryHook } from '../../main/core/providers/sentry-signature';

/** One source per provider the HTTP runs measure. */
export interface BenchSources {
  backtrace: SourceInput;
  errorception: SourceInput;
  sentry: SourceInput;
}

/** Headers and body of one request. */
export interface BenchRequest {
  headers: Record<string, string>;
  body: string;
}

/** Groups the load rotates over, unless a part asks for another number. */
const GROUPS = 2000;

/** New sources with fresh credentials, as a user would add them. */
export function makeSources(): BenchSources {
  const id = (): string => randomBytes(16).toString('base64url');
  const bt = getProvider('backtrace');
  return {
    backtrace: { id: id(), provider: 'backtrace', name: 'Bench Backtrace', credentials: bt ? bt.generateCredentials() : {} },
    errorception: {
      id: id(),
      provider: 'errorception',
      name: 'Bench Errorception',
      credentials: { secret: randomBytes(16).toString('hex') },
    },
    sentry: { id: id(), provider: 'sentry', name: 'Bench Sentry', credentials: { clientSecret: randomBytes(32).toString('hex') } },
  };
}

/** Settings holding the three sources, with room for every group the bench makes. */
export function settingsFor(sources: BenchSources): Settings {
  return parseSettings({
    port: 0,
    sources: [sources.backtrace, sources.errorception, sources.sentry],
    retention: { maxGroups: 100_000, maxDays: 90 },
  });
}

interface Sample {
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Built once per source: the load generator must stay cheap, and a sample signs (or randomizes) on every call. */
const samples = new Map<string, Sample>();

/** The provider module's sample for a source, its body parsed for varying. */
function sampleOf(input: SourceInput): Sample {
  const key = `${input.provider}:${input.id ?? ''}`;
  const known = samples.get(key);
  if (known) return known;
  const provider = getProvider(input.provider);
  const source = parseSettings({ sources: [input] }).sources[0];
  if (!provider || !source) throw new Error(`no ${input.provider} provider`);
  const sample = provider.sample(source, Date.now());
  const made = { headers: sample.headers, body: JSON.parse(sample.body) as Record<string, unknown> };
  samples.set(key, made);
  return made;
}

/** A Backtrace source for bodies sent without one (the inbox figures, the bare server's load). */
const TEMPLATE_SOURCE: SourceInput = {
  id: 'bench-template-source',
  provider: 'backtrace',
  name: 'Bench template',
  credentials: getProvider('backtrace')?.generateCredentials() ?? {},
};

/** The i-th hook's fingerprint: one of `groups` groups. */
export function benchFingerprint(i: number, groups = GROUPS): string {
  return createHash('sha256')
    .update(`bench-${i % groups}`)
    .digest('hex');
}

/** A Backtrace body: `groups` groups in rotation, each hook a new object with a higher count (no redelivery). */
export function backtraceBody(i: number, groups = GROUPS): string {
  const sample = sampleOf(TEMPLATE_SOURCE).body;
  const fp = benchFingerprint(i, groups);
  const now = Math.floor(Date.now() / 1000);
  const [outer, crashSite, inner] = sample.callstack as string[];
  return JSON.stringify({
    ...sample,
    fingerprint: fp,
    group_url: String(sample.group_url).replace(String(sample.fingerprint), fp),
    // The crash site named per group: a search finds one group (the inbox figures search for one).
    callstack: [outer, `${crashSite}_${i % groups}`, inner],
    occurrences: Number(sample.occurrences) + i,
    object_id: i.toString(16),
    timestamp: [now - 3600, now],
  });
}

/** An Errorception body: one of 2,000 errors, each hook a new time. Its signature covers only message and page. */
function errorceptionBody(sample: Record<string, unknown>, i: number): string {
  const errorId = (i % GROUPS).toString(16).padStart(24, '0');
  return JSON.stringify({
    ...sample,
    date: new Date(Date.now() + i).toISOString(),
    isFirstOccurrence: false,
    webUrl: String(sample.webUrl).replace(/[^/]+$/, errorId),
    apiUrl: String(sample.apiUrl).replace(/[^/]+$/, errorId),
  });
}

/** A Sentry `issue` body: one of 2,000 issues, each hook a new count and time. */
function sentryBody(sample: Record<string, unknown>, i: number): string {
  const data = sample.data as { issue?: Record<string, unknown> } | undefined;
  const issue = data?.issue;
  if (!issue) return JSON.stringify(sample);
  const id = String(1_000_000 + (i % GROUPS));
  const varied = {
    ...issue,
    id,
    lastSeen: new Date(Date.now() + i).toISOString(),
    count: String(i + 1),
    web_url: typeof issue.web_url === 'string' ? issue.web_url.replace(/issues\/\d+/, `issues/${id}`) : issue.web_url,
  };
  return JSON.stringify({ ...sample, data: { ...data, issue: varied } });
}

/** Headers and body for the i-th request to a source. */
export function requestFor(kind: keyof BenchSources, sources: BenchSources, i: number): BenchRequest {
  const sample = sampleOf(sources[kind]);
  const contentType = sample.headers['content-type'] ?? 'application/json';
  if (kind === 'backtrace') {
    // Basic auth: the sample's header holds for every body.
    return { headers: { 'content-type': contentType, authorization: sample.headers.authorization ?? '' }, body: backtraceBody(i) };
  }
  if (kind === 'errorception') {
    // Signed over message and page, which the load never varies: the sample's signature holds for every body.
    return {
      headers: { 'content-type': contentType, 'x-signature': sample.headers['x-signature'] ?? '' },
      body: errorceptionBody(sample.body, i),
    };
  }
  // Sentry signs the whole body: each is signed as Sentry does.
  const body = sentryBody(sample.body, i);
  return { headers: signSentryHook(sources.sentry.credentials?.clientSecret ?? '', 'issue', body, Date.now()), body };
}

/** The event Backtrace's parse makes of the i-th body, for the parts that ingest without HTTP. */
export function benchEvent(sourceId: string, i: number, groups: number): NormalizedEvent {
  const body = JSON.parse(backtraceBody(i, groups)) as Record<string, unknown>;
  const callstack = body.callstack as string[];
  return {
    id: randomUUID(),
    provider: 'backtrace',
    receivedAt: new Date().toISOString(),
    sourceId,
    ...blankEvent({
      groupKey: String(body.fingerprint),
      title: callstack[1] ?? '',
      description: callstack.join(' ← '),
      url: String(body.group_url),
      occurrences: Number(body.occurrences),
      hosts: Number(body.hosts),
      guids: Number(body.guids),
      firstSeen: new Date(Date.now() - 3_600_000).toISOString(),
      lastSeen: new Date().toISOString(),
      classifiers: body.classifiers as string[],
      attributes: body.attributes as NormalizedEvent['attributes'],
      callstack,
      application: String(body.application),
      project: String(body.project),
      environment: 'production',
      objectId: String(body.object_id),
      redelivery: { key: `${String(body.object_id)}:${String(body.occurrences)}`, windowMs: null },
      raw: body,
    }),
  };
}
