/**
 * The child processes the bench starts: the built headless process (timed to its `listening` line, or with its
 * stdout lines timestamped as they arrive) and how any child is stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { HEADLESS } from './env';

/** Stops a child (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** A started headless process and how long it took to listen. */
export interface StartedHeadless {
  child: ChildProcess;
  ms: number;
  /** Its `listening` line (the port, the groups loaded). */
  listening: Record<string, unknown>;
}

/** Spawns the built headless process on a data dir; resolves at its `listening` line. */
export function startHeadless(configPath: string, dataDir: string): Promise<StartedHeadless> {
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

/** A headless process whose stdout lines are kept with the time each arrived. */
export interface WatchedHeadless {
  child: ChildProcess;
  lines: Array<{ at: number; msg: Record<string, unknown> }>;
  /** Resolves with the first line (already seen or still to come) that `p` accepts. */
  wait: (p: (m: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;
}

/** A headless process with its stdout lines timestamped as they arrive. */
export function spawnHeadless(configPath: string, dataDir: string): WatchedHeadless {
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
