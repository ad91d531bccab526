/**
 * `npm run bench`: Crashbell's performance figures, measured, never assumed. This is the entry (Vite builds it into
 * out/headless/bench.js); each part lives in scripts/bench/, named for what it measures:
 *
 * 1. Throughput and latency of the whole path (HTTP → verify → parse → group → fsync'd store → policy)
 *    with 20 concurrent connections on loopback (autocannon), for a Backtrace source (Basic auth), an
 *    Errorception source and a Sentry source (both signed), side by side in the same run with a bare
 *    node:http server that only answers 204. Servers run in their own process (this file with `--serve`),
 *    so the load generator does not share their event loop (http.ts, serve.ts).
 * 2. RSS of the built headless process holding 50,000 groups (rss.ts).
 * 3. Per-event cost of the inbox with 50,000 stored groups against 500 (wall and CPU, 20 in flight) (inbox.ts).
 * 4. Start-up of the built headless process with 5,000 stored groups, until its `listening` line (startup.ts).
 * 5. Instructions per accepted Backtrace hook of the built headless process in `--json` mode (its stdout read
 *    and thrown away) against a bare node:http 204 server's per request, counted by callgrind under the same
 *    load (instructions.ts, callgrind.ts). Skipped, saying how to get it, when valgrind is not installed.
 * 6. The team relay over a real nats-server: a bare JetStream publish-and-consume (one in flight, like the
 *    forwarder), a gateway's forward throughput (its outbox drained into the stream), and the lag from a
 *    hook's 2xx at a gateway to the event ingested by a subscriber (both built headless processes), p50/p99
 *    (relay.ts).
 *
 * The hooks sent are variations of the provider modules' own samples (hooks.ts says how). Prints a table with the
 * issue's targets and PASS/MISS (report.ts). Not part of `npm test`: timing is noisy.
 * BENCH_SECONDS (default 8) sets the length of each HTTP run; BENCH_ONLY=http,rss,inbox,startup,callgrind,relay
 * picks parts (add `keep` to keep the seeded data dirs and callgrind dumps). Linux: RSS is read from /proc.
 * Other modes: `--serve` (a server of part 1), `--inbox-memory DIR` and `--ingest-loop N` (diagnostics.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../shared/settings';
import { inboxMemory, ingestLoop } from './bench/diagnostics';
import { CONNECTIONS, HEADLESS, ONLY } from './bench/env';
import { type BenchSources, makeSources, settingsFor } from './bench/hooks';
import { httpSection } from './bench/http';
import { inboxSection, seed } from './bench/inbox';
import { callgrindSection } from './bench/instructions';
import { relaySection } from './bench/relay';
import { type Row, table } from './bench/report';
import { rssSection } from './bench/rss';
import { serve } from './bench/serve';
import { startupSection } from './bench/startup';

/** What every part of one run shares. */
interface BenchRun {
  work: string;
  sources: BenchSources;
  settings: Settings;
  configPath: string;
  log: (s: string) => void;
}

/** The headless processes' config: retention above the biggest seeded history, so all 50,000 groups stay. */
function writeConfig(work: string, sources: BenchSources): string {
  const configPath = join(work, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      port: 0,
      sources: [sources.backtrace, sources.errorception, sources.sentry],
      retention: { maxGroups: 100_000, maxDays: 90 },
    }),
  );
  return configPath;
}

function requireHeadlessBuild(): void {
  if (!existsSync(HEADLESS)) throw new Error(`no headless build at ${HEADLESS}`);
}

/** The parts BENCH_ONLY picks, in an order where each measures what the one before left. */
async function runParts(rows: Row[], run: BenchRun): Promise<void> {
  const { work, sources, settings, configPath, log } = run;
  // 1. HTTP: bare node:http and the whole path, same run, same load.
  if (ONLY.has('http')) await httpSection(rows, work, configPath, sources, log);
  // 5. Instructions per hook, next to the req/s ratio: the build is checked first (headless is measured).
  if (ONLY.has('callgrind')) {
    requireHeadlessBuild();
    await callgrindSection(rows, work, configPath, sources, log);
  }
  // Histories of 500 and 50,000 groups, for the RSS and per-event cost figures.
  const sourceId = String(sources.backtrace.id);
  const dirs = { small: join(work, 'inbox-500'), large: join(work, 'inbox-50000') };
  if (ONLY.has('inbox') || ONLY.has('rss')) {
    log('Inbox: seeding 500 and 50,000 groups…');
    await seed(dirs.small, settings, sourceId, 500);
    await seed(dirs.large, settings, sourceId, 50_000);
  }
  requireHeadlessBuild();
  // 2. RSS with exactly the 50,000 seeded groups (before the cost runs add more).
  if (ONLY.has('rss')) {
    log('Headless: RSS with 50,000 groups…');
    await rssSection(rows, configPath, dirs.large);
  }
  // 3. Per-event cost with 50,000 stored groups against 500.
  if (ONLY.has('inbox')) await inboxSection(rows, dirs, settings, sourceId);
  // 6. The team relay (needs nats-server on PATH).
  if (ONLY.has('relay')) await relaySection(rows, work, sources, log);
  if (ONLY.has('keep')) log(`Keeping seeded data in ${work}`);
  // 4. Start-up of the built headless process.
  if (ONLY.has('startup')) {
    log('Headless: start-up with 5,000 groups…');
    await startupSection(rows, work, configPath, settings, sourceId);
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'crashbell-bench-'));
  const rows: Row[] = [];
  const sources = makeSources();
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  // Interrupted: the temp dir goes too (children started under callgrind are killed on exit).
  const interrupted = (): void => {
    if (!ONLY.has('keep')) rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await runParts(rows, { work, sources, settings: settingsFor(sources), configPath: writeConfig(work, sources), log });
  } finally {
    process.stdout.write(
      `\nCrashbell bench (${new Date().toISOString()}, Node ${process.version}, ${CONNECTIONS} connections, loopback)\n\n`,
    );
    process.stdout.write(`${table(rows)}\n`);
    if (!ONLY.has('keep')) rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--inbox-memory') {
  void inboxMemory(process.argv[3] ?? '.');
} else if (process.argv[2] === '--ingest-loop') {
  void ingestLoop(Number(process.argv[3] ?? 30_000));
} else if (process.argv[2] === '--serve') {
  void serve(process.argv[3] ?? 'bare', process.argv[4] ?? '', process.argv[5] ?? '');
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
