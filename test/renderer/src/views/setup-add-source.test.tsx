// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AddSourceForm } from '../../../../renderer/src/views/setup-add-source';
import type { ProviderInfo } from '../../../../shared/ipc';
import { installFakeApi } from '../../../helpers/fake-api';

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
