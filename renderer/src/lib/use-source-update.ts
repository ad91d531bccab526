/**
 * One editor of a source's settings (its credentials, web app URL, mapping, filters...) and what its last change
 * came to. Each editor saves its own part through main, which re-validates it; the outcome is said under it.
 */
import { useState } from 'react';
import type { SourcePatch } from '../../../shared/ipc';
import { errorMessage, updateSource } from '../api';
import type { FormOutcome } from './form-outcome';

/** An editor's changes to its source, and what the last one came to. */
export interface SourceUpdate {
  /** What the last change came to; null before the first. */
  message: FormOutcome | null;
  /** Sends a change; once main took it, `onDone` runs and `done` is said; otherwise why it was refused. */
  update: (patch: SourcePatch, done: string, onDone?: () => void) => void;
  /** Says why nothing was sent (the form's own check) or why another call failed. */
  fail: (problem: string) => void;
}

/** The changes one editor makes to source `sourceId`. */
export function useSourceUpdate(sourceId: string): SourceUpdate {
  const [message, setMessage] = useState<FormOutcome | null>(null);
  return {
    message,
    update: (patch, done, onDone) => {
      updateSource(sourceId, patch).then(
        () => {
          onDone?.();
          setMessage({ ok: true, text: done });
        },
        (err) => setMessage({ ok: false, text: errorMessage(err) }),
      );
    },
    fail: (problem) => setMessage({ ok: false, text: problem }),
  };
}
