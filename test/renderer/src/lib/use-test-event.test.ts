// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useTestEvent } from '../../../../renderer/src/lib/use-test-event';
import { installFakeApi } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

describe('useTestEvent', () => {
  it('sends a test event for its source and says what came of it, or why the call failed', async () => {
    const { api } = installFakeApi();
    const { result } = renderHook(() => useTestEvent('src-a'));
    act(() => result.current.send());
    expect(result.current).toMatchObject({ sending: true, result: null });
    await waitFor(() => expect(result.current.result).toMatchObject({ ok: true, text: /^Delivered to the local receiver: 200/ }));
    expect(result.current.sending).toBe(false);
    expect(api.sendTestEvent).toHaveBeenCalledWith('src-a');
    api.sendTestEvent.mockRejectedValueOnce(new Error("Error invoking remote method 'sources:test': Error: the receiver is not listening"));
    act(() => result.current.send());
    expect(result.current.result).toBeNull();
    await waitFor(() => expect(result.current.result).toEqual({ ok: false, text: 'the receiver is not listening' }));
  });
});
