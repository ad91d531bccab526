/**
 * A source's credentials in the window's words: what was typed into a provider's fields, how long a replaced
 * value stays accepted, and what Regenerate makes anew.
 */
import type { ProviderFieldInfo, SetupField } from '../../../shared/ipc';

/** The provider's fields that were filled in, trimmed; a field left blank is not sent. */
export function typedCredentials(fields: readonly ProviderFieldInfo[], values: Record<string, string>): Record<string, string> {
  const credentials: Record<string, string> = {};
  for (const f of fields) {
    const value = values[f.key]?.trim();
    if (value) credentials[f.key] = value;
  }
  return credentials;
}

/** What happens to the value a new one replaces, with the overlap set in Settings. */
export function overlapNote(overlapHours: number, providerName: string): string {
  return overlapHours > 0
    ? `The value it replaces stays accepted for ${overlapHours} h, so you can update ${providerName} without losing hooks.`
    : 'The value it replaces stops being accepted at once (the overlap is 0 h in Settings).';
}

/** "2 Jan, 08:00": when previous credentials stop being accepted (the text as given when it is not a date). */
export function untilText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** What Regenerate makes anew, from the values to paste: "username and password" (never the webhook URL). */
export function regeneratedNames(setup: readonly SetupField[]): string {
  return (
    setup
      .filter((f) => f.label !== 'Webhook URL')
      .map((f) => f.label.toLowerCase())
      .join(' and ') || 'credentials'
  );
}

// The settings schema's default and maximum (shared/settings.ts); main re-validates. Not imported from there: it
// would bring zod into the page.
/** How long a replaced credential stays accepted before settings have loaded. */
export const DEFAULT_OVERLAP_HOURS = 24;
/** The most hours the overlap may be set to. */
export const MAX_OVERLAP_HOURS = 720;

/** Reads the overlap typed in hours, from 0 to {@link MAX_OVERLAP_HOURS}; the problem in words otherwise. */
export function parseOverlapHours(text: string): { ok: true; hours: number } | { ok: false; problem: string } {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > MAX_OVERLAP_HOURS) {
    return { ok: false, problem: `Give a number of hours from 0 to ${MAX_OVERLAP_HOURS}.` };
  }
  return { ok: true, hours: n };
}

/** What a saved overlap means, in words. */
export function overlapSaved(hours: number): string {
  return hours === 0 ? 'Replaced credentials now stop working at once.' : `Replaced credentials stay accepted for ${hours} h.`;
}
