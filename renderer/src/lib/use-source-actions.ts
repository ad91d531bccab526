/**
 * The actions in a source card's head: rename it, pause or resume its notifications, and remove it (confirmed
 * first). Main re-validates each and pushes the new state; a failure is said on the card.
 */
import { useState } from 'react';
import type { SourceView } from '../../../shared/ipc';
import { errorMessage, removeSource, updateSource } from '../api';

/** A source's actions, and what the last one that failed said. */
export interface SourceActionsModel {
  /** The name is being edited. */
  renaming: boolean;
  /** The name as typed. */
  name: string;
  setName: (name: string) => void;
  startRename: () => void;
  /** Leaves the name as it was. */
  cancelRename: () => void;
  /** Saves the name typed; a blank one is refused and nothing is sent. */
  rename: () => void;
  togglePause: () => void;
  /** Remove's confirmation is showing. */
  confirmingRemove: boolean;
  askToRemove: () => void;
  /** Closes the confirmation, keeping the source. */
  keep: () => void;
  /** Removes the source (the confirmed choice). */
  remove: () => void;
  /** Why the last action failed. */
  error: string | null;
}

/** The actions on `source`. */
export function useSourceActions(source: SourceView): SourceActionsModel {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(source.name);
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const failed = (err: unknown) => setError(errorMessage(err));
  return {
    renaming,
    name,
    setName,
    startRename: () => setRenaming(true),
    cancelRename: () => {
      setRenaming(false);
      setName(source.name);
    },
    rename: () => {
      const next = name.trim();
      if (!next) {
        setError('A source needs a name.');
        return;
      }
      updateSource(source.id, { name: next }).then(() => {
        setRenaming(false);
        setError(null);
      }, failed);
    },
    togglePause: () => {
      updateSource(source.id, { paused: !source.paused }).catch(failed);
    },
    confirmingRemove,
    askToRemove: () => setConfirmingRemove(true),
    keep: () => setConfirmingRemove(false),
    remove: () => {
      removeSource(source.id).catch(failed);
    },
    error,
  };
}
