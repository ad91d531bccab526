// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SetupView } from '../../../../renderer/src/views/setup-view';
import { installFakeApi, makeSource, makeState, settingsView } from '../../../helpers/fake-api';

afterEach(cleanup);

describe('SetupView', () => {
  it('greets a first run with the guide and the plain note about secret storage', async () => {
    const { api } = installFakeApi();
    render(
      <SetupView
        state={makeState({ onboarded: false, secretStorage: { available: false, note: 'No keyring found.' } })}
        settings={settingsView()}
        onSettings={() => undefined}
      />,
    );
    expect(screen.getByRole('heading', { name: 'Welcome to Crashbell' })).toBeTruthy();
    expect(screen.getByText('No keyring found.')).toBeTruthy();
    expect(screen.getByText(/providers on the internet cannot reach it/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Got it' }));
    await waitFor(() => expect(api.updateSettings).toHaveBeenCalledWith({ onboarded: true }));
  });

  it('lists exactly what to paste, masks the password and records a copied webhook URL', async () => {
    const { api } = installFakeApi();
    const source = makeSource();
    render(<SetupView state={makeState({ sources: [source] })} settings={settingsView()} onSettings={() => undefined} />);
    const card = screen.getByRole('article', { name: 'Game client (Backtrace)' });
    expect(within(card).queryByText('p4ssw0rd-secret-value')).toBeNull();
    fireEvent.click(within(card).getByRole('button', { name: 'Reveal Password' }));
    expect(within(card).getByText('p4ssw0rd-secret-value')).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Copy Webhook URL' }));
    await waitFor(() => expect(api.copy).toHaveBeenCalledWith(source.webhookUrl, { sourceId: source.id, webhookUrl: true }));
    fireEvent.click(within(card).getByRole('button', { name: 'Copy Username' }));
    await waitFor(() => expect(api.copy).toHaveBeenLastCalledWith('user-x', { sourceId: source.id }));
  });

  it('sends a test event and shows the result', async () => {
    const { api } = installFakeApi();
    render(<SetupView state={makeState({ sources: [makeSource()] })} settings={settingsView()} onSettings={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Send test event' }));
    await screen.findByText(/Delivered to the local receiver: 200 accepted/);
    api.sendTestEvent.mockResolvedValueOnce({ via: 'tunnel', status: 401, reason: 'wrong Basic credentials', eventId: null });
    fireEvent.click(screen.getByRole('button', { name: 'Send test event' }));
    await screen.findByText(/Sent through the tunnel, refused with 401: wrong Basic credentials/);
  });

  it('asks Errorception for its secret before adding', async () => {
    const { api } = installFakeApi();
    render(<SetupView state={makeState()} settings={settingsView()} onSettings={() => undefined} />);
    fireEvent.change(screen.getByRole('combobox', { name: 'Provider' }), { target: { value: 'errorception' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    await screen.findByText('Errorception needs its secret key.');
    expect(api.addSource).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText(/Secret key/), { target: { value: 'abc' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    await waitFor(() =>
      expect(api.addSource).toHaveBeenCalledWith({ provider: 'errorception', name: 'Errorception', credentials: { secret: 'abc' } }),
    );
  });

  it('renames and removes with a confirmation', async () => {
    const { api } = installFakeApi();
    const source = makeSource();
    render(<SetupView state={makeState({ sources: [source] })} settings={settingsView()} onSettings={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Rename Game client' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Source name' }), { target: { value: 'Server' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.updateSource).toHaveBeenCalledWith(source.id, { name: 'Server' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove Game client' }));
    expect(api.removeSource).not.toHaveBeenCalled();
    // The confirmation replaces the first button; Keep backs out.
    expect(screen.getByRole('button', { name: 'Keep' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove Game client' }));
    await waitFor(() => expect(api.removeSource).toHaveBeenCalledWith(source.id));
  });
});
