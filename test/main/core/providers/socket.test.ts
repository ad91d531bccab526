/**
 * Every SaaS provider's documented samples through a real socket on 127.0.0.1 into the receiver, and the
 * 401 refusals (wrong signature, stale timestamp) as a sender sees them; a Standard Webhooks retry under the
 * same id passes verification (the inbox, not verification, makes it a redelivery: see
 * standard-webhooks-retry.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProvider, allSecretHeaders } from '../../../../main/core/providers/index';
import { signSentryHook } from '../../../../main/core/providers/sentry-signature';
import { decodeStandardSecret, signStandardWebhook } from '../../../../main/core/providers/standard-webhooks';
import { Receiver } from '../../../../main/core/receiver/receiver';
import { RequestLog } from '../../../../main/core/request-log';
import type { NormalizedEvent, ProviderId, RequestRecord } from '../../../../shared/events';
import { sourceSchema, type Source } from '../../../../shared/settings';
import { sendHook } from '../../../helpers/hook-client';
import { fixtureNames, fixtureText } from '../../../helpers/saas-fixtures';

const SENTRY_SECRET = 'socket-test-sentry-client-secret';
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const make = (id: string, provider: ProviderId, extra: Record<string, unknown> = {}): Source =>
  sourceSchema.parse({ id, provider, name: provider, ...extra });

const sources: Record<string, Source> = {
  sentry: make('sentrySourceAAAAAAAAAAA', 'sentry', { credentials: { clientSecret: SENTRY_SECRET } }),
  'sentry-legacy': make('sentryLegacySourceAAAA', 'sentry-legacy'),
  bugsnag: make('bugsnagSourceAAAAAAAAAA', 'bugsnag'),
  rollbar: make('rollbarSourceAAAAAAAAAA', 'rollbar'),
  raygun: make('raygunSourceAAAAAAAAAAA', 'raygun'),
  honeybadger: make('honeybadgerSourceAAAAAA', 'honeybadger'),
  generic: make('genericSourceAAAAAAAAAA', 'generic', {
    config: { titlePath: '$.error.error_message', groupKeyPath: '$.error.id', urlPath: '$.airbrake_error_url' },
  }),
  genericStandard: make('genericStandardSourceAA', 'generic', {
    config: { titlePath: '$.type', groupKeyPath: '$.data.id', verification: 'standard-webhooks' },
    credentials: { secret: WHSEC },
  }),
};

/** Sentry fixtures and the resource header each one is sent with (none: a legacy service hook). */
const SENTRY_RESOURCE: Record<string, string | null> = {
  'comment-created.json': 'comment',
  'error-created.json': 'error',
  'event-alert-triggered.json': 'event_alert',
  'installation-created.json': 'installation',
  'issue-created.json': 'issue',
  'metric-alert-resolved.json': 'metric_alert',
  'service-hook-event-created.json': null,
  'zulip-2020-issue-created.json': 'issue',
  'zulip-2020-issue-resolved.json': 'issue',
  'zulip-2020-issue-ignored.json': 'issue',
};

let receiver: Receiver;
let port: number;
const events: NormalizedEvent[] = [];
const records: RequestRecord[] = [];
/** When set, the next store fails (as a full disk would), so the receiver answers 503. */
let failNextStore = false;

beforeAll(async () => {
  receiver = new Receiver({
    getSource: (id) => Object.values(sources).find((s) => s.id === id),
    onEvent: async (event) => {
      if (failNextStore) {
        failNextStore = false;
        throw new Error('disk full');
      }
      events.push(event);
    },
    log: new RequestLog(500, allSecretHeaders()),
    onRecord: (r) => records.push(r),
  });
  port = await receiver.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await receiver.close();
});

function headersFor(provider: string, name: string, body: string): Record<string, string> {
  if (provider !== 'sentry') return { 'content-type': 'application/json' };
  const resource = SENTRY_RESOURCE[name];
  if (resource === undefined) throw new Error(`no resource for ${name}`);
  if (resource === null) {
    const signed = signSentryHook(SENTRY_SECRET, 'x', body, Date.now());
    return {
      'content-type': 'application/json',
      'x-servicehook-timestamp': signed['sentry-hook-timestamp']!,
      'x-servicehook-guid': 'a9b7d84ac0d34e7e9ded1ec13d033846',
      'x-servicehook-signature': signed['sentry-hook-signature']!,
    };
  }
  return signSentryHook(SENTRY_SECRET, resource, body, Date.now());
}

const documented: Array<[string, string]> = ['sentry', 'sentry-legacy', 'bugsnag', 'rollbar', 'raygun', 'honeybadger', 'generic'].flatMap(
  (p) =>
    fixtureNames(p)
      .filter((n) => p !== 'generic' || n === 'airbrake-error.json')
      .map((n): [string, string] => [p, n]),
);

describe('documented samples through a real socket', () => {
  it.each(documented)('%s %s is accepted with 2xx', async (provider, name) => {
    const body = fixtureText(provider, name);
    const source = sources[provider]!;
    const before = events.length;
    const res = await sendHook(port, { path: `/hooks/${source.id}`, headers: headersFor(provider, name, body), body });
    expect(res.status, res.text).toBeGreaterThanOrEqual(200);
    expect(res.status, res.text).toBeLessThan(300);
    const record = records[records.length - 1]!;
    expect(record).toMatchObject({ sourceId: source.id, status: res.status });
    if (events.length > before) {
      const event = events[events.length - 1]!;
      expect(event).toMatchObject({ provider: source.provider, sourceId: source.id });
      expect(event.groupKey.length).toBeGreaterThan(0);
    } else {
      // Acknowledged without an error to record: the record says why.
      expect(record.reason).toMatch(/nothing/);
    }
  });

  it.each(['sentry', 'sentry-legacy', 'bugsnag', 'rollbar', 'raygun', 'honeybadger', 'generic', 'genericStandard'])(
    'the %s sample request is accepted',
    async (key) => {
      const source = sources[key]!;
      const sample = getProvider(source.provider)!.sample(source, Date.now());
      const before = events.length;
      const res = await sendHook(port, { path: `/hooks/${source.id}`, headers: sample.headers, body: sample.body });
      expect(res.status, res.text).toBe(200);
      expect(events.length).toBe(before + 1);
    },
  );
});

describe('signature refusals over the socket', () => {
  it('a wrong Sentry signature is a 401 with a reason', async () => {
    const body = fixtureText('sentry', 'issue-created.json');
    const headers = signSentryHook('not-the-secret', 'issue', body, Date.now());
    const res = await sendHook(port, { path: `/hooks/${sources['sentry']!.id}`, headers, body });
    expect(res.status).toBe(401);
    expect(String(res.json?.['error'])).toMatch(/Sentry-Hook-Signature/);
  });

  it('a stale Sentry timestamp is a 401 with a reason', async () => {
    const body = fixtureText('sentry', 'issue-created.json');
    const headers = signSentryHook(SENTRY_SECRET, 'issue', body, Date.now() - 10 * 60 * 1000);
    const res = await sendHook(port, { path: `/hooks/${sources['sentry']!.id}`, headers, body });
    expect(res.status).toBe(401);
    expect(String(res.json?.['error'])).toMatch(/stale Sentry-Hook-Timestamp/);
  });

  it('a Standard Webhooks retry under the same id (a later timestamp, a new signature) is not refused as a replay', async () => {
    const source = sources['genericStandard']!;
    const body = fixtureText('generic', 'standard-webhooks-contact-created.json');
    const id = 'msg_socket_retry_0001';
    const signed = (ts: string) => ({
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': ts,
      'webhook-signature': signStandardWebhook(decodeStandardSecret(WHSEC)!, id, ts, body),
    });
    const now = Math.floor(Date.now() / 1000);
    const first = await sendHook(port, { path: `/hooks/${source.id}`, headers: signed(String(now - 60)), body });
    expect(first.status).toBe(200);
    const retry = await sendHook(port, { path: `/hooks/${source.id}`, headers: signed(String(now)), body });
    expect(retry.status).toBe(200);
  });

  it('a stale Standard Webhooks timestamp is a 401 with a reason', async () => {
    const source = sources['genericStandard']!;
    const body = fixtureText('generic', 'standard-webhooks-contact-created.json');
    const ts = String(Math.floor(Date.now() / 1000) - 3600);
    const headers = {
      'content-type': 'application/json',
      'webhook-id': 'msg_socket_stale_0001',
      'webhook-timestamp': ts,
      'webhook-signature': signStandardWebhook(decodeStandardSecret(WHSEC)!, 'msg_socket_stale_0001', ts, body),
    };
    const res = await sendHook(port, { path: `/hooks/${source.id}`, headers, body });
    expect(res.status).toBe(401);
    expect(String(res.json?.['error'])).toMatch(/stale webhook-timestamp/);
  });

  it('a Standard Webhooks message that could not be stored (503) is accepted when the sender retries it', async () => {
    const source = sources['genericStandard']!;
    const body = fixtureText('generic', 'standard-webhooks-contact-created.json');
    const id = 'msg_socket_retry_after_503';
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': ts,
      'webhook-signature': signStandardWebhook(decodeStandardSecret(WHSEC)!, id, ts, body),
    };
    failNextStore = true;
    const first = await sendHook(port, { path: `/hooks/${source.id}`, headers, body });
    expect(first.status).toBe(503);
    const retry = await sendHook(port, { path: `/hooks/${source.id}`, headers, body });
    expect(retry.status).toBe(200);
  });
});
