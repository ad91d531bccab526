/**
 * A small raw HTTP client for receiver tests: sends exactly the method, headers and body given (optionally
 * streamed in chunks without a Content-Length) and resolves with the answer, even when the server closes
 * the connection while the body is still being sent.
 */
import http from 'node:http';

export interface HookResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown> | null;
}

export interface HookSend {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Stream this many bytes in 64 KiB chunks with chunked transfer encoding (no Content-Length). */
  streamBytes?: number;
}

export function sendHook(port: number, options: HookSend): Promise<HookResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (body && options.streamBytes === undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(body.length);
    }
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path, headers, agent: false });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const done = (): void => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | null = null;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      };
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    req.on('error', (error) => {
      // A server that stops reading a too-large body may reset the socket after it has answered.
      if (!answered) reject(error);
    });
    if (options.streamBytes !== undefined) {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < options.streamBytes! && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        if (!req.destroyed) req.end();
      };
      if (body) req.write(body);
      pump();
    } else {
      req.end(body);
    }
  });
}

/** `Basic base64(user:password)`. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
