// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { availableProviders } from '../../../../renderer/src/lib/providers';
import { SetupView } from '../../../../renderer/src/views/setup-view';
import { installFakeApi, makeSource, makeState, settingsView } from '../../../helpers/fake-api';

afterEach(cleanup);

describe('SetupView first run and sources', () => {
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
});

describe('SetupView adding, renaming and removing', () => {
  it('adds Errorception before its secret exists (Errorception shows it once the webhook is saved), or with it', async () => {
    const { api } = installFakeApi();
    render(<SetupView state={makeState()} settings={settingsView()} onSettings={() => undefined} />);
    fireEvent.change(screen.getByRole('combobox', { name: 'Provider' }), { target: { value: 'errorception' } });
    expect(screen.getByText(/Secret key \(can be pasted later\)/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    await waitFor(() => expect(api.addSource).toHaveBeenCalledWith({ provider: 'errorception', name: 'Errorception', credentials: {} }));
    fireEvent.change(screen.getByLabelText(/Secret key/), { target: { value: 'abc' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    await waitFor(() =>
      expect(api.addSource).toHaveBeenLastCalledWith({ provider: 'errorception', name: 'Errorception', credentials: { secret: 'abc' } }),
    );
  });

  it('renames and removes with a confirmation', async () => {
    const { api } = installFakeApi();
    const source = makeSource();
    render(<SetupView state={makeState({ sources: [source] })} settings={settingsView()} onSettings={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Rename Game client' }));
    // The name field takes the keyboard as it opens.
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Source name' }));
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

describe('SetupView credentials', () => {
  it('shows a source waiting for its secret, and takes it under Credentials', async () => {
    const { api } = installFakeApi();
    const ec = availableProviders(makeState())[1]!;
    const waiting = makeSource({
      provider: 'errorception',
      name: 'Site',
      providerName: 'Errorception',
      credentials: {},
      setup: [{ label: 'Webhook URL', value: 'http://127.0.0.1:7317/hooks/src-aaaaaaaaaaaaaaaa', secret: false }],
      waitingFor: ['Secret key'],
    });
    render(<SetupView state={makeState({ sources: [waiting], providers: [ec] })} settings={settingsView()} onSettings={() => undefined} />);
    const card = screen.getByRole('article', { name: 'Site (Errorception)' });
    expect(within(card).getByRole('status').textContent).toBe('Waiting for its secret key');
    expect(within(card).getByText(/until then its hooks are refused with “not set yet”/)).toBeTruthy();
    const input = within(card).getByPlaceholderText('Not set yet');
    fireEvent.change(input, { target: { value: ' the-secret ' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save credentials' }));
    await waitFor(() => expect(api.updateSource).toHaveBeenCalledWith(waiting.id, { credentials: { secret: 'the-secret' } }));
  });

  it('regenerates Backtrace credentials after a confirmation, and shows until when the old ones are accepted', async () => {
    const { api } = installFakeApi();
    const bt = { ...availableProviders(makeState())[0]!, regenerable: true, webUrlHelp: 'Only for Backtrace on premises.' };
    const until = '2026-01-02T08:00:00.000Z';
    const source = makeSource({ previousUntil: until });
    render(<SetupView state={makeState({ sources: [source], providers: [bt] })} settings={settingsView()} onSettings={() => undefined} />);
    const card = screen.getByRole('article', { name: 'Game client (Backtrace)' });
    expect(within(card).getByText(/The credentials you replaced are still accepted until/)).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Regenerate username and password' }));
    expect(api.updateSource).not.toHaveBeenCalled();
    expect(within(card).getAllByText(/stays accepted for 24 h/).length).toBeGreaterThan(0);
    fireEvent.click(within(card).getByRole('button', { name: 'Generate new values' }));
    await waitFor(() => expect(api.updateSource).toHaveBeenCalledWith(source.id, { regenerate: true }));
    fireEvent.click(within(card).getByRole('button', { name: 'Stop accepting them now' }));
    await waitFor(() => expect(api.updateSource).toHaveBeenLastCalledWith(source.id, { endOverlap: true }));
    // The web app URL, for an on-premises install.
    fireEvent.change(within(card).getByLabelText(/Web app URL/), { target: { value: 'https://backtrace.example.com/ ' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save web app URL' }));
    await waitFor(() => expect(api.updateSource).toHaveBeenLastCalledWith(source.id, { webUrl: 'https://backtrace.example.com/' }));
  });

  it('sets how long replaced credentials stay accepted', async () => {
    const { api } = installFakeApi();
    render(<SetupView state={makeState()} settings={settingsView()} onSettings={() => undefined} />);
    const form = screen.getByRole('form', { name: 'Credential overlap' });
    const input = within(form).getByRole('spinbutton');
    expect((input as HTMLInputElement).value).toBe('24');
    fireEvent.change(input, { target: { value: '-3' } });
    // Submitted past the browser's own min check (a pasted value, an older engine).
    fireEvent.submit(form);
    await within(form).findByText('Give a number of hours from 0 to 720.');
    fireEvent.change(input, { target: { value: '48' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save overlap' }));
    await waitFor(() => expect(api.updateSettings).toHaveBeenCalledWith({ credentialOverlapHours: 48 }));
  });
});
