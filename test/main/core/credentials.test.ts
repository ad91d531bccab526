import { describe, expect, it } from 'vitest';
import { activePrevious, changedCredentials, checkCredentials, waitingFor } from '../../../main/core/credentials';
import { backtraceProvider } from '../../../main/core/providers/backtrace';
import { errorceptionProvider } from '../../../main/core/providers/errorception';
import { sentryProvider } from '../../../main/core/providers/sentry';
import type { Rejection } from '../../../main/core/providers/types';
import { sourceSchema, type Source } from '../../../shared/settings';

const NOW = Date.UTC(2026, 0, 1, 12);
const HOUR = 3_600_000;

const backtrace = (previous: Source['previous'] = null): Source =>
  sourceSchema.parse({
    id: 'backtraceSourceAAAAAAAA',
    provider: 'backtrace',
    name: 'Game',
    credentials: { username: 'user', password: 'new-password' },
    previous,
  });

/** Accepts exactly the password given, as a provider's check would. */
const wants =
  (password: string) =>
  (s: Source): Rejection | null =>
    s.credentials['password'] === password ? null : { status: 401, reason: 'wrong Basic credentials' };

describe('credential rotation', () => {
  const overlapping = { credentials: { password: 'old-password' }, until: new Date(NOW + HOUR).toISOString() };

  it('accepts the current credentials, and the previous ones only while their overlap lasts', () => {
    expect(checkCredentials(backtrace(), NOW, wants('new-password'))).toMatchObject({ ok: true, previous: false });
    const during = checkCredentials(backtrace(overlapping), NOW, wants('old-password'));
    expect(during).toMatchObject({ ok: true, previous: true });
    if (during.ok) expect(during.source.credentials).toEqual({ username: 'user', password: 'old-password' });
    expect(checkCredentials(backtrace(overlapping), NOW + 2 * HOUR, wants('old-password'))).toEqual({
      ok: false,
      rejection: { status: 401, reason: 'wrong Basic credentials' },
    });
    expect(activePrevious(backtrace(overlapping), NOW + 2 * HOUR)).toBeNull();
  });

  it('does not try the previous credentials for a refusal that is not about them (400)', () => {
    let calls = 0;
    const result = checkCredentials(backtrace(overlapping), NOW, () => {
      calls += 1;
      return { status: 400, reason: 'missing Sentry-Hook-Resource header' };
    });
    expect(result.ok).toBe(false);
    expect(calls).toBe(1);
  });

  it('hands providers the same view of the previous credentials each time (their per-source caches hold)', () => {
    const source = backtrace(overlapping);
    const seen: Source[] = [];
    const record = (s: Source) => {
      seen.push(s);
      return s.credentials['password'] === 'old-password' ? null : { status: 401 as const, reason: 'no' };
    };
    checkCredentials(source, NOW, record);
    checkCredentials(source, NOW, record);
    expect(seen[1]).toBe(seen[3]);
  });

  it('keeps replaced values as previous for the overlap, regenerated ones too', () => {
    const change = changedCredentials(backtraceProvider, backtrace(), { regenerate: true }, 24, NOW);
    expect(change.credentials['password']).not.toBe('new-password');
    expect(change.previous).toEqual({
      credentials: { username: 'user', password: 'new-password' },
      until: '2026-01-02T12:00:00.000Z',
    });
  });

  it('names what a source still waits for: required values the provider shows only once its webhook exists', () => {
    const waiting = sourceSchema.parse({ id: 'errorceptionSourceAAAAA', provider: 'errorception', name: 'Site' });
    expect(waitingFor(errorceptionProvider, waiting)).toEqual(['Secret key']);
    expect(waitingFor(errorceptionProvider, { ...waiting, credentials: { secret: 's' } })).toEqual([]);
    expect(waitingFor(sentryProvider, { ...waiting, provider: 'sentry' })).toEqual(['Client Secret']);
    expect(waitingFor(backtraceProvider, backtrace())).toEqual([]);
  });
});
