import { sourceToCheck } from '../../../../main/core/credentials';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backtraceProvider } from '../../../../main/core/providers/backtrace';
import type { HookRequest } from '../../../../main/core/providers/types';
import { sourceSchema, type Source } from '../../../../shared/settings';
import { fixturePath } from '../../../helpers/paths';

const fixture = (name: string): unknown => JSON.parse(readFileSync(fixturePath('backtrace', name), 'utf8'));

const source: Source = sourceSchema.parse({
  id: 'bt-source-0000000000001',
  provider: 'backtrace',
  name: 'Backtrace',
  credentials: { username: 'crash-user', password: 'p4ssw0rd-with-entropy' },
});

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function hook(json: unknown, headers: Record<string, string> = {}, from: Source = source): HookRequest {
  return { source: sourceToCheck(from), headers, rawBody: Buffer.from(JSON.stringify(json) ?? ''), json, now: Date.now() };
}

describe('backtrace parse', () => {
  it('maps the seed group notification into a normalized event', () => {
    const result = backtraceProvider.parse(hook(fixture('group-notification.json')));
    expect(result.ok).toBe(true);
    if (!result.ok || !result.event) throw new Error('expected an event');
    const e = result.event;
    expect(e.groupKey).toBe('8910551e27a339e542...');
    expect(e.title).toBe('exception in printf');
    expect(e.description).toBe('printf ← my_fn ← main · my_app.exe');
    expect(e.url).toBe('https://u.sp.backtrace.io/dashboard/...');
    expect(e.occurrences).toBe(35);
    expect(e.hosts).toBe(4);
    expect(e.guids).toBe(0);
    expect(e.firstSeen).toBe('2017-08-17T07:12:06.000Z');
    expect(e.lastSeen).toBe('2017-08-17T07:12:06.000Z');
    expect(e.classifiers).toEqual(['exception']);
    expect(e.callstack).toEqual(['printf', 'my_fn', 'main']);
    expect(e.application).toBe('my_app.exe');
    expect(e.project).toBe('my_project');
    expect(e.environment).toBe('production');
    expect(e.objectId).toBe('2e6');
    expect(e.attributes['version']).toEqual([
      ['1.2.3', 10],
      ['1.2.2', 1],
      ['1.1.0', 24],
    ]);
    expect(e.lifecycle).toBe('unknown');
    expect(e.redelivery).toEqual({ key: '2e6:35', windowMs: null });
    expect(e.raw).toEqual(fixture('group-notification.json'));
  });

  it('without object_id and occurrences, recognises a redelivery by its whole body for ten minutes only', () => {
    const keyOf = (body: unknown) => {
      const r = backtraceProvider.parse(hook(body));
      if (!r.ok || !r.event) throw new Error('expected an event');
      return r.event.redelivery;
    };
    const first = keyOf({ fingerprint: 'nodk', callstack: ['f1'] });
    const second = keyOf({ fingerprint: 'nodk', callstack: ['f2'], classifiers: ['segv'] });
    expect(first.windowMs).toBe(10 * 60 * 1000);
    expect(second.key).not.toBe(first.key);
    expect(keyOf({ fingerprint: 'nodk', callstack: ['f1'] })).toEqual(first);
  });

  it("an attribute named __proto__ never becomes the histograms' prototype", () => {
    const body = JSON.parse('{"fingerprint":"p","attributes":{"__proto__":[["x",1]],"version":[["1.0",2]]}}') as unknown;
    const r = backtraceProvider.parse(hook(body));
    if (!r.ok || !r.event) throw new Error('expected an event');
    expect(Object.getPrototypeOf(r.event.attributes)).toBe(Object.prototype);
    expect(r.event.attributes['version']).toEqual([['1.0', 2]]);
  });

  it('keeps unknown extra fields in the raw body and reads a deeper callstack', () => {
    const body = fixture('extra-fields.json') as Record<string, unknown>;
    const result = backtraceProvider.parse(hook(body));
    if (!result.ok || !result.event) throw new Error('expected an event');
    expect(result.event.title).toBe('abort, invalid-read in abort');
    expect(result.event.description).toBe('abort ← raise ← std::terminate · my_app.exe');
    expect((result.event.raw as Record<string, unknown>)['sauce_region']).toBe('eu-west');
  });

  it('is lenient with numbers as strings and null values', () => {
    const result = backtraceProvider.parse(hook(fixture('strings-and-nulls.json')));
    if (!result.ok || !result.event) throw new Error('expected an event');
    expect(result.event.occurrences).toBe(120);
    expect(result.event.hosts).toBeNull();
    expect(result.event.guids).toBe(3);
    expect(result.event.objectId).toBeNull();
    expect(result.event.url).toBeNull();
    expect(result.event.classifiers).toEqual([]);
    expect(result.event.lastSeen).toBe('2017-08-18T07:12:06.000Z');
    expect(result.event.title).toBe('printf');
  });

  it('accepts a body with only a fingerprint', () => {
    const result = backtraceProvider.parse(hook(fixture('fingerprint-only.json')));
    if (!result.ok || !result.event) throw new Error('expected an event');
    expect(result.event.groupKey).toBe('0d5a3b2c1e4f');
    expect(result.event.title).toContain('0d5a3b2c1e4f');
    expect(result.event.occurrences).toBeNull();
  });

  it('refuses a missing fingerprint with a 400 naming the field', () => {
    const result = backtraceProvider.parse(hook(fixture('missing-fingerprint.json')));
    expect(result).toMatchObject({ ok: false, rejection: { status: 400, field: 'fingerprint' } });
    if (!result.ok) expect(result.rejection.reason).toContain('missing required field "fingerprint"');
  });

  it('names the field of a wrong type, nested paths included', () => {
    const bad = { ...(fixture('group-notification.json') as object), occurrences: { many: true } };
    expect(backtraceProvider.parse(hook(bad))).toMatchObject({ ok: false, rejection: { status: 400, field: 'occurrences' } });
    expect(backtraceProvider.parse(hook([1, 2]))).toMatchObject({ ok: false, rejection: { status: 400 } });
  });

  it('skips unresolved frames when it names the crash', () => {
    const result = backtraceProvider.parse(hook({ fingerprint: 'f', callstack: ['??', '0x7ffde2a1', 'handle_request', 'main'] }));
    if (!result.ok || !result.event) throw new Error('expected an event');
    expect(result.event.title).toBe('handle_request');
  });

  it('never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        const result = backtraceProvider.parse(hook(json));
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on bodies shaped like a hook with hostile field values', () => {
    const anything = fc.anything({ withNullPrototype: true, withObjectString: true, withBoxedValues: true });
    fc.assert(
      fc.property(
        fc.record(
          {
            fingerprint: anything,
            callstack: anything,
            occurrences: anything,
            timestamp: anything,
            classifiers: anything,
            attributes: anything,
            object_id: anything,
          },
          { requiredKeys: [] },
        ),
        (json) => {
          const result = backtraceProvider.parse(hook(json));
          if (result.ok && result.event) expect(typeof result.event.title).toBe('string');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('backtrace verify', () => {
  const body = fixture('group-notification.json');

  it('accepts the right Basic credentials', () => {
    expect(backtraceProvider.verify(hook(body, { authorization: basic('crash-user', 'p4ssw0rd-with-entropy') }))).toBeNull();
    expect(
      backtraceProvider.verifyHeaders?.(sourceToCheck(source), { authorization: basic('crash-user', 'p4ssw0rd-with-entropy') }),
    ).toBeNull();
  });

  it.each([
    ['missing', undefined],
    ['wrong password', basic('crash-user', 'nope')],
    ['wrong username', basic('someone', 'p4ssw0rd-with-entropy')],
    ['not Basic', 'Bearer abc'],
    ['garbage', 'Basic !!!'],
    ['no colon', `Basic ${Buffer.from('crash-user').toString('base64')}`],
  ])('refuses %s credentials with 401 and WWW-Authenticate', (_label, authorization) => {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    const rejection = backtraceProvider.verify(hook(body, headers));
    expect(rejection).toMatchObject({ status: 401, headers: { 'WWW-Authenticate': 'Basic realm="Crashbell"' } });
    expect(rejection?.reason).toBeTruthy();
    // Only the receiver's own header check lets verify skip: said false, verify checks in full.
    expect(backtraceProvider.verify({ ...hook(body, headers), headersVerified: false })?.status).toBe(401);
  });

  it('checks against the current password even when the same source object is edited in place', () => {
    const edited: Source = { ...source, credentials: { ...source.credentials } };
    const old = { authorization: basic('crash-user', 'p4ssw0rd-with-entropy') };
    expect(backtraceProvider.verify(hook(body, old, edited))).toBeNull();
    edited.credentials['password'] = 'a-new-password-with-entropy';
    expect(backtraceProvider.verify(hook(body, old, edited))?.status).toBe(401);
    expect(backtraceProvider.verify(hook(body, { authorization: basic('crash-user', 'a-new-password-with-entropy') }, edited))).toBeNull();
  });

  it('refuses everything when the source has no credentials', () => {
    const bare = { ...source, credentials: {} };
    const rejection = backtraceProvider.verify({ ...hook(body, { authorization: basic('', '') }), source: sourceToCheck(bare) });
    expect(rejection?.status).toBe(401);
  });

  it('never throws on any authorization header', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (value, encoded) => {
        backtraceProvider.verify(hook(body, { authorization: value }));
        backtraceProvider.verify(hook(body, { authorization: `Basic ${Buffer.from(encoded).toString('base64')}` }));
      }),
      { numRuns: 300 },
    );
  });
});

describe('backtrace credentials and samples', () => {
  it('generates a username and password with at least 128 bits each, different every time', () => {
    const a = backtraceProvider.generateCredentials();
    const b = backtraceProvider.generateCredentials();
    expect(a['username']).not.toBe(b['username']);
    expect(a['password']).not.toBe(b['password']);
    for (const creds of [a, b]) {
      const userRandom = creds['username']!.replace(/^crashbell-/, '');
      expect(Buffer.from(userRandom, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(Buffer.from(creds['password']!, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(backtraceProvider.validateSource({ ...source, credentials: creds })).toBeNull();
    }
  });

  it('validates that a source has both credentials', () => {
    expect(backtraceProvider.validateSource({ ...source, credentials: { username: 'u' } })).toMatch(/password/);
    expect(backtraceProvider.validateSource({ ...source, credentials: { password: 'p' } })).toMatch(/username/);
  });

  it('samples a signed hook that verifies and parses, with a fresh fingerprint each time', () => {
    const now = Date.UTC(2026, 10, 24, 3, 0, 0);
    const one = backtraceProvider.sample(source, now);
    const two = backtraceProvider.sample(source, now);
    for (const sample of [one, two]) {
      const json: unknown = JSON.parse(sample.body);
      const req: HookRequest = { source: sourceToCheck(source), headers: sample.headers, rawBody: Buffer.from(sample.body), json, now };
      expect(backtraceProvider.verify(req)).toBeNull();
      const parsed = backtraceProvider.parse(req);
      if (!parsed.ok || !parsed.event) throw new Error('expected an event');
      expect(parsed.event.lastSeen).toBe(new Date(now).toISOString());
    }
    expect(JSON.parse(one.body).fingerprint).not.toBe(JSON.parse(two.body).fingerprint);
  });
});
