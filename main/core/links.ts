/**
 * The link guards: every URL that came from the internet (a provider's `group_url`, Errorception's `webUrl`,
 * a link in the window) passes here before `shell.openExternal` sees it. Pure and Electron-free.
 *
 * - {@link checkExternalUrl}: the shape every link must have (absolute http(s), a host, no credentials).
 * - {@link checkGroupLink}: the rule for an error's link (a notification click, the Open button, the tray):
 *   only hosts of the provider's own web app, or the host the user set as the source's web app URL. A
 *   payload is not trusted to name its own host: Errorception signs only `message` and `page`, so a replayed
 *   signature can carry any `webUrl`, and the unsigned providers' bodies are whatever their URL receives.
 */

import type { Source } from '../../shared/settings';
import { getProvider } from './providers/index';

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

/** The rule a group's link is held to: its provider's web-app hosts and its source's web app URL. */
export function linkRuleOf(providerId: string, source: Pick<Source, 'webUrl'> | undefined): LinkRule {
  const provider = getProvider(providerId);
  return { providerName: provider?.name ?? providerId, webHosts: provider?.webHosts ?? [], webUrl: source?.webUrl ?? '' };
}

/** What an error's link may open: its provider's web-app hosts, and the source's own web app URL. */
export interface LinkRule {
  /** The provider's name, for the reason. */
  providerName: string;
  /** The provider module's `webHosts`: exact names or `*.` patterns. */
  webHosts: readonly string[];
  /** The source's `webUrl` (empty: none). */
  webUrl: string;
}

/** The host without the one trailing dot a fully qualified name may carry (`sentry.io.` is `sentry.io`). */
function bareHost(hostname: string): string {
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}

/** True for `name` itself, or for `*.name` any subdomain of it (not `name` itself). */
export function hostMatches(hostname: string, pattern: string): boolean {
  const host = bareHost(hostname.toLowerCase());
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) {
    const suffix = p.slice(1);
    return host.length > suffix.length && host.endsWith(suffix);
  }
  return host === p;
}

/**
 * True for hosts that name this machine, its network or an address rather than a provider: IP literals (the
 * URL parser has already turned `0x7f.1` into `127.0.0.1`), `localhost` and its subdomains.
 */
export function isAddressHost(hostname: string): boolean {
  const host = bareHost(hostname.toLowerCase());
  return host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host === 'localhost' || host.endsWith('.localhost');
}

function userBase(webUrl: string): URL | null {
  if (!webUrl) return null;
  const checked = checkExternalUrl(webUrl);
  return checked.ok ? new URL(checked.url) : null;
}

/**
 * Decides whether an error's link may open. On top of {@link checkExternalUrl}: the link's host must be one
 * of the provider's web-app hosts (http is upgraded to https there: those apps serve https only, and the
 * Errorception and Raygun samples still say http), or the host and port of the source's web app URL, which
 * the user typed (self-hosted Sentry, Backtrace on premises, a generic source's app). Loopback, link-local
 * and IP-literal hosts are opened only that way.
 */
export function checkGroupLink(input: unknown, rule: LinkRule): LinkVerdict {
  const shape = checkExternalUrl(input);
  if (!shape.ok) return shape;
  const url = new URL(shape.url);
  const base = userBase(rule.webUrl);
  if (base && bareHost(base.hostname) === bareHost(url.hostname) && base.port === url.port) {
    // The user named this server; its links keep their scheme, except that an https server is asked over https.
    if (base.protocol === 'https:' && url.protocol === 'http:') url.protocol = 'https:';
    return { ok: true, url: url.href };
  }
  const host = url.hostname.slice(0, 255);
  if (isAddressHost(url.hostname)) {
    return {
      ok: false,
      reason: `${host} is an address on a network, not ${rule.providerName}'s web app; if your ${rule.providerName} really lives there, set it as this source's web app URL in Setup`,
    };
  }
  if (rule.webHosts.some((pattern) => hostMatches(url.hostname, pattern))) {
    if (url.protocol === 'http:' && url.port === '') url.protocol = 'https:';
    return { ok: true, url: url.href };
  }
  const hosts = rule.webHosts.length > 0 ? ` (${rule.webHosts.join(', ')})` : '';
  return {
    ok: false,
    reason: `${host} is not one of ${rule.providerName}'s hosts${hosts}; if it is your own ${rule.providerName} server, set it as this source's web app URL in Setup`,
  };
}

/**
 * Decides whether a documentation link from the window may open: only the providers' own documentation pages
 * (their `docsUrl` hosts), since that is all the window links to.
 */
export function checkDocsLink(input: unknown, docsUrls: readonly string[]): LinkVerdict {
  const shape = checkExternalUrl(input);
  if (!shape.ok) return shape;
  const host = bareHost(new URL(shape.url).hostname);
  const known = docsUrls.some((d) => {
    const docs = checkExternalUrl(d);
    return docs.ok && bareHost(new URL(docs.url).hostname) === host;
  });
  return known ? shape : { ok: false, reason: `${host.slice(0, 255)} is not a provider's documentation site` };
}

/**
 * The one rule an error's link is held to, for every route that opens or passes it on (a notification, the Open
 * button, the tray, headless outlets): its provider's web-app hosts or its source's web app URL. Null when the
 * group has no link.
 */
export function groupLinkVerdict(
  group: { url: string | null; provider: string },
  source: Pick<Source, 'webUrl'> | null,
): LinkVerdict | null {
  if (!group.url) return null;
  return checkGroupLink(group.url, linkRuleOf(group.provider, source ?? undefined));
}
