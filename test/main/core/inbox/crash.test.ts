/**
 * Durability end to end: the real headless process is flooded with signed hooks, killed with SIGKILL in the
 * middle of the flood, and restarted on the same data dir. Every hook it acknowledged (2xx) must still be
 * there: re-sent after the restart, each one comes back as a redelivery of a recorded hook.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { HeadlessProcess } from '../../../helpers/headless-process';
import { basicAuth, sendHook } from '../../../helpers/hook-client';

const entry = inject('headlessEntry');

const BACKTRACE = {
  id: 'crashTestBacktraceSrc01',
  provider: 'backtrace',
  name: 'Game',
  credentials: { username: 'crash-user', password: 'crash-password-0123456789abcdef' },
};
const ERRORCEPTION = { id: 'crashTestErrorceptSrc01', provider: 'errorception', name: 'Site', credentials: { secret: 'crash-secret' } };

let dir: string;
const procs: HeadlessProcess[] = [];

function start(config: string, dataDir: string): HeadlessProcess {
  const p = HeadlessProcess.start(entry, ['--config', config, '--port', '0', '--data-dir', dataDir, '--json']);
  procs.push(p);
  return p;
}

async function listening(p: HeadlessProcess): Promise<{ port: number; groups: number }> {
  return (await p.waitFor((l) => l['type'] === 'listening')) as unknown as { port: number; groups: number };
}

/** The i-th hook of the flood: Backtrace and Errorception in turn, each a hook the store has not seen. */
function hook(i: number): { path: string; headers: Record<string, string>; body: string; key: string } {
  if (i % 3 === 2) {
    const message = `TypeError: crash test ${i}`;
    const page = `https://shop.example.com/page/${i % 7}`;
    const body = JSON.stringify({
      isInline: false,
      message,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
      when: 'after',
      scriptPath: 'https://shop.example.com/app.js',
      page,
      date: new Date(1_795_000_000_000 + i).toISOString(),
      isFirstOccurrence: true,
      webUrl: `https://errorception.com/projects/crash/errors/${i}`,
      apiUrl: `https://api.errorception.com/projects/crash/errors/${i}`,
    });
    const signature = createHash('sha1')
      .update(ERRORCEPTION.credentials.secret + message + page, 'utf8')
      .digest('hex');
    return {
      path: `/hooks/${ERRORCEPTION.id}`,
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body,
      key: `https://errorception.com/projects/crash/errors/${i}`,
    };
  }
  // Backtrace: 40 groups, each hook a new object with a higher count.
  const fingerprint = `crash-fp-${i % 40}`;
  const body = JSON.stringify({
    universe: 'u',
    project: 'crash_project',
    application: 'crash_app',
    fingerprint,
    group_url: `https://u.sp.backtrace.io/dashboard/u/project/crash_project/triage?fp=${fingerprint}`,
    callstack: ['abort', `crash_fn_${i % 40}`, 'main'],
    occurrences: 100 + i,
    object_id: (0x1000 + i).toString(16),
    timestamp: [1_795_000_000, 1_795_000_000 + i],
    classifiers: ['abort'],
    hosts: 1,
    guids: 1,
    attributes: { environment: [['production', 1]] },
  });
  return {
    path: `/hooks/${BACKTRACE.id}`,
    headers: {
      'content-type': 'application/json',
      authorization: basicAuth(BACKTRACE.credentials.username, BACKTRACE.credentials.password),
    },
    body,
    key: fingerprint,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-crash-test-'));
});

afterEach(async () => {
  for (const p of procs.splice(0)) await p.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL during a flood', () => {
  it('loses nothing that was acknowledged, and the store loads after the restart', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ port: 0, sources: [BACKTRACE, ERRORCEPTION] }));
    const dataDir = join(dir, 'data');

    const first = start(config, dataDir);
    const { port } = await listening(first);

    const acknowledged: number[] = [];
    let next = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (!killed) {
        const i = next++;
        const h = hook(i);
        try {
          const res = await sendHook(port, { path: h.path, headers: h.headers, body: h.body });
          if (res.status >= 200 && res.status < 300) acknowledged.push(i);
          else throw new Error(`hook ${i} refused: ${res.status} ${res.text}`);
        } catch (e) {
          if (killed) return; // the process is gone: this hook was never acknowledged
          throw e;
        }
      }
    };
    let failure: unknown = null;
    const workers = Array.from({ length: 12 }, () =>
      worker().catch((e: unknown) => {
        failure = e;
      }),
    );
    // Kill once a good number of hooks are acknowledged, with requests still in flight.
    while (acknowledged.length < 150 && failure === null) await new Promise((r) => setTimeout(r, 5));
    expect(failure).toBeNull();
    killed = true;
    first.child.kill('SIGKILL');
    await first.exited;
    await Promise.all(workers);
    expect(first.child.signalCode).toBe('SIGKILL');
    const sent = next;
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);

    // Restart on the same data dir: it loads, with every acknowledged group.
    const second = start(config, dataDir);
    const again = await listening(second);
    const ackedGroups = new Set(acknowledged.map((i) => hook(i).key));
    const attemptedGroups = new Set(Array.from({ length: sent }, (_, i) => hook(i).key));
    expect(again.groups).toBeGreaterThanOrEqual(ackedGroups.size);
    expect(again.groups).toBeLessThanOrEqual(attemptedGroups.size);

    // Every acknowledged hook, sent again, is recognised as already recorded.
    const results: number[] = [];
    for (const i of acknowledged) {
      const h = hook(i);
      const res = await sendHook(again.port, { path: h.path, headers: h.headers, body: h.body });
      results.push(res.status);
    }
    expect(results.every((s) => s >= 200 && s < 300)).toBe(true);
    await second.waitForAll((ls) => ls.filter((l) => l['type'] === 'received').length >= acknowledged.length);
    const received = second.json().filter((l) => l['type'] === 'received');
    const notRecorded = received.filter((l) => l['duplicate'] !== true).map((l) => String(l['objectId'] ?? l['groupKey']));
    expect(notRecorded).toEqual([]);
    expect(second.json().filter((l) => l['type'] === 'notification')).toEqual([]);
  }, 120_000);
});
