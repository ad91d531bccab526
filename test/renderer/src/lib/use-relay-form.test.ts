// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RelaySettingsView } from '../../../../shared/ipc';
import { useRelayForm } from '../../../../renderer/src/lib/use-relay-form';
import { installFakeApi, settingsView } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

function savedRelay(): RelaySettingsView {
  return { ...settingsView().relay, servers: ['nats://old:4222'], auth: { kind: 'token', user: '', credsFile: '', hasSecret: true } };
}

function formOver(saved: RelaySettingsView | null) {
  const onSettings = vi.fn();
  const hook = renderHook((props: { saved: RelaySettingsView | null }) => useRelayForm(props.saved, onSettings), {
    initialProps: { saved },
  });
  return { ...hook, onSettings };
}

describe('useRelayForm saving', () => {
  it('saves what was typed, hands main’s answer on, and shows the saved values again', async () => {
    const { api } = installFakeApi();
    const answer = { ...settingsView(), relay: { ...savedRelay(), servers: ['nats://new:4222'] } };
    api.updateSettings.mockResolvedValueOnce(answer);
    const { result, onSettings, rerender } = formOver(savedRelay());
    expect(result.current).toMatchObject({ fields: { servers: 'nats://old:4222', kind: 'token' }, hasSecret: true });
    act(() => result.current.edit({ servers: 'nats://new:4222' }));
    act(() => result.current.typeSecret(' t0k '));
    act(() => result.current.submit());
    expect(result.current.saving).toBe(true);
    await waitFor(() => expect(result.current.message).toEqual({ ok: true, text: 'Saved. The relay connects with the new settings.' }));
    expect(api.updateSettings).toHaveBeenCalledWith({
      relay: { servers: ['nats://new:4222'], member: '', stream: 'CRASHBELL', tlsCa: '', auth: { kind: 'token', token: 't0k' } },
    });
    expect(onSettings).toHaveBeenCalledWith(answer);
    rerender({ saved: answer.relay });
    expect(result.current).toMatchObject({ saving: false, secret: '', fields: { servers: 'nats://new:4222' } });
  });

  it('says a problem and sends nothing; says main’s refusal and keeps what was typed', async () => {
    const { api } = installFakeApi();
    const { result, onSettings } = formOver(savedRelay());
    act(() => result.current.edit({ kind: 'user', user: ' ' }));
    expect(result.current.hasSecret).toBe(false);
    act(() => result.current.submit());
    expect(result.current.message).toEqual({ ok: false, text: 'A user name is needed with a password.' });
    expect(api.updateSettings).not.toHaveBeenCalled();
    api.updateSettings.mockRejectedValueOnce(new Error("Error invoking remote method 'settings:update': Error: relay.stream: too long"));
    act(() => result.current.edit({ user: 'ana', stream: 'X'.repeat(80) }));
    act(() => result.current.submit());
    await waitFor(() => expect(result.current.message).toEqual({ ok: false, text: 'relay.stream: too long' }));
    expect(result.current).toMatchObject({ saving: false, fields: { user: 'ana', kind: 'user' } });
    expect(onSettings).not.toHaveBeenCalled();
  });

  it('saves one switch on its own', async () => {
    const { api } = installFakeApi();
    const { result } = formOver(savedRelay());
    act(() => result.current.save({ publish: true }, 'Forwarding hooks to the team.'));
    await waitFor(() => expect(result.current.message).toEqual({ ok: true, text: 'Forwarding hooks to the team.' }));
    expect(api.updateSettings).toHaveBeenCalledWith({ relay: { publish: true } });
  });
});

describe('useRelayForm Test relay', () => {
  it('shows the answer, and a failed call as a failed test', async () => {
    const { api } = installFakeApi();
    const { result } = formOver(null);
    act(() => result.current.runTest());
    expect(result.current).toMatchObject({ testing: true, test: null });
    await waitFor(() => expect(result.current.test).toMatchObject({ ok: true, seq: 7 }));
    expect(result.current.testing).toBe(false);
    api.testRelay.mockRejectedValueOnce(new Error("Error invoking remote method 'relay:test': Error: The relay is off"));
    act(() => result.current.runTest());
    await waitFor(() => expect(result.current.test).toMatchObject({ ok: false, seq: null, reason: 'The relay is off' }));
  });
});
