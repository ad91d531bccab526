// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useSourceActions } from '../../../../renderer/src/lib/use-source-actions';
import { installFakeApi, makeSource } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

describe('useSourceActions', () => {
  it('renames through main, refusing a blank name; Cancel puts the name back', async () => {
    const { api } = installFakeApi();
    const source = makeSource();
    const { result } = renderHook(() => useSourceActions(source));
    act(() => result.current.startRename());
    act(() => result.current.setName('  '));
    act(() => result.current.rename());
    expect(result.current.error).toBe('A source needs a name.');
    expect(api.updateSource).not.toHaveBeenCalled();
    act(() => result.current.cancelRename());
    expect(result.current).toMatchObject({ renaming: false, name: 'Game client' });
    act(() => result.current.startRename());
    act(() => result.current.setName(' Server '));
    act(() => result.current.rename());
    await waitFor(() => expect(result.current).toMatchObject({ renaming: false, error: null }));
    expect(api.updateSource).toHaveBeenCalledWith(source.id, { name: 'Server' });
  });

  it('pauses, and removes only once confirmed; a failure is said', async () => {
    const { api } = installFakeApi();
    const source = makeSource({ paused: true });
    const { result } = renderHook(() => useSourceActions(source));
    act(() => result.current.togglePause());
    await waitFor(() => expect(api.updateSource).toHaveBeenCalledWith(source.id, { paused: false }));
    act(() => result.current.askToRemove());
    expect(result.current.confirmingRemove).toBe(true);
    act(() => result.current.keep());
    expect(result.current.confirmingRemove).toBe(false);
    expect(api.removeSource).not.toHaveBeenCalled();
    api.removeSource.mockRejectedValueOnce(new Error("Error invoking remote method 'sources:remove': Error: unknown source"));
    act(() => result.current.remove());
    await waitFor(() => expect(result.current.error).toBe('unknown source'));
    expect(api.removeSource).toHaveBeenCalledWith(source.id);
  });
});
