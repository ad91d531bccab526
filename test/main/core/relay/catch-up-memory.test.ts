/**
 * A member's catch-up in bounded memory: events published straight to the stream (as a gateway would have
 * while the member was away), then the built headless member started; once it caught up, its peak RSS (VmHWM in
 * /proc/<pid>/status) is read, and what it still retains after a full garbage collection (memory-probe.cjs).
 *
 * `npm test` runs 10,000 events over 1,000 groups. CRASHBELL_CATCH_UP_EVENTS=100000 runs the case (a few
 * minutes); its numbers are printed either way.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { encodeEvent, msgIdFor, subjectFor } from '../../../../main/core/relay/envelope';
import { streamConfig } from '../../../../main/core/relay/stream';
import { backtraceEvent } from '../../../helpers/make-event';
import { NatsServer, natsServerFor } from '../../../helpers/nats-server';
import { ROOT } from '../../../helpers/paths';

const entry = inject('headlessEntry');
const EVENTS = Number(process.env['CRASHBELL_CATCH_UP_EVENTS'] ?? 10_000);
/** Ten events a group in `npm test`; a storm of one error in many groups is what a long absence brings. */
const GROUPS = Math.min(EVENTS, Number(process.env['CRASHBELL_CATCH_UP_GROUPS'] ?? 1_000));
const MIB = 1024 * 1024;

/** The bound: a catch-up of 100,000 events peaked at 527 MB; it must stay under 300 MB at the default heap. */
const PEAK_RSS_MIB = 300;
/**
 * What a member may still hold after reading the backlog, beyond what an idle member holds: its own state (the
 * groups, at most 5,000 kept by retention, their index and caches, the code compiled on the way: 6.5 MiB after
 * 10,000 events in 1,000 groups, 10.5 MiB after 20,000 in 20,000), and nothing per message. A member that kept
 * every message it read (each wait for the next message raced against one long-lived promise) held about
 * 3.5 KiB more per event: 35 MiB more after 10,000, 68 MiB after 20,000.
 */
const RETAINED_STATE_BYTES = 8 * MIB;
const RETAINED_PER_EVENT_BYTES = 1024;

/** Peak and current resident set of a process, in MiB. */
function memoryOf(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(/(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(field)) ?? '')?.[1] ?? NaN);
  return { hwm: kib('VmHWM:') / 1024, rss: kib('VmRSS:') / 1024 };
}

interface Probe {
  heapUsed: number;
  arrayBuffers: number;
}

/** A headless member with the memory probe, its `caught-up` lines and probe answers. */
function startMember(dir: string, url: string) {
  const config = join(dir, 'member.json');
  writeFileSync(config, JSON.stringify({ sources: [], relay: { servers: [url], subscribe: true, member: 'ana' } }));
  const probe = join(ROOT, 'test', 'helpers', 'memory-probe.cjs');
  const child = spawn(process.execPath, ['-r', probe, entry, '--config', config, '--data-dir', join(dir, 'data'), '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let received = 0;
  let stdoutTail = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  const caughtUp: number[] = [];
  const probes: Probe[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    const lines = (stdoutTail + d).split('\n');
    stdoutTail = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{"type":"received"')) received++;
      else if (line.startsWith('{"type":"caught-up"')) caughtUp.push((JSON.parse(line) as { events: number }).events);
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const m of d.matchAll(/crashbell-memory-probe (\{.*\})/g)) probes.push(JSON.parse(m[1]!) as Probe);
    for (const w of waiters.splice(0)) w();
  });
  const until = <T>(found: () => T | undefined): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const v = found();
        if (v !== undefined) resolve(v);
        else if (child.exitCode !== null || child.signalCode !== null) reject(new Error(`the member exited: ${stderr.slice(-3000)}`));
        else waiters.push(check);
      };
      check();
    });
  return {
    child,
    received: () => received,
    caughtUp: () => until(() => caughtUp[0]),
    /** What the member retains after a full collection, in bytes. */
    retained: async (): Promise<number> => {
      const before = probes.length;
      child.kill('SIGUSR2');
      const p = await until(() => probes[before]);
      return p.heapUsed + p.arrayBuffers;
    },
  };
}

const NATS = natsServerFor('the catch-up memory suite (catch-up-memory.test.ts)');

describe.skipIf(!NATS || process.platform !== 'linux')('a member catching up on a large backlog', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it(`reads ${EVENTS} events under ${PEAK_RSS_MIB} MiB of peak RSS, and keeps none of them in memory`, async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.destroy());
    const nc = await connect({ servers: nats.url });
    cleanups.push(() => nc.close());
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(streamConfig({ name: 'CRASHBELL', maxAgeDays: 7, maxBytes: 1024 * MIB, replicas: 1 }));
    const dir = mkdtempSync(join(tmpdir(), 'crashbell-catch-up-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

    // An idle member first: what it retains with nothing read is the baseline.
    const idle = startMember(dir, nats.url);
    cleanups.push(() => void idle.child.kill('SIGKILL'));
    expect(await idle.caughtUp()).toBe(0);
    const baseline = await idle.retained();
    idle.child.kill('SIGTERM');
    await new Promise((r) => idle.child.once('exit', r));

    // The team's backlog, published as another gateway would have while this member was away.
    const js = jetstream(nc);
    const source = { id: 'bt-source-0000000001', provider: 'backtrace', name: 'Game' } as const;
    let next = 0;
    const publisher = async (): Promise<void> => {
      while (next < EVENTS) {
        const i = next++;
        const g = i % GROUPS;
        const { raw, ...event } = backtraceEvent({
          body: { fingerprint: `fp-${g}`, object_id: `o-${i}`, occurrences: i + 1, callstack: ['crash', `fn_${g}`, 'main'] },
        });
        await js.publish(subjectFor(source.id), encodeEvent('another-gateway', source, event, JSON.stringify(raw)), {
          msgID: msgIdFor(event),
        });
      }
    };
    await Promise.all(Array.from({ length: 64 }, publisher));
    expect((await jsm.streams.info('CRASHBELL')).state.messages).toBe(EVENTS);

    const member = startMember(dir, nats.url);
    cleanups.push(() => void member.child.kill('SIGKILL'));
    const started = Date.now();
    expect(await member.caughtUp()).toBe(EVENTS);
    const took = Date.now() - started;
    const { hwm, rss } = memoryOf(member.child.pid!);
    const retained = await member.retained();
    console.log(
      `catch-up of ${EVENTS} events: ${took} ms, peak RSS ${hwm.toFixed(0)} MiB, RSS after ${rss.toFixed(0)} MiB; ` +
        `retained after a full GC ${(retained / MIB).toFixed(1)} MiB (idle member: ${(baseline / MIB).toFixed(1)} MiB)`,
    );
    expect(member.received()).toBe(EVENTS);
    expect(hwm).toBeLessThan(PEAK_RSS_MIB);
    expect(retained - baseline).toBeLessThan(RETAINED_STATE_BYTES + EVENTS * RETAINED_PER_EVENT_BYTES);
  }, 600_000);
});
