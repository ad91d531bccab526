// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { GenericMappingEditor } from '../../../../renderer/src/components/generic-mapping-editor';
import { installFakeApi, makeSource } from '../../../helpers/fake-api';

afterEach(cleanup);

describe('a generic source’s mapping', () => {
  it('previews a generic mapping on the last body', async () => {
    const { api } = installFakeApi();
    api.previewMapping.mockResolvedValue({
      ok: true,
      body: '{\n  "error": {"message": "<i>boom</i>"}\n}',
      fields: { title: '<i>boom</i>', groupKey: 'e1', url: null },
      errors: [],
    });
    const source = makeSource({ provider: 'generic', config: { titlePath: '$.error.message', groupKeyPath: '$.error.id' } });
    const { container } = render(<GenericMappingEditor source={source} />);
    fireEvent.click(screen.getByRole('button', { name: 'Preview on the last body' }));
    await screen.findByText('<i>boom</i>');
    expect(container.querySelector('i')).toBeNull();
    expect(api.previewMapping).toHaveBeenCalledWith(source.id, {
      titlePath: '$.error.message',
      groupKeyPath: '$.error.id',
      verification: 'none',
    });
  });

  it('refuses a mapping without a group key, and saves a whole one', async () => {
    const { api } = installFakeApi();
    const source = makeSource({ provider: 'generic', config: { titlePath: '$.error.message' } });
    render(<GenericMappingEditor source={source} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save mapping' }));
    await screen.findByText(/Map the group key/);
    expect(api.updateSource).not.toHaveBeenCalled();
    fireEvent.change(screen.getByRole('textbox', { name: 'Group key' }), { target: { value: '$.error.id' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save mapping' }));
    await screen.findByText('Mapping saved.');
    expect(api.updateSource).toHaveBeenCalledWith(source.id, {
      config: { titlePath: '$.error.message', groupKeyPath: '$.error.id', verification: 'none' },
    });
  });
});
