import { createHash } from 'node:crypto';
import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MAX_BUFFERED_BYTES, Receiver } from '../../../../main/core/receiver/receiver';
import { RequestLog } from '../../../../main/core/request-log';
import type { RequestRecord } from '../../../../shared/events';
import { sourceSchema } from '../../../../shared/settings';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadlessProcess } from '../../../helpers/headless-process';
import { basicAuth, sendHook } from '../../../helpers/hook-client';
import { fixturePath } from '../../../helpers/paths';

const source = sourceSchema.parse({ id: 'errorceptionSourceAAAAA', provider: 'errorception', name: 'Site', credentials: { secret: 's' } });

let receiver: Receiver | null = null;

afterEach(async () => {
  await receiver?.close(100);
  receiver = null;
});

async function startReceiver(records: RequestRecord[]): Promise<number> {
  receiver = new Receiver({
    getSource: (id) => (id === source.id ? source : undefined),
    onEvent: async () => undefined,
    log: new RequestLog(50),
    onRecord: (r) => records.push(r),
    requestTimeoutMs: 300,
    headersTimeoutMs: 200,
    timeoutCheckIntervalMs: 50,
  });
  return receiver.listen(0);
}

/** Opens a raw socket, writes `text`, and resolves with what the server sent once it closes the socket. */
function stall(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => undefined);
  });
}

describe('receiver: slow or stalled senders', () => {
  it('drops a sender that never finishes its headers, while serving others', async () => {
    const records: RequestRecord[] = [];
    const port = await startReceiver(records);
    const stalled = stall(port, 'POST /hooks/errorceptionSourceAAAAA HTTP/1.1\r\nHost: x\r\nContent-Type: appl');
    const other = await sendHook(port, { method: 'GET', path: '/' });
    expect(other.status).toBe(404);
    const answer = await stalled;
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
    expect(records.map((r) => r.status)).toEqual([404, 408]);
  });

  it('drops a sender that stops sending its body half way, and records it', async () => {
    const records: RequestRecord[] = [];
    const port = await startReceiver(records);
    const answer = await stall(
      port,
      'POST /hooks/errorceptionSourceAAAAA HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Signature: 0\r\nContent-Length: 100\r\n\r\n{"message":',
    );
    expect(answer === '' || /^HTTP\/1\.1 (408|400)/.test(answer)).toBe(true);
    // The handler settles once the socket is gone, so the request shows up in the inspector.
    for (let i = 0; i < 100 && !records.some((r) => r.sourceId === source.id); i++) await new Promise((r) => setTimeout(r, 20));
    const record = records.find((r) => r.sourceId === source.id);
    expect(record).toMatchObject({ status: 408, bodyTruncated: true, body: '{"message":', replayable: false });
    // One request, one record.
    expect(records).toHaveLength(1);
  });
});

describe('receiver: connections after a refusal', () => {
  it('keeps the connection for a refused small body, and closes it for an unannounced one', async () => {
    const port = await startReceiver([]);
    const keepAlive = { 'content-type': 'text/plain', connection: 'keep-alive' };
    const small = await sendHook(port, { path: `/hooks/${source.id}`, headers: keepAlive, body: 'hello' });
    expect(small.status).toBe(415);
    expect(small.headers['connection']).not.toBe('close');
    const chunked = await sendHook(port, { path: `/hooks/${source.id}`, headers: keepAlive, streamBytes: 64 * 1024 });
    expect(chunked.status).toBe(415);
    expect(chunked.headers['connection']).toBe('close');
  });
});

describe('receiver: arbitrary input', () => {
  it('answers every body with a status from the documented set and keeps serving', async () => {
    const records: RequestRecord[] = [];
    const port = await startReceiver(records);
    const bodies = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
      fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b).toString('latin1')),
      fc
        .record({ message: fc.string(), page: fc.string(), webUrl: fc.oneof(fc.string(), fc.constant(null)) })
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.constantFrom('application/json', 'application/problem+json; charset=utf-8'),
        fc.string({ maxLength: 64 }),
        async (body, type, sig) => {
          const headers: Record<string, string> = { 'content-type': type, 'x-signature': sig.replace(/[^\x20-\x7e]/g, '') };
          const res = await sendHook(port, { path: `/hooks/${source.id}`, headers, body });
          expect([200, 400, 401]).toContain(res.status);
          expect(res.json).not.toBeNull();
        },
      ),
      { numRuns: 150 },
    );
    expect(records).toHaveLength(150);
    expect((await sendHook(port, { method: 'GET', path: '/' })).status).toBe(404);
  });
});

describe('receiver: odd but legal HTTP', () => {
  /** A signed Errorception request for `source` (secret "s"), as raw HTTP. */
  function signedRequest(extraHeaders = ''): string {
    const body = JSON.stringify({ message: 'm', page: 'https://example.com/' });
    const sig = createHash('sha1').update('smhttps://example.com/', 'utf8').digest('hex');
    return (
      `POST /hooks/${source.id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Signature: ${sig}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}\r\n${body}`
    );
  }

  it('a hook followed by garbage on its connection still gets its own 200, then the connection closes', async () => {
    const records: RequestRecord[] = [];
    receiver = new Receiver({
      getSource: (id) => (id === source.id ? source : undefined),
      // The ingest waits for the disk, as the real inbox does: the garbage arrives before the answer is due.
      onEvent: () => new Promise((resolve) => setTimeout(resolve, 100)),
      log: new RequestLog(50),
      onRecord: (r) => records.push(r),
    });
    const port = await receiver.listen(0);
    const answer = await stall(port, `${signedRequest()}GARBAGE\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).not.toMatch(/HTTP\/1\.1 400/);
    expect(records[0]).toMatchObject({ status: 200 });
  });

  it('Expect: 100-continue is answered only after the checks: a refused body is never invited', async () => {
    const records: RequestRecord[] = [];
    const port = await startReceiver(records);
    const tooBig = await stall(
      port,
      `POST /hooks/${source.id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Signature: 0\r\nExpect: 100-continue\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`,
    );
    expect(tooBig).toMatch(/^HTTP\/1\.1 413 /);
    const wrongType = await stall(
      port,
      `POST /hooks/${source.id} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n`,
    );
    expect(wrongType).toMatch(/^HTTP\/1\.1 415 /);
  });

  it('Expect: 100-continue on an acceptable hook: "continue", then the answer', async () => {
    const records: RequestRecord[] = [];
    const port = await startReceiver(records);
    const answer = await new Promise<string>((resolve) => {
      const full = signedRequest('Expect: 100-continue\r\nConnection: close\r\n');
      const [head, body] = [full.slice(0, full.indexOf('\r\n\r\n') + 4), full.slice(full.indexOf('\r\n\r\n') + 4)];
      let got = '';
      const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        got += d;
        if (got.includes('100 Continue') && !got.includes('200 OK')) socket.write(body);
      });
      socket.on('close', () => resolve(got));
      socket.on('error', () => undefined);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  });
});

describe('receiver: memory bound across senders', () => {
  it('answers 503 (retry later) instead of holding more than its bound of bodies at once, and recovers', async () => {
    const records: RequestRecord[] = [];
    receiver = new Receiver({
      getSource: (id) => (id === source.id ? source : undefined),
      onEvent: async () => undefined,
      log: new RequestLog(50),
      onRecord: (r) => records.push(r),
      maxBufferedBytes: 1000,
      // Only the bound across everything is under test here (the smaller budgets get their own tests).
      maxSourceBufferedBytes: 1000,
      maxUnverifiedBufferedBytes: 1000,
    });
    const port = await receiver.listen(0);
    // A slow sender holds 800 bytes of a 900-byte body.
    const slow = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    slow.on('error', () => undefined);
    slow.write(
      `POST /hooks/${source.id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Signature: 0\r\nContent-Length: 900\r\n\r\n${' '.repeat(800)}`,
    );
    await new Promise((r) => setTimeout(r, 100));
    const json = { 'content-type': 'application/json', 'x-signature': '0' };
    const busy = await sendHook(port, {
      path: `/hooks/${source.id}`,
      headers: json,
      body: JSON.stringify({ message: 'm', page: 'p', pad: 'x'.repeat(400) }),
    });
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('5');
    slow.destroy();
    for (let i = 0; i < 50 && records.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const after = await sendHook(port, {
      path: `/hooks/${source.id}`,
      headers: json,
      body: JSON.stringify({ message: 'm', page: 'p', pad: 'x'.repeat(400) }),
    });
    expect(after.status).toBe(401); // read whole again: refused only for its missing signature
  });
});

describe('receiver: budgets per source, per connection and for unauthenticated bodies', () => {
  const errorceptionB = sourceSchema.parse({
    id: 'errorceptionSourceBBBBB',
    provider: 'errorception',
    name: 'Other site',
    credentials: { secret: 't' },
  });
  const backtrace = sourceSchema.parse({
    id: 'backtraceSourceAAAAAAAA',
    provider: 'backtrace',
    name: 'Backtrace',
    credentials: { username: 'u', password: 'password-0123456789' },
  });
  const all = [source, errorceptionB, backtrace];

  /** A signed Errorception body of about `size` bytes; `hold` makes the test's ingest wait for release(). */
  function errorception(secret: string, size: number, message = 'm'): { headers: Record<string, string>; body: string } {
    const page = 'https://example.com/';
    const base = JSON.stringify({ message, page, pad: '' });
    const body = JSON.stringify({ message, page, pad: 'x'.repeat(Math.max(0, size - base.length)) });
    const sig = createHash('sha1')
      .update(secret + message + page, 'utf8')
      .digest('hex');
    return { headers: { 'content-type': 'application/json', 'x-signature': sig }, body };
  }

  /** A receiver whose ingest of a hook titled "hold" waits until `release()`; resolves `held` when it starts waiting. */
  async function start(budgets: Partial<ConstructorParameters<typeof Receiver>[0]>) {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (entered = resolve));
    const records: RequestRecord[] = [];
    receiver = new Receiver({
      getSource: (id) => all.find((s) => s.id === id),
      onEvent: async (event) => {
        if (event.title !== 'hold') return;
        entered();
        await gate;
      },
      log: new RequestLog(50),
      onRecord: (r) => records.push(r),
      ...budgets,
    });
    return { port: await receiver.listen(0), release: () => release(), held, records };
  }

  it("a source's bodies are bounded: past its budget it gets 503, other sources are still read", async () => {
    const { port, release, held } = await start({ maxBufferedBytes: 10_000, maxSourceBufferedBytes: 1500 });
    const first = errorception('s', 1000, 'hold');
    const holding = sendHook(port, { path: `/hooks/${source.id}`, ...first });
    await held;
    const same = await sendHook(port, { path: `/hooks/${source.id}`, ...errorception('s', 1000) });
    expect(same.status).toBe(503);
    expect(same.headers['retry-after']).toBe('5');
    expect(same.json?.['error']).toMatch(/for this source/);
    const other = await sendHook(port, { path: `/hooks/${errorceptionB.id}`, ...errorception('t', 1000) });
    expect(other.status).toBe(200);
    release();
    expect((await holding).status).toBe(200);
    // Released with the answer: the source is read again.
    expect((await sendHook(port, { path: `/hooks/${source.id}`, ...errorception('s', 1000) })).status).toBe(200);
  });

  it('unauthenticated bodies share half the bound; hooks authenticated by their headers are still read', async () => {
    const { port, release, held } = await start({
      maxBufferedBytes: 10_000,
      maxSourceBufferedBytes: 5000,
      maxUnverifiedBufferedBytes: 1500,
    });
    const holding = sendHook(port, { path: `/hooks/${source.id}`, ...errorception('s', 1000, 'hold') });
    await held;
    const unverified = await sendHook(port, { path: `/hooks/${errorceptionB.id}`, ...errorception('t', 1000) });
    expect(unverified.status).toBe(503);
    expect(unverified.json?.['error']).toMatch(/unauthenticated/);
    const body = readFileSync(fixturePath('backtrace', 'group-notification.json'));
    const verified = await sendHook(port, {
      path: `/hooks/${backtrace.id}`,
      headers: { 'content-type': 'application/json', authorization: basicAuth('u', 'password-0123456789') },
      body,
    });
    expect(verified.status).toBe(200);
    release();
    expect((await holding).status).toBe(200);
  });

  it('an announced body that cannot fit is refused before it is read', async () => {
    const { port, release, held, records } = await start({ maxBufferedBytes: 10_000, maxSourceBufferedBytes: 1500 });
    const holding = sendHook(port, { path: `/hooks/${source.id}`, ...errorception('s', 1000, 'hold') });
    await held;
    const { headers, body } = errorception('s', 1000);
    const answer = await stall(
      port,
      `POST /hooks/${source.id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Signature: ${headers['x-signature']}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).not.toContain('100 Continue');
    expect(records.at(-1)).toMatchObject({ status: 503, bodyBytes: 0 });
    release();
    await holding;
  });

  it("one connection's pipelined bodies are bounded by the body limit", async () => {
    const { port, release, held, records } = await start({ maxBufferedBytes: 10_000, maxBodyBytes: 1500 });
    const raw = (m: { headers: Record<string, string>; body: string }): string =>
      `POST /hooks/${source.id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Signature: ${m.headers['x-signature']}\r\n` +
      `Content-Length: ${Buffer.byteLength(m.body)}\r\n\r\n${m.body}`;
    const answers = new Promise<string>((resolve) => {
      let got = '';
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write(raw(errorception('s', 1000, 'hold')) + raw(errorception('s', 1000))),
      );
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (got += d));
      socket.on('close', () => resolve(got));
      socket.on('error', () => undefined);
    });
    await held;
    // The second request, read while the first waits for its ingest, is refused and recorded first.
    for (let i = 0; i < 100 && records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(records[0]).toMatchObject({ status: 503, reason: expect.stringMatching(/on this connection/) });
    release();
    // Answers go out in request order: the held hook's 200, then the 503 (which closes the connection).
    expect(await answers).toMatch(/^HTTP\/1\.1 200 [\s\S]*HTTP\/1\.1 503 /);
  });
});

describe('headless: unauthenticated bodies cannot starve authenticated ones', () => {
  it('70 slow 1 MB uploads to an Errorception URL leave authenticated 200 KB Backtrace hooks answered 200', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crashbell-flood-'));
    const errorceptionSource = { id: 'floodErrorceptionSourceAA', provider: 'errorception', name: 'Site', credentials: { secret: 's' } };
    const backtraceSource = {
      id: 'floodBacktraceSourceAAAAA',
      provider: 'backtrace',
      name: 'Backtrace',
      credentials: { username: 'u', password: 'password-0123456789' },
    };
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ port: 0, sources: [errorceptionSource, backtraceSource] }));
    const headless = HeadlessProcess.start(inject('headlessEntry'), [
      '--config',
      config,
      '--data-dir',
      join(dir, 'data'),
      '--port',
      '0',
      '--json',
    ]);
    const floods: net.Socket[] = [];
    try {
      const port = (await headless.waitFor((l) => l['type'] === 'listening'))['port'] as number;
      // Each upload announces 1,000,000 bytes with an X-Signature (a hook without one is refused before its
      // body is read), sends all but the last byte, and then waits: the receiver can only verify an
      // Errorception signature once it has the whole body, so each one holds its bytes in memory.
      let refused = 0;
      let firstRefusal: () => void = () => undefined;
      const aFloodWasRefused = new Promise<void>((resolve) => (firstRefusal = resolve));
      for (let i = 0; i < 70; i++) {
        const socket = net.connect(port, '127.0.0.1');
        floods.push(socket);
        socket.on('error', () => undefined);
        socket.setEncoding('latin1');
        socket.on('data', (d: string) => {
          if (/^HTTP\/1\.1 503 /.test(d)) {
            refused++;
            firstRefusal();
          }
        });
        socket.write(
          `POST /hooks/${errorceptionSource.id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Signature: ${'0'.repeat(40)}\r\nContent-Length: 1000000\r\n\r\n` +
            `{"message":"m","page":"p","pad":"${'x'.repeat(1_000_000 - 34)}`,
        );
      }
      // The flood settles when every upload is either refused or held: the source's budget (a quarter of the
      // 64 MiB bound) holds at most this many, so the rest must be refused (without per-source budgets,
      // nearly all of them would be held and this wait would end the test).
      const maxHeld = Math.floor(MAX_BUFFERED_BYTES / 4 / 999_999) + 1;
      await aFloodWasRefused;
      for (let i = 0; i < 500 && refused < 70 - maxHeld; i++) await new Promise((r) => setTimeout(r, 20));
      expect(refused).toBeGreaterThanOrEqual(70 - maxHeld);
      const hook = JSON.parse(readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8')) as Record<string, unknown>;
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const body = JSON.stringify({ ...hook, object_id: `flood-${i}`, occurrences: 100 + i, padding: 'y'.repeat(200_000) });
        const res = await sendHook(port, {
          path: `/hooks/${backtraceSource.id}`,
          headers: { 'content-type': 'application/json', authorization: basicAuth('u', 'password-0123456789') },
          body,
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual(Array(10).fill(200));
      expect(headless.json().filter((l) => l['type'] === 'received')).toHaveLength(10);
    } finally {
      for (const socket of floods) socket.destroy();
      await headless.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
