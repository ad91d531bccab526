// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiSettingsEditor } from '../../../../renderer/src/components/api-settings-editor';
import { installFakeApi, makeSource, registryProviders } from '../../../helpers/fake-api';

afterEach(cleanup);

const info = (id: string) => registryProviders().find((p) => p.id === id)!.actions;

describe('ApiSettingsEditor', () => {
  it('takes the token in a password field that never shows it back, says it is set, and tests it', async () => {
    const { api } = installFakeApi();
    api.testApiToken.mockResolvedValueOnce({
      ok: false,
      provider: 'Rollbar',
      words: 'Rollbar refused the token (403): it lacks the read scope Test token uses (actions need write)',
      code: 'forbidden',
      status: 403,
      retryAt: null,
    });
    const source = makeSource({
      provider: 'rollbar',
      providerName: 'Rollbar',
      api: { url: 'http://127.0.0.1:9000', assignee: '7', resolveInProvider: true, hasToken: true },
    });
    render(<ApiSettingsEditor source={source} info={info('rollbar')} />);
    expect(screen.getByText('API token (set)', { selector: 'summary' })).toBeTruthy();
    const token = screen.getByLabelText(/^API token/) as HTMLInputElement;
    expect(token.type).toBe('password');
    expect(token.value).toBe('');
    expect(token.placeholder).toBe('Saved — paste a new one to replace it');
    expect((screen.getByLabelText(/^API URL \(optional\)/) as HTMLInputElement).placeholder).toBe('https://api.rollbar.com');
    expect((screen.getByLabelText(/^API URL \(optional\)/) as HTMLInputElement).value).toBe('http://127.0.0.1:9000');
    expect((screen.getByLabelText(/^Assign to me as/) as HTMLInputElement).value).toBe('7');
    expect((screen.getByLabelText(/Resolve in Rollbar too/) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText(/With a Rollbar project access token with the write scope/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Test token' }));
    const said = await screen.findByRole('alert');
    expect(said.textContent).toMatch(/lacks the read scope/);
    expect(api.testApiToken).toHaveBeenCalledWith(source.id);
  });

  it('saves a typed token, and offers Test token only once there is one', async () => {
    const { api } = installFakeApi();
    const source = makeSource({ provider: 'sentry', providerName: 'Sentry' });
    render(<ApiSettingsEditor source={source} info={info('sentry')} />);
    expect(screen.getByText('API token', { selector: 'summary' })).toBeTruthy();
    const test = screen.getByRole('button', { name: 'Test token' }) as HTMLButtonElement;
    expect(test.disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Remove token' })).toBeNull();
    fireEvent.change(screen.getByLabelText(/^API token/), { target: { value: 'sntrys_abc' } });
    expect(test.disabled).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Save API settings' }));
    await screen.findByText('API settings saved.');
    expect(api.updateSource).toHaveBeenCalledWith(source.id, {
      api: { token: 'sntrys_abc', url: '', assignee: '', resolveInProvider: true },
    });
    await waitFor(() => expect((screen.getByLabelText(/^API token/) as HTMLInputElement).value).toBe(''));
  });

  it('for a provider without a write API, says why actions stay in Crashbell', () => {
    installFakeApi();
    const source = makeSource();
    render(<ApiSettingsEditor source={source} info={info('backtrace')} />);
    expect(screen.getByRole('note').textContent).toMatch(/^Backtrace: actions stay in Crashbell because Backtrace's documentation/);
    expect(screen.queryByLabelText(/^API token/)).toBeNull();
  });
});
