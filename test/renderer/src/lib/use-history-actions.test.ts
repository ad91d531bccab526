// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useHistoryActions } from '../../../../renderer/src/lib/use-history-actions';
import { installFakeApi } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

function actions() {
  const say = vi.fn();
  const onCleared = vi.fn();
  const hook = renderHook(() => useHistoryActions(say, onCleared));
  return { say, onCleared, result: hook.result };
}

describe('useHistoryActions', () => {
  it('clears the history only once confirmed, then says how many groups went and hands the focus back', async () => {
    const { api } = installFakeApi();
    api.clearHistory.mockResolvedValue(3);
    const { say, onCleared, result } = actions();
    act(() => result.current.askToClear());
    expect(result.current.confirmingClear).toBe(true);
    act(() => result.current.keep());
    expect(result.current.confirmingClear).toBe(false);
    expect(api.clearHistory).not.toHaveBeenCalled();

    act(() => result.current.askToClear());
    act(() => result.current.clear());
    expect(result.current.confirmingClear).toBe(false);
    await waitFor(() => expect(say).toHaveBeenCalledWith('History cleared: 3 error groups deleted'));
    expect(api.clearHistory).toHaveBeenCalledTimes(1);
    expect(onCleared).toHaveBeenCalledTimes(1);
  });

  it('says why clearing failed, and keeps the focus where it is', async () => {
    const { api } = installFakeApi();
    api.clearHistory.mockRejectedValue(new Error("Error invoking remote method 'groups:clear': Error: disk on fire"));
    const { say, onCleared, result } = actions();
    act(() => result.current.clear());
    await waitFor(() => expect(say).toHaveBeenCalledWith('disk on fire'));
    expect(onCleared).not.toHaveBeenCalled();
  });

  it('says how many groups Mark all read changed, or that every one was read already', async () => {
    const { api } = installFakeApi();
    api.markAllRead.mockResolvedValueOnce(2).mockResolvedValueOnce(0);
    const { say, result } = actions();
    act(() => result.current.markAllRead());
    await waitFor(() => expect(say).toHaveBeenCalledWith('Marked 2 error groups read'));
    act(() => result.current.markAllRead());
    await waitFor(() => expect(say).toHaveBeenCalledWith('Every error was already read'));
  });
});
