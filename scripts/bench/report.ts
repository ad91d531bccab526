/** The bench's report: one table of measures with their targets, and the small statistics the parts share. */

/** One line of the report. */
export interface Row {
  what: string;
  value: string;
  target: string;
  /** Whether the target is met; null for a figure without one (a baseline, information). */
  pass: boolean | null;
}

/** The rows as a Markdown table, PASS/MISS against each target. */
export function table(rows: Row[]): string {
  const head = ['Measure', 'Value', 'Target', 'Result'];
  const cells = rows.map((r) => [r.what, r.value, r.target, r.pass === null ? '-' : r.pass ? 'PASS' : 'MISS']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]): string => `| ${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

/** A figure with `d` decimals, or n/a when it could not be measured. */
export const fmt = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

/** The median (the upper one of an even count): runs on a shared machine have outliers the mean would keep. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** The p-th percentile, nearest rank. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
