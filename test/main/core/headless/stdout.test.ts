/**
 * Headless output never crashes or balloons the server, against the real process: a reader that closes stdout
 * early (`--json | head -c 50`) and a reader that stops reading.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { HeadlessProcess } from '../../../helpers/headless-process';
import { basicAuth } from '../../../helpers/hook-client';

const entry = inject('headlessEntry');
const SOURCE = {
  id: 'stdoutBacktraceSourceAAA',
  provider: 'backtrace',
  name: 'Game',
  credentials: { username: 'bt-user', password: 'bt-password-0123456789' },
};
const AUTH = basicAuth('bt-user', 'bt-password-0123456789');

let dir: string;
let headless: HeadlessProcess | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-stdout-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ port: 0, sources: [SOURCE] }), { mode: 0o600 });
});

afterEach(async () => {
  await headless?.kill();
  headless = null;
  rmSync(dir, { recursive: true, force: true });
});

function start(): HeadlessProcess {
  headless = HeadlessProcess.start(
    entry,
    ['--config', join(dir, 'config.json'), '--data-dir', join(dir, 'data'), '--port', '0', '--json'],
    {
      ...process.env,
      XDG_DATA_HOME: join(dir, 'xdg'),
    },
  );
  return headless;
}

/** Posts `count` Backtrace hooks, 4 at a time, each its own group; resolves with their statuses. */
async function postHooks(port: number, count: number, frames: string[]): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const statuses: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const body = JSON.stringify({ fingerprint: `stdout-${i}`, callstack: frames, object_id: String(i), occurrences: 1 });
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: `/hooks/${SOURCE.id}`,
              agent,
              headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization: AUTH },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
          req.end(body);
        }),
      );
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  agent.destroy();
  return statuses;
}

async function waitForStderr(h: HeadlessProcess, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = pattern.exec(h.stderr);
    if (found) return found;
    if (h.child.exitCode !== null || h.child.signalCode !== null) throw new Error(`headless exited: ${h.stderr}`);
    if (Date.now() > deadline) throw new Error(`stderr never said ${pattern}; it said: ${h.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('headless stdout', () => {
  it('a reader that closes early (--json | head -c 50): the server keeps serving, says so once on stderr, and stops cleanly', async () => {
    const h = start();
    const listening = await h.waitFor((l) => l['type'] === 'listening');
    // What `head -c 50` does: read a little, then close its end of the pipe.
    h.child.stdout.destroy();
    const statuses = await postHooks(listening['port'] as number, 20, ['printf', 'main']);
    expect(statuses).toEqual(Array(20).fill(200));
    await waitForStderr(h, /stdout was closed \(EPIPE\)/);
    expect(h.child.exitCode).toBeNull();
    expect(h.stderr.match(/stdout was closed/g)).toHaveLength(1);
    h.child.kill('SIGTERM');
    expect(await h.exited).toEqual({ code: 0, signal: null });
  });

  it('a reader that stops reading: past a bounded queue lines are dropped and counted, hooks keep being answered', async () => {
    const h = start();
    const listening = await h.waitFor((l) => l['type'] === 'listening');
    h.child.stdout.pause();
    // Long frames make long `received` lines (the callstack is in them, capped): about 33 kB each.
    const frames = Array.from({ length: 64 }, (_, i) => `frame_${i}_${'f'.repeat(600)}`);
    const statuses = await postHooks(listening['port'] as number, 150, frames);
    expect(statuses).toEqual(Array(150).fill(200));
    await waitForStderr(h, /stdout is not being read: output lines are dropped until it is/);
    const before = h.lines.length;
    h.child.stdout.resume();
    const [, dropped] = await waitForStderr(h, /dropped (\d+) output lines: stdout is not being read/);
    expect(Number(dropped)).toBeGreaterThan(0);
    // Whole lines are dropped, never parts: everything that got through is still one JSON object a line.
    h.child.kill('SIGTERM');
    expect(await h.exited).toEqual({ code: 0, signal: null });
    expect(h.lines.length).toBeGreaterThan(before);
    for (const line of h.json()) expect(typeof line['type']).toBe('string');
    expect(h.json().filter((l) => l['type'] === 'received').length + Number(dropped)).toBeGreaterThanOrEqual(150);
  });
});
