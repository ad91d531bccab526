/** Part 2, memory: the resident set of the built headless process holding the 50,000 seeded groups. Linux: read from /proc. */
import { readFileSync } from 'node:fs';
import { stopChild, startHeadless } from './processes';
import { fmt, type Row } from './report';

/** A process's resident set in MB, from /proc (NaN when it names none). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Part 2: RSS with exactly the seeded groups loaded (before the cost runs add more), and that start-up's time. */
export async function rssSection(rows: Row[], configPath: string, dataDir: string): Promise<void> {
  const h = await startHeadless(configPath, dataDir);
  // Read 1.5 s after `listening`: what the process holds once it serves, not a figure taken mid start-up.
  await new Promise((r) => setTimeout(r, 1500));
  const rss = rssOf(h.child.pid ?? 0);
  await stopChild(h.child);
  rows.push({
    what: `headless RSS, ${String(h.listening.groups ?? '?')} groups loaded`,
    value: `${fmt(rss, 1)} MB`,
    target: '< 150 MB',
    pass: rss < 150 && Number(h.listening.groups) >= 50_000,
  });
  rows.push({ what: 'headless start-up, 50,000 groups (ms)', value: fmt(h.ms), target: 'info', pass: null });
}
