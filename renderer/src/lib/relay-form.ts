/**
 * The Team relay card's form as one value and the events that move it: what was typed over the saved settings,
 * saving and what it came to, Test relay and its answer; and what the form sends. Pure, so the rules (a field
 * left alone shows the saved value, a save forgets what was typed, a password left empty keeps the saved one)
 * are tested without React; `use-relay-form.ts` talks to main.
 */
import type { RelayTestResult } from '../../../shared/events';
import type { RelayAuthPatch, RelaySettingsPatch, RelaySettingsView } from '../../../shared/ipc';
import type { FormOutcome } from './form-outcome';

/** How the relay's server knows this member. */
export type RelayAuthKind = RelaySettingsView['auth']['kind'];

/** The form's fields as shown (the password or token apart: it is never shown once saved). */
export interface RelayFields {
  /** One server per line, as typed. */
  servers: string;
  kind: RelayAuthKind;
  user: string;
  credsFile: string;
  tlsCa: string;
  member: string;
  stream: string;
}

/** The stream's name until one is saved (the settings schema's default). */
export const DEFAULT_STREAM = 'CRASHBELL';

/** Everything the card's form shows that changes: one value, moved only by {@link relayFormReducer}. */
export interface RelayFormState {
  /** What was typed since the last save; a field absent here shows the saved value. */
  edits: Partial<RelayFields>;
  /** The password or token typed; empty keeps the saved one. */
  secret: string;
  saving: boolean;
  /** What the last save came to, or why the form was not sent. */
  message: FormOutcome | null;
  testing: boolean;
  /** What the last Test relay from this card came to; null shows the one main reports. */
  test: RelayTestResult | null;
}

/** What can happen to the form. */
export type RelayFormEvent =
  | { type: 'edited'; fields: Partial<RelayFields> }
  | { type: 'secretTyped'; secret: string }
  /** The form was not sent: the problem is said. */
  | { type: 'refused'; problem: string }
  | { type: 'saving' }
  /** Main took the settings: what was typed goes, the saved values show. */
  | { type: 'saved'; done: string }
  | { type: 'saveFailed'; error: string }
  | { type: 'testing' }
  | { type: 'tested'; result: RelayTestResult };

/** The form before anything was typed. */
export const INITIAL_RELAY_FORM: RelayFormState = { edits: {}, secret: '', saving: false, message: null, testing: false, test: null };

/** Moves the form's state by one event. Pure: React may call it twice. */
export function relayFormReducer(state: RelayFormState, event: RelayFormEvent): RelayFormState {
  switch (event.type) {
    case 'edited':
      return { ...state, edits: { ...state.edits, ...event.fields } };
    case 'secretTyped':
      return { ...state, secret: event.secret };
    case 'refused':
      return { ...state, message: { ok: false, text: event.problem } };
    case 'saving':
      return { ...state, saving: true, message: null };
    case 'saved':
      return { ...state, edits: {}, secret: '', saving: false, message: { ok: true, text: event.done } };
    case 'saveFailed':
      return { ...state, saving: false, message: { ok: false, text: event.error } };
    case 'testing':
      return { ...state, testing: true, test: null };
    case 'tested':
      return { ...state, testing: false, test: event.result };
  }
}

/** The fields as shown: what was typed, else the saved settings, else the defaults. */
export function relayFields(edits: Partial<RelayFields>, saved: RelaySettingsView | null): RelayFields {
  return {
    servers: edits.servers ?? saved?.servers.join('\n') ?? '',
    kind: edits.kind ?? saved?.auth.kind ?? 'none',
    user: edits.user ?? saved?.auth.user ?? '',
    credsFile: edits.credsFile ?? saved?.auth.credsFile ?? '',
    tlsCa: edits.tlsCa ?? saved?.tlsCa ?? '',
    member: edits.member ?? saved?.member ?? '',
    stream: edits.stream ?? saved?.stream ?? DEFAULT_STREAM,
  };
}

/** A password or token is saved for the credentials chosen (another kind chosen has none yet). */
export function hasSavedSecret(saved: RelaySettingsView | null, kind: RelayAuthKind): boolean {
  return saved !== null && saved.auth.kind === kind && saved.auth.hasSecret;
}

/** The servers as typed: one per line or separated by commas. */
export function parseServers(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The form's credentials as a patch: a password or token left empty keeps the saved one. */
export function authPatch(kind: RelayAuthKind, user: string, secret: string, credsFile: string): RelayAuthPatch {
  switch (kind) {
    case 'none':
      return { kind: 'none' };
    case 'user':
      return secret === '' ? { kind: 'user', user: user.trim() } : { kind: 'user', user: user.trim(), pass: secret };
    case 'token':
      return secret === '' ? { kind: 'token' } : { kind: 'token', token: secret.trim() };
    case 'creds':
      return { kind: 'creds', credsFile: credsFile.trim() };
  }
}

/** Why the form cannot be saved as it is, or null. */
export function relayFormProblem(servers: string[], kind: RelayAuthKind, user: string, credsFile: string): string | null {
  if (kind === 'user' && user.trim() === '') return 'A user name is needed with a password.';
  if (kind === 'creds' && credsFile.trim() === '') return 'Give the path of the .creds file.';
  if (servers.length > 16) return 'At most 16 servers.';
  return null;
}

/** What Save relay settings sends and says once saved, or why it sends nothing. */
export type RelaySubmission = { ok: true; patch: RelaySettingsPatch; done: string } | { ok: false; problem: string };

/** The form as a settings patch, checked first. */
export function relaySubmission(fields: RelayFields, secret: string): RelaySubmission {
  const servers = parseServers(fields.servers);
  const problem = relayFormProblem(servers, fields.kind, fields.user, fields.credsFile);
  if (problem) return { ok: false, problem };
  return {
    ok: true,
    patch: {
      servers,
      member: fields.member.trim(),
      stream: fields.stream.trim(),
      tlsCa: fields.tlsCa.trim(),
      auth: authPatch(fields.kind, fields.user, secret, fields.credsFile),
    },
    done: servers.length === 0 ? 'Saved. The team relay is off (no server).' : 'Saved. The relay connects with the new settings.',
  };
}

/** A Test relay whose call failed, told as a result like the ones main answers. */
export function failedTest(reason: string, sentAt: Date): RelayTestResult {
  return { ok: false, sentAt: sentAt.toISOString(), seq: null, cameBackAt: null, roundTripMs: null, reason };
}
