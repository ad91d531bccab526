import { describe, expect, it } from 'vitest';
import { updateSummary, versionLabel } from '../../../../renderer/src/lib/updates';
import type { UpdateState } from '../../../../shared/ipc';

const at = (iso: string) => `at ${iso.slice(11, 16)}`;

describe('update words', () => {
  it.each<[UpdateState, ReturnType<typeof updateSummary>]>([
    [{ status: 'idle' }, { label: 'Not checked yet', tone: 'off', detail: null }],
    [{ status: 'checking' }, { label: 'Checking…', tone: 'busy', detail: null }],
    [
      { status: 'available', version: '1.4.0' },
      { label: 'v1.4.0 found', tone: 'busy', detail: 'Downloading it in the background.' },
    ],
    [
      { status: 'downloading', version: '1.4.0', percent: 42 },
      { label: 'Downloading v1.4.0: 42%', tone: 'busy', detail: null },
    ],
    [
      { status: 'ready', version: '1.4.0' },
      { label: 'v1.4.0 ready', tone: 'ok', detail: 'Downloaded and verified: restart Crashbell to install it.' },
    ],
    [
      { status: 'not-available', checkedAt: '2026-12-01T10:05:00.000Z' },
      { label: 'Up to date', tone: 'ok', detail: 'Last checked at 10:05.' },
    ],
    [
      { status: 'error', reason: 'Crashbell could not reach the update server' },
      { label: 'Update failed', tone: 'bad', detail: 'Crashbell could not reach the update server' },
    ],
    [
      { status: 'disabled', by: 'setting', reason: 'Automatic updates are off' },
      { label: 'Off', tone: 'off', detail: 'Automatic updates are off' },
    ],
    [
      { status: 'disabled', by: 'install', reason: 'Installed from the .deb' },
      { label: 'Not available', tone: 'off', detail: 'Installed from the .deb' },
    ],
  ])('%j', (state, summary) => {
    expect(updateSummary(state, at)).toEqual(summary);
  });

  it('writes versions as v1.2.3, and leaves anything else as it is', () => {
    expect(versionLabel('1.2.3')).toBe('v1.2.3');
    expect(versionLabel('nightly')).toBe('nightly');
  });
});
