/**
 * The actions on the whole history from the errors list: Mark all read, and Clear history, which deletes every
 * group and so waits for a confirmation first. The list itself reloads on main's `groups:reset` push.
 */
import { useState } from 'react';
import { clearHistory, errorMessage, markAllRead } from '../api';
import { plural } from './format';

/** Mark all read and Clear history, with the confirmation Clear history waits for. */
export interface HistoryActions {
  /** The Clear history confirmation is showing. */
  confirmingClear: boolean;
  /** Shows the confirmation; nothing is deleted yet. */
  askToClear: () => void;
  /** Closes the confirmation, deleting nothing. */
  keep: () => void;
  /** Deletes every group (the confirmed choice). */
  clear: () => void;
  markAllRead: () => void;
}

/**
 * The history actions. `say` shows what an action came to; `onCleared` runs once the history is cleared (the
 * view puts the focus back on the list).
 */
export function useHistoryActions(say: (note: string) => void, onCleared: () => void): HistoryActions {
  const [confirmingClear, setConfirmingClear] = useState(false);
  return {
    confirmingClear,
    askToClear: () => setConfirmingClear(true),
    keep: () => setConfirmingClear(false),
    clear: () => {
      setConfirmingClear(false);
      clearHistory().then(
        (n) => {
          say(`History cleared: ${plural(n, 'error group')} deleted`);
          onCleared();
        },
        (err) => say(errorMessage(err)),
      );
    },
    markAllRead: () => {
      markAllRead().then(
        (n) => say(n === 0 ? 'Every error was already read' : `Marked ${plural(n, 'error group')} read`),
        (err) => say(errorMessage(err)),
      );
    },
  };
}
