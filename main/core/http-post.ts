/**
 * Posts one request to a URL and reads the answer: "send test event" and replay go through the real
 * receiver (locally or through the public tunnel URL) exactly as a provider's request would.
 */
import http from 'node:http';
import https from 'node:https';

/** What to send. */
export interface OutgoingRequest {
  method?: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** What came back: status, lower-cased headers and (at most 64 KiB of) the body as text. */
export interface PostResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const MAX_RESPONSE_BYTES = 64 * 1024;
/** Default time to wait for an answer; a stalled tunnel must not hang the UI. */
export const DEFAULT_POST_TIMEOUT_MS = 15_000;

/** Hop-by-hop and length headers that must not be copied onto a new request. */
const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'expect', 'upgrade']);

/**
 * Sends the request and resolves with the response. Rejects (with plain words) on network errors, on a URL
 * that is not http(s), when no answer comes within `timeoutMs`, and when `signal` aborts.
 */
export function postRequest(
  url: string,
  request: OutgoingRequest,
  timeoutMs: number = DEFAULT_POST_TIMEOUT_MS,
  signal?: AbortSignal,
): Promise<PostResponse> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error(`not a valid URL: ${url}`));
      return;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      reject(new Error(`only http(s) URLs can be posted to, not ${target.protocol}`));
      return;
    }
    const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!DROPPED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    headers['content-length'] = String(body.length);
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, { method: request.method ?? 'POST', headers, agent: false, ...(signal ? { signal } : {}) });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer from ${target.origin} within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept < MAX_RESPONSE_BYTES) {
          chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - kept));
          kept += Math.min(chunk.length, MAX_RESPONSE_BYTES - kept);
        }
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const out: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });
}
