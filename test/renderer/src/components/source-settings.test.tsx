// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configFromMapping,
  EMPTY_MAPPING,
  filtersFromForm,
  GenericMappingEditor,
  mappingFromConfig,
  mappingProblem,
  SourceFiltersEditor,
} from '../../../../renderer/src/components/source-settings';
import { AddSourceForm } from '../../../../renderer/src/views/setup-view';
import type { ProviderInfo } from '../../../../shared/ipc';
import { installFakeApi, makeSource } from '../../../helpers/fake-api';

afterEach(cleanup);

const GENERIC: ProviderInfo = {
  id: 'generic',
  name: 'Generic JSON',
  mark: { text: '{}', color: '#495057' },
  docsUrl: 'https://www.standardwebhooks.com/',
  securityNote: 'With verification "none", the URL is the only secret.',
  setupSteps: [],
  fields: [{ key: 'secret', label: 'Signing secret', secret: true, required: false, help: '' }],
};

describe('mapping config', () => {
  it('round-trips the stored config and drops empty optional paths', () => {
    const m = mappingFromConfig({ titlePath: '$.t', groupKeyPath: '$.id', urlPath: '', verification: 'hmac', signatureHeader: 'x-sig' });
    expect(configFromMapping(m)).toEqual({
      titlePath: '$.t',
      groupKeyPath: '$.id',
      verification: 'hmac',
      signatureHeader: 'x-sig',
      signatureEncoding: 'hex',
      signaturePrefix: '',
    });
    expect(mappingProblem(EMPTY_MAPPING)).toMatch(/title/);
    expect(mappingProblem({ ...m, signatureHeader: ' ' })).toMatch(/header/);
  });

  it('parses the filter form', () => {
    expect(filtersFromForm('', '', '')).toEqual({ ok: true, filters: { minOccurrences: null, attribute: null } });
    expect(filtersFromForm('10', 'environment', 'production')).toEqual({
      ok: true,
      filters: { minOccurrences: 10, attribute: { name: 'environment', value: 'production' } },
    });
    expect(filtersFromForm('1.5', '', '')).toMatchObject({ ok: false });
    expect(filtersFromForm('', 'environment', '')).toMatchObject({ ok: false });
  });
});

describe('adding a generic source', () => {
  it('needs a title and group key mapping, then sends it as config', async () => {
    const { api } = installFakeApi();
    render(<AddSourceForm providers={[GENERIC]} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    await screen.findByText(/Map the title/);
    fireEvent.change(screen.getByRole('textbox', { name: 'Title' }), { target: { value: '$.error.message' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Group key' }), { target: { value: '$.error.id' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    await waitFor(() =>
      expect(api.addSource).toHaveBeenCalledWith({
        provider: 'generic',
        name: 'Generic JSON',
        credentials: {},
        config: { titlePath: '$.error.message', groupKeyPath: '$.error.id', verification: 'none' },
      }),
    );
  });
});

describe('a source’s settings', () => {
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

  it('saves notification filters and refuses half an attribute match', async () => {
    const { api } = installFakeApi();
    const source = makeSource();
    render(<SourceFiltersEditor source={source} />);
    fireEvent.change(screen.getByRole('textbox', { name: 'Attribute' }), { target: { value: 'environment' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save filters' }));
    await screen.findByText(/both the attribute and the value/);
    fireEvent.change(screen.getByRole('textbox', { name: 'Equals' }), { target: { value: 'production' } });
    fireEvent.change(screen.getByRole('spinbutton', { name: 'Minimum occurrences' }), { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save filters' }));
    await waitFor(() =>
      expect(api.updateSource).toHaveBeenCalledWith(source.id, {
        filters: { minOccurrences: 5, attribute: { name: 'environment', value: 'production' } },
      }),
    );
  });
});
