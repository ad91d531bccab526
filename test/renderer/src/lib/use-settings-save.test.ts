// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useSettingsSave } from '../../../../renderer/src/lib/use-settings-save';
import { installFakeApi, settingsView } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

function saver() {
  const onSettings = vi.fn();
  return { ...renderHook(() => useSettingsSave(onSettings)), onSettings };
}

describe('useSettingsSave', () => {
  it('sends a patch, hands main’s settings on and says it is saved; a refusal is said with the field named', async () => {
    const { api } = installFakeApi();
    const answer = { ...settingsView(), pausedAll: true };
    api.updateSettings.mockResolvedValueOnce(answer);
    const { result, onSettings } = saver();
    act(() => result.current.apply({ pausedAll: true }));
    expect(result.current.saving).toBe(true);
    await waitFor(() => expect(result.current).toMatchObject({ saving: false, saved: 'Saved', error: null }));
    expect(api.updateSettings).toHaveBeenCalledWith({ pausedAll: true });
    expect(onSettings).toHaveBeenCalledWith(answer);

    api.updateSettings.mockRejectedValueOnce(
      new Error("Error invoking remote method 'settings:update': Error: policy.stormLimit: too small"),
    );
    act(() => result.current.apply({ policy: { stormLimit: 0 } }, 'never said'));
    await waitFor(() => expect(result.current).toMatchObject({ saving: false, saved: null, error: 'policy.stormLimit: too small' }));
    expect(onSettings).toHaveBeenCalledTimes(1);
  });

  it('says what another call came to, and a problem found before sending', async () => {
    installFakeApi();
    const { result } = saver();
    act(() => result.current.report(Promise.resolve(), 'Do Not Disturb for 1 hour'));
    await waitFor(() => expect(result.current.saved).toBe('Do Not Disturb for 1 hour'));
    act(() => result.current.report(Promise.reject(new Error("Error invoking remote method 'dnd:set': Error: no tray")), 'never said'));
    await waitFor(() => expect(result.current.error).toBe('no tray'));
    expect(result.current.saved).toBe('Do Not Disturb for 1 hour');
    act(() => result.current.fail('policy.milestones: “x” is not a positive whole number'));
    expect(result.current.error).toBe('policy.milestones: “x” is not a positive whole number');
  });
});
