import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { defaultDataDir, parseHeadlessArgs } from '../../../../main/core/headless/cli';
import { HeadlessProcess } from '../../../helpers/headless-process';
import { basicAuth, sendHook } from '../../../helpers/hook-client';
import { fixturePath } from '../../../helpers/paths';

const entry = inject('headlessEntry');

const BACKTRACE = {
  id: 'backtraceSourceAAAAAAAA',
  provider: 'backtrace',
  name: 'Game',
  credentials: { username: 'bt-user', password: 'bt-password-0123456789' },
};
const ERRORCEPTION = { id: 'errorceptionSourceAAAAA', provider: 'errorception', name: 'Site', credentials: { secret: 'site-secret' } };

let dir: string;
const running: HeadlessProcess[] = [];

function start(args: string[]): HeadlessProcess {
  const h = HeadlessProcess.start(entry, args, { ...process.env, XDG_DATA_HOME: join(dir, 'xdg') });
  running.push(h);
  return h;
}

function writeConfig(config: unknown, name = 'config.json'): string {
  const path = join(dir, name);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-headless-test-'));
});

afterEach(async () => {
  for (const h of running.splice(0)) await h.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('headless --json', () => {
  it('listens, accepts signed hooks, prints received and notification lines, rejects bad ones, and stops on SIGTERM', async () => {
    const config = writeConfig({ port: 7317, sources: [BACKTRACE, ERRORCEPTION] });
    const h = start(['--config', config, '--port', '0', '--data-dir', join(dir, 'data'), '--json']);
    const listening = await h.waitFor((l) => l['type'] === 'listening');
    const port = listening['port'] as number;
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(7317);
    expect(listening['groups']).toBe(0);
    expect(listening['sources']).toEqual([
      { id: BACKTRACE.id, provider: 'backtrace', url: `http://127.0.0.1:${port}/hooks/${BACKTRACE.id}` },
      { id: ERRORCEPTION.id, provider: 'errorception', url: `http://127.0.0.1:${port}/hooks/${ERRORCEPTION.id}` },
    ]);

    const btBody = readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8');
    const accepted = await sendHook(port, {
      path: `/hooks/${BACKTRACE.id}`,
      headers: { 'content-type': 'application/json', authorization: basicAuth('bt-user', 'bt-password-0123456789') },
      body: btBody,
    });
    expect(accepted.status).toBe(200);
    const received = await h.waitFor((l) => l['type'] === 'received');
    expect(received).toMatchObject({
      provider: 'backtrace',
      source: BACKTRACE.id,
      groupKey: '8910551e27a339e542...',
      title: 'exception in printf',
      occurrences: 35,
      isNew: true,
      decision: { notify: true },
    });
    expect(received['raw']).toBeUndefined();
    expect(typeof received['group']).toBe('string');
    expect((received['decision'] as Record<string, unknown>)['reason']).toBeTruthy();
    const notification = await h.waitFor((l) => l['type'] === 'notification');
    expect(notification).toMatchObject({ group: received['group'], url: 'https://u.sp.backtrace.io/dashboard/...', digest: false });
    expect(notification['title']).toEqual(expect.any(String));
    expect(notification['body']).toEqual(expect.any(String));

    const ecBody = readFileSync(fixturePath('errorception', 'first-occurrence.json'), 'utf8');
    const bad = await sendHook(port, {
      path: `/hooks/${ERRORCEPTION.id}`,
      headers: { 'content-type': 'application/json', 'x-signature': 'f'.repeat(40) },
      body: ecBody,
    });
    expect(bad.status).toBe(401);
    const rejected = await h.waitFor((l) => l['type'] === 'rejected');
    expect(rejected).toEqual({ type: 'rejected', source: ERRORCEPTION.id, status: 401, reason: expect.stringContaining('X-Signature') });

    const json = JSON.parse(ecBody) as { message: string; page: string };
    const sig = createHash('sha1').update(`site-secret${json.message}${json.page}`).digest('hex');
    expect(
      (
        await sendHook(port, {
          path: `/hooks/${ERRORCEPTION.id}`,
          headers: { 'content-type': 'application/json', 'x-signature': sig },
          body: ecBody,
        })
      ).status,
    ).toBe(200);
    const ec = await h.waitFor((l) => l['type'] === 'received' && l['provider'] === 'errorception');
    expect(ec).toMatchObject({
      browser: { name: 'Android Browser', version: '4.0' },
      os: { name: 'Android', version: '4.1.2' },
      lifecycle: 'new',
    });

    await sendHook(port, { method: 'GET', path: '/' });
    await h.waitFor((l) => l['type'] === 'rejected' && l['status'] === 404 && l['source'] === null);

    h.child.kill('SIGTERM');
    const exit = await h.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // stdout carried nothing but JSON objects, one per line.
    for (const line of h.json()) expect(['listening', 'received', 'rejected', 'notification']).toContain(line['type']);

    // The history survives: a restart reports the groups it loaded.
    const again = start(['--config', config, '--port', '0', '--data-dir', join(dir, 'data'), '--json']);
    const relisten = await again.waitFor((l) => l['type'] === 'listening');
    expect(relisten['groups']).toBe(2);
    again.child.kill('SIGINT');
    expect((await again.exited).code).toBe(0);
  });
});

describe('headless human mode', () => {
  it("prints each source's webhook URL and readable lines, and stops on SIGINT", async () => {
    const config = writeConfig({ port: 0, sources: [BACKTRACE] });
    const h = start(['--config', config, '--data-dir', join(dir, 'data')]);
    const line = await h.waitForText(`/hooks/${BACKTRACE.id}`);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
    await sendHook(port, { path: `/hooks/${BACKTRACE.id}`, headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(await h.waitForText('rejected')).toMatch(/415/);
    h.child.kill('SIGINT');
    expect((await h.exited).code).toBe(0);
  });

  it('uses the per-user data dir when none is given', async () => {
    const config = writeConfig({ port: 0, sources: [BACKTRACE] });
    const h = start(['--config', config]);
    await h.waitForText('listening');
    expect(h.lines.join('\n')).toContain(join(dir, 'xdg', 'crashbell-headless'));
    h.child.kill('SIGTERM');
    const exit = await h.exited;
    expect({ ...exit, stderr: h.stderr, lines: h.lines }).toMatchObject({ code: 0 });
  });
});

describe('headless refuses bad configuration with a message naming the problem', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['a missing file', () => ['--config', join(dir, 'nope.json')], /nope\.json does not exist/],
    ['a file that is not JSON', () => ['--config', writeConfig('{"port": 0, "sources": [')], /not valid JSON/],
    ['a JSON array', () => ['--config', writeConfig('[]')], /must hold a JSON object/],
    ['no sources', () => ['--config', writeConfig({ port: 0 })], /no sources/],
    [
      'a Backtrace source without credentials',
      () => ['--config', writeConfig({ port: 0, sources: [{ ...BACKTRACE, credentials: {} }] })],
      /source "Game".*username/,
    ],
    [
      'an Errorception source without its secret',
      () => ['--config', writeConfig({ port: 0, sources: [{ ...ERRORCEPTION, credentials: {} }] })],
      /source "Site".*secret/,
    ],
    [
      'a source id that is not URL-safe',
      () => ['--config', writeConfig({ port: 0, sources: [{ ...BACKTRACE, id: 'a b/c' }] })],
      /"sources\.0\.id"/,
    ],
    ['a bad port', () => ['--config', writeConfig({ port: 'seven', sources: [BACKTRACE] })], /"port"/],
    [
      'a folder',
      () => {
        mkdirSync(join(dir, 'folder.json'));
        return ['--config', join(dir, 'folder.json')];
      },
      /is a folder/,
    ],
    ['no --config', () => [], /--config FILE is required/],
    ['an unknown option', () => ['--config', 'x', '--verbose'], /verbose/],
    ['a bad --port', () => ['--config', writeConfig({ port: 0, sources: [BACKTRACE] }), '--port', 'abc'], /--port must be a number/],
  ];

  it.each(cases)('%s', async (_label, args, message) => {
    const h = start([...args(), '--json']);
    const exit = await h.exited;
    expect(exit.code).toBe(2);
    expect(h.stderr).toMatch(message);
    // In --json mode the problem is also one JSON line, so a program reading stdout learns it too.
    const lines = h.json();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ type: 'error', code: 'config' });
    expect(String(lines[0]!['reason'])).toMatch(message);
  });

  it('exits 1 with the fix when the port is in use', async () => {
    const config = writeConfig({ port: 0, sources: [BACKTRACE] });
    const first = start(['--config', config, '--data-dir', join(dir, 'one'), '--json']);
    const port = (await first.waitFor((l) => l['type'] === 'listening'))['port'] as number;
    const second = start(['--config', config, '--data-dir', join(dir, 'two'), '--port', String(port), '--json']);
    expect((await second.exited).code).toBe(1);
    expect(second.stderr).toContain(`port ${port} is already in use by another program: pass --port N (0 picks a free port)`);
    expect(second.stderr).not.toContain('Settings');
    expect(second.json().at(-1)).toMatchObject({ type: 'error', code: 'port-in-use' });
  });

  it('says an unavailable --host is an address problem, not a port problem', async () => {
    const config = writeConfig({ port: 0, sources: [BACKTRACE] });
    const h = start(['--config', config, '--data-dir', join(dir, 'host'), '--host', '203.0.113.7', '--json']);
    expect((await h.exited).code).toBe(1);
    expect(h.stderr).toContain('203.0.113.7 is not an address of this machine');
    expect(h.stderr).toContain('pass --host with an address of this machine');
    expect(h.json().at(-1)).toMatchObject({ type: 'error', code: 'host-not-available' });
  });
});

describe('headless arguments', () => {
  it('reads the options and defaults', () => {
    expect(parseHeadlessArgs(['--config', 'c.json', '--port', '0', '--json'])).toMatchObject({
      config: 'c.json',
      port: 0,
      json: true,
      host: '127.0.0.1',
    });
    expect(parseHeadlessArgs(['--help'])).toBe('help');
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' }, 'linux')).toBe('/x/crashbell-headless');
    expect(defaultDataDir({}, 'linux')).toMatch(/\.local\/share\/crashbell-headless$/);
  });
});
