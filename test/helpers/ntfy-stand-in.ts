/**
 * A local stand-in for an ntfy server on 127.0.0.1: records each request (method, path, headers, body) and answers
 * as ntfy does, so the ntfy outlet is tested over a real socket without the internet.
 *
 * What it follows, from ntfy's publishing documentation (https://docs.ntfy.sh/publish/, and its section "Updating +
 * deleting notifications", https://docs.ntfy.sh/publish/#updating-deleting-notifications, ntfy 2.16 and later):
 * - a publish is a POST or PUT of the message to `/<topic>`, or to `/<topic>/<sequence_id>`; the answer is 200 with the
 *   message as JSON (`id`, `time`, `event: "message"`, `topic`, `message`, and its `sequence_id` when it has one);
 * - a message's sequence id is its `X-Sequence-ID` header (aliases `Sequence-ID`, `SID`) or the path's second part;
 *   messages of one sequence are one notification, updated by each new message;
 * - `PUT /<topic>/<sequence_id>/clear` (alias `/read`) clears the sequence's notification (marks it read and dismisses
 *   it), answered with a `message_clear` event; `DELETE /<topic>/<sequence_id>` deletes it (`message_delete`).
 * As `version: 'before-2.16'` it is a server from before that section: the sequence headers are not read, and the
 * clear and delete paths are not routes, so they get ntfy's 404 (`{"code":40401,"http":404,"error":"page not found"}`,
 * ntfy's `errHTTPNotFound`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Publish {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The title as ntfy shows it: an RFC 2047 `=?UTF-8?B?...?=` header decoded. */
  title: string | undefined;
  /** The message's sequence id (header or path), or undefined (always undefined for a server before 2.16). */
  sequenceId: string | undefined;
}

/** A clear (`PUT .../clear` or `.../read`) or delete (`DELETE /<topic>/<sequence_id>`) the stand-in took. */
export interface SequenceChange {
  kind: 'clear' | 'delete';
  topic: string;
  sequenceId: string;
  headers: IncomingHttpHeaders;
}

/** Decodes a `=?UTF-8?B?...?=` header value the way ntfy does; other values are returned as they are. */
export function decodeHeader(value: string | undefined): string | undefined {
  const word = value === undefined ? null : /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/i.exec(value);
  return word ? Buffer.from(word[1] ?? '', 'base64').toString('utf8') : value;
}

/** ntfy's topic and sequence id names: letters, digits, `_` and `-`, at most 64. */
const NAME = '[-_A-Za-z0-9]{1,64}';
const PUBLISH = new RegExp(`^/(${NAME})(?:/(${NAME}))?$`);
const CLEAR = new RegExp(`^/(${NAME})/(${NAME})/(?:clear|read)$`);
const SEQUENCE = new RegExp(`^/(${NAME})/(${NAME})$`);

const NOT_FOUND = { status: 404, body: JSON.stringify({ code: 40401, http: 404, error: 'page not found' }) };

function header(headers: IncomingHttpHeaders, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

export class NtfyStandIn {
  readonly publishes: Publish[] = [];
  readonly changes: SequenceChange[] = [];
  /** What the next publishes (and clears) get; default what ntfy answers. */
  answer: { status: number; body: string } | null = null;
  private readonly server: Server;
  private waiters: Array<() => void> = [];

  private constructor(readonly version: 'current' | 'before-2.16') {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = this.handle(
          req.method ?? '',
          (req.url ?? '').split('?')[0] ?? '',
          req.headers,
          Buffer.concat(chunks).toString('utf8'),
        );
        for (const wake of this.waiters.splice(0)) wake();
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
  }

  private handle(method: string, path: string, headers: IncomingHttpHeaders, body: string): { status: number; body: string } {
    const current = this.version === 'current';
    const event = (fields: Record<string, unknown>) => ({
      status: 200,
      body: JSON.stringify({ id: randomBytes(6).toString('base64url'), time: Math.floor(Date.now() / 1000), ...fields }),
    });
    const clear = CLEAR.exec(path);
    if (clear && (method === 'PUT' || method === 'POST')) {
      if (!current) return NOT_FOUND;
      this.changes.push({ kind: 'clear', topic: clear[1]!, sequenceId: clear[2]!, headers });
      return this.answer ?? event({ event: 'message_clear', topic: clear[1], sequence_id: clear[2] });
    }
    const sequence = SEQUENCE.exec(path);
    if (sequence && method === 'DELETE') {
      if (!current) return NOT_FOUND;
      this.changes.push({ kind: 'delete', topic: sequence[1]!, sequenceId: sequence[2]!, headers });
      return this.answer ?? event({ event: 'message_delete', topic: sequence[1], sequence_id: sequence[2] });
    }
    const publish = PUBLISH.exec(path);
    if (!publish || (method !== 'POST' && method !== 'PUT')) return NOT_FOUND;
    // Before 2.16 a second path part was no route at all.
    if (publish[2] !== undefined && !current) return NOT_FOUND;
    const sequenceId = current ? (publish[2] ?? header(headers, 'x-sequence-id', 'sequence-id', 'sid')) : undefined;
    const title = decodeHeader(headers['title'] as string | undefined);
    this.publishes.push({ method, path, headers, body, title, sequenceId });
    return (
      this.answer ??
      event({ event: 'message', topic: publish[1], message: body, ...(sequenceId !== undefined ? { sequence_id: sequenceId } : {}) })
    );
  }

  /** Starts a stand-in of a current ntfy, or of one from before sequence ids (`before-2.16`). */
  static async start(version: 'current' | 'before-2.16' = 'current'): Promise<NtfyStandIn> {
    const standIn = new NtfyStandIn(version);
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

  /** Waits until `count` clears or deletes have arrived (bounded by the test's timeout). */
  async waitForChanges(count: number): Promise<SequenceChange[]> {
    while (this.changes.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.changes;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
