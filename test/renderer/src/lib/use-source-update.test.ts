// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useSourceUpdate } from '../../../../renderer/src/lib/use-source-update';
import { installFakeApi } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

describe('useSourceUpdate', () => {
  it('sends a change of its source, runs what follows once main took it, and says so', async () => {
    const { api } = installFakeApi();
    const { result } = renderHook(() => useSourceUpdate('src-a'));
    expect(result.current.message).toBeNull();
    const onDone = vi.fn();
    act(() => result.current.update({ webUrl: 'https://x.example/' }, 'Web app URL saved.', onDone));
    await waitFor(() => expect(result.current.message).toEqual({ ok: true, text: 'Web app URL saved.' }));
    expect(api.updateSource).toHaveBeenCalledWith('src-a', { webUrl: 'https://x.example/' });
    expect(onDone).toHaveBeenCalledTimes(1);
  });

  it('says main’s refusal, skipping what follows, and a problem found before sending', async () => {
    const { api } = installFakeApi();
    api.updateSource.mockRejectedValueOnce(new Error("Error invoking remote method 'sources:update': Error: webUrl: not an https URL"));
    const { result } = renderHook(() => useSourceUpdate('src-a'));
    const onDone = vi.fn();
    act(() => result.current.update({ webUrl: 'ftp://x' }, 'never said', onDone));
    await waitFor(() => expect(result.current.message).toEqual({ ok: false, text: 'webUrl: not an https URL' }));
    expect(onDone).not.toHaveBeenCalled();
    act(() => result.current.fail('Paste a new value first.'));
    expect(result.current.message).toEqual({ ok: false, text: 'Paste a new value first.' });
  });
});
