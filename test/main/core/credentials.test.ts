import { describe, expect, it } from 'vitest';
import {
  activePrevious,
  changedCredentials,
  checkCredentials,
  credentialsOf,
  setCredential,
  type SourceToCheck,
  sourceToCheck,
  waitingFor,
} from '../../../main/core/credentials';
import { backtraceProvider } from '../../../main/core/providers/backtrace';
import { errorceptionProvider } from '../../../main/core/providers/errorception';
import { credentialMatches } from '../../../main/core/providers/helpers';
import { honeybadgerProvider } from '../../../main/core/providers/honeybadger';
import { sentryProvider } from '../../../main/core/providers/sentry';
import { signSentryHook } from '../../../main/core/providers/sentry-signature';
import type { Rejection } from '../../../main/core/providers/types';
import { errorceptionSignature } from '../../../main/core/providers/errorception';
import { parseConfig } from '../../../main/core/config-file';
import { makeSource, rawHook } from '../../helpers/saas-fixtures';
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
  (s: SourceToCheck): Rejection | null =>
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
    const seen: SourceToCheck[] = [];
    const record = (s: SourceToCheck) => {
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

describe('a blank credential is not set, everywhere', () => {
  it('setCredential trims, and takes whitespace, empty or missing for "not set"', () => {
    expect(setCredential('  s3cret \n')).toBe('s3cret');
    for (const blank of ['', ' ', '\t\n', undefined, null]) expect(setCredential(blank)).toBeNull();
    expect(credentialsOf({ a: ' x ', b: '  ', c: '' })).toEqual({ a: 'x' });
  });

  it('a secret of " " is waiting, and its hooks are refused as not set, even signed with " "', () => {
    const spaced = makeSource('errorception', { credentials: { secret: ' ' } });
    expect(waitingFor(errorceptionProvider, spaced)).toEqual(['Secret key']);
    const body = JSON.stringify({ message: 'boom', page: 'https://example.com/' });
    // Signed with the very secret the source holds: today's code reported the source waiting, then let this in.
    const signed = { 'x-signature': errorceptionSignature(' ', 'boom', 'https://example.com/') };
    const hook = rawHook(spaced, body, signed);
    expect(errorceptionProvider.verifyHeaders?.(hook.source, signed)).toMatchObject({ status: 401, reason: /^the secret is not set yet/ });
    expect(errorceptionProvider.verify(hook)).toMatchObject({ status: 401, reason: /^the secret is not set yet/ });

    const sentry = makeSource('sentry', { credentials: { clientSecret: '  ' } });
    const sentryBody = JSON.stringify({ action: 'created', data: {} });
    const sentryHook = rawHook(sentry, sentryBody, signSentryHook('  ', 'issue', sentryBody, Date.now()));
    expect(waitingFor(sentryProvider, sentry)).toEqual(['Client Secret']);
    expect(sentryProvider.verify(sentryHook)).toMatchObject({ status: 401, reason: /^the Client Secret is not set yet/ });
  });

  it('a secret with spaces around it is the secret without them, the same for the check and the sample', () => {
    const padded = makeSource('errorception', { credentials: { secret: '  s3cret\n' } });
    const sample = errorceptionProvider.sample(padded, NOW);
    expect(errorceptionProvider.verify(rawHook(padded, sample.body, sample.headers))).toBeNull();
    const body = JSON.parse(sample.body) as { message: string; page: string };
    expect(sample.headers['x-signature']).toBe(errorceptionSignature('s3cret', body.message, body.page));
  });

  it('a blank previous Honeybadger token never turns the token check off during the overlap', () => {
    // Built by hand: the settings schema refuses it (below), as a config file written before that rule could hold.
    const source: Source = {
      ...makeSource('honeybadger', { credentials: { token: 'hb-token' } }),
      previous: { credentials: { token: '' }, until: new Date(NOW + HOUR).toISOString() },
    };
    const forged = { 'honeybadger-token': 'a-guess' };
    const verdict = checkCredentials(source, NOW, (s) => honeybadgerProvider.verifyHeaders?.(s, forged) ?? null);
    // Today's code merged the blank token over the current one, found "nothing to check" and accepted every hook.
    expect(verdict).toMatchObject({ ok: false, rejection: { status: 401, reason: /^wrong Honeybadger-Token/ } });
    expect(activePrevious(source, NOW)).toBeNull();
    const genuine = checkCredentials(
      source,
      NOW,
      (s) => honeybadgerProvider.verifyHeaders?.(s, { 'honeybadger-token': 'hb-token' }) ?? null,
    );
    expect(genuine).toMatchObject({ ok: true, previous: false });
  });

  it('a blank previous value is refused where settings are read, with a clear error', () => {
    const config = JSON.stringify({
      sources: [
        {
          id: 'honeybadgerSourceAAAAAAA',
          provider: 'honeybadger',
          credentials: { token: 'hb-token' },
          previous: { credentials: { token: ' ' }, until: '2030-01-01T00:00:00Z' },
        },
      ],
    });
    expect(() => parseConfig(config, 'crashbell.json')).toThrow(
      'config file crashbell.json: "sources.0.previous.credentials.token" is not valid (a previous credential must hold a value (a blank one is no credential): leave the key out, or "previous" altogether)',
    );
  });

  it('a change keeps values trimmed, drops blank ones, and never keeps a blank value as previous', () => {
    const source: Source = { ...backtrace(), credentials: { username: 'user', password: ' ' } };
    const change = changedCredentials(backtraceProvider, source, { credentials: { password: '  fresh-password ', username: '' } }, 24, NOW);
    expect(change.credentials).toEqual({ password: 'fresh-password' });
    // The username was set and is cleared: it stays accepted for the overlap; the blank password was never set.
    expect(change.previous?.credentials).toEqual({ username: 'user' });
  });

  it('checks see only set values; a source edited in place is seen afresh', () => {
    const source: Source = { ...backtrace(), credentials: { username: ' user ', password: 'pw', extra: ' ' } };
    const view = sourceToCheck(source);
    expect(view.credentials).toEqual({ username: 'user', password: 'pw' });
    expect(view).not.toHaveProperty('previous');
    expect(sourceToCheck(source)).toBe(view);
    source.credentials['password'] = 'changed';
    expect(sourceToCheck(source).credentials['password']).toBe('changed');
  });

  it('in the types: a check cannot be given a raw source, nor compare against a value that is not set', () => {
    const raw = backtrace();
    const body = Buffer.from('{}');
    // @ts-expect-error a raw source's credentials are strings, possibly blank: a check takes set values only
    backtraceProvider.verify({ source: raw, headers: {}, rawBody: body, json: {}, now: NOW });
    // @ts-expect-error the same for the header check
    backtraceProvider.verifyHeaders?.(raw, {});
    // @ts-expect-error a plain string (an empty one, say) is no set credential
    credentialMatches('', '');
    const token = sourceToCheck(raw).credentials['password'];
    // @ts-expect-error a credential the source may not hold must be checked for before it is compared
    credentialMatches('x', token);
    expect(token === undefined ? false : credentialMatches('new-password', token)).toBe(true);
  });
});
