/**
 * Part 3, the inbox figures: the per-event cost of ingesting with 50,000 stored groups against 500 (wall and CPU,
 * 20 in flight), and how long the window waits for a page and a search in a big history. No HTTP: the engine
 * without a receiver, as the core opens it. Also how the other parts fill a data dir with groups.
 */
import type { NormalizedEvent } from '../../shared/events';
import type { Settings } from '../../shared/settings';
import { CrashbellCore } from '../../main/core/core';
import type { Inbox } from '../../main/core/inbox/inbox';
import { MemorySettingsStore } from '../../main/core/settings-access';
import { CONNECTIONS } from './env';
import { benchEvent } from './hooks';
import { fmt, median, type Row } from './report';

/** The engine without a receiver: the history, the inbox and the ingest pipeline, as the bench measures them. */
export interface BenchInbox {
  ingest(event: NormalizedEvent): Promise<unknown>;
  list: Inbox['list'];
  counts: Inbox['counts'];
  close(): Promise<void>;
}

/** Opens the engine on a data dir without listening. */
export async function openInbox(options: { dataDir: string; getSettings: () => Settings }): Promise<BenchInbox> {
  const core = await CrashbellCore.open({
    settings: new MemorySettingsStore(options.getSettings()),
    dataDir: options.dataDir,
    listen: false,
  });
  return {
    ingest: (event) => core.ingest(event, null, undefined, { kind: 'hook' }),
    list: (q) => core.inbox.list(q),
    counts: () => core.inbox.counts(),
    close: () => core.stop(),
  };
}

/** Fills a data dir with `n` distinct groups through the inbox itself (batched, so it is quick). */
export async function seed(dataDir: string, settings: Settings, sourceId: string, n: number): Promise<void> {
  const s = { ...settings, retention: { maxGroups: Math.max(n, 5000), maxDays: 90 } };
  const inbox = await openInbox({ dataDir, getSettings: () => s });
  const batch = 1000;
  for (let i = 0; i < n; i += batch) {
    const jobs: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(n, i + batch); j++) jobs.push(inbox.ingest(benchEvent(sourceId, j, n)));
    await Promise.all(jobs);
  }
  await inbox.close();
}

interface PerEvent {
  wallUs: number;
  cpuUs: number;
}

/** Ingests `m` events (half new groups, half updates) with 20 in flight; wall and CPU time per event. */
async function perEventCost(
  dataDir: string,
  settings: Settings,
  sourceId: string,
  stored: number,
  m: number,
  round: number,
): Promise<PerEvent> {
  const s = { ...settings, retention: { maxGroups: stored + m + 10, maxDays: 90 } };
  const inbox = await openInbox({ dataDir, getSettings: () => s });
  // Events are built before the clock starts: only the inbox is measured.
  const events = Array.from({ length: m }, (_, k) => {
    // Even: an update to a stored group (a new object); odd: a brand-new group.
    const i = k % 2 === 0 ? (k * 7919) % stored : stored + 1_000_000 + round * 100_000 + k;
    const ev = benchEvent(sourceId, i, k % 2 === 0 ? stored : Number.MAX_SAFE_INTEGER);
    ev.occurrences = 1_000_000 + k;
    ev.redelivery = { key: `bench:${round}:${k}`, windowMs: null };
    return ev;
  });
  let next = 0;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const worker = async (): Promise<void> => {
    while (next < m) {
      const ev = events[next++];
      if (ev) await inbox.ingest(ev);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const cpu = process.cpuUsage(cpu0);
  const wallNs = Number(process.hrtime.bigint() - start);
  // The list call the window makes after a change, to show a page: part of living with big history.
  inbox.list({ limit: 50 });
  await inbox.close();
  return { wallUs: wallNs / 1000 / m, cpuUs: (cpu.user + cpu.system) / m };
}

/** How long the window waits for a page of the newest groups, and for a text search, in a big history. */
async function listTimes(dataDir: string, settings: Settings): Promise<string> {
  const s = { ...settings, retention: { maxGroups: 1_000_000, maxDays: 3650 } };
  const inbox = await openInbox({ dataDir, getSettings: () => s });
  const time = (f: () => unknown): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  const first = time(() => inbox.list({ limit: 50 }));
  const again = median([1, 2, 3].map(() => time(() => inbox.list({ limit: 50 }))));
  const search = median([1, 2, 3].map(() => time(() => inbox.list({ text: 'MY_FN_4242', limit: 50 }))));
  await inbox.close();
  return `${fmt(first, 1)} (then ${fmt(again, 1)}) / ${fmt(search, 1)}`;
}

/** Part 3: per-event cost on the seeded histories of 500 and 50,000 groups (three rounds each), and list times. */
export async function inboxSection(
  rows: Row[],
  dirs: { small: string; large: string },
  settings: Settings,
  sourceId: string,
): Promise<void> {
  const costs: { small: PerEvent[]; large: PerEvent[] } = { small: [], large: [] };
  for (let round = 0; round < 3; round++) {
    costs.small.push(await perEventCost(dirs.small, settings, sourceId, 500, 2000, round));
    costs.large.push(await perEventCost(dirs.large, settings, sourceId, 50_000, 2000, round));
  }
  const sWall = median(costs.small.map((c) => c.wallUs));
  const lWall = median(costs.large.map((c) => c.wallUs));
  const sCpu = median(costs.small.map((c) => c.cpuUs));
  const lCpu = median(costs.large.map((c) => c.cpuUs));
  rows.push({
    what: 'ingest per event, 500 groups: wall / CPU µs',
    value: `${fmt(sWall)} / ${fmt(sCpu)}`,
    target: 'baseline',
    pass: null,
  });
  rows.push({ what: 'ingest per event, 50,000 groups: wall / CPU µs', value: `${fmt(lWall)} / ${fmt(lCpu)}`, target: '', pass: null });
  rows.push({ what: 'per-event cost 50,000 vs 500 (wall)', value: fmt(lWall / sWall, 2), target: '≤ 1.5', pass: lWall / sWall <= 1.5 });
  rows.push({ what: 'per-event cost 50,000 vs 500 (CPU)', value: fmt(lCpu / sCpu, 2), target: '≤ 1.5', pass: lCpu / sCpu <= 1.5 });
  rows.push({
    what: 'list with 50,000+ groups: first page / search (ms)',
    value: await listTimes(dirs.large, settings),
    target: 'info',
    pass: null,
  });
}
