/**
 * Reading Sentry's URLs (the module is sentry.ts): the issue page a hook links to, and the organization and API
 * origin its write-back needs. Only `issue.created` carries `web_url`; the state changes (resolved, unresolved,
 * assigned, ignored or archived) and older deliveries do not, and `permalink` is always null in webhooks, so the
 * link is built from the organization in the payload's API URLs or in the source's web app URL, and the detail
 * says so.
 */
import type { IssueRef } from '../../../shared/events';
import { httpsOrigin } from '../actions/api-text';

/** "https://…/issues/1117540176/events/e48…/" → "https://…/issues/1117540176/": the issue, not one event. */
export function issueUrlFromEventUrl(url: string | null): string | null {
  if (!url) return null;
  const match = /^(https?:\/\/[^\s]*?\/issues\/[^/?#]+\/)events\/[^/?#]+\/?(?:[?#].*)?$/i.exec(url);
  return match ? match[1]! : url;
}

/** `/api/0/projects/<org>/<project>/…` or `/api/0/organizations/<org>/…` in a Sentry API URL. */
const API_ORG = /^\/api\/0\/(?:projects|organizations)\/([A-Za-z0-9_.-]{1,100})(?:\/([A-Za-z0-9_.-]{1,100}))?\//;

/** The organization and project slugs a Sentry API URL names, with its origin; null when it names none. */
export function slugsFromApiUrl(url: string | null): { origin: string; org: string; project: string | null } | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const match = API_ORG.exec(u.pathname);
    if (!match) return null;
    const project = u.pathname.startsWith('/api/0/projects/') ? (match[2] ?? null) : null;
    return { origin: u.origin, org: match[1]!, project };
  } catch {
    return null;
  }
}

/**
 * The organization's base for issue links, from the source's web app URL: `https://<org>.sentry.io` (customer
 * domains), or `<origin>/organizations/<org>` (sentry.io's path form, or a self-hosted server). Null when the
 * URL names no organization.
 */
function orgBaseFromWebUrl(webUrl: string): string | null {
  if (!webUrl) return null;
  try {
    const u = new URL(webUrl);
    const host = u.hostname.toLowerCase();
    const path = /^\/organizations\/([A-Za-z0-9_.-]{1,100})(?:\/|$)/.exec(u.pathname);
    if (path) return `${u.origin}/organizations/${path[1]}`;
    const sub = /^([a-z0-9-]{1,100})\.sentry\.io$/.exec(host);
    if (sub && !['us', 'de', 'www', 'docs', 'api'].includes(sub[1]!)) return u.origin;
    return null;
  } catch {
    return null;
  }
}

/**
 * The issue's page when the hook carries none: from the organization in the payload's own API URLs
 * (`project_url`, `url`, `issue_url`), else from the source's web app URL. With how it was built, or nulls.
 */
export function derivedIssueUrl(
  issueId: string,
  apiUrls: Array<string | null | undefined>,
  webUrl: string,
): { url: string | null; urlDerivation: string | null } {
  const id = encodeURIComponent(issueId);
  for (const api of apiUrls) {
    const slugs = slugsFromApiUrl(api ?? null);
    if (slugs) {
      return {
        url: `${slugs.origin}/organizations/${slugs.org}/issues/${id}/`,
        urlDerivation: "built from the issue id and the organization in the hook's API URLs: Sentry sent no web_url",
      };
    }
  }
  const base = orgBaseFromWebUrl(webUrl);
  if (base) {
    return {
      url: `${base}/issues/${id}/`,
      urlDerivation: "built from the issue id and this source's web app URL: Sentry sent no web_url",
    };
  }
  return { url: null, urlDerivation: null };
}

/** The organization slug a Sentry web URL names (`/organizations/<org>/...` or `https://<org>.sentry.io/`); null otherwise. */
export function orgFromWebUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const path = /^\/organizations\/([A-Za-z0-9_.-]{1,100})(?:\/|$)/.exec(u.pathname);
    if (path) return path[1]!;
    const sub = /^([a-z0-9-]{1,100})\.sentry\.io$/.exec(u.hostname.toLowerCase());
    return sub && !['us', 'de', 'www', 'docs', 'api'].includes(sub[1]!) ? sub[1]! : null;
  } catch {
    return null;
  }
}

/**
 * What Sentry's API needs to act on an issue (sentry-api.ts): the issue id, its organization (from the
 * hook's API URLs, else its web URLs), and the origin of the API URLs the hook carries (`https://us.sentry.io`,
 * a self-hosted server), which is where the issue's API lives.
 */
export function sentryIssueRef(
  issueId: string,
  apiUrls: Array<string | null | undefined>,
  webUrls: Array<string | null | undefined>,
): IssueRef {
  let org: string | null = null;
  let apiOrigin: string | null = null;
  for (const url of apiUrls) {
    const origin = httpsOrigin(url);
    if (!origin || !url || !new URL(url).pathname.startsWith('/api/0/')) continue;
    apiOrigin ??= origin;
    org ??= slugsFromApiUrl(url)?.org ?? null;
  }
  for (const url of webUrls) org ??= orgFromWebUrl(url);
  return { ids: org ? { issue: issueId, org } : { issue: issueId }, apiOrigin };
}
