/**
 * `npm run bench`: Crashbell's performance figures, measured, never assumed.
 *
 * 1. Throughput and latency of the whole path (HTTP → verify → parse → group → fsync'd store → policy)
 *    with 20 concurrent connections on loopback (autocannon), for a Backtrace source (Basic auth), an
 *    Errorception source and a Sentry source (both signed), side by side in the same run with a bare
 *    node:http server that only answers 204. Servers run in their own process (this file with `--serve`),
 *    so the load generator does not share their event loop.
 * 2. RSS of the built headless process holding 50,000 groups.
 * 3. Per-event cost of the inbox with 50,000 stored groups against 500 (wall and CPU, 20 in flight).
 * 4. Start-up of the built headless process with 5,000 stored groups, until its `listening` line.
 * 5. Instructions per accepted Backtrace hook of the built headless process in `--json` mode (its stdout read
 *    and thrown away) against a bare node:http 204 server's per request, counted by callgrind under the same
 *    load (see bench-callgrind.ts). Skipped, saying how to get it, when valgrind is not installed.
 * 6. The team relay over a real nats-server: a bare JetStream publish-and-consume (one in flight, like the
 *    forwarder), a gateway's forward throughput (its outbox drained into the stream), and the lag from a
 *    hook's 2xx at a gateway to the event ingested by a subscriber (both built headless processes), p50/p99.
 *
 * Prints a table with the issue's targets and PASS/MISS. Not part of `npm test`: timing is noisy.
 * BENCH_SECONDS (default 8) sets the length of each HTTP run; BENCH_ONLY=http,rss,inbox,startup,callgrind,relay
 * picks parts (add `keep` to keep the seeded data dirs and callgrind dumps). Linux: RSS is read from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import autocannon from 'autocannon';
import { callgrindMissing, measureInstructions, type CallgrindLoad, type CallgrindResult } from './bench-callgrind';
import { createServer as createNetServer } from 'node:net';
import type { NormalizedEvent } from '../shared/events';
import { parseSettings, type Settings, type SourceInput } from '../shared/settings';
import { CrashbellCore } from '../main/core/core';
import { blankEvent } from '../main/core/providers/parsed-event';
import { allSecretHeaders, getProvider } from '../main/core/providers/index';
import { Receiver } from '../main/core/receiver/receiver';
import { DEFAULT_REQUEST_LOG_SIZE, RequestLog } from '../main/core/request-log';
import { signSentryHook } from '../main/core/providers/sentry-signature';
import { MemorySettingsStore } from '../main/core/settings-access';
import { jsonLineBytes, receivedLine } from '../main/core/headless/lines';
import type { Inbox } from '../main/core/inbox/inbox';

/** The engine without a receiver: the history, the inbox and the ingest pipeline, as the bench measures them. */
interface BenchInbox {
  ingest(event: NormalizedEvent): Promise<unknown>;
  list: Inbox['list'];
  counts: Inbox['counts'];
  close(): Promise<void>;
}

async function openInbox(options: { dataDir: string; getSettings: () => Settings }): Promise<BenchInbox> {
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

const CONNECTIONS = 20;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
const SELF = fileURLToPath(import.meta.url);
const HEADLESS = join(dirname(SELF), 'headless.js');

// ---------- sources and request bodies ----------

interface BenchSources {
  backtrace: SourceInput;
  errorception: SourceInput;
  sentry: SourceInput;
}

function makeSources(): BenchSources {
  const id = (): string => randomBytes(16).toString('base64url');
  const bt = getProvider('backtrace');
  return {
    backtrace: { id: id(), provider: 'backtrace', name: 'Bench Backtrace', credentials: bt ? bt.generateCredentials() : {} },
    errorception: {
      id: id(),
      provider: 'errorception',
      name: 'Bench Errorception',
      credentials: { secret: randomBytes(16).toString('hex') },
    },
    sentry: { id: id(), provider: 'sentry', name: 'Bench Sentry', credentials: { clientSecret: randomBytes(32).toString('hex') } },
  };
}

function settingsFor(sources: BenchSources): Settings {
  return parseSettings({
    port: 0,
    sources: [sources.backtrace, sources.errorception, sources.sentry],
    retention: { maxGroups: 100_000, maxDays: 90 },
  });
}

/** Which parts to run: BENCH_ONLY=http,inbox,rss,startup,callgrind,relay (default all). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'http,inbox,rss,startup,callgrind,relay').split(','));

let counter = 0;

/** A Backtrace body: 2,000 groups in rotation, each hook a new object with a higher count (no redelivery). */
function backtraceBody(i: number, groups = 2000): string {
  const fp = createHash('sha256')
    .update(`bench-${i % groups}`)
    .digest('hex');
  const now = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    universe: 'my_universe',
    project: 'my_project',
    application: 'my_app.exe',
    fingerprint: fp,
    href: 'https://u.sp.backtrace.io/',
    group_url: `https://u.sp.backtrace.io/dashboard/my_universe/project/my_project/triage?fingerprint=${fp}`,
    callstack: ['printf', `my_fn_${i % groups}`, 'main'],
    occurrences: 35 + i,
    object_id: i.toString(16),
    timestamp: [now - 3600, now],
    classifiers: ['exception'],
    hosts: 4,
    guids: 0,
    attributes: {
      version: [
        ['1.2.3', 10],
        ['1.2.2', 1],
        ['1.1.0', 24],
      ],
      environment: [
        ['production', 33],
        ['staging', 1],
        ['devel', 1],
      ],
    },
  });
}

function errorceptionBody(i: number): { body: string; message: string; page: string } {
  const message = '"_WidgetManager" is undefined';
  const page = 'http://blog.rakeshpai.me/2007/02/ies-unknown-runtime-error-when-using.html';
  const body = JSON.stringify({
    isInline: true,
    message,
    userAgent:
      'Mozilla/5.0 (Linux; U; Android 4.1.2; en-us; GT-I9100G Build/JZO54K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30',
    when: 'after',
    scriptPath: null,
    page,
    date: new Date(Date.now() + i).toISOString(),
    isFirstOccurrence: false,
    webUrl: `https://errorception.com/projects/4e4b1652f384ef4d2d000002/errors/${(i % 2000).toString(16).padStart(24, '0')}`,
    apiUrl: `https://api.errorception.com/projects/4e4b1652f384ef4d2d000002/errors/${(i % 2000).toString(16).padStart(24, '0')}`,
  });
  return { body, message, page };
}

function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** Headers and body for the i-th request to a source. */
function requestFor(kind: keyof BenchSources, sources: BenchSources, i: number): { headers: Record<string, string>; body: string } {
  if (kind === 'backtrace') {
    const c = sources.backtrace.credentials ?? {};
    return {
      headers: { 'content-type': 'application/json', authorization: basic(c.username ?? '', c.password ?? '') },
      body: backtraceBody(i),
    };
  }
  if (kind === 'errorception') {
    const { body, message, page } = errorceptionBody(i);
    const secret = sources.errorception.credentials?.secret ?? '';
    const signature = createHash('sha1')
      .update(secret + message + page, 'utf8')
      .digest('hex');
    return { headers: { 'content-type': 'application/json', 'x-signature': signature }, body };
  }
  // Sentry: the provider's own sample, with the issue rotated over 2,000 ids, signed like Sentry does.
  const sample = sentryTemplate(sources);
  const issue = sample.data?.issue;
  if (issue) {
    const id = String(1_000_000 + (i % 2000));
    issue.id = id;
    issue.lastSeen = new Date(Date.now() + i).toISOString();
    issue.count = String(i + 1);
    if (typeof issue.web_url === 'string') issue.web_url = issue.web_url.replace(/issues\/\d+/, `issues/${id}`);
  }
  const body = JSON.stringify(sample);
  return { headers: signSentryHook(sources.sentry.credentials?.clientSecret ?? '', 'issue', body, Date.now()), body };
}

let sentrySample: { data?: { issue?: Record<string, unknown> } } | null = null;

/** The provider's sample body, built once (the load generator must stay cheap). */
function sentryTemplate(sources: BenchSources): { data?: { issue?: Record<string, unknown> } } {
  if (sentrySample === null) {
    const provider = getProvider('sentry');
    const source = parseSettings({ sources: [sources.sentry] }).sources[0];
    if (!provider || !source) throw new Error('no Sentry provider');
    sentrySample = JSON.parse(provider.sample(source, Date.now()).body) as { data?: { issue?: Record<string, unknown> } };
  }
  return sentrySample;
}

// ---------- server process (`bench.js --serve bare|receiver|core CONFIG DATADIR`) ----------

async function serve(kind: string, configPath: string, dataDir: string): Promise<void> {
  // CPU accounting for the measured run only: the parent sends SIGUSR2 after its warm-up, SIGTERM at the end.
  let base = process.cpuUsage();
  process.on('SIGUSR2', () => (base = process.cpuUsage()));
  let inbox: Inbox | null = null;
  let baseStats = { syncs: 0, syncMs: 0, batched: 0 };
  process.on('SIGUSR2', () => {
    if (inbox) baseStats = inbox.stats();
  });
  const report = (): void => {
    const c = process.cpuUsage(base);
    const st = inbox?.stats();
    const syncs = st ? st.syncs - baseStats.syncs : 0;
    const store =
      st && syncs > 0
        ? { syncs, msPerSync: (st.syncMs - baseStats.syncMs) / syncs, perBatch: (st.batched - baseStats.batched) / syncs }
        : null;
    process.stdout.write(`${JSON.stringify({ cpuUs: c.user + c.system, store })}\n`);
  };
  if (kind === 'bare') {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = 204;
        res.end();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      process.stdout.write(`${JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 })}\n`);
    });
    process.on('SIGTERM', () => {
      report();
      process.exit(0);
    });
    return;
  }
  const settings = parseSettings(JSON.parse(readFileSync(configPath, 'utf8')));
  if (kind === 'receiver') {
    // The receiver alone, as the core builds it (request log included), with an ingest that stores nothing:
    // what a hook costs before the inbox, the store and the output.
    const receiver = new Receiver({
      getSource: (id) => settings.sources.find((s) => s.id === id),
      onEvent: async () => undefined,
      log: new RequestLog(DEFAULT_REQUEST_LOG_SIZE, allSecretHeaders()),
      onRecord: () => undefined,
    });
    const port = await receiver.listen(0);
    process.stdout.write(`${JSON.stringify({ port })}\n`);
    process.on('SIGTERM', () => {
      report();
      void receiver.close().then(() => process.exit(0));
    });
    return;
  }
  const core = await CrashbellCore.open({ settings: new MemorySettingsStore(settings), dataDir, port: 0 });
  inbox = core.inbox;
  process.stdout.write(`${JSON.stringify({ port: core.port })}\n`);
  process.on('SIGTERM', () => {
    report();
    void core.stop().then(() => process.exit(0));
  });
}

interface Server {
  child: ChildProcess;
  port: number;
  /** The next JSON line the server prints (its CPU report at the end). */
  nextLine: () => Promise<Record<string, unknown>>;
}

function spawnServer(kind: 'bare' | 'core', configPath: string, dataDir: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--serve', kind, configPath, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const rl = createInterface({ input: child.stdout! });
    const queued: string[] = [];
    const waiting: Array<(line: string) => void> = [];
    rl.on('line', (line) => {
      const w = waiting.shift();
      if (w) w(line);
      else queued.push(line);
    });
    const nextLine = (): Promise<Record<string, unknown>> =>
      new Promise((res) => {
        const l = queued.shift();
        if (l !== undefined) res(JSON.parse(l) as Record<string, unknown>);
        else waiting.push((x) => res(JSON.parse(x) as Record<string, unknown>));
      });
    child.once('exit', (code) => reject(new Error(`the ${kind} server exited (${code})`)));
    nextLine().then((first) => resolve({ child, port: Number(first.port), nextLine }), reject);
  });
}

interface ServerReport {
  /** CPU (µs) the server spent since the warm-up. */
  cpuUs: number;
  /** Group commit since the warm-up: fsyncs, ms per write+fsync, records per batch. */
  store: { syncs: number; msPerSync: number; perBatch: number } | null;
}

/** Stops a server and returns what it reports about itself since the warm-up. */
async function stopServer(server: Server): Promise<ServerReport> {
  const report = server.nextLine();
  await stopChild(server.child);
  const r = await Promise.race([report, new Promise<Record<string, unknown>>((res) => setTimeout(() => res({}), 2000))]);
  return {
    cpuUs: typeof r.cpuUs === 'number' ? r.cpuUs : NaN,
    store: (r.store as ServerReport['store'] | undefined) ?? null,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function load(
  url: string,
  make: () => { headers: Record<string, string>; body: string },
  afterWarmUp: () => void,
  seconds = DURATION_S,
): Promise<LoadResult> {
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
  await run(1); // warm-up: JIT, first fsyncs, sockets
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

async function httpSection(rows: Row[], work: string, configPath: string, sources: BenchSources, log: (s: string) => void): Promise<void> {
  log(`HTTP: ${CONNECTIONS} connections, ${DURATION_S} s per run…`);
  const bare = await spawnServer('bare', configPath, join(work, 'bare'));
  const bareResult = await load(
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

  for (const kind of ['backtrace', 'errorception', 'sentry'] as const) {
    const core = await spawnServer('core', configPath, join(work, `core-${kind}`));
    const url = `http://127.0.0.1:${core.port}/hooks/${sources[kind].id}`;
    const r = await load(
      url,
      () => requestFor(kind, sources, counter++),
      () => core.child.kill('SIGUSR2'),
    );
    const report = await stopServer(core);
    const cpu = report.cpuUs / r.total;
    const ratio = r.rps / bareResult.rps;
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
}

// ---------- instructions per hook (callgrind) ----------

/**
 * Requests sent uncounted before callgrind counts, and requests counted in windows of equal size
 * (BENCH_CALLGRIND_WARMUP, BENCH_CALLGRIND_REQUESTS, BENCH_CALLGRIND_WINDOWS). Measured here: after 1,000 or
 * 5,000 warm-up hooks a quarter to a half of the counted instructions were still TurboFan compiling; after
 * 10,000 under a twentieth. Windows of 500 hooks: most cost about the same, and one in eight or so holds a
 * store compaction or a major GC and costs over twice as much. So the typical hook is the median window,
 * and the mean over all windows is the whole cost with compactions and GC spread over the hooks; the
 * target is judged on the mean. Run to run, bare and the receiver alone agree to a few percent (fit for
 * before/after); headless medians swung by a fifth and means by about 8%, so compare several runs.
 */
const CALLGRIND_WARM_UP = Number(process.env.BENCH_CALLGRIND_WARMUP ?? 10_000);
const CALLGRIND_MEASURED = Number(process.env.BENCH_CALLGRIND_REQUESTS ?? 6000);
const CALLGRIND_WINDOWS = Number(process.env.BENCH_CALLGRIND_WINDOWS ?? 12);

async function callgrindSection(
  rows: Row[],
  work: string,
  configPath: string,
  sources: BenchSources,
  log: (s: string) => void,
): Promise<void> {
  const missing = callgrindMissing();
  if (missing) {
    log(`Callgrind: ${missing}; skipping that part.`);
    rows.push({ what: 'instructions per hook (callgrind)', value: 'skipped: valgrind not installed', target: '', pass: null });
    return;
  }
  log(
    `Callgrind: ${CALLGRIND_WARM_UP} warm-up + ${CALLGRIND_MEASURED} counted requests in ${CALLGRIND_WINDOWS} windows, ${CONNECTIONS} connections, per server…`,
  );
  // The same requests, in the same order, to every server: the bare one reads each body and answers 204.
  const load: CallgrindLoad = {
    make: (i) => requestFor('backtrace', sources, i),
    warmUp: CALLGRIND_WARM_UP,
    measured: CALLGRIND_MEASURED,
    windows: CALLGRIND_WINDOWS,
    connections: CONNECTIONS,
  };
  const keep = ONLY.has('keep');
  const portLine = (key: string) => (line: string) => {
    try {
      const msg = JSON.parse(line) as Record<string, unknown>;
      return (key === '' || msg.type === key) && typeof msg.port === 'number' ? msg.port : null;
    } catch {
      return null;
    }
  };
  const serveArgs = (kind: string): string[] => [SELF, '--serve', kind, configPath, join(work, `cg-${kind}`)];
  const hook = `/hooks/${sources.backtrace.id}`;
  const targets = [
    { label: 'bare node:http', nodeArgs: serveArgs('bare'), portFrom: portLine(''), path: hook },
    { label: 'receiver alone', nodeArgs: serveArgs('receiver'), portFrom: portLine(''), path: hook },
    {
      label: 'headless --json',
      nodeArgs: [HEADLESS, '--config', configPath, '--port', '0', '--data-dir', join(work, 'cg-headless'), '--json'],
      portFrom: portLine('listening'),
      path: hook,
    },
  ];
  // BENCH_CALLGRIND_TARGETS=receiver (or any of bare,receiver,headless) measures only those, to compare a change quickly.
  const wanted = new Set((process.env.BENCH_CALLGRIND_TARGETS ?? 'bare,receiver,headless').split(','));
  const measure = async (i: number, name: string): Promise<CallgrindResult | null> => {
    if (!wanted.has(name)) return null;
    const r = await measureInstructions(targets[i]!, load, work, keep);
    log(`Callgrind windows, ${targets[i]!.label}: ${r.windows.map((w) => fmt(w)).join(', ')}`);
    return r;
  };
  const bare = await measure(0, 'bare');
  const receiver = await measure(1, 'receiver');
  const headless = await measure(2, 'headless');
  const broken = (r: CallgrindResult): string => (r.non2xx > 0 || r.errors > 0 ? ` [${r.non2xx} non-2xx, ${r.errors} errors]` : '');
  const typical = (r: CallgrindResult): number => median(r.windows);
  const both = (r: CallgrindResult): string => `${fmt(typical(r))} / ${fmt(r.perRequest)}${broken(r)}`;
  if (bare)
    rows.push({ what: 'bare node:http 204: instructions per request (median / mean)', value: both(bare), target: 'baseline', pass: null });
  if (receiver) {
    rows.push({ what: 'backtrace, receiver alone (no store): instructions per hook', value: both(receiver), target: 'info', pass: null });
  }
  if (headless) rows.push({ what: 'backtrace, headless --json: instructions per hook', value: both(headless), target: 'info', pass: null });
  if (!bare || !headless) return;
  const ratio = headless.perRequest / bare.perRequest;
  rows.push({
    what: 'backtrace instructions per hook vs bare (median / mean)',
    value: `${fmt(typical(headless) / typical(bare), 2)} / ${fmt(ratio, 2)}`,
    target: '≤ 5.00',
    pass: broken(headless) === '' && broken(bare) === '' && ratio <= 5,
  });
}

// ---------- inbox figures ----------

function benchEvent(sourceId: string, i: number, groups: number): NormalizedEvent {
  const body = JSON.parse(backtraceBody(i, groups)) as Record<string, unknown>;
  const fp = String(body.fingerprint);
  return {
    id: randomUUID(),
    provider: 'backtrace',
    receivedAt: new Date().toISOString(),
    sourceId,
    ...blankEvent({
      groupKey: fp,
      title: `my_fn_${i % groups}`,
      description: `printf ← my_fn_${i % groups} ← main`,
      url: String(body.group_url),
      occurrences: Number(body.occurrences),
      hosts: 4,
      guids: 0,
      firstSeen: new Date(Date.now() - 3_600_000).toISOString(),
      lastSeen: new Date().toISOString(),
      classifiers: ['exception'],
      attributes: body.attributes as NormalizedEvent['attributes'],
      callstack: body.callstack as string[],
      application: 'my_app.exe',
      project: 'my_project',
      environment: 'production',
      objectId: String(body.object_id),
      redelivery: { key: `${String(body.object_id)}:${String(body.occurrences)}`, windowMs: null },
      raw: body,
    }),
  };
}

/** Fills a data dir with `n` distinct groups through the inbox itself (batched, so it is quick). */
async function seed(dataDir: string, settings: Settings, sourceId: string, n: number): Promise<void> {
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Spawns the built headless process on a data dir; resolves at its `listening` line. */
function startHeadless(
  configPath: string,
  dataDir: string,
): Promise<{ child: ChildProcess; ms: number; listening: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [HEADLESS, '--config', configPath, '--port', '0', '--data-dir', dataDir, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // No tunnel with a developer's token: start-up is measured without ngrok.
      env: { ...process.env, NGROK_AUTHTOKEN: '' },
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (msg.type === 'listening') {
        resolve({ child, ms: Number(process.hrtime.bigint() - t0) / 1e6, listening: msg });
      }
    });
    child.once('exit', (code) => reject(new Error(`headless exited (${code}) before listening: ${err.trim().slice(0, 500)}`)));
  });
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

// ---------- the team relay ----------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A nats-server with JetStream in `dir`, ready to use. */
function startNats(port: number, dir: string): Promise<ChildProcess> {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'server.conf');
  writeFileSync(conf, `listen: 127.0.0.1:${port}\njetstream { store_dir: "${join(dir, 'store')}", max_file_store: 8G }\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('Server is ready')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${out.slice(-500)}`)));
  });
}

/** A headless process with its stdout lines timestamped as they arrive. */
function spawnHeadless(
  configPath: string,
  dataDir: string,
): {
  child: ChildProcess;
  lines: Array<{ at: number; msg: Record<string, unknown> }>;
  wait: (p: (m: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;
} {
  const child = spawn(process.execPath, [HEADLESS, '--config', configPath, '--port', '0', '--data-dir', dataDir, '--json'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines: Array<{ at: number; msg: Record<string, unknown> }> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push({ at: performance.now(), msg: JSON.parse(line) as Record<string, unknown> });
    } catch {
      return;
    }
    for (const w of waiters.splice(0)) w();
  });
  const wait = async (p: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
    for (;;) {
      const hit = lines.find((l) => p(l.msg));
      if (hit) return hit.msg;
      if (child.exitCode !== null) throw new Error('headless exited');
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { child, lines, wait };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** Posts one Backtrace hook to a port; resolves with its status. */
async function postHook(port: number, sources: BenchSources, i: number): Promise<number> {
  const { headers, body } = requestFor('backtrace', sources, i);
  const r = await fetch(`http://127.0.0.1:${port}/hooks/${String(sources.backtrace.id)}`, { method: 'POST', headers, body });
  await r.arrayBuffer();
  return r.status;
}

async function relaySection(rows: Row[], work: string, sources: BenchSources, say: (s: string) => void): Promise<void> {
  // Without nats-server the relay part is skipped, as callgrind's is without valgrind; the parts after it run.
  const probe = spawnSync('nats-server', ['--version'], { stdio: 'ignore', timeout: 10_000 });
  if (probe.error || probe.status !== 0) {
    say(
      'Relay: nats-server not found: install it (Debian/Ubuntu: sudo apt-get install nats-server) to measure the team relay; skipping that part.',
    );
    rows.push({ what: 'team relay (JetStream)', value: 'skipped: nats-server not installed', target: '', pass: null });
    return;
  }
  const started = performance.now();
  const log = (m: string): void => say(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${m}`);
  const N = 2000;
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const natsDir = join(work, 'nats');
  let nats = await startNats(port, natsDir);
  const nc = await connect({ servers: url });
  try {
    // 1. Bare JetStream: publish with a msg id and wait for the ack, one at a time, consumed by an ordered consumer.
    log(`Relay: bare JetStream publish-and-consume, ${N} messages…`);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'BARE', subjects: ['bare.>'], max_bytes: 512 * 1024 * 1024, duplicate_window: 86_400_000_000_000 });
    const js = jetstream(nc);
    const payload = new TextEncoder().encode(JSON.stringify({ body: backtraceBody(0), pad: 'x'.repeat(1500) }));
    const sentAt = new Map<number, number>();
    const lag: number[] = [];
    const consumer = await js.consumers.get('BARE', { opt_start_seq: 1 });
    const messages = await consumer.consume({ max_messages: 256 });
    let seen = 0;
    const consumed = (async () => {
      for await (const m of messages) {
        // A fresh stream: message i is stored at sequence i + 1 (its send time is noted before it goes out).
        const t = sentAt.get(m.seq);
        if (t !== undefined) lag.push(performance.now() - t);
        if (++seen >= N) break;
      }
    })();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      sentAt.set(i + 1, performance.now());
      await js.publish('bare.x', payload, { msgID: `bench-${i}`, expect: { streamName: 'BARE' } });
    }
    const bareMs = performance.now() - t0;
    await consumed;
    rows.push({
      what: 'bare JetStream publish+ack, one in flight (msg/s)',
      value: fmt(N / (bareMs / 1000)),
      target: 'baseline',
      pass: null,
    });
    rows.push({
      what: 'bare JetStream publish → consumed: p50 / p99 (ms)',
      value: `${fmt(percentile(lag, 50), 2)} / ${fmt(percentile(lag, 99), 2)}`,
      target: 'baseline',
      pass: null,
    });

    // 2. Gateway forward throughput: hooks accepted while NATS is away, then the outbox drained.
    log(`Relay: gateway forward throughput, ${N} hooks accepted while NATS is down…`);
    const relay = { servers: [url], publish: true, subscribe: false, stream: 'CRASHBELL', maxBytes: 512 * 1024 * 1024 };
    const gwConfig = join(work, 'gateway.json');
    writeFileSync(
      gwConfig,
      JSON.stringify({ port: 0, sources: [sources.backtrace], retention: { maxGroups: 100_000, maxDays: 90 }, relay }),
    );
    await stopChild(nats);
    const gateway = spawnHeadless(gwConfig, join(work, 'gateway-data'));
    const gwPort = Number((await gateway.wait((m) => m.type === 'listening')).port);
    for (let i = 0; i < N; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => postHook(gwPort, sources, 100_000 + i + k)));
    }
    log('Relay: hooks accepted; NATS starts again');
    nats = await startNats(port, natsDir);
    await gateway.wait((m) => m.type === 'relay' && m.status === 'connected');
    log('Relay: the gateway is connected');
    const connectedAt = gateway.lines.find((l) => l.msg.type === 'relay' && l.msg.status === 'connected')?.at ?? performance.now();
    const nc2 = await connect({ servers: url });
    const jsm2 = await jetstreamManager(nc2);
    let forwardedAt = NaN;
    for (;;) {
      const info = await jsm2.streams.info('CRASHBELL').catch(() => null);
      if (info && info.state.messages >= N) {
        forwardedAt = performance.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const fwdMs = forwardedAt - connectedAt;
    rows.push({
      what: `gateway forward throughput, ${N} queued hooks (hooks/s)`,
      value: fmt(N / (fwdMs / 1000)),
      target: 'info',
      pass: null,
    });

    // 3. Lag from a hook's 2xx at the gateway to its event ingested by a subscriber (two processes).
    const M = 300;
    log(`Relay: lag from 2xx to ingested by a subscriber, ${M} hooks at ~50/s…`);
    const subConfig = join(work, 'member.json');
    writeFileSync(subConfig, JSON.stringify({ port: 0, sources: [], relay: { ...relay, publish: false, subscribe: true } }));
    const member = spawnHeadless(subConfig, join(work, 'member-data'));
    await member.wait((m) => m.type === 'caught-up' && Number(m.events) >= N);
    log('Relay: the subscriber caught up');
    const acked = new Map<string, number>();
    for (let i = 0; i < M; i++) {
      const n = 200_000 + i;
      const status = await postHook(gwPort, sources, n);
      if (status === 200)
        acked.set(
          createHash('sha256')
            .update(`bench-${n % 2000}`)
            .digest('hex'),
          performance.now(),
        );
      await new Promise((r) => setTimeout(r, 20));
    }
    await member.wait(() => member.lines.filter((l) => l.msg.type === 'received').length >= N + M);
    const lags: number[] = [];
    const phase = member.lines.filter((l) => l.msg.type === 'received').slice(N);
    for (const l of phase) {
      const t = acked.get(String(l.msg.groupKey));
      // The forwarder publishes once the hook is on disk, racing the 2xx back to the sender: the member can
      // have it before the sender has its answer (counted as 0).
      if (t !== undefined) lags.push(Math.max(0, l.at - t));
    }
    rows.push({
      what: `relay lag, 2xx at gateway → ingested by subscriber: p50 / p99 (ms, ${lags.length} hooks)`,
      value: `${fmt(percentile(lags, 50), 1)} / ${fmt(percentile(lags, 99), 1)}`,
      target: 'info',
      pass: null,
    });
    await nc2.close();
    await stopChild(member.child);
    await stopChild(gateway.child);
  } finally {
    await nc.close().catch(() => undefined);
    await stopChild(nats);
  }
}

// ---------- report ----------

interface Row {
  what: string;
  value: string;
  target: string;
  pass: boolean | null;
}

function table(rows: Row[]): string {
  const head = ['Measure', 'Value', 'Target', 'Result'];
  const cells = rows.map((r) => [r.what, r.value, r.target, r.pass === null ? '-' : r.pass ? 'PASS' : 'MISS']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]): string => `| ${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

const fmt = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'crashbell-bench-'));
  const rows: Row[] = [];
  const sources = makeSources();
  const settings = settingsFor(sources);
  const configPath = join(work, 'config.json');
  // Retention above the biggest seeded history, so headless keeps all 50,000 groups it is measured with.
  writeFileSync(
    configPath,
    JSON.stringify({
      port: 0,
      sources: [sources.backtrace, sources.errorception, sources.sentry],
      retention: { maxGroups: 100_000, maxDays: 90 },
    }),
  );
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  // Interrupted: the temp dir goes too (children started under callgrind are killed on exit).
  const interrupted = (): void => {
    if (!ONLY.has('keep')) rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // 1. HTTP: bare node:http and the whole path, same run, same load.
    if (ONLY.has('http')) await httpSection(rows, work, configPath, sources, log);
    // 5. Instructions per hook, next to the req/s ratio: the build is checked first (headless is measured).
    if (ONLY.has('callgrind')) {
      if (!existsSync(HEADLESS)) throw new Error(`no headless build at ${HEADLESS}`);
      await callgrindSection(rows, work, configPath, sources, log);
    }

    // Histories of 500 and 50,000 groups, for the RSS and per-event cost figures.
    const sourceId = String(sources.backtrace.id);
    const small = join(work, 'inbox-500');
    const large = join(work, 'inbox-50000');
    if (ONLY.has('inbox') || ONLY.has('rss')) {
      log('Inbox: seeding 500 and 50,000 groups…');
      await seed(small, settings, sourceId, 500);
      await seed(large, settings, sourceId, 50_000);
    }
    // 2. RSS of the built headless process with exactly the 50,000 seeded groups (before the cost runs add more).
    if (!existsSync(HEADLESS)) throw new Error(`no headless build at ${HEADLESS}`);
    if (ONLY.has('rss')) {
      log('Headless: RSS with 50,000 groups…');
      const h = await startHeadless(configPath, large);
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
    // 3. Per-event cost with 50,000 stored groups against 500.
    if (ONLY.has('inbox')) {
      const costs: { small: PerEvent[]; large: PerEvent[] } = { small: [], large: [] };
      for (let round = 0; round < 3; round++) {
        costs.small.push(await perEventCost(small, settings, sourceId, 500, 2000, round));
        costs.large.push(await perEventCost(large, settings, sourceId, 50_000, 2000, round));
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
        value: await listTimes(large, settings),
        target: 'info',
        pass: null,
      });
    }

    // 5. The team relay (needs nats-server on PATH).
    if (ONLY.has('relay')) await relaySection(rows, work, sources, log);

    // 4. Start-up of the built headless process.
    if (ONLY.has('keep')) log(`Keeping seeded data in ${work}`);
    if (ONLY.has('startup')) {
      log('Headless: start-up with 5,000 groups…');
      const dir = join(work, 'startup-5000');
      await seed(dir, settings, sourceId, 5000);
      const times: number[] = [];
      let groups = 0;
      for (let i = 0; i < 5; i++) {
        const h = await startHeadless(configPath, dir);
        times.push(h.ms);
        groups = Number(h.listening.groups);
        await stopChild(h.child);
      }
      const empty = join(work, 'startup-empty');
      const emptyTimes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const h = await startHeadless(configPath, empty);
        emptyTimes.push(h.ms);
        await stopChild(h.child);
      }
      rows.push({ what: 'headless start-up, empty data dir (ms, median)', value: fmt(median(emptyTimes)), target: 'info', pass: null });
      rows.push({
        what: `headless start-up, ${groups} groups (ms, median of 5)`,
        value: fmt(median(times)),
        target: '< 300 ms',
        pass: median(times) < 300 && groups === 5000,
      });
    }
  } finally {
    process.stdout.write(
      `\nCrashbell bench (${new Date().toISOString()}, Node ${process.version}, ${CONNECTIONS} connections, loopback)\n\n`,
    );
    process.stdout.write(`${table(rows)}\n`);
    if (!ONLY.has('keep')) rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--inbox-memory') {
  // Diagnostics: memory of the inbox alone holding a data dir (`bench.js --inbox-memory DIR`).
  void (async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage();
    const t0 = performance.now();
    const s = parseSettings({ retention: { maxGroups: 1_000_000, maxDays: 3650 } });
    const inbox = await openInbox({ dataDir: process.argv[3] ?? '.', getSettings: () => s });
    const loadMs = performance.now() - t0;
    gc?.();
    const after = process.memoryUsage();
    const mb = (n: number): string => (n / 1048576).toFixed(1);
    process.stdout.write(
      `${inbox.counts().groups} groups, load ${loadMs.toFixed(0)} ms; heapUsed ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB; rss ${mb(before.rss)} → ${mb(after.rss)} MB\n`,
    );
    await inbox.close();
  })();
} else if (process.argv[2] === '--ingest-loop') {
  // Diagnostics: the ingest path alone (pipeline, store, a received line per event), no HTTP, for a CPU profile
  // (`node --cpu-prof bench.js --ingest-loop 30000`).
  void (async () => {
    const n = Number(process.argv[3] ?? 30_000);
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
  })();
} else if (process.argv[2] === '--serve') {
  void serve(process.argv[3] ?? 'bare', process.argv[4] ?? '', process.argv[5] ?? '');
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
