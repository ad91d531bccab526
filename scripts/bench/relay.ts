/**
 * Part 6, the team relay over a real nats-server: a bare JetStream publish-and-consume (one in flight, like the
 * forwarder), a gateway's forward throughput (its outbox drained into the stream), and the lag from a hook's 2xx
 * at a gateway to the event ingested by a subscriber (both built headless processes), p50/p99. Skipped, saying how
 * to get it, without nats-server on PATH.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type BenchSources, backtraceBody, benchFingerprint, requestFor } from './hooks';
import { spawnHeadless, stopChild, type WatchedHeadless } from './processes';
import { fmt, percentile, type Row } from './report';

/** Hooks (and bare messages) per throughput run. */
const N = 2000;
/** Hooks whose lag is measured, one every 20 ms. */
const M = 300;

/** One relay run: its nats-server (restarted by the forward part), where it listens, and the report. */
interface RelayRun {
  rows: Row[];
  work: string;
  sources: BenchSources;
  log: (m: string) => void;
  port: number;
  url: string;
  natsDir: string;
  nats: ChildProcess;
  /** The relay settings of the gateway; the subscriber's are the same turned around. */
  relay: { servers: string[]; publish: boolean; subscribe: boolean; stream: string; maxBytes: number };
}

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

/** Posts one Backtrace hook to a port; resolves with its status. */
async function postHook(port: number, sources: BenchSources, i: number): Promise<number> {
  const { headers, body } = requestFor('backtrace', sources, i);
  const r = await fetch(`http://127.0.0.1:${port}/hooks/${String(sources.backtrace.id)}`, { method: 'POST', headers, body });
  await r.arrayBuffer();
  return r.status;
}

/** 1. Bare JetStream: publish with a msg id and wait for the ack, one at a time, consumed by an ordered consumer. */
async function bareJetStream(run: RelayRun, nc: NatsConnection): Promise<void> {
  run.log(`Relay: bare JetStream publish-and-consume, ${N} messages…`);
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
  run.rows.push({
    what: 'bare JetStream publish+ack, one in flight (msg/s)',
    value: fmt(N / (bareMs / 1000)),
    target: 'baseline',
    pass: null,
  });
  run.rows.push({
    what: 'bare JetStream publish → consumed: p50 / p99 (ms)',
    value: `${fmt(percentile(lag, 50), 2)} / ${fmt(percentile(lag, 99), 2)}`,
    target: 'baseline',
    pass: null,
  });
}

/** 2. Gateway forward throughput: hooks accepted while NATS is away, then the outbox drained. Returns the gateway. */
async function gatewayForward(run: RelayRun): Promise<{ gateway: WatchedHeadless; port: number }> {
  run.log(`Relay: gateway forward throughput, ${N} hooks accepted while NATS is down…`);
  const gwConfig = join(run.work, 'gateway.json');
  const config = { port: 0, sources: [run.sources.backtrace], retention: { maxGroups: 100_000, maxDays: 90 }, relay: run.relay };
  writeFileSync(gwConfig, JSON.stringify(config));
  await stopChild(run.nats);
  const gateway = spawnHeadless(gwConfig, join(run.work, 'gateway-data'));
  const port = Number((await gateway.wait((m) => m.type === 'listening')).port);
  for (let i = 0; i < N; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, k) => postHook(port, run.sources, 100_000 + i + k)));
  }
  run.log('Relay: hooks accepted; NATS starts again');
  run.nats = await startNats(run.port, run.natsDir);
  await gateway.wait((m) => m.type === 'relay' && m.status === 'connected');
  run.log('Relay: the gateway is connected');
  const connectedAt = gateway.lines.find((l) => l.msg.type === 'relay' && l.msg.status === 'connected')?.at ?? performance.now();
  const nc = await connect({ servers: run.url });
  const jsm = await jetstreamManager(nc);
  let forwardedAt = NaN;
  for (;;) {
    const info = await jsm.streams.info('CRASHBELL').catch(() => null);
    if (info && info.state.messages >= N) {
      forwardedAt = performance.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await nc.close();
  run.rows.push({
    what: `gateway forward throughput, ${N} queued hooks (hooks/s)`,
    value: fmt(N / ((forwardedAt - connectedAt) / 1000)),
    target: 'info',
    pass: null,
  });
  return { gateway, port };
}

/** 3. Lag from a hook's 2xx at the gateway to its event ingested by a subscriber (two processes). */
async function relayLag(run: RelayRun, gwPort: number): Promise<WatchedHeadless> {
  run.log(`Relay: lag from 2xx to ingested by a subscriber, ${M} hooks at ~50/s…`);
  const subConfig = join(run.work, 'member.json');
  writeFileSync(subConfig, JSON.stringify({ port: 0, sources: [], relay: { ...run.relay, publish: false, subscribe: true } }));
  const member = spawnHeadless(subConfig, join(run.work, 'member-data'));
  await member.wait((m) => m.type === 'caught-up' && Number(m.events) >= N);
  run.log('Relay: the subscriber caught up');
  const acked = new Map<string, number>();
  for (let i = 0; i < M; i++) {
    const n = 200_000 + i;
    const status = await postHook(gwPort, run.sources, n);
    if (status === 200) acked.set(benchFingerprint(n), performance.now());
    await new Promise((r) => setTimeout(r, 20));
  }
  await member.wait(() => member.lines.filter((l) => l.msg.type === 'received').length >= N + M);
  const lags: number[] = [];
  for (const l of member.lines.filter((x) => x.msg.type === 'received').slice(N)) {
    const t = acked.get(String(l.msg.groupKey));
    // The forwarder publishes once the hook is on disk, racing the 2xx back to the sender: the member can
    // have it before the sender has its answer (counted as 0).
    if (t !== undefined) lags.push(Math.max(0, l.at - t));
  }
  run.rows.push({
    what: `relay lag, 2xx at gateway → ingested by subscriber: p50 / p99 (ms, ${lags.length} hooks)`,
    value: `${fmt(percentile(lags, 50), 1)} / ${fmt(percentile(lags, 99), 1)}`,
    target: 'info',
    pass: null,
  });
  return member;
}

/** Part 6: the three relay figures, on one nats-server in the work dir. */
export async function relaySection(rows: Row[], work: string, sources: BenchSources, say: (s: string) => void): Promise<void> {
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
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const natsDir = join(work, 'nats');
  const relay = { servers: [url], publish: true, subscribe: false, stream: 'CRASHBELL', maxBytes: 512 * 1024 * 1024 };
  const run: RelayRun = { rows, work, sources, log, port, url, natsDir, nats: await startNats(port, natsDir), relay };
  const nc = await connect({ servers: url });
  try {
    await bareJetStream(run, nc);
    const { gateway, port: gwPort } = await gatewayForward(run);
    const member = await relayLag(run, gwPort);
    await stopChild(member.child);
    await stopChild(gateway.child);
  } finally {
    await nc.close().catch(() => undefined);
    await stopChild(run.nats);
  }
}
