/**
 * The app's own updates as the window shows them: the state main's shell pushes (fetched once, then followed),
 * and its words for the Settings view.
 */
import { useEffect, useState } from 'react';
import type { UpdateState } from '../../../shared/ipc';
import { getUpdateState, hasBridge, onUpdateState } from '../api';

/** The update state, null until main has answered. */
export function useUpdateState(): UpdateState | null {
  const [state, setState] = useState<UpdateState | null>(null);
  useEffect(() => {
    if (!hasBridge()) return;
    let live = true;
    const off = onUpdateState((s) => setState(s));
    getUpdateState().then(
      // A push that arrived meanwhile is newer than the answer.
      (s) => live && setState((current) => current ?? s),
      () => undefined,
    );
    return () => {
      live = false;
      off();
    };
  }, []);
  return state;
}

/** A version as the window shows it: "v1.2.3". */
export function versionLabel(version: string): string {
  return /^\d/.test(version) ? `v${version}` : version;
}

/** The state in a short label and a tone (for a status pill), and a sentence when there is more to say. */
export function updateSummary(
  state: UpdateState,
  formatTime: (iso: string) => string,
): { label: string; tone: 'ok' | 'busy' | 'bad' | 'off'; detail: string | null } {
  switch (state.status) {
    case 'idle':
      return { label: 'Not checked yet', tone: 'off', detail: null };
    case 'checking':
      return { label: 'Checking…', tone: 'busy', detail: null };
    case 'available':
      return { label: `${versionLabel(state.version)} found`, tone: 'busy', detail: 'Downloading it in the background.' };
    case 'downloading':
      return { label: `Downloading ${versionLabel(state.version)}: ${state.percent}%`, tone: 'busy', detail: null };
    case 'ready':
      return {
        label: `${versionLabel(state.version)} ready`,
        tone: 'ok',
        detail: 'Downloaded and verified: restart Crashbell to install it.',
      };
    case 'not-available':
      return { label: 'Up to date', tone: 'ok', detail: `Last checked ${formatTime(state.checkedAt)}.` };
    case 'error':
      return { label: 'Update failed', tone: 'bad', detail: state.reason };
    case 'disabled':
      return { label: state.by === 'setting' ? 'Off' : 'Not available', tone: 'off', detail: state.reason };
  }
}
