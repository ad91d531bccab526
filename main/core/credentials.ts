/**
 * A source's credentials as the checks see them, and credentials that change without losing hooks.
 *
 * Set or not, one rule everywhere: a credential is set when it holds something besides whitespace, and then it is
 * that text trimmed ({@link setCredential}). Blank means not set, for the source's waiting state, for its checks and
 * for a rotation's previous values alike, so a blank value can never stand for "nothing to check" in one place while
 * another says "waiting". Providers never see a source's raw strings: `verifyHeaders` and `verify` get a
 * {@link SourceToCheck}, whose credentials are {@link SetCredential}s or absent, and their comparisons take a
 * `SetCredential`. A provider cannot compare against an unset value, because it cannot get one.
 *
 * Rotation: a source's previous credentials (kept by an edit or a regeneration, see `shared/settings.ts` `previous`)
 * stay accepted until their time is up, beside the current ones, so the provider's settings can be updated at
 * leisure. Also: which credentials a source still waits for (Errorception and Sentry show their secret only once
 * the webhook exists).
 */
import type { PreviousCredentials, Source } from '../../shared/settings';
import type { ProviderModule, Rejection } from './providers/types';

const HOUR_MS = 3_600_000;

declare const setCredentialBrand: unique symbol;
declare const credentialsBrand: unique symbol;

/** A credential value that is set: trimmed, never blank. Only {@link setCredential} (and {@link joinCredentials}) make one. */
export type SetCredential = string & { readonly [setCredentialBrand]: true };

/** A source's set credentials by key; a key that is absent (or was blank) is not set. Made by {@link credentialsOf}. */
export type Credentials = { readonly [key: string]: SetCredential | undefined } & { readonly [credentialsBrand]: true };

/** A source as a credential check sees it: everything but its raw credentials, and only the set ones. */
export type SourceToCheck = Omit<Source, 'credentials' | 'previous'> & { readonly credentials: Credentials };

/** The credential `value` trimmed when it holds anything besides whitespace; null when it is not set. */
export function setCredential(value: string | null | undefined): SetCredential | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : (trimmed as SetCredential);
}

/** Set credentials joined by a separator (a Basic auth pair): set, since each part is. */
export function joinCredentials(first: SetCredential, separator: string, second: SetCredential): SetCredential {
  return `${first}${separator}${second}` as SetCredential;
}

/** The set values of a raw credentials record, trimmed, by key (blank values left out). */
function setValues(raw: Readonly<Record<string, string>>): Record<string, SetCredential> {
  const set: Record<string, SetCredential> = {};
  for (const [key, value] of Object.entries(raw)) {
    const credential = setCredential(value);
    if (credential !== null) set[key] = credential;
  }
  return set;
}

/** The set credentials of a raw credentials record (blank values left out). */
export function credentialsOf(raw: Readonly<Record<string, string>>): Credentials {
  return Object.freeze(setValues(raw)) as unknown as Credentials;
}

function viewWith(source: Source, credentials: Credentials): SourceToCheck {
  const { credentials: _raw, previous: _previous, ...rest } = source;
  return { ...rest, credentials };
}

/** A view and the raw values it was made from, to notice a source whose credentials were edited in place. */
interface CachedView {
  view: SourceToCheck;
  made: Array<Readonly<Record<string, string>>>;
  values: string[][];
}

function valuesOf(raws: Array<Readonly<Record<string, string>>>): string[][] {
  return raws.map((raw) => Object.entries(raw).flat());
}

/** Whether the raw records still hold what the view was made from (a few string comparisons). */
function stillMatches(cached: CachedView, raws: Array<Readonly<Record<string, string>>>): boolean {
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i] as Readonly<Record<string, string>>;
    if (raw !== cached.made[i]) return false;
    const values = cached.values[i] as string[];
    let n = 0;
    for (const key in raw) {
      if (values[n] !== key || values[n + 1] !== raw[key]) return false;
      n += 2;
    }
    if (n !== values.length) return false;
  }
  return true;
}

/** A view kept per source object, made again when its credentials changed (even in place). */
function cachedView(
  cache: WeakMap<Source, CachedView>,
  source: Source,
  raws: Array<Readonly<Record<string, string>>>,
  make: () => SourceToCheck,
): SourceToCheck {
  const cached = cache.get(source);
  if (cached !== undefined && stillMatches(cached, raws)) return cached.view;
  const view = make();
  cache.set(source, { view, made: raws, values: valuesOf(raws) });
  return view;
}

/**
 * The source with its current credentials, as checks see it. One object per source object (while its credentials
 * stay the same), so providers that keep per-source caches (Backtrace's digest of the Basic pair) keep them, and a
 * check can tell which view passed.
 */
const currentViews = new WeakMap<Source, CachedView>();

/** {@link SourceToCheck} of a source's current credentials (the same object for the same source and values). */
export function sourceToCheck(source: Source): SourceToCheck {
  return cachedView(currentViews, source, [source.credentials], () => viewWith(source, credentialsOf(source.credentials)));
}

/** The previous credentials when they are still accepted at `now` and set any value; null otherwise. */
export function activePrevious(source: Source, now: number): PreviousCredentials | null {
  const previous = source.previous;
  if (!previous || !Object.values(previous.credentials).some((v) => setCredential(v) !== null)) return null;
  const until = Date.parse(previous.until);
  return Number.isFinite(until) && until > now ? previous : null;
}

/**
 * The source as it was before the edit: the previous values over the current ones, set values only (a blank
 * previous value never unsets a current one). One object per source object, as {@link sourceToCheck}.
 */
const previousViews = new WeakMap<Source, CachedView>();

function previousView(source: Source, previous: PreviousCredentials): SourceToCheck {
  return cachedView(previousViews, source, [source.credentials, previous.credentials], () =>
    viewWith(source, credentialsOf({ ...setValues(source.credentials), ...setValues(previous.credentials) })),
  );
}

/** What a credential check settled on: the credentials that passed (current or previous), or the refusal. */
export type CredentialCheck = { ok: true; source: SourceToCheck; previous: boolean } | { ok: false; rejection: Rejection };

/**
 * Runs `check` with the current credentials and, when that is refused as unauthenticated (401) and previous
 * credentials are still accepted, once more with those. A refusal for anything else (a missing field, 400)
 * is the same whatever the credentials, so it is not retried. The current credentials' refusal is the one
 * reported, since those are what the provider should be sending.
 */
export function checkCredentials(source: Source, now: number, check: (source: SourceToCheck) => Rejection | null): CredentialCheck {
  const currentView = sourceToCheck(source);
  const current = check(currentView);
  if (current === null) return { ok: true, source: currentView, previous: false };
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
 * webhook exists (`pasteLater`), not set yet. Empty when the source has all it needs.
 */
export function waitingFor(provider: ProviderModule, source: Source): string[] {
  return provider.credentials
    .filter((c) => c.required && c.pasteLater === true && setCredential(source.credentials[c.key]) === null)
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
 * The credentials and previous credentials after a change. Values are kept trimmed, and a blank one is not kept at
 * all. Every key whose set value changes keeps its old value in `previous` for `overlapHours` (0: replaced at once);
 * a previous set from an earlier change is replaced by this one. Untouched credentials keep an unexpired previous
 * set as it was.
 */
export function changedCredentials(
  provider: ProviderModule,
  source: Source,
  change: CredentialChange,
  overlapHours: number,
  now: number,
): { credentials: Record<string, string>; previous: PreviousCredentials | null } {
  const generated = change.regenerate ? provider.generateCredentials() : {};
  // A key the change clears (a blank value) goes, even when its current value was set.
  const next: Record<string, string> = setValues({ ...source.credentials, ...generated, ...(change.credentials ?? {}) });
  const replaced: Record<string, string> = {};
  for (const [key, value] of Object.entries(source.credentials)) {
    const old = setCredential(value);
    if (old !== null && next[key] !== old) replaced[key] = old;
  }
  let previous = activePrevious(source, now);
  if (Object.keys(replaced).length > 0) {
    previous = overlapHours > 0 ? { credentials: replaced, until: new Date(now + overlapHours * HOUR_MS).toISOString() } : null;
  }
  if (change.endOverlap) previous = null;
  return { credentials: next, previous };
}
