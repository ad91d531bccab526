/**
 * One custom attribute's histogram as horizontal bars. Values are React text children, so a payload's
 * markup shows as text, never as HTML.
 */
import type { AttributeHistogram } from '../../../shared/events';

/** A small horizontal bar chart of one attribute histogram (value, count). */
export function HistogramChart({ name, histogram }: { name: string; histogram: AttributeHistogram }) {
  const rows = [...histogram].sort((a, b) => b[1] - a[1]).slice(0, 8);
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const total = histogram.reduce((s, r) => s + r[1], 0);
  return (
    <figure className="histogram" aria-label={`${name} histogram`}>
      <figcaption>{name}</figcaption>
      <ul>
        {rows.map(([value, count], i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a static list whose entries may repeat and never move
          <li key={`${value}-${i}`} className="histogram-row">
            <span className="histogram-value" title={value}>
              {value}
            </span>
            <span className="histogram-track" aria-hidden="true">
              <span className="histogram-bar" style={{ width: `${Math.max(2, (count / max) * 100)}%` }} />
            </span>
            <span className="histogram-count">
              {count.toLocaleString('en-US')}
              {total > 0 && <span className="muted"> · {Math.round((count / total) * 100)}%</span>}
            </span>
          </li>
        ))}
      </ul>
      {histogram.length > rows.length && <p className="muted small">and {histogram.length - rows.length} more</p>}
    </figure>
  );
}
