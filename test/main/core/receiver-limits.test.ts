import { createHash } from 'node:crypto';
import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Receiver } from '../../../main/core/receiver';
import { RequestLog } from '../../../main/core/request-log';
import type { RequestRecord } from '../../../shared/events';
import { sourceSchema } from '../../../shared/settings';
import { sendHook } from '../../helpers/hook-client';

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
