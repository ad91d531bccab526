import { describe, expect, it } from 'vitest';
import { filtersActive, filtersFromForm } from '../../../../renderer/src/lib/source-filters';

describe('source filters', () => {
  it('parses the filter form', () => {
    expect(filtersFromForm('', '', '')).toEqual({ ok: true, filters: { minOccurrences: null, attribute: null } });
    expect(filtersFromForm('10', 'environment', 'production')).toEqual({
      ok: true,
      filters: { minOccurrences: 10, attribute: { name: 'environment', value: 'production' } },
    });
    expect(filtersFromForm('1.5', '', '')).toMatchObject({ ok: false });
    expect(filtersFromForm('-1', '', '')).toMatchObject({ ok: false });
    expect(filtersFromForm('', 'environment', '')).toMatchObject({ ok: false });
    expect(filtersFromForm('', ' ', ' production ')).toMatchObject({ ok: false });
  });

  it('knows when a filter holds notifications back', () => {
    expect(filtersActive({ minOccurrences: null, attribute: null })).toBe(false);
    expect(filtersActive({ minOccurrences: 0, attribute: null })).toBe(true);
    expect(filtersActive({ minOccurrences: null, attribute: { name: 'env', value: 'prod' } })).toBe(true);
  });
});
