/**
 * One process owns a data folder, against the real headless process: the second on the same --data-dir refuses
 * to start, naming the folder and the process that holds it; a SIGKILLed holder never blocks the next start.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { HeadlessProcess } from '../../../helpers/headless-process';

const entry = inject('headlessEntry');
const SOURCE = {
  id: 'dataDirBacktraceSourceAA',
  provider: 'backtrace',
  name: 'Game',
  credentials: { username: 'u', password: 'p-0123456789' },
};

let dir: string;
const running: HeadlessProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-data-dir-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ port: 0, sources: [SOURCE] }), { mode: 0o600 });
});

afterEach(async () => {
  for (const h of running.splice(0)) await h.kill();
  rmSync(dir, { recursive: true, force: true });
});

function start(dataDir: string, json = true): HeadlessProcess {
  const args = ['--config', join(dir, 'config.json'), '--data-dir', dataDir, '--port', '0', ...(json ? ['--json'] : [])];
  const h = HeadlessProcess.start(entry, args, { ...process.env, XDG_DATA_HOME: join(dir, 'xdg') });
  running.push(h);
  return h;
}

describe('one headless process per data folder', () => {
  it('the second process on the same --data-dir refuses to start, naming the folder and the holder', async () => {
    const data = join(dir, 'data');
    const first = start(data);
    await first.waitFor((l) => l['type'] === 'listening');

    const second = start(data);
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(second.stderr).toContain(`the data folder ${data} is in use by another Crashbell (headless, process ${first.child.pid}`);
    expect(second.stderr).toContain('--data-dir');
    expect(second.json()).toEqual([{ type: 'error', code: 'data-dir-in-use', reason: expect.stringContaining(data) }]);
    // The first one is untouched by the attempt.
    expect(first.child.exitCode).toBeNull();
  });

  it('after the holder is SIGKILLed the next start succeeds at once', async () => {
    const data = join(dir, 'data');
    const first = start(data);
    await first.waitFor((l) => l['type'] === 'listening');
    await first.kill();
    expect(first.child.signalCode).toBe('SIGKILL');

    const next = start(data);
    const listening = await next.waitFor((l) => l['type'] === 'listening' || l['type'] === 'error');
    expect(listening['type']).toBe('listening');
  });

  it.skipIf(process.platform === 'win32')('keeps the data folder private: 0700 for the folder, 0600 for the log and the lock', async () => {
    const data = join(dir, 'data');
    const h = start(data);
    await h.waitFor((l) => l['type'] === 'listening');
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(join(data, 'inbox.log')).mode & 0o777).toBe(0o600);
    expect(statSync(join(data, 'crashbell.lock')).mode & 0o777).toBe(0o600);
  });

  it.skipIf(process.platform === 'win32')('a --data-dir its group may write does not start, and says how to fix it', async () => {
    const data = join(dir, 'data');
    mkdirSync(data);
    chmodSync(data, 0o775);
    const h = start(data);
    expect(await h.exited).toEqual({ code: 1, signal: null });
    expect(h.stderr).toContain(`the data folder ${data} can be written by its group (mode 0775)`);
    expect(h.stderr).toContain(`chmod 700 ${data}`);
    expect(h.json()).toEqual([{ type: 'error', code: 'data-dir-unsafe', reason: expect.stringContaining('--data-dir DIR') }]);
    expect(readdirSync(data)).toEqual([]);
  });
});

describe.skipIf(process.platform === 'win32')('a config file holding secrets', () => {
  it('readable by other users: a warning on stderr saying how to fix it; private: no warning', async () => {
    const loose = start(join(dir, 'data-a'));
    await loose.waitFor((l) => l['type'] === 'listening');
    expect(loose.stderr).not.toContain('other users can read it');
    await loose.kill();

    chmodSync(join(dir, 'config.json'), 0o644);
    const h = start(join(dir, 'data-b'));
    await h.waitFor((l) => l['type'] === 'listening');
    expect(h.stderr).toContain(
      `crashbell: warning: config file ${join(dir, 'config.json')} holds secrets (source credentials) and other users can read it (mode 0644): chmod 600 ${join(dir, 'config.json')}`,
    );
  });
});
