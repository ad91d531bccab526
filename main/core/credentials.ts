/**
 * Credentials that change without losing hooks: a source's previous credentials (kept by an edit or a
 * regeneration, see `shared/settings.ts` `previous`) stay accepted until their time is up, beside the current
 * ones, so the provider's settings can be updated at leisure. Also: which credentials a source still waits
 * for (Errorception and Sentry show their secret only once the webhook exists).
 */
import type { PreviousCredentials, Source } from '../../shared/settings';
import type { ProviderModule, Rejection } from './providers/types';

const HOUR_MS = 3_600_000;

/** The previous credentials when they are still accepted at `now`; null when there are none or they expired. */
export function activePrevious(source: Source, now: number): PreviousCredentials | null {
  const previous = source.previous;
  if (!previous || Object.keys(previous.credentials).length === 0) return null;
  const until = Date.parse(previous.until);
  return Number.isFinite(until) && until > now ? previous : null;
}

/**
 * The source as it was before the edit: the previous values over the current ones. One object per source
 * object, so providers that keep per-source caches (Backtrace's digest of the Basic pair) keep them.
 */
const previousViews = new WeakMap<Source, Source>();

function previousView(source: Source, previous: PreviousCredentials): Source {
  let view = previousViews.get(source);
  if (view === undefined) {
    view = { ...source, credentials: { ...source.credentials, ...previous.credentials }, previous: null };
    previousViews.set(source, view);
  }
  return view;
}

/** What a credential check settled on: the credentials that passed (current or previous), or the refusal. */
export type CredentialCheck = { ok: true; source: Source; previous: boolean } | { ok: false; rejection: Rejection };

/**
 * Runs `check` with the current credentials and, when that is refused as unauthenticated (401) and previous
 * credentials are still accepted, once more with those. A refusal for anything else (a missing field, 400)
 * is the same whatever the credentials, so it is not retried. The current credentials' refusal is the one
 * reported, since those are what the provider should be sending.
 */
export function checkCredentials(source: Source, now: number, check: (source: Source) => Rejection | null): CredentialCheck {
  const current = check(source);
  if (current === null) return { ok: true, source, previous: false };
  const previous = current.status === 401 ? activePrevious(source, now) : null;
  if (previous === null) return { ok: false, rejection: current };
  const view = previousView(source, previous);
  return check(view) === null ? { ok: true, source: view, previous: true } : { ok: false, rejection: current };
}

/** Words for the request log when a hook passed with the previous credentials. */
export function previousCredentialsNote(source: Source, providerName: string): string {
  return `accepted with the previous credentials, which stay accepted until ${source.previous?.until ?? 'their time is up'}: update ${providerName} to the current ones`;
}

/**
 * The labels of the credentials a source still waits for: required ones the provider shows only once its
 * webhook exists (`pasteLater`), not pasted yet. Empty when the source has all it needs.
 */
export function waitingFor(provider: ProviderModule, source: Source): string[] {
  return provider.credentials
    .filter((c) => c.required && c.pasteLater === true && (source.credentials[c.key] ?? '').trim() === '')
    .map((c) => c.label);
}

/** What changing a source's credentials needs to know. */
export interface CredentialChange {
  /** The values to set (merged over the current ones; an empty string clears one). */
  credentials?: Record<string, string>;
  /** Replace every credential Crashbell generates (Backtrace username and password) with new ones. */
  regenerate?: boolean;
  /** Stop accepting the previous credentials now. */
  endOverlap?: boolean;
}

/**
 * The credentials and previous credentials after a change. Every key whose value changes from a non-empty one
 * keeps its old value in `previous` for `overlapHours` (0: replaced at once); a previous set from an earlier
 * change is replaced by this one. Untouched credentials keep an unexpired previous set as it was.
 */
export function changedCredentials(
  provider: ProviderModule,
  source: Source,
  change: CredentialChange,
  overlapHours: number,
  now: number,
): { credentials: Record<string, string>; previous: PreviousCredentials | null } {
  const generated = change.regenerate ? provider.generateCredentials() : {};
  const next: Record<string, string> = { ...source.credentials, ...generated, ...(change.credentials ?? {}) };
  for (const [key, value] of Object.entries(next)) if (value === '') delete next[key];
  const replaced: Record<string, string> = {};
  for (const [key, old] of Object.entries(source.credentials)) {
    if (old !== '' && next[key] !== old) replaced[key] = old;
  }
  let previous = activePrevious(source, now);
  if (Object.keys(replaced).length > 0) {
    previous = overlapHours > 0 ? { credentials: replaced, until: new Date(now + overlapHours * HOUR_MS).toISOString() } : null;
  }
  if (change.endOverlap) previous = null;
  return { credentials: next, previous };
}
