// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/app';
import { installFakeApi, makeSource, makeState, settingsView } from '../../helpers/fake-api';

afterEach(() => {
  cleanup();
  delete window.crashbell;
  delete document.documentElement.dataset['theme'];
});

describe('App', () => {
  it('says plainly when the preload bridge is missing', async () => {
    render(<App />);
    await screen.findByText(/preload bridge is missing/);
  });

  it('opens on setup at first run, and on the list afterwards', async () => {
    const { api } = installFakeApi();
    api.getState.mockResolvedValue(makeState({ onboarded: false }));
    render(<App />);
    await screen.findByRole('heading', { name: 'Welcome to Crashbell' });
    cleanup();
    api.getState.mockResolvedValue(makeState({ onboarded: true, sources: [makeSource()] }));
    render(<App />);
    await screen.findByRole('heading', { name: 'No errors yet' });
    fireEvent.click(screen.getByRole('button', { name: 'Go to Setup' }));
    await screen.findByRole('heading', { name: 'Setup', level: 1 });
  });

  it('applies the theme setting and follows pushes and navigation', async () => {
    const { api, push } = installFakeApi();
    api.getSettings.mockResolvedValue({ ...settingsView(), theme: 'dark' });
    render(<App />);
    await screen.findByRole('heading', { name: 'No errors yet' });
    expect(document.documentElement.dataset['theme']).toBe('dark');
    act(() => push('state:changed', makeState({ unread: 3 })));
    await screen.findByText('3 unread');
    act(() => push('navigate', { view: 'inspector' }));
    await screen.findByRole('heading', { name: 'Request inspector' });
    // A notification click opens the list on its group.
    act(() => push('navigate', { view: 'errors', groupId: 'g1' }));
    await screen.findByRole('heading', { name: 'exception in printf', level: 2 });
    expect(api.getGroup).toHaveBeenCalledWith('g1');
    // Coming back to the list later does not reopen it.
    fireEvent.click(screen.getByRole('button', { name: 'Setup' }));
    await screen.findByRole('heading', { name: 'Setup', level: 1 });
    fireEvent.click(screen.getByRole('button', { name: /^Recent errors/ }));
    await screen.findByRole('heading', { name: 'No errors yet' });
    expect(screen.queryByRole('heading', { name: 'exception in printf', level: 2 })).toBeNull();
  });

  it('follows settings changed elsewhere (the tray) when state changes', async () => {
    const { api, push } = installFakeApi();
    render(<App />);
    await screen.findByRole('heading', { name: 'No errors yet' });
    api.getSettings.mockResolvedValue({ ...settingsView(), theme: 'light' });
    act(() => push('state:changed', makeState()));
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBe('light'));
  });

  it('shows the URL-changed banner with each source’s new URL to copy', async () => {
    const { api } = installFakeApi();
    const a = makeSource({ id: 'src-aaaaaaaaaaaaaaaa', name: 'Game', webhookUrl: 'https://new.ngrok.app/hooks/src-aaaaaaaaaaaaaaaa' });
    const b = makeSource({ id: 'src-bbbbbbbbbbbbbbbb', name: 'Site', webhookUrl: 'https://new.ngrok.app/hooks/src-bbbbbbbbbbbbbbbb' });
    api.getState.mockResolvedValue(makeState({ urlChanged: true, sources: [a, b], publicBaseUrl: 'https://new.ngrok.app' }));
    render(<App />);
    const banner = await screen.findByRole('alert');
    expect(within(banner).getByText(a.webhookUrl)).toBeTruthy();
    expect(within(banner).getByText(b.webhookUrl)).toBeTruthy();
    fireEvent.click(within(banner).getByRole('button', { name: 'Copy new webhook URL for Site' }));
    await waitFor(() => expect(api.copy).toHaveBeenCalledWith(b.webhookUrl, { sourceId: b.id, webhookUrl: true }));
  });
});
