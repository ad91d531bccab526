// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useAppFrame } from '../../../../renderer/src/lib/use-app-frame';
import { installFakeApi, makeState, settingsView } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(() => {
  cleanup();
  delete window.crashbell;
  delete document.documentElement.dataset['theme'];
});

describe('useAppFrame', () => {
  it('says the bridge is missing and asks nothing', () => {
    const { result } = renderHook(() => useAppFrame());
    expect(result.current).toMatchObject({ state: null, view: null, error: expect.stringMatching(/preload bridge is missing/) });
  });

  it('loads state and settings, applies the theme, and loads again after a failure', async () => {
    const { api } = installFakeApi();
    api.getState.mockRejectedValueOnce(new Error("Error invoking remote method 'app:get-state': Error: inbox locked"));
    api.getSettings.mockResolvedValue({ ...settingsView(), theme: 'dark' });
    const { result } = renderHook(() => useAppFrame());
    await waitFor(() => expect(result.current.error).toBe('inbox locked'));
    act(() => result.current.reload());
    await waitFor(() => expect(result.current).toMatchObject({ view: 'errors', error: null, settings: { theme: 'dark' } }));
    expect(document.documentElement.dataset['theme']).toBe('dark');
  });

  it('follows main’s pushes: state with the settings fetched again, and the views it asks for', async () => {
    const { api, push } = installFakeApi();
    const { result } = renderHook(() => useAppFrame());
    await waitFor(() => expect(result.current.view).toBe('errors'));
    api.getSettings.mockResolvedValue({ ...settingsView(), theme: 'light' });
    act(() => push('state:changed', makeState({ unread: 7 })));
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBe('light'));
    expect(result.current.state?.unread).toBe(7);
    act(() => push('navigate', { view: 'errors', groupId: 'g9' }));
    expect(result.current.openRequest?.groupId).toBe('g9');
    act(() => result.current.openHandled());
    expect(result.current.openRequest).toBeNull();
    act(() => result.current.show('settings'));
    expect(result.current.view).toBe('settings');
    act(() => result.current.onSettings({ ...settingsView(), theme: 'dark' }));
    expect(document.documentElement.dataset['theme']).toBe('dark');
  });
});
