/**
 * Setup's Tunnel card as one value and the events that move it: the authtoken and reserved domain typed, saving
 * and reconnecting, and what each came to; and what the form sends, why Reconnect cannot run, and a reconnect's
 * answer in words. Pure, so the rules (the saved authtoken is never shown, a save forgets what was typed) are
 * tested without React; `use-tunnel-form.ts` talks to main.
 */
import type { TunnelState } from '../../../shared/events';
import type { SettingsPatch } from '../../../shared/ipc';
import type { FormOutcome } from './form-outcome';
import { type TunnelChoice, tunnelSummary } from './format';

/** A change to the tunnel's settings (`authtoken: ''` removes it). */
export type TunnelPatch = NonNullable<SettingsPatch['tunnel']>;

/** Everything the Tunnel card's form shows that changes: one value, moved only by {@link tunnelFormReducer}. */
export interface TunnelFormState {
  /** The authtoken typed; never the saved one, which main does not send. */
  token: string;
  /** The reserved domain as typed; null shows the saved one. */
  domain: string | null;
  /** A save or a reconnect is on its way. */
  busy: boolean;
  /** What the last save or reconnect came to. */
  message: FormOutcome | null;
}

/** What can happen to the form. */
export type TunnelFormEvent =
  | { type: 'tokenTyped'; token: string }
  | { type: 'domainTyped'; domain: string }
  | { type: 'saving' }
  /** Main took the settings: what was typed goes. */
  | { type: 'saved'; done: string }
  | { type: 'reconnecting' }
  /** A save or a reconnect came to this. */
  | { type: 'answered'; outcome: FormOutcome };

/** The form before anything was typed. */
export const INITIAL_TUNNEL_FORM: TunnelFormState = { token: '', domain: null, busy: false, message: null };

/** Moves the form's state by one event. Pure: React may call it twice. */
export function tunnelFormReducer(state: TunnelFormState, event: TunnelFormEvent): TunnelFormState {
  switch (event.type) {
    case 'tokenTyped':
      return { ...state, token: event.token };
    case 'domainTyped':
      return { ...state, domain: event.domain };
    case 'saving':
      return { ...state, busy: true, message: null };
    case 'saved':
      return { token: '', domain: null, busy: false, message: { ok: true, text: event.done } };
    case 'reconnecting':
      // What the last save came to stays until the reconnect answers.
      return { ...state, busy: true };
    case 'answered':
      return { ...state, busy: false, message: event.outcome };
  }
}

/** What Save tunnel settings sends: a new authtoken, a domain edited (even emptied); null when nothing changed. */
export function tunnelPatch(token: string, domain: string | null): TunnelPatch | null {
  const patch: TunnelPatch = {};
  if (token.trim()) patch.authtoken = token.trim();
  if (domain !== null) patch.domain = domain.trim();
  return Object.keys(patch).length === 0 ? null : patch;
}

/** Why Reconnect cannot do anything now, or null when it can. */
export function reconnectBlocker(hasToken: boolean, enabled: boolean): string | null {
  if (!hasToken) return 'Reconnect needs an ngrok authtoken: paste one above and save it.';
  if (!enabled) return 'Reconnect needs the tunnel: turn on “Use the tunnel”.';
  return null;
}

/** A reconnect's answer in words: the tunnel's new state, an error as a failure. */
export function reconnectOutcome(state: TunnelState, choice: TunnelChoice | null): FormOutcome {
  return { ok: state.status !== 'error', text: `Tunnel: ${tunnelSummary(state, choice).label}` };
}
