/**
 * Small helpers the provider modules share for their write APIs: path segments, the provider's own message out
 * of an answer (cleaned, so an answer from the internet cannot smuggle control characters or a page of HTML
 * into a notification), and where a derived API origin may point.
 */
import type { ApiResponse } from './http-client';

/** The longest provider message kept in words. */
export const MAX_PROVIDER_MESSAGE = 300;

/** An id as one URL path segment. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}

/**
 * Text from an answer made safe to show: control and bidirectional-override characters removed, whitespace
 * collapsed, cut to {@link MAX_PROVIDER_MESSAGE}. Null when nothing is left.
 */
export function cleanText(value: unknown, max = MAX_PROVIDER_MESSAGE): string | null {
  if (typeof value !== 'string') return null;
  // Control characters, and the bidirectional marks and overrides that could reorder what a person reads.
  const text = value
    .replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The first string (or list of strings, joined) found under one of `keys` of a JSON object answer. */
export function messageField(response: ApiResponse, ...keys: string[]): string | null {
  const json = response.json;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  for (const key of keys) {
    if (!Object.hasOwn(json, key)) continue;
    const value: unknown = (json as Record<string, unknown>)[key];
    if (typeof value === 'string') return cleanText(value);
    if (Array.isArray(value)) {
      const parts = value.filter((v): v is string => typeof v === 'string');
      if (parts.length > 0) return cleanText(parts.join('; '));
    }
  }
  return null;
}

/** Whether a host matches one of the patterns: exact names, or `*.example.com` for any subdomain. */
export function hostMatches(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase();
  return patterns.some((p) => {
    const pattern = p.toLowerCase();
    if (pattern.startsWith('*.')) return h.endsWith(pattern.slice(1)) && h.length > pattern.length - 1;
    return h === pattern;
  });
}

/** The `https:` origin of a URL, or null when it is not an https URL. */
export function httpsOrigin(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '' ? u.origin : null;
  } catch {
    return null;
  }
}
