/** The policy's optional per-source filters: minimum occurrences and an attribute match. */
import { useState } from 'react';
import type { SourceView } from '../../../shared/ipc';
import { filtersActive, filtersFromForm } from '../lib/source-filters';
import { useSourceUpdate } from '../lib/use-source-update';
import { FormMessage } from './form-message';

/** The filters editor, folded under its summary (which says when a filter is on). */
export function SourceFiltersEditor({ source }: { source: SourceView }) {
  const [min, setMin] = useState(source.filters.minOccurrences === null ? '' : String(source.filters.minOccurrences));
  const [name, setName] = useState(source.filters.attribute?.name ?? '');
  const [value, setValue] = useState(source.filters.attribute?.value ?? '');
  const { message, update, fail } = useSourceUpdate(source.id);
  const save = () => {
    const parsed = filtersFromForm(min, name, value);
    if (parsed.ok) update({ filters: parsed.filters }, 'Filters saved.');
    else fail(parsed.error);
  };
  return (
    <details className="steps">
      <summary>Notification filters{filtersActive(source.filters) ? ' (on)' : ''}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <p className="muted small">Errors that do not pass are still recorded; they just do not notify.</p>
        <div className="form-grid">
          <label className="field">
            <span>Minimum occurrences</span>
            <input type="number" min={0} placeholder="any" value={min} onChange={(e) => setMin(e.currentTarget.value)} />
          </label>
          <label className="field">
            <span>Attribute</span>
            <input type="text" placeholder="environment" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          </label>
          <label className="field">
            <span>Equals</span>
            <input type="text" placeholder="production" value={value} onChange={(e) => setValue(e.currentTarget.value)} />
          </label>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn">
            Save filters
          </button>
        </div>
      </form>
      <FormMessage message={message} />
    </details>
  );
}
