import { describe, expect, it } from 'vitest';
import { InvalidSourceError } from '../../../main/core/errors';
import { PROVIDERS } from '../../../main/core/providers/index';
import {
  createSource,
  localBaseUrl,
  nameSourcesByProvider,
  newSourceId,
  sourceProblem,
  updatedSource,
  unknownProviderSources,
  webhookUrl,
} from '../../../main/core/sources';
import { MIN_UNGUESSABLE_ID_LENGTH, sourceObjectSchema, sourceSchema } from '../../../shared/settings';

describe('sources', () => {
  it('makes URL-safe ids with at least 96 bits, never the same twice', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newSourceId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(id, 'base64url').length * 8).toBeGreaterThanOrEqual(96);
      expect(id.length).toBeGreaterThanOrEqual(MIN_UNGUESSABLE_ID_LENGTH);
      expect(() => sourceObjectSchema.shape.id.parse(id)).not.toThrow();
    }
  });

  it('builds webhook URLs under a local or public base URL', () => {
    expect(webhookUrl('http://127.0.0.1:7317', 'abc')).toBe('http://127.0.0.1:7317/hooks/abc');
    expect(webhookUrl('https://x.ngrok.app/', 'abc')).toBe('https://x.ngrok.app/hooks/abc');
    expect(localBaseUrl('127.0.0.1', 7317)).toBe('http://127.0.0.1:7317');
    expect(localBaseUrl('::1', 7317)).toBe('http://[::1]:7317');
    expect(localBaseUrl('0.0.0.0', 80)).toBe('http://127.0.0.1:80');
  });

  it('makes a Backtrace source with generated Basic credentials', () => {
    const source = createSource({ provider: 'backtrace', name: 'Game crashes' }, Date.UTC(2026, 0, 1));
    expect(source.name).toBe('Game crashes');
    expect(source.credentials['username']).toBeTruthy();
    expect(source.credentials['password']).toBeTruthy();
    expect(source.createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect(source.paused).toBe(false);
  });

  it('makes an Errorception source before its secret exists (Errorception makes it once the WebHook is saved), or with it', () => {
    const waiting = createSource({ provider: 'errorception', name: 'Site' });
    expect(waiting.credentials).toEqual({});
    const source = createSource({ provider: 'errorception', name: 'Site', credentials: { secret: 's3cret' } });
    expect(source.credentials).toEqual({ secret: 's3cret' });
  });

  it('refuses an unknown provider with plain words that name the known ones', () => {
    const known = PROVIDERS.map((p) => p.id).join(', ');
    expect(() => createSource({ provider: 'nope', name: 'x' })).toThrow(InvalidSourceError);
    expect(() => createSource({ provider: 'nope', name: 'x' })).toThrow(`Crashbell has no "nope" provider: use one of ${known}`);
    const parsed = sourceSchema.parse({ id: 'pd-1', provider: 'nope', name: 'Pager' });
    expect(sourceProblem(parsed)).toBe(`source "Pager" (pd-1): Crashbell has no "nope" provider: use one of ${known}`);
  });

  it("names a new source without a name after its provider, from the provider's module", () => {
    for (const p of PROVIDERS.filter((p) => p.id !== 'generic' && p.credentials.every((c) => c.generated || !c.required))) {
      expect(createSource({ provider: p.id, name: '  ' }).name).toBe(p.name);
    }
    expect(createSource({ provider: 'errorception', name: '', credentials: { secret: 's' } }).name).toBe('Errorception');
  });

  it('finds the sources of a raw settings document whose provider the registry lacks', () => {
    const doc = { sources: [{ provider: 'backtrace' }, { provider: 'pagerduty' }, 'junk', { provider: 7 }, { provider: 'nope' }] };
    expect(unknownProviderSources(doc)).toEqual([
      {
        index: 1,
        path: 'sources.1.provider',
        message: expect.stringMatching(/^Crashbell has no "pagerduty" provider: use one of backtrace, /),
      },
      { index: 4, path: 'sources.4.provider', message: expect.stringContaining('"nope"') },
    ]);
    expect(unknownProviderSources({})).toEqual([]);
    expect(unknownProviderSources({ sources: 'x' })).toEqual([]);
    expect(unknownProviderSources(null)).toEqual([]);
  });

  it('reads hand-written sources the way the user meant them: credentials beside the fields, no name', () => {
    const doc = {
      port: 0,
      sources: [
        { id: 'bt-1', provider: 'backtrace', username: 'crash', password: 'hook' },
        { id: 'x', provider: 'nope' },
      ],
    };
    const named = nameSourcesByProvider(doc);
    expect(doc.sources[0]).not.toHaveProperty('name');
    expect(named.sources[1]).toEqual({ id: 'x', provider: 'nope' });
    const source = sourceSchema.parse(named.sources[0]);
    expect(source.credentials).toEqual({ username: 'crash', password: 'hook' });
    expect(source.name).toBe('Backtrace');
    expect(nameSourcesByProvider({ sources: [{ provider: 'sentry', name: 'Mine' }] }).sources[0]!.name).toBe('Mine');
    expect(source).not.toHaveProperty('username');
    const explicit = sourceSchema.parse({ id: 'ec-1', provider: 'errorception', name: 'Shop', credentials: { secret: 's' } });
    expect(explicit.credentials).toEqual({ secret: 's' });
    expect(() => sourceSchema.parse({ id: 'has space', provider: 'backtrace', name: 'x' })).toThrow(/URL-safe/);
  });

  it('keeps a web app URL the user gives, and refuses one that is not an http(s) URL', () => {
    const source = createSource({ provider: 'sentry', name: 'On prem', webUrl: 'http://sentry.lan:9000/organizations/acme/' });
    expect(source.webUrl).toBe('http://sentry.lan:9000/organizations/acme/');
    expect(() => createSource({ provider: 'sentry', name: 'x', webUrl: 'javascript:alert(1)' })).toThrow(/webUrl/);
    expect(updatedSource(source, { webUrl: '' }, { hours: 24, now: 0 }).webUrl).toBe('');
  });
});

describe('credential edits and rotation', () => {
  const NOW = Date.UTC(2026, 0, 1, 12);
  const overlap = { hours: 24, now: NOW };

  it('regenerates Backtrace credentials and keeps the old ones accepted for the overlap', () => {
    const before = createSource({ provider: 'backtrace', name: 'Game' }, NOW);
    const after = updatedSource(before, { regenerate: true }, overlap);
    expect(after.credentials['username']).not.toBe(before.credentials['username']);
    expect(after.credentials['password']).not.toBe(before.credentials['password']);
    expect(after.previous).toEqual({
      credentials: { username: before.credentials['username'], password: before.credentials['password'] },
      until: '2026-01-02T12:00:00.000Z',
    });
    // The same id: the webhook URL the provider has stays valid.
    expect(after.id).toBe(before.id);
  });

  it('an edited secret keeps only the changed key as previous; an overlap of 0 replaces it at once', () => {
    const before = createSource({ provider: 'honeybadger', name: 'HB', credentials: { token: 'old-token', bearerToken: 'b' } }, NOW);
    const after = updatedSource(before, { credentials: { token: 'new-token' } }, overlap);
    expect(after.credentials).toEqual({ token: 'new-token', bearerToken: 'b' });
    expect(after.previous?.credentials).toEqual({ token: 'old-token' });
    expect(updatedSource(before, { credentials: { token: 'new-token' } }, { hours: 0, now: NOW }).previous).toBeNull();
  });

  it('the first secret pasted into a waiting source replaces nothing; ending the overlap drops the previous set', () => {
    const waiting = createSource({ provider: 'errorception', name: 'Site' }, NOW);
    const pasted = updatedSource(waiting, { credentials: { secret: 's1' } }, overlap);
    expect(pasted.previous).toBeNull();
    const rotated = updatedSource(pasted, { credentials: { secret: 's2' } }, overlap);
    expect(rotated.previous?.credentials).toEqual({ secret: 's1' });
    expect(updatedSource(rotated, { endOverlap: true }, overlap).previous).toBeNull();
    // An edit of something else leaves an unexpired overlap alone.
    expect(updatedSource(rotated, { name: 'Shop' }, overlap).previous).toEqual(rotated.previous);
  });

  it('refuses to regenerate credentials a provider does not generate', () => {
    const source = createSource({ provider: 'errorception', name: 'Site', credentials: { secret: 's' } }, NOW);
    expect(() => updatedSource(source, { regenerate: true }, overlap)).toThrow(InvalidSourceError);
    expect(() => updatedSource(source, { regenerate: true }, overlap)).toThrow(/paste new ones instead/);
  });
});
