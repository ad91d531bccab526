import { createHash } from 'node:crypto';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { defaultDataDir, parseHeadlessArgs } from '../../../../main/core/headless/cli';
import { type HeadlessOptions, runHeadless } from '../../../../main/core/headless/run';
import type { NgrokForwardConfig, NgrokListener, NgrokSdk } from '../../../../main/core/tunnel';
import { HeadlessProcess } from '../../../helpers/headless-process';
import { basicAuth, sendHook } from '../../../helpers/hook-client';
import { NtfyStandIn } from '../../../helpers/ntfy-stand-in';
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
    for (const line of h.json()) expect(['listening', 'tunnel', 'received', 'rejected', 'notification']).toContain(line['type']);

    // The history survives: a restart reports the groups it loaded.
    const again = start(['--config', config, '--port', '0', '--data-dir', join(dir, 'data'), '--json']);
    const relisten = await again.waitFor((l) => l['type'] === 'listening');
    expect(relisten['groups']).toBe(2);
    again.child.kill('SIGINT');
    expect((await again.exited).code).toBe(0);
  });
});

describe('headless as a team member with no sources', () => {
  it('opens no receiver and prints no tunnel line: the port stays free for a gateway on the same machine', async () => {
    // A port nothing listens on, then asked for: a member must leave it alone.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const config = writeConfig({ port, sources: [], relay: { servers: ['nats://127.0.0.1:1'], subscribe: true } });
    const h = start(['--config', config, '--data-dir', join(dir, 'data'), '--json']);
    const listening = await h.waitFor((l) => l['type'] === 'listening');
    expect(listening).toMatchObject({ port: null, sources: [] });
    // The port is still free: a gateway could take it.
    const taken = net.createServer();
    await new Promise<void>((resolve, reject) => {
      taken.once('error', reject);
      taken.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((r) => taken.close(() => r()));
    h.child.kill('SIGTERM');
    expect((await h.exited).code).toBe(0);
    expect(h.json().filter((l) => l['type'] === 'tunnel')).toEqual([]);
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
      'previous credentials without an expiry',
      () => ['--config', writeConfig({ port: 0, sources: [{ ...BACKTRACE, previous: { credentials: { password: 'old' } } }] })],
      /"sources\.0\.previous\.until" is missing/,
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

  it('says a data dir that cannot hold the history is a --data-dir problem', async () => {
    const config = writeConfig({ sources: [BACKTRACE] });
    const file = writeConfig('not a folder', 'plain-file');
    const h = start(['--config', config, '--port', '0', '--data-dir', join(file, 'data'), '--json']);
    expect((await h.exited).code).toBe(1);
    expect(h.stderr).toContain(`the data folder ${join(file, 'data')} cannot be used (ENOTDIR`);
    expect(h.stderr).toContain('pass --data-dir with a folder this user can write');
    expect(h.json()).toEqual([expect.objectContaining({ type: 'error', code: 'data-dir' })]);
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

/** Headless mode run in this process, with a stand-in SDK or a wrapped real one; lines are collected as printed. */
class InProcess {
  readonly lines: string[] = [];
  stderr = '';
  readonly done: Promise<number>;
  private readonly abort = new AbortController();
  private waiters: Array<() => void> = [];

  constructor(argv: string[], options: Omit<HeadlessOptions, 'stop'>) {
    const out = new PassThrough();
    const err = new PassThrough();
    let buffer = '';
    out.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        this.lines.push(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    err.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.done = runHeadless(argv, out, err, { env: {}, ...options, stop: this.abort.signal });
    void this.done.finally(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  json(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Waits (bounded by the test's timeout) until the lines so far hold `count` matching the predicate; returns the last. */
  async waitFor(predicate: (line: string) => boolean, count = 1): Promise<string> {
    for (;;) {
      const found = this.lines.filter(predicate);
      if (found.length >= count) return found[count - 1]!;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Waits for the n-th `tunnel` JSON line with this status. */
  async tunnel(status: string, count = 1): Promise<Record<string, unknown>> {
    const line = await this.waitFor(
      (l) => l.startsWith('{"type":"tunnel"') && (JSON.parse(l) as { status: string }).status === status,
      count,
    );
    return JSON.parse(line) as Record<string, unknown>;
  }

  stop(): Promise<number> {
    this.abort.abort();
    return this.done;
  }
}

/** A stand-in for `@ngrok/ngrok`'s forward(): each call takes the next outcome; the session callback is kept. */
class StandInNgrok implements NgrokSdk {
  readonly calls: NgrokForwardConfig[] = [];
  constructor(private readonly outcomes: Array<{ url: string } | { error: Error }>) {}
  async forward(config: NgrokForwardConfig): Promise<NgrokListener> {
    this.calls.push(config);
    const outcome = this.outcomes.shift() ?? { error: new Error('no scripted outcome') };
    if ('error' in outcome) throw outcome.error;
    return { url: () => outcome.url, close: async () => undefined };
  }
}

describe('headless tunnel', () => {
  it('connects with the config file token and domain, prints the public webhook URLs, and reconnects after a drop', async () => {
    const config = writeConfig({
      sources: [BACKTRACE, ERRORCEPTION],
      tunnel: { authtoken: 'file-token', domain: 'https://crash.ngrok.app/' },
    });
    const sdk = new StandInNgrok([{ url: 'https://crash.ngrok.app' }, { url: 'https://crash.ngrok.app' }]);
    const h = new InProcess(['--config', config, '--port', '0', '--data-dir', join(dir, 'data'), '--json'], {
      ngrok: sdk,
      env: { NGROK_AUTHTOKEN: 'env-token' },
    });
    const online = await h.tunnel('online');
    const listening = h.json()[0]!;
    expect(listening['type']).toBe('listening');
    expect(sdk.calls[0]).toMatchObject({ addr: listening['port'], authtoken: 'file-token', domain: 'crash.ngrok.app' });
    expect(online).toEqual({
      type: 'tunnel',
      status: 'online',
      url: 'https://crash.ngrok.app',
      sources: [
        { id: BACKTRACE.id, provider: 'backtrace', url: `https://crash.ngrok.app/hooks/${BACKTRACE.id}` },
        { id: ERRORCEPTION.id, provider: 'errorception', url: `https://crash.ngrok.app/hooks/${ERRORCEPTION.id}` },
      ],
    });

    // The SDK reports the session dropping: the same state machine as the app's, then a reconnect (1 s backoff).
    sdk.calls[0]!.onStatusChange?.('closed');
    const lost = await h.tunnel('error');
    expect(lost).toMatchObject({ reason: expect.stringContaining('Connection to ngrok lost'), retryAt: expect.any(String) });
    await h.tunnel('online', 2);
    expect(sdk.calls).toHaveLength(2);

    expect(await h.stop()).toBe(0);
    expect(h.json().at(-1)).toEqual({ type: 'tunnel', status: 'off', reason: 'Tunnel stopped' });
  });

  it('takes NGROK_AUTHTOKEN from the environment when the file has none; human mode lists the public URLs by source name', async () => {
    const config = writeConfig({ sources: [BACKTRACE] });
    const sdk = new StandInNgrok([{ url: 'https://random-words.ngrok-free.app' }]);
    const h = new InProcess(['--config', config, '--port', '0', '--data-dir', join(dir, 'data')], {
      ngrok: sdk,
      env: { NGROK_AUTHTOKEN: 'env-token' },
    });
    await h.waitFor((l) => l.includes(`https://random-words.ngrok-free.app/hooks/${BACKTRACE.id}`));
    expect(sdk.calls[0]?.authtoken).toBe('env-token');
    expect(h.lines).toContain('tunnel    online at https://random-words.ngrok-free.app; paste these into the providers:');
    expect(h.lines).toContain(`  Backtrace "Game": https://random-words.ngrok-free.app/hooks/${BACKTRACE.id}`);
    expect(await h.stop()).toBe(0);
  });

  it('without a token says so, and where to put one; ngrok is never called', async () => {
    const config = writeConfig({ sources: [BACKTRACE] });
    const sdk = new StandInNgrok([]);
    const h = new InProcess(['--config', config, '--port', '0', '--data-dir', join(dir, 'data')], { ngrok: sdk });
    const off = await h.waitFor((l) => l.startsWith('tunnel    off'));
    expect(off).toContain('No ngrok authtoken: providers on the internet cannot reach Crashbell');
    expect(off).toContain(`put "tunnel": {"authtoken": "..."} in ${config}, or set NGROK_AUTHTOKEN`);
    expect(await h.stop()).toBe(0);
    expect(sdk.calls).toHaveLength(0);
  });

  it('an authtoken ngrok refuses is not retried, and the advice is for headless mode', async () => {
    const config = writeConfig({ sources: [BACKTRACE] });
    const refused = Object.assign(new Error('authentication failed: The authtoken you specified is properly formed, but it is invalid.'), {
      errorCode: 'ERR_NGROK_107',
    });
    const h = new InProcess(['--config', config, '--port', '0', '--data-dir', join(dir, 'data')], {
      ngrok: new StandInNgrok([{ error: refused }]),
      env: { NGROK_AUTHTOKEN: 'revoked' },
    });
    const line = await h.waitFor((l) => l.startsWith('tunnel    error'));
    expect(line).toContain('(ERR_NGROK_107). It does not retry: fix NGROK_AUTHTOKEN or "tunnel" in');
    expect(line).toContain('then start headless mode again.');
    expect(await h.stop()).toBe(0);
  });

  it.runIf(process.platform === 'linux')('forwards to the --host address when it is not localhost', async () => {
    const config = writeConfig({ sources: [BACKTRACE], tunnel: { authtoken: 't' } });
    const sdk = new StandInNgrok([{ url: 'https://x.ngrok.app' }]);
    const h = new InProcess(['--config', config, '--port', '0', '--host', '127.0.0.2', '--data-dir', join(dir, 'data'), '--json'], {
      ngrok: sdk,
    });
    await h.tunnel('online');
    expect(sdk.calls[0]?.addr).toBe(`127.0.0.2:${h.json()[0]!['port'] as number}`);
    expect(await h.stop()).toBe(0);
  });

  it('with the real @ngrok/ngrok (pointed at a closed port on 127.0.0.1), reports its failure and keeps retrying', async () => {
    const ngrok = await import('@ngrok/ngrok');
    // The real SDK, kept on this machine: server_addr is the one thing changed.
    const loopback: NgrokSdk = { forward: (c) => ngrok.forward({ ...c, server_addr: '127.0.0.1:1' }) };
    const config = writeConfig({ sources: [BACKTRACE], tunnel: { authtoken: 'not-a-real-token' } });
    const h = new InProcess(['--config', config, '--port', '0', '--data-dir', join(dir, 'data'), '--json'], { ngrok: loopback });
    const error = await h.tunnel('error');
    expect(error['reason']).toMatch(
      /^No network: Crashbell cannot reach ngrok's servers \(failed to connect session.*\)\. It keeps retrying$/,
    );
    expect(error['retryAt']).toEqual(expect.any(String));
    expect(await h.stop()).toBe(0);
  });
});

describe('headless notify outlets', () => {
  it('runs the command with the notification on stdin and publishes it to ntfy, from a real hook', async () => {
    const ntfy = await NtfyStandIn.start();
    try {
      const saved = join(dir, 'notified.json');
      const config = writeConfig({
        sources: [BACKTRACE],
        headless: {
          notify: {
            command: {
              argv: [
                process.execPath,
                '-e',
                "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(process.argv[1],s))",
                saved,
              ],
            },
            ntfy: { url: ntfy.topicUrl('crashbell-alerts'), token: 'tk_test' },
          },
        },
      });
      const h = start(['--config', config, '--port', '0', '--data-dir', join(dir, 'data'), '--json']);
      const listening = await h.waitFor((l) => l['type'] === 'listening');
      expect(listening['notify']).toEqual(['command', 'ntfy']);
      const accepted = await sendHook(listening['port'] as number, {
        path: `/hooks/${BACKTRACE.id}`,
        headers: { 'content-type': 'application/json', authorization: basicAuth('bt-user', 'bt-password-0123456789') },
        body: readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8'),
      });
      expect(accepted.status).toBe(200);
      const notification = await h.waitFor((l) => l['type'] === 'notification');
      const [published] = await ntfy.waitFor(1);
      expect(published).toMatchObject({ path: '/crashbell-alerts', title: notification['title'], body: notification['body'] });
      expect(published?.headers['authorization']).toBe('Bearer tk_test');
      expect(published?.headers['click']).toBe(notification['url']);
      h.child.kill('SIGTERM');
      expect((await h.exited).code).toBe(0);
      // The command had finished before the stop: its stdin was the notification line.
      expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual(notification);
    } finally {
      await ntfy.close();
    }
  });

  it("gives the outlets an error's link only when the link rule lets it open: an Errorception replay's foreign webUrl is no ntfy click", async () => {
    const ntfy = await NtfyStandIn.start();
    try {
      const config = writeConfig({ sources: [ERRORCEPTION], headless: { notify: { ntfy: { url: ntfy.topicUrl('crashbell-alerts') } } } });
      const h = start(['--config', config, '--port', '0', '--data-dir', join(dir, 'data'), '--json']);
      const listening = await h.waitFor((l) => l['type'] === 'listening');
      // Errorception signs only message and page: a captured signature still matches with another webUrl.
      const body = {
        ...JSON.parse(readFileSync(fixturePath('errorception', 'first-occurrence.json'), 'utf8')),
        webUrl: 'http://127.0.0.1:631/admin',
      };
      const signature = createHash('sha1').update(`site-secret${body.message}${body.page}`, 'utf8').digest('hex');
      const res = await sendHook(listening['port'] as number, {
        path: `/hooks/${ERRORCEPTION.id}`,
        headers: { 'content-type': 'application/json', 'x-signature': signature },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      // The core finishes each notification once: every outlet, this line included, gets the same checked link.
      const notification = await h.waitFor((l) => l['type'] === 'notification');
      expect(notification['url']).toBeNull();
      const [published] = await ntfy.waitFor(1);
      expect(published?.headers['click']).toBeUndefined();
      h.child.kill('SIGTERM');
      expect((await h.exited).code).toBe(0);
    } finally {
      await ntfy.close();
    }
  });

  it('a failing outlet is reported as a notify-failed line and on stderr, and the server goes on', async () => {
    const config = writeConfig({
      sources: [BACKTRACE],
      headless: { notify: { command: { argv: [process.execPath, '-e', 'process.exit(4)'] } } },
    });
    const h = start(['--config', config, '--port', '0', '--data-dir', join(dir, 'data'), '--json']);
    const port = (await h.waitFor((l) => l['type'] === 'listening'))['port'] as number;
    await sendHook(port, {
      path: `/hooks/${BACKTRACE.id}`,
      headers: { 'content-type': 'application/json', authorization: basicAuth('bt-user', 'bt-password-0123456789') },
      body: readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8'),
    });
    const failed = await h.waitFor((l) => l['type'] === 'notify-failed');
    expect(failed).toMatchObject({ via: 'command', digest: false, reason: 'exited with code 4' });
    expect(h.stderr).toContain('command could not deliver');
    h.child.kill('SIGTERM');
    expect((await h.exited).code).toBe(0);
  });

  it.skipIf(process.platform !== 'linux')(
    'a command still running when headless mode exits leaves no process behind, even on a stop that does not wait',
    async () => {
      const pids = join(dir, 'pids');
      const config = writeConfig({
        sources: [BACKTRACE],
        headless: {
          notify: {
            command: {
              argv: [
                process.execPath,
                '-e',
                "const c=require('child_process').spawn('sleep',['30'],{stdio:'ignore'});" +
                  "require('fs').writeFileSync(process.argv[1],c.pid+' '+process.pid);setInterval(()=>{},1000)",
                pids,
              ],
            },
          },
        },
      });
      const h = start(['--config', config, '--port', '0', '--data-dir', join(dir, 'data'), '--json']);
      const port = (await h.waitFor((l) => l['type'] === 'listening'))['port'] as number;
      await sendHook(port, {
        path: `/hooks/${BACKTRACE.id}`,
        headers: { 'content-type': 'application/json', authorization: basicAuth('bt-user', 'bt-password-0123456789') },
        body: readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8'),
      });
      for (let i = 0; i < 400 && !existsSync(pids); i++) await new Promise((r) => setTimeout(r, 25));
      const [sleeper, command] = readFileSync(pids, 'utf8').split(' ').map(Number);
      const runs = (pid: number): boolean => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
          return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
        } catch {
          return false;
        }
      };
      expect(runs(sleeper!)).toBe(true);
      // A second signal exits at once, without the outlets' grace: the command's group is killed on the way out.
      h.child.kill('SIGTERM');
      h.child.kill('SIGTERM');
      await h.exited;
      expect(runs(command!)).toBe(false);
      expect(runs(sleeper!)).toBe(false);
    },
  );

  it('text from a hook and from a command reaches stderr and the JSON lines without control or bidi characters', async () => {
    const config = writeConfig({
      sources: [BACKTRACE],
      headless: {
        notify: {
          command: { argv: [process.execPath, '-e', "process.stdout.write('\\u001b]0;owned\\u0007\\u001b[2J');process.exit(3)"] },
        },
      },
    });
    const h = start(['--config', config, '--port', '0', '--data-dir', join(dir, 'data'), '--json']);
    const port = (await h.waitFor((l) => l['type'] === 'listening'))['port'] as number;
    const body = JSON.parse(readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8')) as Record<string, unknown>;
    body['callstack'] = ['\u202egnp.exe\u001b[31m\u009b2J', 'main'];
    await sendHook(port, {
      path: `/hooks/${BACKTRACE.id}`,
      headers: { 'content-type': 'application/json', authorization: basicAuth('bt-user', 'bt-password-0123456789') },
      body: JSON.stringify(body),
    });
    const failed = await h.waitFor((l) => l['type'] === 'notify-failed');
    /** A C0 control other than the line feeds that end lines, DEL, a C1 control or a bidirectional control. */
    const hasControls = (text: string) =>
      [...text].some((ch) => {
        const c = ch.charCodeAt(0);
        return (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
      });
    // The values are whole in the JSON lines (escaped), and nothing raw reaches the stream.
    expect(failed['title']).toContain('\u202egnp.exe');
    expect(hasControls(h.lines.join('\n'))).toBe(false);
    expect(h.stderr).toContain('command could not deliver "');
    expect(h.stderr).toContain('gnp.exe[31m2J');
    expect(h.stderr).toContain('exited with code 3: ]0;owned[2J');
    expect(hasControls(h.stderr)).toBe(false);
    h.child.kill('SIGTERM');
    expect((await h.exited).code).toBe(0);
  });

  it('a bad headless.notify section is a config error naming the field', async () => {
    const config = writeConfig({ sources: [BACKTRACE], headless: { notify: { ntfy: { url: 'https://ntfy.sh/' } } } });
    const h = start(['--config', config, '--json']);
    expect((await h.exited).code).toBe(2);
    expect(h.stderr).toContain('"headless.notify.ntfy.url" is not valid (the URL must name the topic: https://ntfy.sh/<topic>)');
  });
});

describe("headless credentials that fit the providers' order, and rotation", () => {
  it('starts with an Errorception source still waiting for its secret, says so, and refuses its hooks until then', async () => {
    const config = writeConfig({ port: 0, sources: [BACKTRACE, { ...ERRORCEPTION, credentials: {} }] });
    const h = start(['--config', config, '--data-dir', join(dir, 'data'), '--json']);
    const listening = await h.waitFor((l) => l['type'] === 'listening');
    expect(h.stderr).toMatch(/source "Site" is waiting for its Secret key/);
    const res = await sendHook(listening['port'] as number, {
      path: `/hooks/${ERRORCEPTION.id}`,
      headers: { 'content-type': 'application/json', 'x-signature': '0' },
      body: readFileSync(fixturePath('errorception', 'first-occurrence.json'), 'utf8'),
    });
    expect(res.status).toBe(401);
    // Headless mode has no Setup: the reason says where the secret goes in words that hold for every front end.
    expect(res.json?.['error']).toMatch(/^the secret is not set yet: add it to this source's credentials/);
    expect(res.json?.['error']).not.toContain('Setup');
  });

  it('a secret of blanks is not set: the source waits, and a hook signed with the blanks is refused as such', async () => {
    const config = writeConfig({ port: 0, sources: [BACKTRACE, { ...ERRORCEPTION, credentials: { secret: '  ' } }] });
    const h = start(['--config', config, '--data-dir', join(dir, 'data'), '--json']);
    const listening = await h.waitFor((l) => l['type'] === 'listening');
    expect(h.stderr).toMatch(/source "Site" is waiting for its Secret key/);
    const body = JSON.parse(readFileSync(fixturePath('errorception', 'first-occurrence.json'), 'utf8')) as {
      message: string;
      page: string;
    };
    const res = await sendHook(listening['port'] as number, {
      path: `/hooks/${ERRORCEPTION.id}`,
      // Signed with the very blanks the source holds: today's code said "waiting" and let this in.
      headers: {
        'content-type': 'application/json',
        'x-signature': createHash('sha1').update(`  ${body.message}${body.page}`).digest('hex'),
      },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(401);
    expect(res.json?.['error']).toMatch(/^the secret is not set yet/);
  });

  it('a previous credential that is blank is refused at load, naming the field, instead of turning the check off', async () => {
    const honeybadger = {
      id: 'honeybadgerSourceAAAAAAA',
      provider: 'honeybadger',
      name: 'API',
      credentials: { token: 'hb-token' },
      previous: { credentials: { token: '' }, until: new Date(Date.now() + 3_600_000).toISOString() },
    };
    const h = start(['--config', writeConfig({ sources: [honeybadger] }), '--data-dir', join(dir, 'data'), '--json']);
    expect((await h.exited).code).toBe(2);
    expect(h.stderr).toContain('"sources.0.previous.credentials.token" is not valid (a previous credential must hold a value');
  });

  it('accepts a previous password from the config until its expiry, beside the current one', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const past = new Date(Date.now() - 1000).toISOString();
    const rotating = { ...BACKTRACE, previous: { credentials: { password: 'the-old-password' }, until: future } };
    const expired = {
      ...BACKTRACE,
      id: 'backtraceSourceBBBBBBBB',
      name: 'Expired',
      previous: { credentials: { password: 'the-old-password' }, until: past },
    };
    const config = writeConfig({ port: 0, sources: [rotating, expired] });
    const h = start(['--config', config, '--data-dir', join(dir, 'data'), '--json']);
    const port = (await h.waitFor((l) => l['type'] === 'listening'))['port'] as number;
    const body = readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8');
    const send = (id: string, password: string) =>
      sendHook(port, {
        path: `/hooks/${id}`,
        headers: { 'content-type': 'application/json', authorization: basicAuth('bt-user', password) },
        body,
      });
    expect((await send(rotating.id, 'the-old-password')).status).toBe(200);
    expect((await send(rotating.id, BACKTRACE.credentials.password)).status).toBe(200);
    expect((await send(expired.id, 'the-old-password')).status).toBe(401);
    expect((await send(expired.id, BACKTRACE.credentials.password)).status).toBe(200);
  });
});
