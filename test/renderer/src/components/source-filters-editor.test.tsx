// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceFiltersEditor } from '../../../../renderer/src/components/source-filters-editor';
import { installFakeApi, makeSource } from '../../../helpers/fake-api';

afterEach(cleanup);

describe('a source’s notification filters', () => {
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
