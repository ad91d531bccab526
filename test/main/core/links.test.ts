import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkDocsLink,
  checkExternalUrl,
  checkGroupLink,
  hostMatches,
  isAddressHost,
  isSafeExternalUrl,
  type LinkRule,
  MAX_LINK_LENGTH,
} from '../../../main/core/links';
import { errorceptionProvider, errorceptionSignature } from '../../../main/core/providers/errorception';
import { getProvider, PROVIDERS } from '../../../main/core/providers/index';
import { sourceSchema } from '../../../shared/settings';
import { expectEvent, fixtureText, rawHook } from '../../helpers/saas-fixtures';

describe('checkExternalUrl (the http(s) guard)', () => {
  it('accepts ordinary provider links and returns the normalized href', () => {
    expect(checkExternalUrl('https://acme.sp.backtrace.io/p/demo/triage?fingerprint=abc')).toEqual({
      ok: true,
      url: 'https://acme.sp.backtrace.io/p/demo/triage?fingerprint=abc',
    });
    expect(checkExternalUrl('http://errorception.com/projects/1/errors/2')).toMatchObject({ ok: true });
    expect(checkExternalUrl('  HTTPS://Example.COM/a  ')).toEqual({ ok: true, url: 'https://example.com/a' });
  });

  it.each([
    ['javascript:alert(1)', /http\(s\)/],
    ['JavaScript:alert(document.cookie)', /http\(s\)/],
    ['java\tscript:alert(1)', /http\(s\)/],
    ['file:///etc/passwd', /http\(s\)/],
    ['data:text/html,<script>alert(1)</script>', /http\(s\)/],
    ['vscode://file/etc/passwd', /http\(s\)/],
    ['ms-settings:', /http\(s\)/],
    ['smb://attacker/share', /http\(s\)/],
    ['ftp://example.com/x', /http\(s\)/],
    ['/relative/path', /valid absolute URL/],
    ['https://', /valid absolute URL/],
    ['http://[::1', /valid absolute URL/],
    ['not a url', /valid absolute URL/],
    ['', /empty/],
    ['https://user:pass@example.com/', /user name or password/],
  ])('refuses %j', (input, reason) => {
    const verdict = checkExternalUrl(input);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });

  it('refuses non-strings', () => {
    for (const v of [null, undefined, 42, {}, ['https://a.b']]) {
      expect(checkExternalUrl(v)).toEqual({ ok: false, reason: 'not a link: the value is not text' });
    }
  });

  it('refuses very long URLs', () => {
    const long = `https://example.com/${'a'.repeat(MAX_LINK_LENGTH)}`;
    const verdict = checkExternalUrl(long);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(/longer than 2048/);
  });

  it('never throws, and whatever it accepts is http(s) with a host', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.constantFrom('javascript:', 'file:', 'data:')), (s) => {
        const verdict = checkExternalUrl(s);
        if (verdict.ok) {
          const url = new URL(verdict.url);
          expect(['http:', 'https:']).toContain(url.protocol);
          expect(url.hostname).not.toBe('');
          expect(isSafeExternalUrl(verdict.url)).toBe(true);
        }
      }),
    );
  });
});

describe("checkGroupLink (an error link opens only on its provider's web app, or the host the user set)", () => {
  const rule = (provider: string, webUrl = ''): LinkRule => {
    const p = getProvider(provider)!;
    return { providerName: p.name, webHosts: p.webHosts, webUrl };
  };

  it.each([
    ['sentry', 'https://acme.sentry.io/issues/4218258981/?referrer=webhooks_plugin'],
    ['sentry', 'https://sentry.io/organizations/test-org/issues/1117540176/'],
    ['backtrace', 'https://acme.sp.backtrace.io/dashboard/acme/project/p/triage?fingerprint=abc'],
    ['errorception', 'https://errorception.com/projects/4e4b1652f384ef4d2d000002/errors/4ecc86a0fc68e61a1a06fdfc'],
    ['bugsnag', 'https://app.bugsnag.com/my-company/my-test-project/errors/5d8?event_id=1'],
    ['bugsnag', 'https://app.bugsnag.smartbear.com/my-company/p/errors/1'],
    ['rollbar', 'https://rollbar.com/item/uuid/?uuid=d2036647-e0b7-4cad-bc98-934831b9b6d1'],
    ['raygun', 'https://app.raygun.com/error-url'],
    ['raygun', 'https://app.raygun.io/dashboard/abc'],
    ['honeybadger', 'https://app.honeybadger.io/projects/69422/check_ins'],
    ['honeybadger', 'https://eu-app.honeybadger.io/projects/1/faults/2'],
  ])('%s opens %s', (provider, url) => {
    expect(checkGroupLink(url, rule(provider))).toEqual({ ok: true, url });
  });

  it('upgrades http to https on a provider host (the Errorception and Raygun samples say http)', () => {
    expect(checkGroupLink('http://errorception.com/projects/1/errors/2', rule('errorception'))).toEqual({
      ok: true,
      url: 'https://errorception.com/projects/1/errors/2',
    });
    expect(checkGroupLink('http://app.raygun.com/error-url', rule('raygun'))).toEqual({
      ok: true,
      url: 'https://app.raygun.com/error-url',
    });
  });

  it.each([
    ['sentry', 'https://evil.example/sentry.io/issues/1/'],
    ['sentry', 'https://sentry.io.evil.example/issues/1/'],
    ['sentry', 'https://evilsentry.io/issues/1/'],
    ['backtrace', 'https://backtrace.io.example.net/'],
    ['errorception', 'https://attacker.example/phish'],
    ['errorception', 'https://api.errorception.com/projects/1/errors/2'],
    // A check-in's reporting endpoint: a click there would report the job alive and silence the alarm.
    ['honeybadger', 'https://api.honeybadger.io/v1/check_in/wqIoL5'],
    ['rollbar', 'https://rollbar.example.com/item/1'],
    ['generic', 'https://errors.example.com/issues/1'],
  ])('%s refuses %s, naming its hosts and what to do', (provider, url) => {
    const verdict = checkGroupLink(url, rule(provider));
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(/is not one of .*'s hosts.*web app URL in Setup/);
  });

  it.each([
    'http://127.0.0.1:631/admin',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://[::1]:8080/',
    'http://localhost:3000/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/',
    'http://10.0.0.5/',
  ])('refuses the address %s unless the user set it', (url) => {
    const verdict = checkGroupLink(url, rule('backtrace'));
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/is an address on a network, not Backtrace's web app/) });
  });

  it("opens the host and port of the source's web app URL, loopback and IP literals included, and nothing else there", () => {
    expect(checkGroupLink('http://127.0.0.1:9000/organizations/acme/issues/1/', rule('sentry', 'http://127.0.0.1:9000/'))).toEqual({
      ok: true,
      url: 'http://127.0.0.1:9000/organizations/acme/issues/1/',
    });
    // Same host, another port: another service on that machine (CUPS on 631), not the one the user named.
    expect(checkGroupLink('http://127.0.0.1:631/admin', rule('sentry', 'http://127.0.0.1:9000/')).ok).toBe(false);
    expect(checkGroupLink('https://backtrace.corp.example/p/x', rule('backtrace', 'https://backtrace.corp.example/')).ok).toBe(true);
    expect(checkGroupLink('http://backtrace.corp.example/p/x', rule('backtrace', 'https://backtrace.corp.example/'))).toEqual({
      ok: true,
      url: 'https://backtrace.corp.example/p/x',
    });
    expect(checkGroupLink('https://errors.example.com/issues/1', rule('generic', 'https://errors.example.com/')).ok).toBe(true);
    // The shape rules still apply to the user's host.
    expect(checkGroupLink('https://u:p@errors.example.com/', rule('generic', 'https://errors.example.com/')).ok).toBe(false);
  });

  it("an Errorception replay carrying an attacker's webUrl is recorded, but its link is shown and not opened", () => {
    const source = sourceSchema.parse({
      id: 'errorceptionSourceAAAAA',
      provider: 'errorception',
      name: 'Site',
      credentials: { secret: 's' },
    });
    const body = { ...JSON.parse(fixtureText('errorception', 'blog-2012-webhooks-sample.json')), webUrl: 'http://127.0.0.1:631/admin' };
    const raw = JSON.stringify(body);
    // The captured signature covers only message and page, so it still matches the altered body.
    const headers = { 'x-signature': errorceptionSignature('s', body.message, body.page) };
    const req = rawHook(source, raw, headers);
    expect(errorceptionProvider.verify(req)).toBeNull();
    const event = expectEvent(errorceptionProvider.parse(req));
    expect(event.url).toBe('http://127.0.0.1:631/admin');
    expect(checkGroupLink(event.url, rule('errorception')).ok).toBe(false);
    const elsewhere = expectEvent(
      errorceptionProvider.parse(rawHook(source, JSON.stringify({ ...body, webUrl: 'https://evil.example/x' }), headers)),
    );
    expect(checkGroupLink(elsewhere.url, rule('errorception'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/evil\.example is not one of Errorception's hosts/),
    });
  });

  it("declares every provider's hosts once, as names or *. patterns, never an address", () => {
    for (const p of PROVIDERS) {
      for (const h of p.webHosts) {
        expect(h).toMatch(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/);
        expect(isAddressHost(h.replace(/^\*\./, ''))).toBe(false);
      }
    }
    expect(hostMatches('a.sp.backtrace.io', '*.backtrace.io')).toBe(true);
    expect(hostMatches('backtrace.io', '*.backtrace.io')).toBe(false);
    expect(hostMatches('sentry.io.', 'sentry.io')).toBe(true);
  });
});

describe("checkDocsLink (the window opens only providers' documentation)", () => {
  const docs = PROVIDERS.map((p) => p.docsUrl);
  it('opens every provider documentation page, and nothing else', () => {
    for (const d of docs) expect(checkDocsLink(d, docs)).toMatchObject({ ok: true });
    expect(checkDocsLink('https://evil.example/docs', docs)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a provider's documentation site/),
    });
    expect(checkDocsLink('http://127.0.0.1:631/admin', docs).ok).toBe(false);
    expect(checkDocsLink('javascript:alert(1)', docs).ok).toBe(false);
  });
});
