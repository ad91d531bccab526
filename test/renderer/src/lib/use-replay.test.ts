// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useReplay } from '../../../../renderer/src/lib/use-replay';
import { installFakeApi } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

describe('useReplay', () => {
  it('replays the request and keeps the receiver’s answer; a failed call is said and the last answer stays', async () => {
    const { api } = installFakeApi();
    const { result } = renderHook(() => useReplay('r1'));
    act(() => result.current.replay());
    expect(result.current.replaying).toBe(true);
    await waitFor(() => expect(result.current.result).toEqual({ via: 'local', status: 200, reason: 'accepted', eventId: 'e2' }));
    expect(api.replayRequest).toHaveBeenCalledWith('r1');
    api.replayRequest.mockRejectedValueOnce(new Error("Error invoking remote method 'requests:replay': Error: the body was not kept"));
    act(() => result.current.replay());
    await waitFor(() =>
      expect(result.current).toMatchObject({ replaying: false, error: 'the body was not kept', result: { status: 200 } }),
    );
    act(() => result.current.replay());
    expect(result.current.error).toBeNull();
  });
});
