import { describe, expect, it } from 'vitest';
import { InvalidSourceError } from '../../../main/core/errors';
import { createSource, localBaseUrl, newSourceId, webhookUrl } from '../../../main/core/sources';
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

  it('refuses an unknown provider with plain words', () => {
    expect(() => createSource({ provider: 'nope' as never, name: 'x' })).toThrow(/unknown provider "nope"/);
  });

  it('reads hand-written sources the way the user meant them: credentials beside the fields, no name', () => {
    const source = sourceSchema.parse({ id: 'bt-1', provider: 'backtrace', username: 'crash', password: 'hook' });
    expect(source.credentials).toEqual({ username: 'crash', password: 'hook' });
    expect(source.name).toBe('Backtrace');
    expect(source).not.toHaveProperty('username');
    const explicit = sourceSchema.parse({ id: 'ec-1', provider: 'errorception', name: 'Shop', credentials: { secret: 's' } });
    expect(explicit.credentials).toEqual({ secret: 's' });
    expect(() => sourceSchema.parse({ id: 'has space', provider: 'backtrace', name: 'x' })).toThrow(/URL-safe/);
  });
});
