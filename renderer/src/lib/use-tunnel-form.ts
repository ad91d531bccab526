/**
 * Setup's Tunnel card as a hook over `tunnel-form.ts`: saves the authtoken, the reserved domain and the switch
 * through main, removes the authtoken, and reconnects. The rules are the reducer's, tested without React; this
 * module only talks to main.
 */
import { useReducer, useRef } from 'react';
import type { SettingsView } from '../../../shared/ipc';
import { errorMessage, reconnectTunnel, updateSettings } from '../api';
import {
  INITIAL_TUNNEL_FORM,
  reconnectBlocker,
  reconnectOutcome,
  type TunnelFormState,
  type TunnelPatch,
  tunnelFormReducer,
  tunnelPatch,
} from './tunnel-form';

/** The tunnel form: its state, and what the card can ask of it. */
export interface TunnelFormModel extends Omit<TunnelFormState, 'domain'> {
  /** The reserved domain as shown: what was typed, else the saved one. */
  domain: string;
  /** Something was typed that Save would send. */
  edited: boolean;
  /** An authtoken is saved (it is never shown). */
  hasToken: boolean;
  /** Why Reconnect cannot do anything now, or null. */
  noReconnect: string | null;
  typeToken: (token: string) => void;
  typeDomain: (domain: string) => void;
  /** Saves what was typed; nothing typed sends nothing. */
  submit: () => void;
  /** Removes the saved authtoken: Crashbell then listens locally only. */
  removeToken: () => void;
  /** Turns the tunnel on or off. */
  setEnabled: (enabled: boolean) => void;
  /** Asks main to connect the tunnel again now. */
  reconnect: () => void;
}

/** The Tunnel card's form over the saved settings (null until they load). */
export function useTunnelForm(settings: SettingsView | null, onSettings: (s: SettingsView) => void): TunnelFormModel {
  const [state, dispatch] = useReducer(tunnelFormReducer, INITIAL_TUNNEL_FORM);
  const onSaved = useRef(onSettings);
  onSaved.current = onSettings;
  const hasToken = settings?.tunnel.hasAuthtoken ?? false;
  const enabled = settings?.tunnel.enabled ?? true;

  const save = (patch: TunnelPatch, done: string) => {
    dispatch({ type: 'saving' });
    updateSettings({ tunnel: patch }).then(
      (s) => {
        dispatch({ type: 'saved', done });
        onSaved.current(s);
      },
      (err) => dispatch({ type: 'answered', outcome: { ok: false, text: errorMessage(err) } }),
    );
  };
  return {
    ...state,
    domain: state.domain ?? settings?.tunnel.domain ?? '',
    edited: state.token.trim() !== '' || state.domain !== null,
    hasToken,
    noReconnect: reconnectBlocker(hasToken, enabled),
    typeToken: (token) => dispatch({ type: 'tokenTyped', token }),
    typeDomain: (domain) => dispatch({ type: 'domainTyped', domain }),
    submit: () => {
      const patch = tunnelPatch(state.token, state.domain);
      if (patch) save(patch, 'Saved. The tunnel reconnects with the new settings.');
    },
    removeToken: () => save({ authtoken: '' }, 'Authtoken removed. Crashbell now listens locally only.'),
    setEnabled: (on) => save({ enabled: on }, on ? 'Tunnel on.' : 'Tunnel off.'),
    reconnect: () => {
      dispatch({ type: 'reconnecting' });
      reconnectTunnel().then(
        (t) => dispatch({ type: 'answered', outcome: reconnectOutcome(t, settings?.tunnel ?? null) }),
        (err) => dispatch({ type: 'answered', outcome: { ok: false, text: errorMessage(err) } }),
      );
    },
  };
}
