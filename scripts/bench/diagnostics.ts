/**
 * Diagnostics outside the report, each its own mode of the bench's entry: the inbox's memory holding a data dir,
 * and the ingest path alone in a loop, for a CPU profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseSettings } from '../../shared/settings';
import { CrashbellCore } from '../../main/core/core';
import { jsonLineBytes, receivedLine } from '../../main/core/headless/lines';
import { MemorySettingsStore } from '../../main/core/settings-access';
import { benchEvent } from './hooks';
import { openInbox } from './inbox';

/** Memory of the inbox alone holding a data dir (`bench.js --inbox-memory DIR`; run with --expose-gc for steady figures). */
export async function inboxMemory(dataDir: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const s = parseSettings({ retention: { maxGroups: 1_000_000, maxDays: 3650 } });
  const inbox = await openInbox({ dataDir, getSettings: () => s });
  const loadMs = performance.now() - t0;
  gc?.();
  const after = process.memoryUsage();
  const mb = (n: number): string => (n / 1048576).toFixed(1);
  process.stdout.write(
    `${inbox.counts().groups} groups, load ${loadMs.toFixed(0)} ms; heapUsed ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB; rss ${mb(before.rss)} → ${mb(after.rss)} MB\n`,
  );
  await inbox.close();
}

/**
 * The ingest path alone (pipeline, store, a received line per event), no HTTP, 20 in flight, for a CPU profile
 * (`node --cpu-prof bench.js --ingest-loop 30000`).
 */
export async function ingestLoop(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crashbell-ingest-loop-'));
  const s = parseSettings({ retention: { maxGroups: 1_000_000, maxDays: 3650 } });
  const core = await CrashbellCore.open({ settings: new MemorySettingsStore(s), dataDir: dir, listen: false });
  let bytes = 0;
  core.onReceived(({ event, result }) => (bytes += jsonLineBytes(receivedLine(event, result)).length));
  const events = Array.from({ length: 4000 }, (_, i) => benchEvent('bench-source', i, 2000));
  const t0 = performance.now();
  for (let i = 0; i < n; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, j) => {
        const e = events[(i + j) % events.length]!;
        const fresh = { ...e, id: randomUUID(), receivedAt: new Date().toISOString(), objectId: `${i + j}`, occurrences: 35 + i + j };
        fresh.redelivery = { key: `${i + j}:${35 + i + j}`, windowMs: null };
        return core.ingest(fresh, null, JSON.stringify(e.raw), { kind: 'hook' });
      }),
    );
  }
  process.stdout.write(`${n} ingests in ${(performance.now() - t0).toFixed(0)} ms, ${bytes} bytes of lines\n`);
  await core.stop();
  rmSync(dir, { recursive: true, force: true });
}
