/** The occurrence milestones field of the notification policy, as the window reads what was typed. */

/** Parses "10, 100, 1000" into milestones, sorted and without repeats; an error names the bad entry. */
export function parseMilestones(text: string): { ok: true; value: number[] } | { ok: false; error: string } {
  const parts = text.split(/[,\s]+/).filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p.replace(/_/g, ''));
    if (!Number.isInteger(n) || n <= 0) return { ok: false, error: `“${p}” is not a positive whole number` };
    out.push(n);
  }
  return { ok: true, value: [...new Set(out)].sort((a, b) => a - b) };
}
