/**
 * The one http(s) guard: every URL that came from the internet (a provider's `group_url`, Errorception's
 * `webUrl`, a link in the window) passes here before `shell.openExternal` sees it. Pure and Electron-free.
 */

/** Longest URL we open; longer ones are refused rather than truncated. */
export const MAX_LINK_LENGTH = 2048;

/** The verdict on one URL: the normalized href when it is safe to open, otherwise plain words saying why not. */
export type LinkVerdict = { ok: true; url: string } | { ok: false; reason: string };

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * Decides whether a URL may be handed to the operating system's browser.
 *
 * Only absolute `http:` and `https:` URLs with a host are accepted, parsed by the WHATWG URL parser (the same
 * one Chromium uses), so tricks such as `java\tscript:` or leading spaces are normalized before the check.
 * Credentials in the URL are refused: a link that logs the user in somewhere is a phishing shape.
 */
export function checkExternalUrl(input: unknown): LinkVerdict {
  if (typeof input !== 'string') return { ok: false, reason: 'not a link: the value is not text' };
  const text = input.trim();
  if (text.length === 0) return { ok: false, reason: 'not a link: the value is empty' };
  if (text.length > MAX_LINK_LENGTH) {
    return { ok: false, reason: `link refused: longer than ${MAX_LINK_LENGTH} characters` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'link refused: not a valid absolute URL' };
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) {
    const scheme = url.protocol.replace(/:$/, '').slice(0, 40);
    return { ok: false, reason: `only http(s) links are opened; this one is "${scheme}:"` };
  }
  if (url.hostname === '') return { ok: false, reason: 'link refused: it names no host' };
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'link refused: it carries a user name or password' };
  }
  if (url.href.length > MAX_LINK_LENGTH) {
    return { ok: false, reason: `link refused: longer than ${MAX_LINK_LENGTH} characters` };
  }
  return { ok: true, url: url.href };
}

/** True when {@link checkExternalUrl} accepts the URL. */
export function isSafeExternalUrl(input: unknown): boolean {
  return checkExternalUrl(input).ok;
}
