// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useApiSettings } from '../../../../renderer/src/lib/use-api-settings';
import { installFakeApi, makeSource } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

const sentrySource = () =>
  makeSource({
    id: 'src-sentry',
    provider: 'sentry',
    providerName: 'Sentry',
    api: { url: '', assignee: '', resolveInProvider: true, hasToken: true },
  });

describe('useApiSettings', () => {
  it('saves the form, sending a token only once typed, and empties the token field after (it is never shown back)', async () => {
    const { api } = installFakeApi();
    const { result } = renderHook(() => useApiSettings(sentrySource()));
    act(() => result.current.set({ assignee: 'ana@example.com' }));
    act(() => result.current.save());
    await waitFor(() => expect(result.current.saved).toEqual({ ok: true, text: 'API settings saved.' }));
    expect(api.updateSource).toHaveBeenLastCalledWith('src-sentry', {
      api: { url: '', assignee: 'ana@example.com', resolveInProvider: true },
    });
    act(() => result.current.set({ token: 'sntrys_secret' }));
    act(() => result.current.save());
    await waitFor(() => expect(result.current.form.token).toBe(''));
    expect(api.updateSource).toHaveBeenLastCalledWith('src-sentry', {
      api: { token: 'sntrys_secret', url: '', assignee: 'ana@example.com', resolveInProvider: true },
    });
  });

  it('says main’s refusal and keeps what was typed', async () => {
    const { api } = installFakeApi();
    api.updateSource.mockRejectedValueOnce(
      new Error("Error invoking remote method 'sources:update': Error: api.url: an https URL of the API"),
    );
    const { result } = renderHook(() => useApiSettings(sentrySource()));
    act(() => result.current.set({ url: 'http://sentry.example.com', token: 'tok' }));
    act(() => result.current.save());
    await waitFor(() => expect(result.current.saved).toEqual({ ok: false, text: 'api.url: an https URL of the API' }));
    expect(result.current.form.token).toBe('tok');
  });

  it('tests the saved token, saving what was typed first, and says what the provider answered', async () => {
    const { api } = installFakeApi();
    api.testApiToken.mockResolvedValueOnce({
      ok: false,
      provider: 'Sentry',
      words: 'Sentry refused the token (403): it lacks the event:read scope',
      code: 'forbidden',
      status: 403,
      retryAt: null,
    });
    const { result } = renderHook(() => useApiSettings(sentrySource()));
    act(() => result.current.test());
    expect(result.current.testing).toBe(true);
    await waitFor(() =>
      expect(result.current.tested).toEqual({ ok: false, text: 'Sentry refused the token (403): it lacks the event:read scope' }),
    );
    expect(result.current.testing).toBe(false);
    // Nothing changed in the form: nothing saved first.
    expect(api.updateSource).not.toHaveBeenCalled();
    act(() => result.current.set({ token: 'new-token' }));
    act(() => result.current.test());
    await waitFor(() => expect(result.current.tested).toEqual({ ok: true, text: 'The token can read the issue' }));
    expect(api.updateSource).toHaveBeenCalledWith('src-sentry', {
      api: { token: 'new-token', url: '', assignee: '', resolveInProvider: true },
    });
    expect(api.testApiToken).toHaveBeenLastCalledWith('src-sentry');
  });

  it('a failed save stops the test before it asks the provider', async () => {
    const { api } = installFakeApi();
    api.updateSource.mockRejectedValueOnce(new Error('the token is printable ASCII without spaces: paste it again'));
    const { result } = renderHook(() => useApiSettings(sentrySource()));
    act(() => result.current.set({ token: 'a b' }));
    act(() => result.current.test());
    await waitFor(() => expect(result.current.testing).toBe(false));
    expect(result.current.saved).toEqual({ ok: false, text: 'the token is printable ASCII without spaces: paste it again' });
    expect(api.testApiToken).not.toHaveBeenCalled();
  });

  it('removes the saved token', async () => {
    const { api } = installFakeApi();
    const { result } = renderHook(() => useApiSettings(sentrySource()));
    act(() => result.current.removeToken());
    await waitFor(() => expect(result.current.saved).toEqual({ ok: true, text: 'Token removed: actions stay in Crashbell.' }));
    expect(api.updateSource).toHaveBeenCalledWith('src-sentry', { api: { token: '' } });
  });
});
