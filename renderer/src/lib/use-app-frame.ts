/**
 * The window's frame as a hook over `app-frame.ts`: loads main's state and settings, follows main's pushes (its
 * state, and the views the tray and notifications ask for), and applies the theme setting whenever settings
 * change. The rules are the reducer's, tested without React; this module only talks to main.
 */
import { useCallback, useEffect, useReducer } from 'react';
import type { SettingsView, ViewName } from '../../../shared/ipc';
import { errorMessage, getSettings, getState, hasBridge, onNavigate, onStateChanged } from '../api';
import { type AppFrameEvent, type AppFrameState, appFrameReducer, INITIAL_APP_FRAME } from './app-frame';
import { applyTheme } from './theme';

/** The frame: its state, and what the views can ask of it. */
export interface AppFrame extends AppFrameState {
  /** Loads main's state and settings again (after a failed load). */
  reload: () => void;
  /** Shows another view. */
  show: (view: ViewName) => void;
  /** The errors view opened the group asked for: coming back to the list later does not reopen it. */
  openHandled: () => void;
  /** Takes the settings main answered to a change made in a view. */
  onSettings: (settings: SettingsView) => void;
}

/** The window's frame, loaded at once and kept true by main's pushes; nothing is polled. */
export function useAppFrame(): AppFrame {
  const [frame, dispatch] = useReducer(appFrameReducer, INITIAL_APP_FRAME);
  const onSettings = useCallback((settings: SettingsView) => {
    dispatch({ type: 'settingsChanged', settings });
    applyTheme(settings.theme);
  }, []);
  const reload = useCallback(() => load(dispatch), []);
  const show = useCallback((view: ViewName) => dispatch({ type: 'viewChosen', view }), []);
  const openHandled = useCallback(() => dispatch({ type: 'openHandled' }), []);
  useEffect(() => {
    load(dispatch);
    if (!hasBridge()) return;
    const offState = onStateChanged((state) => {
      dispatch({ type: 'stateChanged', state });
      // The tray can change settings too (DND, pause, start at login): keep the settings view true.
      getSettings().then(onSettings, () => undefined);
    });
    const offNav = onNavigate((to) => dispatch({ type: 'navigated', view: to.view, groupId: to.groupId, nonce: Date.now() }));
    return () => {
      offState();
      offNav();
    };
  }, [onSettings]);
  return {
    ...frame,
    reload,
    show,
    openHandled,
    onSettings,
  };
}

/** Asks main for its state and settings; without the preload bridge there is no main to ask. */
function load(dispatch: (event: AppFrameEvent) => void): void {
  if (!hasBridge()) {
    dispatch({ type: 'failed', error: 'Crashbell cannot reach its main process: the preload bridge is missing.' });
    return;
  }
  dispatch({ type: 'loading' });
  Promise.all([getState(), getSettings()]).then(
    ([state, settings]) => {
      dispatch({ type: 'loaded', state, settings });
      applyTheme(settings.theme);
    },
    (err) => dispatch({ type: 'failed', error: errorMessage(err) }),
  );
}
