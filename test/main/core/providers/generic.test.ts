import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { genericProvider, previewMapping } from '../../../../main/core/providers/generic';
import { decodeStandardSecret, signStandardWebhook, WEBHOOK_ID_WINDOW_MS } from '../../../../main/core/providers/standard-webhooks';
import { expectEvent, fixture, fixtureText, makeSource, rawHook } from '../../../helpers/saas-fixtures';

const AIRBRAKE_MAPPING = {
  titlePath: '$.error.error_message',
  groupKeyPath: '$.error.id',
  bodyPath: '$.error.last_notice.backtrace[0]',
  urlPath: '$.airbrake_error_url',
  occurrencesPath: '$.error.times_occurred',
  environmentPath: '$.error.environment',
};
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('generic mapping', () => {
  const source = makeSource('generic', { config: AIRBRAKE_MAPPING });

  it('maps a documented webhook body (Airbrake) through JSON paths', () => {
    const event = expectEvent(genericProvider.parse(rawHook(source, fixtureText('generic', 'airbrake-error.json'))));
    expect(event).toMatchObject({
      groupKey: '37463546',
      title: 'KitchenException: You are all out of bacon!',
      description: "[PROJECT_ROOT]/app/controllers/bacon_controller.rb:35:in `cook'",
      url: 'https://airbrake.io/airbrake-error-url',
      occurrences: 118,
      environment: 'avocado',
      lifecycle: 'unknown',
    });
    expect(event.redelivery.windowMs).toBe(10 * 60 * 1000);
  });

  it('a required field that maps to nothing is a 400 naming it', () => {
    const result = genericProvider.parse(rawHook(source, '{"error":{"error_message":"x"}}'));
    expect(result).toMatchObject({ ok: false, rejection: { status: 400, field: 'groupKey' } });
  });

  it('validateSource names missing or malformed mappings and missing secrets', () => {
    expect(genericProvider.validateSource(source)).toBeNull();
    expect(genericProvider.validateSource(makeSource('generic'))).toMatch(/titlePath/);
    expect(genericProvider.validateSource(makeSource('generic', { config: { ...AIRBRAKE_MAPPING, urlPath: '$[' } }))).toMatch(/urlPath/);
    expect(
      genericProvider.validateSource(
        makeSource('generic', { config: { ...AIRBRAKE_MAPPING, verification: 'hmac', signatureHeader: 'x-sig' } }),
      ),
    ).toMatch(/secret/);
    expect(
      genericProvider.validateSource(
        makeSource('generic', { config: { ...AIRBRAKE_MAPPING, verification: 'hmac' }, credentials: { secret: 's' } }),
      ),
    ).toMatch(/signatureHeader/);
    expect(
      genericProvider.validateSource(
        makeSource('generic', {
          config: { ...AIRBRAKE_MAPPING, verification: 'standard-webhooks' },
          credentials: { secret: 'not base64!' },
        }),
      ),
    ).toMatch(/whsec_/);
  });

  it('previewMapping shows the fields and the problems for the setup view', () => {
    const preview = previewMapping(AIRBRAKE_MAPPING, fixture('generic', 'airbrake-error.json'));
    expect(preview.ok).toBe(true);
    expect(preview.errors).toEqual([]);
    expect(preview.fields).toMatchObject({ title: 'KitchenException: You are all out of bacon!', groupKey: '37463546', occurrences: 118 });
    expect(preview.body).toContain('"times_occurred": 118');

    const wrong = previewMapping({ ...AIRBRAKE_MAPPING, groupKeyPath: '$.error.nope' }, fixture('generic', 'airbrake-error.json'));
    expect(wrong.ok).toBe(false);
    expect(wrong.errors).toEqual(['groupKey: $.error.nope found nothing']);

    expect(previewMapping(AIRBRAKE_MAPPING, null)).toMatchObject({ ok: false, body: null, errors: [expect.stringMatching(/no body/)] });
    expect(previewMapping({ titlePath: '$.a' }, { a: 1 })).toMatchObject({ ok: false, errors: [expect.stringMatching(/groupKeyPath/)] });
  });
});

describe('generic HMAC verification', () => {
  const config = { ...AIRBRAKE_MAPPING, verification: 'hmac', signatureHeader: 'X-Hub-Signature-256', signaturePrefix: 'sha256=' };
  const source = makeSource('generic', { config, credentials: { secret: "It's a Secret to Everybody" } });
  const raw = fixtureText('generic', 'airbrake-error.json');
  const hex = createHmac('sha256', "It's a Secret to Everybody").update(raw).digest('hex');

  it('accepts the signature in the chosen header with its prefix', () => {
    expect(genericProvider.verify(rawHook(source, raw, { 'x-hub-signature-256': `sha256=${hex}` }))).toBeNull();
  });

  it('refuses a wrong signature, a missing header or prefix with 401 and a reason', () => {
    expect(genericProvider.verify(rawHook(source, raw, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }))).toMatchObject({
      status: 401,
      reason: expect.stringMatching(/wrong/),
    });
    expect(genericProvider.verify(rawHook(source, raw, {}))).toMatchObject({ status: 401, reason: expect.stringMatching(/missing/) });
    expect(genericProvider.verify(rawHook(source, raw, { 'x-hub-signature-256': hex }))?.status).toBe(401);
  });

  it('supports base64 signatures', () => {
    const b64Source = makeSource('generic', {
      config: { ...config, signatureEncoding: 'base64', signaturePrefix: '' },
      credentials: source.credentials,
    });
    const b64 = createHmac('sha256', "It's a Secret to Everybody").update(raw).digest('base64');
    expect(genericProvider.verify(rawHook(b64Source, raw, { 'x-hub-signature-256': b64 }))).toBeNull();
  });

  it('a sample is signed and parses with a fresh group each call', () => {
    const now = Date.now();
    const a = genericProvider.sample(source, now);
    const b = genericProvider.sample(source, now);
    expect(genericProvider.verify(rawHook(source, a.body, a.headers, now))).toBeNull();
    expect(expectEvent(genericProvider.parse(rawHook(source, a.body, a.headers, now))).groupKey).not.toBe(
      expectEvent(genericProvider.parse(rawHook(source, b.body, b.headers, now))).groupKey,
    );
  });
});

describe('generic Standard Webhooks verification', () => {
  const config = { titlePath: '$.type', groupKeyPath: '$.data.id', verification: 'standard-webhooks' };
  const source = makeSource('generic', { config, credentials: { secret: WHSEC } });
  const raw = fixtureText('generic', 'standard-webhooks-contact-created.json');
  const now = Date.UTC(2026, 10, 24, 2, 0, 0);
  const ts = String(Math.floor(now / 1000));
  const headers = {
    'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    'webhook-timestamp': ts,
    'webhook-signature': signStandardWebhook(decodeStandardSecret(WHSEC)!, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', ts, raw),
  };

  it('accepts a signed message, and its retry under the same id, with the message id as a long-lived redelivery key', () => {
    expect(genericProvider.verify(rawHook(source, raw, headers, now))).toBeNull();
    const event = expectEvent(genericProvider.parse(rawHook(source, raw, headers, now)));
    expect(event).toMatchObject({ groupKey: '1f81eb52-5198-4599-803e-771906343485', title: 'contact.created' });
    expect(event.redelivery).toEqual({ key: 'webhook-id:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', windowMs: WEBHOOK_ID_WINDOW_MS });
    // The sender's retry: same id and body, a new timestamp and signature. Verified again; the inbox sees the key.
    const later = String(Number(ts) + 30);
    const retry = {
      ...headers,
      'webhook-timestamp': later,
      'webhook-signature': signStandardWebhook(decodeStandardSecret(WHSEC)!, headers['webhook-id'], later, raw),
    };
    expect(genericProvider.verify(rawHook(source, raw, retry, now + 30_000))).toBeNull();
    expect(expectEvent(genericProvider.parse(rawHook(source, raw, retry, now + 30_000))).redelivery.key).toBe(event.redelivery.key);
  });

  it('refuses a stale timestamp with 401 and a reason', () => {
    expect(genericProvider.verify(rawHook(source, raw, headers, now + 10 * 60 * 1000))).toMatchObject({
      status: 401,
      reason: expect.stringMatching(/stale/),
    });
  });

  it('a sample is signed, verifies and parses', () => {
    const sample = genericProvider.sample(source, now);
    expect(genericProvider.verify(rawHook(source, sample.body, sample.headers, now))).toBeNull();
    expect(genericProvider.parse(rawHook(source, sample.body, sample.headers, now)).ok).toBe(true);
  });
});

describe('generic config spellings', () => {
  it('accepts the nested mapping and verification spelling as well as the flat one', () => {
    const nested = makeSource('generic', {
      config: {
        mapping: { title: '$.error.error_message', groupKey: '$.error.id', url: '$.airbrake_error_url' },
        verification: { type: 'hmac', header: 'X-Signature', encoding: 'base64' },
      },
      credentials: { secret: 'shh' },
    });
    expect(genericProvider.validateSource(nested)).toBeNull();
    const raw = fixtureText('generic', 'airbrake-error.json');
    const sig = createHmac('sha256', 'shh').update(raw).digest('base64');
    expect(genericProvider.verify(rawHook(nested, raw, { 'x-signature': sig }))).toBeNull();
    expect(expectEvent(genericProvider.parse(rawHook(nested, raw, { 'x-signature': sig }))).url).toBe(
      'https://airbrake.io/airbrake-error-url',
    );
  });
});

describe('generic: the inspector masks the header a source names for its signature', () => {
  it('names the configured HMAC header, and none without one', () => {
    const hmac = makeSource('generic', {
      config: { titlePath: '$.t', groupKeyPath: '$.id', verification: 'hmac', signatureHeader: 'X-Acme-Auth' },
      credentials: { secret: 's' },
    });
    expect(genericProvider.secretHeadersOf!(hmac)).toEqual(['x-acme-auth']);
    expect(genericProvider.secretHeadersOf!(makeSource('generic', { config: { titlePath: '$.t', groupKeyPath: '$.id' } }))).toEqual([]);
  });
});
