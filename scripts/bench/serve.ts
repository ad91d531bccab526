/**
 * The server side of the HTTP runs: each server runs in its own process (the bench's entry started again with
 * `--serve bare|receiver|core CONFIG DATADIR`), so the load generator does not share its event loop. It prints its
 * port as one JSON line, counts CPU (and the store's group commit) from the parent's SIGUSR2 after the warm-up, and
 * prints those counts as one more line on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { parseSettings, type Settings } from '../../shared/settings';
import { CrashbellCore } from '../../main/core/core';
import type { Inbox } from '../../main/core/inbox/inbox';
import { allSecretHeaders } from '../../main/core/providers/index';
import { Receiver } from '../../main/core/receiver/receiver';
import { DEFAULT_REQUEST_LOG_SIZE, RequestLog } from '../../main/core/request-log';
import { MemorySettingsStore } from '../../main/core/settings-access';
import { BENCH_ENTRY } from './env';
import { stopChild } from './processes';

/** Prints one JSON line on stdout: how a server talks to the bench. */
function say(message: unknown): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Counts from the warm-up on (the parent's SIGUSR2); returns the report printed at the end. */
function countFromWarmUp(inbox: () => Inbox | null): () => void {
  let base = process.cpuUsage();
  let baseStats = { syncs: 0, syncMs: 0, batched: 0 };
  process.on('SIGUSR2', () => {
    base = process.cpuUsage();
    const current = inbox();
    if (current) baseStats = current.stats();
  });
  return () => {
    const c = process.cpuUsage(base);
    const st = inbox()?.stats();
    const syncs = st ? st.syncs - baseStats.syncs : 0;
    const store =
      st && syncs > 0
        ? { syncs, msPerSync: (st.syncMs - baseStats.syncMs) / syncs, perBatch: (st.batched - baseStats.batched) / syncs }
        : null;
    say({ cpuUs: c.user + c.system, store });
  };
}

/** A bare node:http server that reads each body and answers 204: the floor every figure is compared with. */
function serveBare(report: () => void): void {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 204;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    say({ port: typeof addr === 'object' && addr ? addr.port : 0 });
  });
  process.on('SIGTERM', () => {
    report();
    process.exit(0);
  });
}

/**
 * The receiver alone, as the core builds it (request log included), with an ingest that stores nothing: what a
 * hook costs before the inbox, the store and the output.
 */
async function serveReceiver(settings: Settings, report: () => void): Promise<void> {
  const receiver = new Receiver({
    getSource: (id) => settings.sources.find((s) => s.id === id),
    onEvent: async () => undefined,
    log: new RequestLog(DEFAULT_REQUEST_LOG_SIZE, allSecretHeaders()),
    onRecord: () => undefined,
  });
  const port = await receiver.listen(0);
  say({ port });
  process.on('SIGTERM', () => {
    report();
    void receiver.close().then(() => process.exit(0));
  });
}

/** Runs one server until SIGTERM (`bench.js --serve bare|receiver|core CONFIG DATADIR`). */
export async function serve(kind: string, configPath: string, dataDir: string): Promise<void> {
  let inbox: Inbox | null = null;
  const report = countFromWarmUp(() => inbox);
  if (kind === 'bare') return serveBare(report);
  const settings = parseSettings(JSON.parse(readFileSync(configPath, 'utf8')));
  if (kind === 'receiver') return serveReceiver(settings, report);
  // The whole path: the core as headless runs it, without the output lines.
  const core = await CrashbellCore.open({ settings: new MemorySettingsStore(settings), dataDir, port: 0 });
  inbox = core.inbox;
  say({ port: core.port });
  process.on('SIGTERM', () => {
    report();
    void core.stop().then(() => process.exit(0));
  });
}

/** A server process started by the bench. */
export interface Server {
  child: ChildProcess;
  port: number;
  /** The next JSON line the server prints (its CPU report at the end). */
  nextLine: () => Promise<Record<string, unknown>>;
}

/** Starts a server process; resolves once it has printed its port. */
export function spawnServer(kind: 'bare' | 'core', configPath: string, dataDir: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_ENTRY, '--serve', kind, configPath, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** What a server reports about itself since the warm-up. */
export interface ServerReport {
  /** CPU (µs) the server spent since the warm-up. */
  cpuUs: number;
  /** Group commit since the warm-up: fsyncs, ms per write+fsync, records per batch. */
  store: { syncs: number; msPerSync: number; perBatch: number } | null;
}

/** Stops a server and returns what it reports about itself since the warm-up. */
export async function stopServer(server: Server): Promise<ServerReport> {
  const report = server.nextLine();
  await stopChild(server.child);
  const r = await Promise.race([report, new Promise<Record<string, unknown>>((res) => setTimeout(() => res({}), 2000))]);
  return {
    cpuUs: typeof r.cpuUs === 'number' ? r.cpuUs : NaN,
    store: (r.store as ServerReport['store'] | undefined) ?? null,
  };
}
