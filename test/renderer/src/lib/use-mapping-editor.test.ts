// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useMappingEditor } from '../../../../renderer/src/lib/use-mapping-editor';
import { installFakeApi, makeSource } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

const source = makeSource({ provider: 'generic', config: { titlePath: '$.error.message' } });

describe('useMappingEditor', () => {
  it('starts from the stored config, refuses a mapping without a group key, and saves a whole one', async () => {
    const { api } = installFakeApi();
    const { result } = renderHook(() => useMappingEditor(source));
    expect(result.current.mapping).toMatchObject({ titlePath: '$.error.message', groupKeyPath: '', verification: 'none' });
    act(() => result.current.save());
    expect(result.current.message).toEqual({ ok: false, text: 'Map the group key: a JSON path such as $.error.id.' });
    expect(api.updateSource).not.toHaveBeenCalled();
    act(() => result.current.setMapping({ ...result.current.mapping, groupKeyPath: '$.error.id' }));
    act(() => result.current.save());
    await waitFor(() => expect(result.current.message).toEqual({ ok: true, text: 'Mapping saved.' }));
    expect(api.updateSource).toHaveBeenCalledWith(source.id, {
      config: { titlePath: '$.error.message', groupKeyPath: '$.error.id', verification: 'none' },
    });
  });

  it('previews the mapping as edited, and says why a preview failed', async () => {
    const { api } = installFakeApi();
    const preview = { ok: true, body: '{}', fields: { title: 'boom' }, errors: [] };
    api.previewMapping.mockResolvedValueOnce(preview);
    const { result } = renderHook(() => useMappingEditor(source));
    act(() => result.current.runPreview());
    expect(result.current.previewing).toBe(true);
    await waitFor(() => expect(result.current.preview).toEqual(preview));
    expect(result.current.previewing).toBe(false);
    expect(api.previewMapping).toHaveBeenCalledWith(source.id, { titlePath: '$.error.message', groupKeyPath: '', verification: 'none' });
    api.previewMapping.mockRejectedValueOnce(
      new Error("Error invoking remote method 'sources:preview-mapping': Error: no body received yet"),
    );
    act(() => result.current.runPreview());
    await waitFor(() => expect(result.current.message).toEqual({ ok: false, text: 'no body received yet' }));
    expect(result.current).toMatchObject({ previewing: false, preview });
  });
});
