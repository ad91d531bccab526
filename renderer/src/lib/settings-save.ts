/**
 * What the Settings view says about its changes, as one value and the events that move it: a change being saved,
 * what the last one came to, and why one was not saved. Pure, so the rules (a new change clears the previous
 * error but keeps the last "Saved" until it lands; a refused change clears "Saved") are tested without React;
 * `use-settings-save.ts` talks to main.
 */

/** The Settings view's header line and its error. */
export interface SaveStatus {
  /** A settings patch is on its way to main. */
  saving: boolean;
  /** What the last change came to ("Saved", "Do Not Disturb for 1 hour"). */
  saved: string | null;
  /** Why the last change that failed was not saved. */
  error: string | null;
}

/** What can happen to a change. */
export type SaveEvent =
  /** A settings patch was sent. */
  | { type: 'sending' }
  /** Main saved the patch. */
  | { type: 'saved'; done: string }
  /** Main refused the patch: nothing of it was saved. */
  | { type: 'refused'; error: string }
  /** Another call (a source's sound, Do Not Disturb) went through. */
  | { type: 'done'; text: string }
  /** Another call failed, or a field was refused before anything was sent. */
  | { type: 'failed'; error: string };

/** Nothing said yet. */
export const INITIAL_SAVE_STATUS: SaveStatus = { saving: false, saved: null, error: null };

/** Moves the status by one event. Pure: React may call it twice. */
export function saveStatusReducer(state: SaveStatus, event: SaveEvent): SaveStatus {
  switch (event.type) {
    case 'sending':
      return { ...state, saving: true, error: null };
    case 'saved':
      return { ...state, saving: false, saved: event.done };
    case 'refused':
      return { saving: false, saved: null, error: event.error };
    case 'done':
      return { ...state, saved: event.text };
    case 'failed':
      return { ...state, error: event.error };
  }
}
