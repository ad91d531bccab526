// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../../renderer/src/app';
import { installFakeApi } from '../../../helpers/fake-api';

afterEach(() => {
  cleanup();
  delete window.crashbell;
});

describe('the "Restart to update" banner', () => {
  it('appears when main pushes a ready update, and its button asks main to install it', async () => {
    const { api, push } = installFakeApi();
    render(<App />);
    await screen.findByRole('heading', { name: 'No errors yet' });
    expect(screen.queryByRole('button', { name: 'Restart to update' })).toBeNull();
    act(() => push('update:state', { status: 'downloading', version: '1.4.0', percent: 40 }));
    expect(screen.queryByRole('button', { name: 'Restart to update' })).toBeNull();
    act(() => push('update:state', { status: 'ready', version: '1.4.0' }));
    const banner = await screen.findByRole('status', { name: 'Crashbell v1.4.0 is ready to install' });
    expect(banner.textContent).toContain('downloaded and verified');
    fireEvent.click(screen.getByRole('button', { name: 'Restart to update' }));
    expect(api.installUpdate).toHaveBeenCalledTimes(1);
    await screen.findByRole('button', { name: 'Restarting…' });
  });

  it('shows a ready update at start (asked of main), and says why a restart was refused', async () => {
    const { api } = installFakeApi();
    api.getUpdateState.mockResolvedValue({ status: 'ready', version: '2.0.0-beta.1' });
    api.installUpdate.mockRejectedValue(
      new Error("Error invoking remote method 'update:install': Error: No update is ready to install (up to date): check first."),
    );
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Restart to update' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Not restarted: No update is ready to install (up to date): check first.');
    await waitFor(() => expect((screen.getByRole('button', { name: 'Restart to update' }) as HTMLButtonElement).disabled).toBe(false));
  });
});
