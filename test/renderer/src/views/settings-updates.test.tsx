// @vitest-environment happy-dom
/** The Settings view's Updates card, in the window as App shows it. */
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../../renderer/src/app';
import { installFakeApi, settingsView } from '../../../helpers/fake-api';

afterEach(() => {
  cleanup();
  delete window.crashbell;
});

async function openSettings() {
  await screen.findByRole('heading', { name: 'No errors yet' });
  fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
  return screen.findByRole('region', { name: 'Updates' });
}

describe('Settings → Updates', () => {
  it('turns automatic updates off through the settings, and checks on demand', async () => {
    const { api, push } = installFakeApi();
    api.updateSettings.mockResolvedValue({ ...settingsView(), autoUpdate: false });
    render(<App />);
    const card = await openSettings();
    const toggle = within(card).getByRole('switch', { name: /Check for updates automatically/ });
    expect((toggle as HTMLInputElement).checked).toBe(true);
    await within(card).findByText('Up to date');
    fireEvent.click(toggle);
    expect(api.updateSettings).toHaveBeenCalledWith({ autoUpdate: false });
    await screen.findByText('Automatic updates off');
    act(() => push('update:state', { status: 'disabled', by: 'setting', reason: 'Automatic updates are off (Settings → App).' }));
    expect(within(card).getByText('Off')).toBeTruthy();
    expect((within(card).getByRole('button', { name: 'Check now' }) as HTMLButtonElement).disabled).toBe(true);
    act(() => push('update:state', { status: 'not-available', checkedAt: '2026-12-01T10:05:00.000Z' }));
    fireEvent.click(within(card).getByRole('button', { name: 'Check now' }));
    expect(api.checkForUpdates).toHaveBeenCalledTimes(1);
  });

  it('a copy that cannot update says why, and its switch is off limits', async () => {
    const { api } = installFakeApi();
    api.getUpdateState.mockResolvedValue({
      status: 'disabled',
      by: 'install',
      reason: 'Installed from the .deb package, which your package manager owns.',
    });
    render(<App />);
    const card = await openSettings();
    await within(card).findByText('Installed from the .deb package, which your package manager owns.');
    expect(within(card).getByText('Not available')).toBeTruthy();
    expect((within(card).getByRole('switch', { name: /Check for updates automatically/ }) as HTMLInputElement).disabled).toBe(true);
  });

  it('says a failure in words, and offers the restart when an update waits', async () => {
    const { api, push } = installFakeApi();
    render(<App />);
    const card = await openSettings();
    act(() => push('update:state', { status: 'error', reason: 'Crashbell could not reach the update server (net::ERR_NETWORK_CHANGED).' }));
    expect(within(card).getByText('Crashbell could not reach the update server (net::ERR_NETWORK_CHANGED).').className).toBe('error-text');
    act(() => push('update:state', { status: 'ready', version: '1.4.0' }));
    fireEvent.click(within(card).getByRole('button', { name: 'Restart to update' }));
    expect(api.installUpdate).toHaveBeenCalledTimes(1);
  });
});
