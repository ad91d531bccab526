/**
 * A local stand-in for an ntfy server on 127.0.0.1: records each publish (method, path, headers, body) and
 * answers as ntfy does (200 with the message as JSON, or the error it is told to give), so the ntfy outlet is
 * tested over a real socket without the internet.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Publish {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The title as ntfy shows it: an RFC 2047 `=?UTF-8?B?...?=` header decoded. */
  title: string | undefined;
}

/** Decodes a `=?UTF-8?B?...?=` header value the way ntfy does; other values are returned as they are. */
export function decodeHeader(value: string | undefined): string | undefined {
  const word = value === undefined ? null : /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/i.exec(value);
  return word ? Buffer.from(word[1] ?? '', 'base64').toString('utf8') : value;
}

export class NtfyStandIn {
  readonly publishes: Publish[] = [];
  /** What the next publishes get; default a 200 as ntfy answers. */
  answer: { status: number; body: string } | null = null;
  private readonly server: Server;
  private waiters: Array<() => void> = [];

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const title = decodeHeader(req.headers['title'] as string | undefined);
        this.publishes.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, title });
        for (const wake of this.waiters.splice(0)) wake();
        const answer = this.answer ?? {
          status: 200,
          body: JSON.stringify({ id: 'abc', event: 'message', topic: (req.url ?? '').slice(1), message: body }),
        };
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
  }

  static async start(): Promise<NtfyStandIn> {
    const standIn = new NtfyStandIn();
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  /** The URL of a topic on the stand-in. */
  topicUrl(topic: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${topic}`;
  }

  /** Waits until `count` publishes have arrived (bounded by the test's timeout). */
  async waitFor(count: number): Promise<Publish[]> {
    while (this.publishes.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.publishes;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
