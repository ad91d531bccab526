import { describe, expect, it } from 'vitest';
import { InvalidSourceError } from '../../../main/core/errors';
import { PROVIDERS } from '../../../main/core/providers/index';
import {
  createSource,
  localBaseUrl,
  nameSourcesByProvider,
  newSourceId,
  sourceProblem,
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

  it('makes an Errorception source only with the pasted secret', () => {
    expect(() => createSource({ provider: 'errorception', name: 'Site' })).toThrow(InvalidSourceError);
    expect(() => createSource({ provider: 'errorception', name: 'Site' })).toThrow(/secret/);
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
});
