/**
 * Part 1, the HTTP runs: throughput and latency of the whole path (HTTP → verify → parse → group → fsync'd store
 * → policy) with 20 concurrent connections on loopback (autocannon), for a Backtrace, an Errorception and a Sentry
 * source side by side in the same run with a bare node:http server that only answers 204.
 */
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CONNECTIONS, DURATION_S } from './env';
import { type BenchRequest, type BenchSources, backtraceBody, requestFor } from './hooks';
import { fmt, type Row } from './report';
import { spawnServer, stopServer } from './serve';

/** What one measured run gave. */
interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** Numbers the requests across every run of the part, so no two runs send the same hook. */
let counter = 0;

/** A 1-second warm-up (JIT, first fsyncs, sockets), `afterWarmUp`, then the measured run. */
async function runLoad(url: string, make: () => BenchRequest, afterWarmUp: () => void, seconds = DURATION_S): Promise<LoadResult> {
  const run = (duration: number) =>
    autocannon({
      url,
      method: 'POST',
      connections: CONNECTIONS,
      duration,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            const { headers, body } = make();
            return { ...req, method: 'POST', headers, body };
          },
        },
      ],
    });
  await run(1);
  afterWarmUp();
  const r = await run(seconds);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    total: r.requests.total,
  };
}

/** The bare server's run; returns its req/s, the baseline of the ratios. */
async function bareRun(rows: Row[], work: string, configPath: string): Promise<number> {
  const bare = await spawnServer('bare', configPath, join(work, 'bare'));
  const bareResult = await runLoad(
    `http://127.0.0.1:${bare.port}/hooks/x`,
    () => ({ headers: { 'content-type': 'application/json' }, body: backtraceBody(counter++) }),
    () => bare.child.kill('SIGUSR2'),
  );
  const bareCpu = (await stopServer(bare)).cpuUs / bareResult.total;
  rows.push({
    what: 'bare node:http 204: req/s (p50 / p99 ms)',
    value: `${fmt(bareResult.rps)} (${bareResult.p50} / ${bareResult.p99})`,
    target: 'baseline',
    pass: null,
  });
  rows.push({ what: 'bare: server CPU per request (µs)', value: fmt(bareCpu), target: 'info', pass: null });
  return bareResult.rps;
}

/** One provider's whole path, against the bare server's req/s. */
async function providerRun(
  rows: Row[],
  kind: keyof BenchSources,
  bareRps: number,
  run: { work: string; configPath: string; sources: BenchSources },
): Promise<void> {
  const core = await spawnServer('core', run.configPath, join(run.work, `core-${kind}`));
  const url = `http://127.0.0.1:${core.port}/hooks/${run.sources[kind].id}`;
  const r = await runLoad(
    url,
    () => requestFor(kind, run.sources, counter++),
    () => core.child.kill('SIGUSR2'),
  );
  const report = await stopServer(core);
  const cpu = report.cpuUs / r.total;
  const ratio = r.rps / bareRps;
  const broken = r.non2xx > 0 || r.errors > 0;
  rows.push({
    what: `${kind} whole path: req/s (p50 / p99 ms)`,
    value: `${fmt(r.rps)} (${r.p50} / ${r.p99})${broken ? ` [${r.non2xx} non-2xx, ${r.errors} errors of ${r.total}]` : ''}`,
    target: 'p99 < 10 ms',
    pass: !broken && r.p99 < 10,
  });
  rows.push({ what: `${kind} req/s vs bare`, value: fmt(ratio, 2), target: '≥ 0.50', pass: !broken && ratio >= 0.5 });
  rows.push({ what: `${kind}: server CPU per request (µs)`, value: fmt(cpu), target: 'info', pass: null });
  if (report.store) {
    rows.push({
      what: `${kind}: group commit (events per fsync, ms per write+fsync)`,
      value: `${fmt(report.store.perBatch, 1)}, ${fmt(report.store.msPerSync, 2)}`,
      target: 'info',
      pass: null,
    });
  }
}

/** Part 1: bare node:http and each provider's whole path, same run, same load. */
export async function httpSection(
  rows: Row[],
  work: string,
  configPath: string,
  sources: BenchSources,
  log: (s: string) => void,
): Promise<void> {
  log(`HTTP: ${CONNECTIONS} connections, ${DURATION_S} s per run…`);
  const bareRps = await bareRun(rows, work, configPath);
  for (const kind of ['backtrace', 'errorception', 'sentry'] as const) {
    await providerRun(rows, kind, bareRps, { work, configPath, sources });
  }
}
