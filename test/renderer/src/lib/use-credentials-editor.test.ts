// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderFieldInfo } from '../../../../shared/ipc';
import { useCredentialsEditor } from '../../../../renderer/src/lib/use-credentials-editor';
import { installFakeApi } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

const FIELDS: ProviderFieldInfo[] = [
  { key: 'secret', label: 'Secret key', secret: true, required: true, help: '' },
  { key: 'token', label: 'Token', secret: true, required: false, help: '' },
];

describe('useCredentialsEditor', () => {
  it('saves only what was typed, then empties the fields; with nothing typed it sends nothing', async () => {
    const { api } = installFakeApi();
    const { result } = renderHook(() => useCredentialsEditor('src-a', FIELDS));
    act(() => result.current.save());
    expect(result.current.message).toEqual({ ok: false, text: 'Paste a new value first.' });
    expect(api.updateSource).not.toHaveBeenCalled();
    act(() => result.current.type('secret', ' s3cret '));
    act(() => result.current.type('token', ' '));
    expect(result.current.values).toEqual({ secret: ' s3cret ', token: ' ' });
    act(() => result.current.save());
    await waitFor(() => expect(result.current.message).toEqual({ ok: true, text: 'Saved.' }));
    expect(api.updateSource).toHaveBeenCalledWith('src-a', { credentials: { secret: 's3cret' } });
    expect(result.current.values).toEqual({});
  });

  it('keeps what was typed when main refuses it', async () => {
    const { api } = installFakeApi();
    api.updateSource.mockRejectedValueOnce(new Error("Error invoking remote method 'sources:update': Error: secret: too short"));
    const { result } = renderHook(() => useCredentialsEditor('src-a', FIELDS));
    act(() => result.current.type('secret', 'x'));
    act(() => result.current.save());
    await waitFor(() => expect(result.current.message).toEqual({ ok: false, text: 'secret: too short' }));
    expect(result.current.values).toEqual({ secret: 'x' });
  });

  it('regenerates only once confirmed, and ends the overlap', async () => {
    const { api } = installFakeApi();
    const { result } = renderHook(() => useCredentialsEditor('src-a', []));
    act(() => result.current.askToRegenerate());
    expect(result.current.confirmingRegenerate).toBe(true);
    act(() => result.current.keep());
    expect(result.current.confirmingRegenerate).toBe(false);
    expect(api.updateSource).not.toHaveBeenCalled();
    act(() => result.current.askToRegenerate());
    act(() => result.current.regenerate('Backtrace'));
    await waitFor(() => expect(result.current.message).toEqual({ ok: true, text: 'New values generated: paste them into Backtrace.' }));
    expect(api.updateSource).toHaveBeenCalledWith('src-a', { regenerate: true });
    expect(result.current.confirmingRegenerate).toBe(false);
    act(() => result.current.endOverlap());
    await waitFor(() => expect(result.current.message?.text).toBe('Only the current credentials are accepted now.'));
    expect(api.updateSource).toHaveBeenLastCalledWith('src-a', { endOverlap: true });
  });
});
