/** A source's notification filters as the window edits them: the form's text read into filters, checked first. */
import type { SourceFilters } from '../../../shared/settings';

/** Parses the filter form; the first problem in words, or the filters to save. */
export function filtersFromForm(
  min: string,
  name: string,
  value: string,
): { ok: true; filters: SourceFilters } | { ok: false; error: string } {
  let minOccurrences: number | null = null;
  if (min.trim() !== '') {
    const n = Number(min);
    if (!Number.isInteger(n) || n < 0) return { ok: false, error: 'Minimum occurrences must be a whole number (0 or more).' };
    minOccurrences = n;
  }
  const attrName = name.trim();
  const attrValue = value.trim();
  if ((attrName === '') !== (attrValue === '')) return { ok: false, error: 'Give both the attribute and the value to match, or neither.' };
  return { ok: true, filters: { minOccurrences, attribute: attrName ? { name: attrName, value: attrValue } : null } };
}

/** Some filter holds notifications back (the editor's summary says "(on)"). */
export function filtersActive(filters: SourceFilters): boolean {
  return filters.minOccurrences !== null || filters.attribute !== null;
}
