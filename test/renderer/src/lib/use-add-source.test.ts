// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useAddSource } from '../../../../renderer/src/lib/use-add-source';
import { installFakeApi, makeSource, registryProviders } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

const providers = registryProviders();

describe('useAddSource', () => {
  it('starts on the first provider; another choice drops the fields typed and the problem said', () => {
    installFakeApi();
    const { result } = renderHook(() => useAddSource(providers));
    expect(result.current.providerId).toBe(providers[0]!.id);
    act(() => result.current.chooseProvider('errorception'));
    act(() => result.current.type('secret', 'abc'));
    act(() => result.current.setName('x'.repeat(201)));
    act(() => result.current.submit());
    expect(result.current.error).toMatch(/too long/);
    act(() => result.current.chooseProvider('backtrace'));
    expect(result.current).toMatchObject({ providerId: 'backtrace', values: {}, error: null, name: 'x'.repeat(201) });
  });

  it('adds through main, then empties the form and says what to do next; a refusal is said and keeps it', async () => {
    const { api } = installFakeApi();
    api.addSource.mockResolvedValueOnce(makeSource({ name: 'Site', providerName: 'Errorception' }));
    const { result } = renderHook(() => useAddSource(providers));
    act(() => result.current.chooseProvider('errorception'));
    act(() => result.current.setName('Site'));
    act(() => result.current.type('secret', ' abc '));
    act(() => result.current.submit());
    expect(result.current.busy).toBe(true);
    await waitFor(() => expect(result.current.added).toBe('Added Site. Paste its values into Errorception.'));
    expect(api.addSource).toHaveBeenCalledWith({ provider: 'errorception', name: 'Site', credentials: { secret: 'abc' } });
    expect(result.current).toMatchObject({ busy: false, name: '', values: {}, error: null });
    api.addSource.mockRejectedValueOnce(new Error("Error invoking remote method 'sources:add': Error: name: already taken"));
    act(() => result.current.setName('Site'));
    act(() => result.current.submit());
    await waitFor(() => expect(result.current.error).toBe('name: already taken'));
    expect(result.current).toMatchObject({ busy: false, name: 'Site', added: 'Added Site. Paste its values into Errorception.' });
  });
});
