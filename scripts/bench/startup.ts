/** Part 4, start-up: the built headless process until its `listening` line, on an empty data dir and on 5,000 groups. */
import { join } from 'node:path';
import type { Settings } from '../../shared/settings';
import { seed } from './inbox';
import { stopChild, startHeadless } from './processes';
import { fmt, median, type Row } from './report';

/** Start-up times (ms) of `runs` starts on a data dir, and the groups the last one loaded. */
async function startUps(configPath: string, dataDir: string, runs: number): Promise<{ times: number[]; groups: number }> {
  const times: number[] = [];
  let groups = 0;
  for (let i = 0; i < runs; i++) {
    const h = await startHeadless(configPath, dataDir);
    times.push(h.ms);
    groups = Number(h.listening.groups);
    await stopChild(h.child);
  }
  return { times, groups };
}

/** Part 4: five starts on 5,000 seeded groups (the target), three on an empty data dir. */
export async function startupSection(rows: Row[], work: string, configPath: string, settings: Settings, sourceId: string): Promise<void> {
  const dir = join(work, 'startup-5000');
  await seed(dir, settings, sourceId, 5000);
  const { times, groups } = await startUps(configPath, dir, 5);
  const empty = await startUps(configPath, join(work, 'startup-empty'), 3);
  rows.push({ what: 'headless start-up, empty data dir (ms, median)', value: fmt(median(empty.times)), target: 'info', pass: null });
  rows.push({
    what: `headless start-up, ${groups} groups (ms, median of 5)`,
    value: fmt(median(times)),
    target: '< 300 ms',
    pass: median(times) < 300 && groups === 5000,
  });
}
