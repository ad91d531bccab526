import { sourceToCheck } from '../../../../main/core/credentials';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorceptionErrorUrl, errorceptionProvider, errorceptionSignature } from '../../../../main/core/providers/errorception';
import type { HookRequest } from '../../../../main/core/providers/types';
import { sourceSchema, type Source } from '../../../../shared/settings';
import { fixturePath } from '../../../helpers/paths';

const fixtureText = (name: string): string => readFileSync(fixturePath('errorception', name), 'utf8');
const fixture = (name: string): Record<string, unknown> => JSON.parse(fixtureText(name)) as Record<string, unknown>;

const SECRET = 'ec-secret-4e4b1652f384ef4d';
const source: Source = sourceSchema.parse({
  id: 'ec-source-0000000000001',
  provider: 'errorception',
  name: 'Errorception',
  credentials: { secret: SECRET },
});

/** The signature as Errorception's documentation defines it: sha1(secret + message + page), hex. */
function referenceSignature(secret: string, message: string, page: string): string {
  return createHash('sha1')
    .update(secret + message + page, 'utf8')
    .digest('hex');
}

function hook(json: unknown, headers: Record<string, string> = {}, src: Source = source): HookRequest {
  const raw = JSON.stringify(json) ?? '';
  return { source: sourceToCheck(src), headers, rawBody: Buffer.from(raw), json, now: Date.now() };
}

function signed(json: Record<string, unknown>, secret = SECRET): HookRequest {
  return hook(json, { 'x-signature': referenceSignature(secret, String(json['message']), String(json['page'])) });
}

describe('errorception verify', () => {
  const body = fixture('first-occurrence.json');

  it('accepts the documented signature, in either hex case', () => {
    expect(errorceptionProvider.verify(signed(body))).toBeNull();
    const upper = referenceSignature(SECRET, String(body['message']), String(body['page'])).toUpperCase();
    expect(errorceptionProvider.verify(hook(body, { 'x-signature': upper }))).toBeNull();
  });

  it('refuses a missing or wrong X-Signature with 401', () => {
    expect(errorceptionProvider.verify(hook(body))).toMatchObject({ status: 401, reason: 'missing X-Signature header' });
    expect(errorceptionProvider.verify(signed(body, 'another-secret'))?.status).toBe(401);
    expect(errorceptionProvider.verify(hook(body, { 'x-signature': 'deadbeef' }))?.status).toBe(401);
  });

  it('refuses a body without message or page with 400 naming the field', () => {
    expect(errorceptionProvider.verify(hook(fixture('missing-page.json')))).toMatchObject({ status: 400, field: 'page' });
    expect(errorceptionProvider.verify(hook(fixture('missing-message.json')))).toMatchObject({ status: 400, field: 'message' });
    expect(errorceptionProvider.verify(hook({ ...body, page: 42 }))).toMatchObject({ status: 400, field: 'page' });
    expect(errorceptionProvider.verify(hook('just a string'))).toMatchObject({ status: 400 });
  });

  it('refuses when the source has no secret', () => {
    const bare = { ...source, credentials: {} };
    const req = hook(body, { 'x-signature': referenceSignature('', String(body['message']), String(body['page'])) }, bare);
    expect(errorceptionProvider.verify(req)?.status).toBe(401);
  });

  it('matches the documented formula for any secret, message and page (UTF-8 included)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'grapheme' }),
        (secret, message, page) => {
          expect(errorceptionSignature(secret, message, page)).toBe(referenceSignature(secret, message, page));
          // The source keeps a secret as set (trimmed, never blank): that is what signs.
          const set = secret.trim() || 'x';
          const src = { ...source, credentials: { secret: set } };
          const sig = referenceSignature(set, message, page);
          expect(errorceptionProvider.verify(hook({ message, page }, { 'x-signature': sig }, src))).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('breaks the signature on any change of secret, message or page', () => {
    const text = fc.string({ unit: 'grapheme' });
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: 'grapheme' }),
        text,
        text,
        text,
        fc.constantFrom('secret', 'message', 'page'),
        (secret, message, page, replacement, which) => {
          // With the other two parts fixed, the signed concatenation differs exactly when the changed part does.
          const original = which === 'secret' ? secret : which === 'message' ? message : page;
          fc.pre(replacement !== original && !(which === 'secret' && replacement === ''));
          const sig = referenceSignature(secret, message, page);
          const src = { ...source, credentials: { secret: which === 'secret' ? replacement : secret } };
          const body = { message: which === 'message' ? replacement : message, page: which === 'page' ? replacement : page };
          expect(errorceptionProvider.verify(hook(body, { 'x-signature': sig }, src))?.status).toBe(401);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on any body or header', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (json, sig) => {
        const result = errorceptionProvider.verify(hook(json, { 'x-signature': sig }));
        if (result) expect([400, 401]).toContain(result.status);
      }),
      { numRuns: 500 },
    );
  });
});

describe('errorception parse', () => {
  it('maps the seed first occurrence into a normalized event', () => {
    const text = fixtureText('first-occurrence.json');
    const json: unknown = JSON.parse(text);
    const result = errorceptionProvider.parse({
      source: sourceToCheck(source),
      headers: {},
      rawBody: Buffer.from(text),
      json,
      now: Date.now(),
    });
    if (!result.ok || !result.event) throw new Error('expected an event');
    const e = result.event;
    expect(e.title).toBe('"_WidgetManager" is undefined');
    expect(e.groupKey).toBe('https://errorception.com/projects/4e4b1652f384ef4d2d000002/errors/4ecc86a0fc68e61a1a06fdfc');
    expect(e.url).toBe(e.groupKey);
    expect(e.page).toBe('http://blog.rakeshpai.me/2007/02/ies-unknown-runtime-error-when-using.html');
    expect(e.browser).toEqual({ name: 'Android Browser', version: '4.0' });
    expect(e.os).toEqual({ name: 'Android', version: '4.1.2' });
    expect(e.description).toBe(
      'http://blog.rakeshpai.me/2007/02/ies-unknown-runtime-error-when-using.html — Android Browser 4.0 on Android 4.1.2',
    );
    expect(e.isFirstOccurrence).toBe(true);
    expect(e.lifecycle).toBe('new');
    expect(e.occurrences).toBeNull();
    expect(e.firstSeen).toBe('2012-11-12T15:31:02.576Z');
    expect(e.lastSeen).toBe('2012-11-12T15:31:02.576Z');
    expect(e.redelivery).toEqual({ key: createHash('sha256').update(text).digest('hex'), windowMs: 600_000 });
  });

  it('marks a recurring error as recurring', () => {
    const result = errorceptionProvider.parse(hook(fixture('recurring.json')));
    if (!result.ok || !result.event) throw new Error('expected an event');
    expect(result.event.lifecycle).toBe('recurring');
    expect(result.event.isFirstOccurrence).toBe(false);
  });

  it('keeps extra fields and reads a desktop browser', () => {
    const result = errorceptionProvider.parse(hook(fixture('extra-fields.json')));
    if (!result.ok || !result.event) throw new Error('expected an event');
    expect(result.event.browser?.name).toBe('Chrome');
    expect(result.event.os?.name).toBe('Windows');
    expect((result.event.raw as Record<string, unknown>)['line']).toBe(1042);
  });

  it('groups by a hash of message and page when webUrl is missing', () => {
    const a = errorceptionProvider.parse(hook(fixture('no-web-url.json')));
    const b = errorceptionProvider.parse(hook({ ...fixture('no-web-url.json'), date: '2020-01-01T00:00:00Z' }));
    if (!a.ok || !a.event || !b.ok || !b.event) throw new Error('expected events');
    expect(a.event.groupKey).toBe(b.event.groupKey);
    expect(a.event.url).toBeNull();
    expect(a.event.browser).toBeNull();
    expect(a.event.lastSeen).toBeNull();
  });

  it('refuses missing message or page with 400 naming the field', () => {
    expect(errorceptionProvider.parse(hook(fixture('missing-page.json')))).toMatchObject({
      ok: false,
      rejection: { status: 400, field: 'page' },
    });
    expect(errorceptionProvider.parse(hook(fixture('missing-message.json')))).toMatchObject({
      ok: false,
      rejection: { status: 400, field: 'message' },
    });
  });

  it('names an optional field of the wrong type', () => {
    const result = errorceptionProvider.parse(hook({ ...fixture('first-occurrence.json'), isFirstOccurrence: { yes: 1 } }));
    expect(result).toMatchObject({ ok: false, rejection: { status: 400, field: 'isFirstOccurrence' } });
  });

  it('never throws on any JSON value or hostile field values', () => {
    const anything = fc.anything({ withNullPrototype: true, withBoxedValues: true });
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        expect(typeof errorceptionProvider.parse(hook(json)).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.record(
          { message: fc.string(), page: fc.string(), userAgent: anything, date: anything, isFirstOccurrence: anything, webUrl: anything },
          { requiredKeys: ['message', 'page'] },
        ),
        (json) => {
          const result = errorceptionProvider.parse(hook(json));
          if (result.ok && result.event) expect(result.event.groupKey.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('errorception credentials and samples', () => {
  it('generates nothing: the secret is pasted from Errorception, after the source exists', () => {
    expect(errorceptionProvider.generateCredentials()).toEqual({});
    // A source waiting for its secret is valid; its hooks are refused until then, before the body is read.
    const waiting = { ...source, credentials: {} };
    expect(errorceptionProvider.validateSource(waiting)).toBeNull();
    expect(errorceptionProvider.credentials[0]).toMatchObject({ key: 'secret', required: true, pasteLater: true });
    expect(errorceptionProvider.verifyHeaders!(sourceToCheck(waiting), { 'x-signature': 'abc' })).toEqual({
      status: 401,
      reason: expect.stringMatching(/^the secret is not set yet: add it to this source's credentials \(Errorception shows it/),
    });
    expect(errorceptionProvider.verifyHeaders!(sourceToCheck(source), {})).toMatchObject({
      status: 401,
      reason: 'missing X-Signature header',
    });
    // A signature is there but signs the body: nothing is authenticated before the body is read.
    expect(errorceptionProvider.verifyHeaders!(sourceToCheck(source), { 'x-signature': 'abc' })).toBeUndefined();
    expect(errorceptionProvider.validateSource(source)).toBeNull();
  });

  it('samples a correctly signed hook with a fresh webUrl each time', () => {
    const now = Date.UTC(2026, 10, 24, 3, 0, 0);
    const one = errorceptionProvider.sample(source, now);
    const two = errorceptionProvider.sample(source, now);
    for (const sample of [one, two]) {
      const json: unknown = JSON.parse(sample.body);
      const req: HookRequest = { source: sourceToCheck(source), headers: sample.headers, rawBody: Buffer.from(sample.body), json, now };
      expect(errorceptionProvider.verify(req)).toBeNull();
      expect(errorceptionProvider.parse(req).ok).toBe(true);
    }
    expect(JSON.parse(one.body).webUrl).not.toBe(JSON.parse(two.body).webUrl);
  });
});

describe('errorception as it really sends (the blog post and the errorception-hooks sender)', () => {
  const published = ['blog-2012-webhooks-sample.json', 'hooks-repo-error-payload.json'];

  it("groups by the error's identity: the two samples (webUrl over https and over http) are one group, opened over https", () => {
    const [a, b] = published.map((name) => {
      const result = errorceptionProvider.parse(signed(fixture(name)));
      if (!result.ok || result.event === null) throw new Error(`${name} did not parse`);
      return result.event;
    });
    expect(a!.groupKey).toBe('https://errorception.com/projects/4e4b1652f384ef4d2d000002/errors/4ecc86a0fc68e61a1a06fdfc');
    expect(b!.groupKey).toBe(a!.groupKey);
    expect(b!.url).toBe(a!.groupKey);
  });

  it('reads the identity only from a webUrl on errorception.com', () => {
    expect(errorceptionErrorUrl('http://errorception.com/projects/p1/errors/e1/')).toBe('https://errorception.com/projects/p1/errors/e1');
    expect(errorceptionErrorUrl('https://errorception.com.evil.example/projects/p1/errors/e1')).toBeNull();
    expect(errorceptionErrorUrl('https://errorception.com:8443/projects/p1/errors/e1')).toBeNull();
    expect(errorceptionErrorUrl('https://errorception.com/projects/p1/errors/e1/../../x')).toBeNull();
    expect(errorceptionErrorUrl('not a url')).toBeNull();
  });
});
