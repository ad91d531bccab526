import { describe, expect, it } from 'vitest';
import type { ProviderInfo } from '../../../../shared/ipc';
import { EMPTY_MAPPING } from '../../../../renderer/src/lib/mapping';
import { addedText, newSourceInput } from '../../../../renderer/src/lib/new-source';
import { makeSource, registryProviders } from '../../../helpers/fake-api';

const errorception = registryProviders().find((p) => p.id === 'errorception')!;
const generic: ProviderInfo = { ...errorception, id: 'generic', name: 'Generic JSON', fields: [] };

describe('newSourceInput', () => {
  it('takes the provider’s name when none is typed, and sends only the fields filled in, trimmed', () => {
    const form = { providerId: 'errorception', provider: errorception, name: '  ', values: { secret: ' abc ' }, mapping: EMPTY_MAPPING };
    expect(newSourceInput(form)).toEqual({
      ok: true,
      input: { provider: 'errorception', name: 'Errorception', credentials: { secret: 'abc' } },
    });
    expect(newSourceInput({ ...form, name: ' Site ', values: {} })).toEqual({
      ok: true,
      input: { provider: 'errorception', name: 'Site', credentials: {} },
    });
  });

  it('sends a generic source’s mapping as its config, once it maps a title and a group key', () => {
    const form = { providerId: 'generic', provider: generic, name: '', values: {}, mapping: EMPTY_MAPPING };
    expect(newSourceInput(form)).toEqual({ ok: false, problem: 'Map the title: a JSON path such as $.error.message.' });
    const mapping = { ...EMPTY_MAPPING, titlePath: '$.t', groupKeyPath: '$.id' };
    expect(newSourceInput({ ...form, mapping })).toEqual({
      ok: true,
      input: {
        provider: 'generic',
        name: 'Generic JSON',
        credentials: {},
        config: { titlePath: '$.t', groupKeyPath: '$.id', verification: 'none' },
      },
    });
  });

  it('names the form’s first problem: no provider, a name too long', () => {
    expect(newSourceInput({ providerId: '', provider: undefined, name: 'x', values: {}, mapping: EMPTY_MAPPING })).toEqual({
      ok: false,
      problem: 'Choose a provider.',
    });
    expect(
      newSourceInput({ providerId: 'errorception', provider: errorception, name: 'x'.repeat(201), values: {}, mapping: EMPTY_MAPPING }),
    ).toEqual({
      ok: false,
      problem: 'The name is too long (200 characters at most).',
    });
  });

  it('says what to do with the source added', () => {
    expect(addedText(makeSource())).toBe('Added Game client. Paste its values into Backtrace.');
  });
});
