import { describe, expect, it } from 'vitest';
import { defaultSettings, parseSettings } from '../../shared/settings';

describe('settings schema', () => {
  it('fills every default from an empty document', () => {
    const s = defaultSettings();
    expect(s.port).toBe(7317);
    expect(s.retention).toEqual({ maxGroups: 5000, maxDays: 90 });
    expect(s.policy.milestones).toEqual([10, 100, 1000, 10000]);
    expect(s.policy.stormLimit).toBe(5);
    expect(s.startAtLogin).toBe(false);
  });
  it('names the bad field', () => {
    expect(() => parseSettings({ port: 'x' })).toThrow(/port/);
  });
  it("takes any provider id (the core's registry checks it) but not an empty one", () => {
    const source = { id: 'src-1', name: 'A source' };
    expect(parseSettings({ sources: [{ ...source, provider: 'a-provider-of-tomorrow' }] }).sources[0]!.provider).toBe(
      'a-provider-of-tomorrow',
    );
    expect(() => parseSettings({ sources: [{ ...source, provider: '' }] })).toThrow(/a provider id/);
    expect(() => parseSettings({ sources: [{ ...source, provider: 7 }] })).toThrow(/provider/);
  });
  it('leaves naming a source without a name to the core, which knows the providers', () => {
    expect(() => parseSettings({ sources: [{ id: 'src-1', provider: 'backtrace' }] })).toThrow(/name/);
  });
  it('a source holds its previous credentials with an expiry and a web app URL; the overlap defaults to a day', () => {
    const s = parseSettings({
      sources: [
        {
          id: 'q3Jx9wQe1lT0c2VbV7e0Zg',
          provider: 'backtrace',
          name: 'Game',
          credentials: { username: 'u', password: 'new' },
          previous: { credentials: { password: 'old' }, until: '2026-01-02T08:00:00Z' },
          webUrl: 'https://backtrace.example.com/',
        },
      ],
    });
    expect(s.credentialOverlapHours).toBe(24);
    expect(s.sources[0]).toMatchObject({
      previous: { credentials: { password: 'old' }, until: '2026-01-02T08:00:00Z' },
      webUrl: 'https://backtrace.example.com/',
    });
    // Neither is taken for a credential when a hand-written source puts them beside its fields.
    expect(
      parseSettings({ sources: [{ id: 'a', provider: 'sentry', name: 'S', webUrl: 'https://acme.sentry.io/', clientSecret: 'x' }] })
        .sources[0],
    ).toMatchObject({
      webUrl: 'https://acme.sentry.io/',
      credentials: { clientSecret: 'x' },
    });
    expect(defaultSettings().sources).toEqual([]);
  });

  it('refuses a previous set without a valid expiry and a web app URL that is not http(s)', () => {
    const base = { id: 'a', provider: 'backtrace', name: 'Game', credentials: { username: 'u', password: 'p' } };
    expect(() => parseSettings({ sources: [{ ...base, previous: { credentials: { password: 'o' } } }] })).toThrow(/until/);
    expect(() => parseSettings({ sources: [{ ...base, previous: { credentials: {}, until: 'soon' } }] })).toThrow(/ISO 8601/);
    expect(() => parseSettings({ sources: [{ ...base, webUrl: 'file:///etc/passwd' }] })).toThrow(/http\(s\) URL/);
    expect(() => parseSettings({ credentialOverlapHours: -1 })).toThrow(/credentialOverlapHours/);
  });
});
