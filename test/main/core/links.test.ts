import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkExternalUrl, isSafeExternalUrl, MAX_LINK_LENGTH } from '../../../main/core/links';

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
