/**
 * The control socket over a real engine (startStack: inbox, receiver, app service): the calls of the IPC table
 * through newline-delimited JSON, with the desktop's argument schemas; its refusals (unknown call, a call it does
 * not serve, bad arguments, a line too long, one connection too many); its file (owner-only, replaced when a killed
 * Crashbell left it, never a symbolic link followed); and the client the command line uses.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARG_SCHEMAS as CORE_SCHEMAS } from '../../../../main/core/control/call-schemas';
import { CallRefusedError, ControlClient, NotRunningError } from '../../../../main/core/control/client';
import {
  CONTROL_CALLS,
  CONTROL_SOCKET_NAME,
  controlSocketPath,
  MAX_CONNECTIONS,
  socketPathProblem,
} from '../../../../main/core/control/protocol';
import { ControlSocketError, type ControlServer, startControlServer } from '../../../../main/core/control/server';
import { ARG_SCHEMAS as SHELL_SCHEMAS } from '../../../../main/ipc-handlers';
import { CALL_NAMES } from '../../../../shared/ipc';
import { basicAuth, sendHook } from '../../../helpers/hook-client';
import { fixturePath } from '../../../helpers/paths';
import { type Stack, startStack } from '../../../helpers/stack';
import { tmpDataDir } from '../../../helpers/tmp-dir';

const SOURCE = {
  id: 'controlSocketSourceAAAA',
  provider: 'backtrace',
  name: 'Game client',
  credentials: { username: 'crash-hook', password: 'control-socket-password-01' },
};

/** A raw line-oriented connection to the socket, as any local program could open one. */
class RawClient {
  readonly lines: unknown[] = [];
  closed = false;
  private buffer = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        this.lines.push(JSON.parse(this.buffer.slice(0, nl)));
        this.buffer = this.buffer.slice(nl + 1);
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static open(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Waits (bounded by the test's timeout) for the n-th answer line. */
  async answer(n: number): Promise<Record<string, unknown>> {
    while (this.lines.length < n) {
      if (this.closed) throw new Error(`closed after ${this.lines.length} answers`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
    return this.lines[n - 1] as Record<string, unknown>;
  }

  async untilClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

function postSample(port: number): ReturnType<typeof sendHook> {
  return sendHook(port, {
    path: `/hooks/${SOURCE.id}`,
    headers: { 'content-type': 'application/json', authorization: basicAuth(SOURCE.credentials.username, SOURCE.credentials.password) },
    body: readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8'),
  });
}

describe('the control socket over a real engine', () => {
  let stack: Stack;
  let control: ControlServer;
  const clients: Array<RawClient | ControlClient> = [];

  beforeEach(async () => {
    stack = await startStack({ sources: [SOURCE] });
    control = await startControlServer({ dataDir: stack.dataDir, service: stack.service });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c instanceof RawClient ? c.socket.destroy() : c.close();
    await control.close();
    await stack.close();
  });

  const raw = async (): Promise<RawClient> => {
    const c = await RawClient.open(control.path);
    clients.push(c);
    return c;
  };

  it('lives in the data folder, readable and writable by its owner only', () => {
    expect(control.path).toBe(join(stack.dataDir, CONTROL_SOCKET_NAME));
    const stat = lstatSync(control.path);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(statSync(stack.dataDir).mode & 0o777).toBe(0o700);
  });

  it('answers calls of the IPC table by id, as the app service answers them', async () => {
    expect((await postSample(stack.core.port!)).status).toBe(200);
    const c = await raw();
    c.send(`${JSON.stringify({ id: 1, call: 'listGroups', args: [{ limit: 10 }] })}\n`);
    const page = await c.answer(1);
    expect(page).toEqual({ id: 1, ok: true, result: await stack.service.listGroups({ limit: 10 }) });
    const groupId = (page['result'] as { groups: Array<{ id: string }> }).groups[0]!.id;

    // Two requests in one write, answered in order; a string id comes back as given.
    c.send(
      `${JSON.stringify({ id: 'mark', call: 'markGroup', args: [groupId, { resolved: true }] })}\n${JSON.stringify({ id: 3, call: 'getGroup', args: [groupId] })}\n`,
    );
    expect(await c.answer(2)).toMatchObject({ id: 'mark', ok: true, result: { id: groupId, resolved: true } });
    const detail = await c.answer(3);
    expect(detail).toEqual({ id: 3, ok: true, result: JSON.parse(JSON.stringify(await stack.service.getGroup(groupId))) });
    // Resolved, it asks nothing of anyone: it is read too.
    expect(stack.inbox.get(groupId)).toMatchObject({ resolved: true, read: true });

    // One without arguments may leave `args` out.
    c.send(`${JSON.stringify({ id: 4, call: 'markGroup', args: [groupId, { read: false }] })}\n`);
    expect(await c.answer(4)).toMatchObject({ id: 4, ok: true, result: { id: groupId, read: false } });
    c.send(`${JSON.stringify({ id: 5, call: 'markAllRead' })}\n`);
    expect(await c.answer(5)).toEqual({ id: 5, ok: true, result: 1 });
  });

  it('refuses an unknown call, a call it does not serve, bad arguments and lines that are not requests, and goes on', async () => {
    const c = await raw();
    c.send('not json\n');
    expect(await c.answer(1)).toMatchObject({ id: null, ok: false, error: { code: 'bad-request' } });
    c.send(`${JSON.stringify({ call: 'getState' })}\n`);
    expect(await c.answer(2)).toMatchObject({ id: null, ok: false, error: { code: 'bad-request', message: expect.stringMatching(/id/) } });
    c.send(`${JSON.stringify({ id: 3, call: 'formatDisk', args: [] })}\n`);
    expect(await c.answer(3)).toMatchObject({
      id: 3,
      ok: false,
      error: { code: 'unknown-call', message: expect.stringMatching(/formatDisk/) },
    });
    c.send(`${JSON.stringify({ id: 4, call: 'copy', args: ['x', {}] })}\n`);
    expect(await c.answer(4)).toMatchObject({ id: 4, ok: false, error: { code: 'not-served', message: expect.stringMatching(/window/) } });
    c.send(`${JSON.stringify({ id: 5, call: 'markGroup', args: ['g', { resolved: 'yes' }] })}\n`);
    expect(await c.answer(5)).toMatchObject({
      id: 5,
      ok: false,
      error: { code: 'bad-args', message: expect.stringMatching(/argument 1\.resolved/) },
    });
    c.send(`${JSON.stringify({ id: 6, call: 'setDnd', args: ['forever'] })}\n`);
    expect(await c.answer(6)).toMatchObject({ id: 6, ok: false, error: { code: 'bad-args' } });
    c.send(`${JSON.stringify({ id: 7, call: 'sendTestEvent', args: ['noSuchSource'] })}\n`);
    expect(await c.answer(7)).toMatchObject({ id: 7, ok: false, error: { code: 'unknown-source' } });
    // Still serving on the same connection.
    c.send(`${JSON.stringify({ id: 8, call: 'getSettings', args: [] })}\n`);
    expect(await c.answer(8)).toMatchObject({ id: 8, ok: true, result: { port: 0 } });
    expect(stack.inbox.counts().groups).toBe(0);
  });

  it("keeps the sources' secrets inside: getState answers them emptied", async () => {
    const c = await raw();
    c.send(`${JSON.stringify({ id: 1, call: 'getState' })}\n`);
    const state = (await c.answer(1))['result'] as Awaited<ReturnType<typeof stack.service.getState>>;
    const source = state.sources.find((s) => s.id === SOURCE.id)!;
    expect(source.credentials).toEqual({ username: '', password: '' });
    expect(source.setup.filter((f) => f.secret).map((f) => f.value)).toEqual(['']);
    expect(source.setup.find((f) => !f.secret)?.value).toBe(source.webhookUrl);
    expect(JSON.stringify(state)).not.toContain(SOURCE.credentials.password);
    // The app service itself still has them, for the window.
    expect((await stack.service.getState()).sources[0]!.credentials['password']).toBe(SOURCE.credentials.password);
  });

  it('serves only calls of the IPC table, with the schemas the desktop IPC handlers use', () => {
    for (const name of CONTROL_CALLS) expect(CALL_NAMES).toContain(name);
    expect(CONTROL_CALLS).not.toContain('copy');
    expect(CONTROL_CALLS).not.toContain('openLink');
    expect(CONTROL_CALLS).not.toContain('updateSettings');
    expect(SHELL_SCHEMAS).toBe(CORE_SCHEMAS);
  });

  it('closes a connection whose line is too long, and tells it why', async () => {
    const c = await raw();
    c.send(`{"id":1,"call":"getState","args":["${'x'.repeat(300 * 1024)}`);
    expect(await c.answer(1)).toMatchObject({ id: null, ok: false, error: { code: 'too-long' } });
    await c.untilClosed();
  });

  it(`serves ${MAX_CONNECTIONS} connections at once and tells one more that it is busy`, async () => {
    const open = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => raw()));
    // Each is served (so each counts).
    await Promise.all(
      open.map(async (c, i) => {
        c.send(`${JSON.stringify({ id: i, call: 'getSettings' })}\n`);
        await c.answer(1);
      }),
    );
    const extra = await raw();
    expect(await extra.answer(1)).toMatchObject({ id: null, ok: false, error: { code: 'busy' } });
    await extra.untilClosed();
    // Once one leaves, a new one is served again.
    open[0]!.socket.destroy();
    await open[0]!.untilClosed();
    // The server hears of the close a moment after the client: retry until it has (bounded by the test's timeout).
    for (;;) {
      const next = await ControlClient.connect(stack.dataDir);
      clients.push(next);
      const answer = await next.call('getSettings').catch((e: unknown) => e);
      if (answer instanceof CallRefusedError && answer.code === 'busy') continue;
      expect(answer).toMatchObject({ port: 0 });
      break;
    }
  });

  it('the command line client makes typed calls and reports refusals with their code', async () => {
    const client = await ControlClient.connect(stack.dataDir);
    clients.push(client);
    const delivery = await client.call('sendTestEvent', SOURCE.id);
    expect(delivery).toMatchObject({ via: 'local', status: 200, reason: 'accepted' });
    const page = await client.call('listGroups', { limit: 5 });
    expect(page.total).toBe(1);
    await expect(client.call('getGroup', 'x'.repeat(300))).rejects.toMatchObject({ code: 'bad-args' });
    await expect(client.call('markGroup', 'nope', { read: true })).resolves.toBeNull();
    const refused = await client.call('sendTestEvent', 'nope').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CallRefusedError);
    expect(refused).toMatchObject({ code: 'unknown-source' });
  });

  it('close() ends the connections and removes the socket', async () => {
    const c = await raw();
    await control.close();
    await c.untilClosed();
    expect(existsSync(control.path)).toBe(false);
    await expect(ControlClient.connect(stack.dataDir)).rejects.toBeInstanceOf(NotRunningError);
  });
});

describe('the control socket file', () => {
  let dir: string;
  const servers: ControlServer[] = [];
  let stack: Stack | null = null;

  beforeEach(async () => {
    dir = tmpDataDir();
    stack = await startStack({ sources: [SOURCE] });
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    await stack?.close();
  });

  const start = async (): Promise<ControlServer> => {
    const s = await startControlServer({ dataDir: dir, service: stack!.service });
    servers.push(s);
    return s;
  };

  it('replaces the socket a killed Crashbell left behind (nothing answers on it)', async () => {
    const path = join(dir, CONTROL_SOCKET_NAME);
    // A process that listens on the path and is SIGKILLed leaves the socket file with nobody behind it.
    const child = spawn(
      process.execPath,
      ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    expect(lstatSync(path).isSocket()).toBe(true);
    const stale = await ControlClient.connect(dir).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(NotRunningError);
    expect((stale as Error).message).toMatch(/left from one that stopped/);

    const server = await start();
    const client = await ControlClient.connect(dir);
    await expect(client.call('getSettings')).resolves.toMatchObject({ port: 0 });
    client.close();
    expect(server.path).toBe(path);
  });

  it('never follows or removes a symbolic link in its place', async () => {
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'not ours');
    const path = join(dir, CONTROL_SOCKET_NAME);
    symlinkSync(target, path);
    await expect(start()).rejects.toThrow(ControlSocketError);
    await expect(start()).rejects.toThrow(/symbolic link/);
    expect(readlinkSync(path)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('not ours');
  });

  it('leaves a file or a folder in its place alone, and says so', async () => {
    const path = join(dir, CONTROL_SOCKET_NAME);
    mkdirSync(path);
    await expect(start()).rejects.toThrow(/not a socket/);
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it('refuses to take over a socket another process serves', async () => {
    const path = join(dir, CONTROL_SOCKET_NAME);
    const other = createServer((s) => s.end());
    await new Promise<void>((resolve) => other.listen(path, resolve));
    try {
      await expect(start()).rejects.toThrow(/another process already serves/);
      expect(lstatSync(path).isSocket()).toBe(true);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('says there is no Crashbell for a folder without a socket', async () => {
    const missing = await ControlClient.connect(join(dir, 'nothing-here')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotRunningError);
    expect((missing as Error).message).toMatch(/no Crashbell is running for the data folder .*nothing-here/);
  });
});

describe('where the control socket is', () => {
  it('is a file in the data folder on POSIX systems, and a named pipe per folder on Windows', () => {
    expect(controlSocketPath('/var/lib/crashbell', 'linux')).toBe('/var/lib/crashbell/crashbell.sock');
    const pipe = controlSocketPath('C:\\Users\\ana\\AppData\\Local\\crashbell-headless', 'win32');
    expect(pipe).toMatch(/^\\\\\.\\pipe\\crashbell-[0-9a-f]{32}$/);
    // The same folder spelt in another case is the same pipe; another folder is another pipe.
    expect(controlSocketPath('c:\\users\\ana\\appdata\\local\\crashbell-headless', 'win32')).toBe(pipe);
    expect(controlSocketPath('C:\\Users\\bo\\AppData\\Local\\crashbell-headless', 'win32')).not.toBe(pipe);
  });

  it('says when a data folder path is too long for a socket', () => {
    expect(socketPathProblem(`/${'d'.repeat(100)}/crashbell.sock`, 'linux')).toMatch(/over this system's limit of 107.*--data-dir/);
    expect(socketPathProblem('/var/lib/crashbell/crashbell.sock', 'linux')).toBeNull();
    expect(socketPathProblem(`/${'d'.repeat(100)}/crashbell.sock`, 'win32')).toBeNull();
  });
});
