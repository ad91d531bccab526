// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SettingsView } from '../../../../shared/ipc';
import { useTunnelForm } from '../../../../renderer/src/lib/use-tunnel-form';
import { installFakeApi, settingsView } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

function withTunnel(tunnel: SettingsView['tunnel']): SettingsView {
  return { ...settingsView(), tunnel };
}

function formOver(settings: SettingsView | null) {
  const onSettings = vi.fn();
  return { ...renderHook(() => useTunnelForm(settings, onSettings)), onSettings };
}

describe('useTunnelForm saving', () => {
  it('saves what was typed, trimmed, hands main’s answer on and forgets it; nothing typed sends nothing', async () => {
    const { api } = installFakeApi();
    const { result, onSettings } = formOver(withTunnel({ enabled: true, domain: 'old.ngrok.app', hasAuthtoken: false }));
    expect(result.current).toMatchObject({ domain: 'old.ngrok.app', edited: false, hasToken: false });
    act(() => result.current.submit());
    expect(api.updateSettings).not.toHaveBeenCalled();
    act(() => result.current.typeToken(' tok '));
    act(() => result.current.typeDomain(''));
    expect(result.current).toMatchObject({ domain: '', edited: true });
    act(() => result.current.submit());
    expect(result.current.busy).toBe(true);
    await waitFor(() => expect(result.current.message).toEqual({ ok: true, text: 'Saved. The tunnel reconnects with the new settings.' }));
    expect(api.updateSettings).toHaveBeenCalledWith({ tunnel: { authtoken: 'tok', domain: '' } });
    expect(onSettings).toHaveBeenCalledTimes(1);
    expect(result.current).toMatchObject({ token: '', domain: 'old.ngrok.app', busy: false, edited: false });
  });

  it('removes the authtoken, flips the switch, and says main’s refusal', async () => {
    const { api } = installFakeApi();
    const { result } = formOver(withTunnel({ enabled: true, domain: '', hasAuthtoken: true }));
    act(() => result.current.removeToken());
    await waitFor(() => expect(result.current.message?.text).toBe('Authtoken removed. Crashbell now listens locally only.'));
    expect(api.updateSettings).toHaveBeenLastCalledWith({ tunnel: { authtoken: '' } });
    act(() => result.current.setEnabled(false));
    await waitFor(() => expect(result.current.message?.text).toBe('Tunnel off.'));
    expect(api.updateSettings).toHaveBeenLastCalledWith({ tunnel: { enabled: false } });
    api.updateSettings.mockRejectedValueOnce(new Error("Error invoking remote method 'settings:update': Error: tunnel.domain: not a host"));
    act(() => result.current.typeDomain('not a host'));
    act(() => result.current.submit());
    await waitFor(() => expect(result.current.message).toEqual({ ok: false, text: 'tunnel.domain: not a host' }));
    expect(result.current.domain).toBe('not a host');
  });
});

describe('useTunnelForm Reconnect', () => {
  it('says why it cannot run, and what a reconnect came to', async () => {
    const { api } = installFakeApi();
    expect(formOver(null).result.current.noReconnect).toMatch(/needs an ngrok authtoken/);
    const { result } = formOver(withTunnel({ enabled: true, domain: '', hasAuthtoken: true }));
    expect(result.current.noReconnect).toBeNull();
    api.reconnectTunnel.mockResolvedValueOnce({ status: 'online', url: 'https://a.ngrok.app' });
    act(() => result.current.reconnect());
    expect(result.current.busy).toBe(true);
    await waitFor(() => expect(result.current).toMatchObject({ busy: false, message: { ok: true, text: 'Tunnel: Online' } }));
    api.reconnectTunnel.mockRejectedValueOnce(new Error("Error invoking remote method 'tunnel:reconnect': Error: ngrok is not loaded"));
    act(() => result.current.reconnect());
    await waitFor(() => expect(result.current.message).toEqual({ ok: false, text: 'ngrok is not loaded' }));
  });
});
