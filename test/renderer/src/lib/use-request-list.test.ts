// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../../shared/events';
import { useRequestList } from '../../../../renderer/src/lib/use-request-list';
import { installFakeApi } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

const record = (id: string, status: number): RequestRecord => ({
  id,
  time: '2026-01-01T00:00:00.000Z',
  method: 'POST',
  path: '/hooks/x',
  sourceId: null,
  provider: null,
  status,
  reason: 'r',
  headers: {},
  body: '',
  bodyBytes: 0,
  bodyTruncated: false,
  eventId: null,
  replayable: true,
});

describe('useRequestList', () => {
  it('says why the list failed to load, and loads it again', async () => {
    const { api } = installFakeApi();
    api.listRequests.mockRejectedValueOnce(new Error("Error invoking remote method 'requests:list': Error: not ready"));
    const { result } = renderHook(() => useRequestList());
    expect(result.current.phase).toBe('loading');
    await waitFor(() => expect(result.current).toMatchObject({ phase: 'error', error: 'not ready' }));
    api.listRequests.mockResolvedValueOnce([record('r1', 200)]);
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    expect(result.current.shown.map((r) => r.id)).toEqual(['r1']);
  });

  it('adds pushed records on top, filters the rejected ones, and keeps the selection while filtered out', async () => {
    const { api, push } = installFakeApi();
    api.listRequests.mockResolvedValueOnce([record('r1', 200)]);
    const { result } = renderHook(() => useRequestList());
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    act(() => push('request:recorded', record('r2', 401)));
    expect(result.current.shown.map((r) => r.id)).toEqual(['r2', 'r1']);
    act(() => result.current.select('r1'));
    act(() => result.current.toggleRejectedOnly());
    expect(result.current).toMatchObject({ rejectedOnly: true, selectedId: 'r1', selected: { id: 'r1' } });
    expect(result.current.shown.map((r) => r.id)).toEqual(['r2']);
    act(() => result.current.toggleRejectedOnly());
    expect(result.current.shown).toHaveLength(2);
  });
});
