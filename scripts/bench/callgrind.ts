/**
 * Instructions per request of a server process, counted by `valgrind --tool=callgrind` (part of
 * `npm run bench`). Wall-clock figures move with the machine's load; instruction counts barely do, so this is
 * the figure to compare before and after a change to the hot path.
 *
 * How a count is taken, and why this way: the server starts under callgrind with `--instr-atstart=no`, so
 * start-up (loading the bundle, opening the store) is not counted at all. A warm-up load runs uncounted
 * (JIT tiers, first fsyncs, keep-alive sockets), then `callgrind_control -i on` turns counting on, the measured load
 * runs, and `callgrind_control -d` dumps the counts of exactly that window; the total divided by the
 * number of requests is the figure. It counts user-space instructions of every thread of the process (the
 * libuv pool's writes and fdatasyncs, V8's compiler and GC threads), not the kernel's. The alternative,
 * subtracting a zero-hook run's total from a full run's, measured start-up and shutdown twice and kept
 * their run-to-run noise; the toggle counts only the window, and repeated runs of the bare server agreed to
 * about 0.5% here.
 * `callgrind_control` talks to the process through valgrind's gdbserver (vgdb), which needs ptrace to wake
 * a process that is idle in epoll_wait: where ptrace is forbidden the toggle fails and the part is skipped
 * with that reason.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

/** What one request of the load looks like; `i` counts from 0 within each run, so runs repeat exactly. */
export type MakeRequest = (i: number) => { headers: Record<string, string>; body: string };

/** One server to measure. */
export interface CallgrindTarget {
  /** For messages: "bare node:http", "headless --json". */
  label: string;
  /** Arguments after `node` (the entry and its options). */
  nodeArgs: string[];
  /** Reads the listening port from one stdout line of the server, or null when the line is not it. */
  portFrom: (line: string) => number | null;
  /** Path the load is sent to, e.g. `/hooks/<source id>`. */
  path: string;
}

/** Load shape shared by every target, so the figures compare. */
export interface CallgrindLoad {
  make: MakeRequest;
  /** Requests sent before counting starts. */
  warmUp: number;
  /** Requests counted, in `windows` windows of equal size (each dumped and counted on its own). */
  measured: number;
  windows: number;
  connections: number;
}

/** What a measured window gave. */
export interface CallgrindResult {
  /** Instructions (Ir) per request over all the measured windows. */
  perRequest: number;
  /** Instructions per request in each window, in order. */
  windows: number[];
  /** Instructions in all the measured windows. */
  total: number;
  /** Answers outside 2xx and transport errors/timeouts over warm-up and measurement together. */
  non2xx: number;
  errors: number;
}

/** Each request may take long under valgrind (tens of times slower), plus a group commit: generous per-request timeout. */
const REQUEST_TIMEOUT_MS = 120_000;
/** Start-up under valgrind loads the whole bundle in an emulated CPU. */
const START_TIMEOUT_MS = 180_000;
/** One whole target (start, warm-up, measurement, dump, stop) may not take longer than this. */
const TARGET_TIMEOUT_MS = 15 * 60_000;
const CONTROL_TIMEOUT_MS = 60_000;

/**
 * Every process started here, so an interrupted bench leaves none behind. SIGTERM, not SIGKILL: the servers
 * stop on it, and valgrind then removes its vgdb FIFOs from the temp dir (a SIGKILL leaves them).
 */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGTERM');
});

/**
 * Null when callgrind can be used here; otherwise why not, with how to get it.
 * The bench installs nothing itself.
 */
export function callgrindMissing(): string | null {
  for (const tool of ['valgrind', 'callgrind_control']) {
    const probe = spawnSync(tool, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    if (probe.error || probe.status !== 0) {
      return `${tool} not found: install valgrind (Debian/Ubuntu: sudo apt-get install valgrind) to measure instructions per hook`;
    }
  }
  return null;
}

/**
 * Starts the target under callgrind (counting off) in a temp dir under `workDir`, loads it, counts the
 * measured window, stops it and removes the temp dir (unless `keep`).
 */
export async function measureInstructions(
  target: CallgrindTarget,
  load: CallgrindLoad,
  workDir: string,
  keep = false,
): Promise<CallgrindResult> {
  // With `keep`, the dump stays for `callgrind_annotate <dir>/callgrind.out.1`.
  const dir = mkdtempSync(join(workDir, 'callgrind-'));
  const outFile = join(dir, 'callgrind.out');
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${outFile}`, process.execPath, ...target.nodeArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  live.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    // Only the tail is worth showing when something fails.
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let deadline: NodeJS.Timeout | undefined;
  try {
    const work = (async (): Promise<CallgrindResult> => {
      const port = await portOf(child, target, () => stderr);
      const client = new KeepAliveLoad(`http://127.0.0.1:${port}${target.path}`, load);
      try {
        const warm = await client.send(0, load.warmUp);
        await control(child, ['-i', 'on']);
        const size = Math.floor(load.measured / load.windows);
        const windows: number[] = [];
        let bad = { non2xx: warm.non2xx, errors: warm.errors };
        for (let w = 0; w < load.windows; w++) {
          const sent = await client.send(load.warmUp + w * size, size);
          bad = { non2xx: bad.non2xx + sent.non2xx, errors: bad.errors + sent.errors };
          // Each dump resets the counters: dump N holds exactly window N.
          await control(child, ['-d']);
          windows.push((await dumpedTotal(`${outFile}.${w + 1}`)) / size);
        }
        const total = windows.reduce((a, b) => a + b * size, 0);
        return { perRequest: total / (size * load.windows), windows, total, ...bad };
      } finally {
        client.close();
      }
    })();
    const timeout = new Promise<never>((_, reject) => {
      deadline = setTimeout(
        () => reject(new Error(`${target.label} under callgrind took over ${TARGET_TIMEOUT_MS / 60_000} minutes`)),
        TARGET_TIMEOUT_MS,
      );
    });
    return await Promise.race([work, timeout]);
  } finally {
    if (deadline) clearTimeout(deadline);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(kill);
    }
    live.delete(child);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves with the port from the server's stdout; from then on its stdout is read and thrown away. */
function portOf(child: ChildProcess, target: CallgrindTarget, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const fail = (why: string): void => {
      cleanup();
      reject(new Error(`${target.label} under callgrind ${why}: ${stderr().trim().slice(-1500)}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const onExit = (code: number | null): void => fail(`exited (${code}) before listening`);
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const port = target.portFrom(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        if (port !== null) {
          cleanup();
          // Keep draining stdout (the headless `received` lines) so the server never blocks on a full pipe.
          child.stdout!.on('data', () => undefined);
          resolve(port);
          return;
        }
      }
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.off('data', onData);
    };
    child.once('exit', onExit);
    child.stdout!.on('data', onData);
  });
}

/**
 * A keep-alive load generator: `connections` workers, each sending one request at a time, over sockets
 * that stay open from the warm-up into the measured window. (New connections for the measured window,
 * as a second autocannon run makes, sent V8 back to deoptimizing and recompiling node:http's hot
 * functions for new object shapes: with the bare server, most of a 2,000-request window was TurboFan.)
 */
class KeepAliveLoad {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    url: string,
    private readonly load: CallgrindLoad,
  ) {
    this.url = new URL(url);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: load.connections });
  }

  /** Sends `amount` requests numbered from `first` and waits for every answer. */
  async send(first: number, amount: number): Promise<{ non2xx: number; errors: number }> {
    let next = first;
    const end = first + amount;
    let non2xx = 0;
    let errors = 0;
    const worker = async (): Promise<void> => {
      while (next < end) {
        const status = await this.post(next++);
        if (status === 0) errors++;
        else if (status < 200 || status >= 300) non2xx++;
      }
    };
    await Promise.all(Array.from({ length: this.load.connections }, worker));
    return { non2xx, errors };
  }

  close(): void {
    this.agent.destroy();
  }

  /** One request; resolves with its status, or 0 when it failed or timed out. */
  private post(i: number): Promise<number> {
    const { headers, body } = this.load.make(i);
    return new Promise((resolve) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname,
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', () => resolve(0));
        },
      );
      req.once('timeout', () => req.destroy(new Error('timed out')));
      req.once('error', () => resolve(0));
      req.end(body);
    });
  }
}

/** Runs `callgrind_control <args> <pid>`; throws unless it reached the process. */
function control(child: ChildProcess, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const pid = String(child.pid);
    const run = spawn('callgrind_control', [...args, pid], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(run);
    let out = '';
    run.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    run.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => run.kill('SIGKILL'), CONTROL_TIMEOUT_MS);
    run.once('exit', (code) => {
      clearTimeout(timer);
      live.delete(run);
      // callgrind_control exits 0 even when it found no such process; its words say whether it did.
      if (code === 0 && out.includes(`PID ${pid}`) && !/error/i.test(out)) resolve();
      else {
        reject(
          new Error(
            `callgrind_control ${args.join(' ')} failed (${code ?? 'killed'}): ${out.trim().slice(0, 500)} ` +
              '(it needs ptrace to reach an idle process; see kernel.yama.ptrace_scope)',
          ),
        );
      }
    });
  });
}

/** The `totals:` (or `summary:`) line of a callgrind dump, once the file is there and complete. */
async function dumpedTotal(file: string): Promise<number> {
  const until = Date.now() + CONTROL_TIMEOUT_MS;
  while (Date.now() < until) {
    if (existsSync(file)) {
      const m = /^(?:totals|summary):\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
      if (m) return Number(m[1]);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`callgrind wrote no counts to ${file}`);
}
