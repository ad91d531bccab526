/**
 * Work under way: a small animated dot with a status role and a label for screen readers.
 */

/** A busy indicator; `label` says what is loading. */
export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span className="spinner" role="status" aria-label={label}>
      <span aria-hidden="true" className="spinner-dot" />
    </span>
  );
}
