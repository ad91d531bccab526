import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Receiver } from '../../main/core/receiver';
import { RequestLog } from '../../main/core/request-log';
import type { RequestRecord } from '../../shared/events';
import { sourceSchema } from '../../shared/settings';
import { sendHook } from './hook-client';

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
      'POST /hooks/errorceptionSourceAAAAA HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"message":',
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
