/**
 * What the window's frame holds, as one value and the events that move it: main's state and settings, which view
 * shows, a group a notification or the tray asked to open, and why nothing could load. Pure, so the rules (the
 * first run opens on Setup, a push keeps the view the user is on, an open request is handled once) are tested
 * without React; `use-app-frame.ts` talks to main.
 */
import type { AppState, SettingsView, ViewName } from '../../../shared/ipc';

/** A group to open in the errors view; the nonce makes the same group asked twice a new request. */
export interface OpenRequest {
  groupId: string;
  nonce: number;
}

/** Everything the frame shows that changes: one value, moved only by {@link appFrameReducer}. */
export interface AppFrameState {
  /** Main's state; null until it first answers. */
  state: AppState | null;
  settings: SettingsView | null;
  /** The view shown; null until the first answer decides it. */
  view: ViewName | null;
  openRequest: OpenRequest | null;
  /** Why the window could not load. */
  error: string | null;
}

/** What can happen to the frame. */
export type AppFrameEvent =
  /** A load was asked for: the previous failure goes. */
  | { type: 'loading' }
  | { type: 'loaded'; state: AppState; settings: SettingsView }
  | { type: 'failed'; error: string }
  /** Main pushed its state. */
  | { type: 'stateChanged'; state: AppState }
  /** New settings: main's answer to a change made here, or fetched after a push. */
  | { type: 'settingsChanged'; settings: SettingsView }
  /** The user chose a view. */
  | { type: 'viewChosen'; view: ViewName }
  /** Main asked for a view (the tray, a notification click), maybe with a group to open. */
  | { type: 'navigated'; view: ViewName; groupId?: string | undefined; nonce: number }
  /** The errors view opened the group asked for. */
  | { type: 'openHandled' };

/** The frame before main answered. */
export const INITIAL_APP_FRAME: AppFrameState = { state: null, settings: null, view: null, openRequest: null, error: null };

/** The view the window opens on: Setup with its guide on the first run, the errors list afterwards. */
export function firstView(state: AppState): ViewName {
  return state.onboarded ? 'errors' : 'setup';
}

/** Moves the frame's state by one event. Pure: React may call it twice. */
export function appFrameReducer(frame: AppFrameState, event: AppFrameEvent): AppFrameState {
  switch (event.type) {
    case 'loading':
      return { ...frame, error: null };
    case 'loaded':
      return { ...frame, state: event.state, settings: event.settings, view: frame.view ?? firstView(event.state) };
    case 'failed':
      return { ...frame, error: event.error };
    case 'stateChanged':
      return { ...frame, state: event.state };
    case 'settingsChanged':
      return { ...frame, settings: event.settings };
    case 'viewChosen':
      return { ...frame, view: event.view };
    case 'navigated':
      return {
        ...frame,
        view: event.view,
        openRequest: event.groupId ? { groupId: event.groupId, nonce: event.nonce } : frame.openRequest,
      };
    case 'openHandled':
      return { ...frame, openRequest: null };
  }
}
