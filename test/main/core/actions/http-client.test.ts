/**
 * The one HTTP client of provider actions, against small servers on 127.0.0.1: addresses it refuses, retries and
 * their bounds, Retry-After in both forms, redirects, bounded reading and non-JSON answers. Short timeouts, no
 * timed assertion (waits are observed through the injected sleep).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addressProblem,
  type HttpClientOptions,
  type RetryNotice,
  retryAfterMs,
  sendApiRequest,
} from '../../../../main/core/actions/http-client';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/** A server whose handler sees the request count (1-based); resolves with its base URL and the request log. */
async function serve(
  handler: Handler,
): Promise<{ url: string; seen: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders }> }> {
  const seen: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => handler(req, res, seen.length));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** Options for tests: loopback allowed, waits recorded instead of slept. */
function opts(extra: Partial<HttpClientOptions> = {}): { options: Partial<HttpClientOptions>; waits: number[]; notices: RetryNotice[] } {
  const waits: number[] = [];
  const notices: RetryNotice[] = [];
  return {
    waits,
    notices,
    options: {
      allowLoopbackHttp: true,
      timeoutMs: 2_000,
      maxAttempts: 3,
      backoffBaseMs: 100,
      backoffMaxMs: 400,
      maxRetryWaitMs: 10_000,
      sleep: async (ms) => {
        waits.push(ms);
      },
      onRetry: (n) => notices.push(n),
      random: () => 0.5,
      ...extra,
    },
  };
}

describe('addresses', () => {
  it('sends only over https, or http to a loopback address when allowed', () => {
    expect(addressProblem('https://sentry.io/api/0/', false)).toBeNull();
    expect(addressProblem('http://127.0.0.1:9000/x', true)).toBeNull();
    expect(addressProblem('http://[::1]:9000/x', true)).toBeNull();
    expect(addressProblem('http://localhost/x', true)).toBeNull();
    expect(addressProblem('http://127.0.0.1:9000/x', false)).toMatch(/plain http is used only for a loopback API URL you set yourself/);
    expect(addressProblem('http://sentry.example.com/x', true)).toMatch(/sent only over https/);
    expect(addressProblem('ftp://sentry.example.com/x', true)).toMatch(/sent only over https/);
    expect(addressProblem('https://user:pw@sentry.io/', false)).toMatch(/user name or password/);
    expect(addressProblem('not a url', false)).toMatch(/is not a URL/);
  });

  it('refuses before sending anything', async () => {
    const result = await sendApiRequest(
      { method: 'GET', url: 'http://example.com/api', headers: {} },
      opts({ allowLoopbackHttp: false }).options,
    );
    expect(result).toEqual({ ok: false, kind: 'address', words: expect.stringMatching(/only over https/), attempts: 0 });
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-01-02T08:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Fri, 02 Jan 2026 08:01:30 GMT', now)).toBe(90_000);
    expect(retryAfterMs('Fri, 02 Jan 2026 07:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('-5', now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
  });
});

describe('retries', () => {
  it('waits what a 429 asks (seconds), then succeeds', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 1) return void res.writeHead(429, { 'retry-after': '3' }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const t = opts();
    const result = await sendApiRequest({ method: 'PUT', url: `${server.url}/x`, headers: {}, body: { a: 1 } }, t.options);
    expect(result).toMatchObject({ ok: true, attempts: 2, response: { status: 200, json: { ok: true } } });
    expect(t.waits).toEqual([3_000]);
    expect(t.notices).toEqual([expect.objectContaining({ attempt: 1, status: 429 })]);
  });

  it('waits until an HTTP-date Retry-After', async () => {
    const now = Date.parse('2026-01-02T08:00:00Z');
    const server = await serve((_req, res, n) => {
      if (n === 1) return void res.writeHead(429, { 'retry-after': 'Fri, 02 Jan 2026 08:00:05 GMT' }).end();
      res.writeHead(204).end();
    });
    const t = opts({ now: () => now });
    const result = await sendApiRequest({ method: 'GET', url: `${server.url}/x`, headers: {} }, t.options);
    expect(result).toMatchObject({ ok: true, attempts: 2, response: { status: 204 } });
    expect(t.waits).toEqual([5_000]);
  });

  it('does not wait longer than its bound: the answer says when to try again instead', async () => {
    const now = 1_000_000;
    const server = await serve((_req, res) => void res.writeHead(429, { 'retry-after': '3600' }).end());
    const t = opts({ now: () => now });
    const result = await sendApiRequest({ method: 'GET', url: `${server.url}/x`, headers: {} }, t.options);
    expect(result).toMatchObject({ ok: true, attempts: 1, retryAt: now + 3_600_000, response: { status: 429 } });
    expect(t.waits).toEqual([]);
    expect(server.seen).toHaveLength(1);
  });

  it('backs off (bounded, with jitter) on 5xx, and stops after maxAttempts', async () => {
    const server = await serve((_req, res) => void res.writeHead(503).end('down'));
    const t = opts({ maxAttempts: 4 });
    const result = await sendApiRequest({ method: 'PATCH', url: `${server.url}/x`, headers: {}, body: {} }, t.options);
    expect(result).toMatchObject({ ok: true, attempts: 4, retryAt: null, response: { status: 503, text: 'down' } });
    // random() = 0.5 of 100, 200, 400 (capped at backoffMaxMs).
    expect(t.waits).toEqual([50, 100, 200]);
    expect(server.seen).toHaveLength(4);
  });

  it('does not retry other refusals', async () => {
    for (const status of [400, 401, 403, 404, 409, 422, 501]) {
      const server = await serve((_req, res) => void res.writeHead(status).end());
      const t = opts();
      const result = await sendApiRequest({ method: 'PUT', url: `${server.url}/x`, headers: {}, body: {} }, t.options);
      expect(result).toMatchObject({ ok: true, attempts: 1, response: { status } });
      expect(server.seen).toHaveLength(1);
    }
  });

  it('retries a network error, then says what it was', async () => {
    const server = await serve(() => undefined);
    const port = new URL(server.url).port;
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    const t = opts({ maxAttempts: 2 });
    const result = await sendApiRequest({ method: 'GET', url: `http://127.0.0.1:${port}/x`, headers: {} }, t.options);
    expect(result).toEqual({
      ok: false,
      kind: 'network',
      words: expect.stringMatching(/could not be reached: the connection was refused/),
      attempts: 2,
    });
    expect(t.waits).toHaveLength(1);
  });

  it('times out an attempt that gets no answer, retrying within its bound', async () => {
    const server = await serve(() => undefined);
    const t = opts({ timeoutMs: 100, maxAttempts: 2 });
    const result = await sendApiRequest({ method: 'GET', url: `${server.url}/x`, headers: {} }, t.options);
    expect(result).toEqual({ ok: false, kind: 'timeout', words: expect.stringMatching(/gave no answer within 0\.1 s/), attempts: 2 });
    expect(server.seen).toHaveLength(2);
  });

  it('stops at once when the caller aborts', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await sendApiRequest(
      { method: 'GET', url: `${server.url}/x`, headers: {} },
      opts({ timeoutMs: 5_000 }).options,
      controller.signal,
    );
    expect(result).toMatchObject({ ok: false, kind: 'aborted', attempts: 1 });
  });
});

describe('redirects', () => {
  it('follows a same-origin 307 and 308, keeping the method and headers', async () => {
    const server = await serve((req, res, n) => {
      if (n === 1) return void res.writeHead(307, { location: '/moved' }).end();
      if (n === 2) return void res.writeHead(308, { location: `http://${req.headers.host}/final` }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const t = opts();
    const result = await sendApiRequest(
      { method: 'PUT', url: `${server.url}/start`, headers: { authorization: 'Bearer x' }, body: { a: 1 } },
      t.options,
    );
    expect(result).toMatchObject({ ok: true, response: { status: 200, url: `${server.url}/final` } });
    expect(server.seen.map((s) => [s.method, s.path, s.headers.authorization])).toEqual([
      ['PUT', '/start', 'Bearer x'],
      ['PUT', '/moved', 'Bearer x'],
      ['PUT', '/final', 'Bearer x'],
    ]);
  });

  it('refuses a redirect to another host, another port, or another scheme', async () => {
    for (const location of ['https://evil.example/x', 'http://127.0.0.2/x', 'http://127.0.0.1:1/x']) {
      const server = await serve((_req, res) => void res.writeHead(302, { location }).end());
      const result = await sendApiRequest(
        { method: 'GET', url: `${server.url}/x`, headers: { authorization: 'Bearer x' } },
        opts().options,
      );
      expect(result).toMatchObject({ ok: false, kind: 'redirect', words: expect.stringMatching(/redirected to another host/) });
      expect(server.seen).toHaveLength(1);
    }
  });

  it('refuses a redirect that would change a write into a read, and more than two hops', async () => {
    const changing = await serve((_req, res) => void res.writeHead(301, { location: '/y' }).end());
    const a = await sendApiRequest({ method: 'PATCH', url: `${changing.url}/x`, headers: {}, body: {} }, opts().options);
    expect(a).toMatchObject({
      ok: false,
      kind: 'redirect',
      words: expect.stringMatching(/answered 301, a redirect that would change the request/),
    });
    const looping = await serve((_req, res) => void res.writeHead(307, { location: '/again' }).end());
    const b = await sendApiRequest({ method: 'GET', url: `${looping.url}/x`, headers: {} }, opts().options);
    expect(b).toMatchObject({ ok: false, kind: 'redirect', words: expect.stringMatching(/redirected more than 2 times/) });
    expect(looping.seen).toHaveLength(3);
  });
});

describe('answers', () => {
  it('cuts a huge answer at the bound and says so, parsing nothing', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"x":"${'a'.repeat(200_000)}"}`);
    });
    const result = await sendApiRequest({ method: 'GET', url: `${server.url}/x`, headers: {} }, opts({ maxBodyBytes: 1024 }).options);
    expect(result).toMatchObject({ ok: true, response: { status: 200, truncated: true, json: undefined } });
    if (result.ok) expect(result.response.text).toHaveLength(1024);
  });

  it('keeps a non-JSON answer as text with its content type', async () => {
    const server = await serve((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>'));
    const result = await sendApiRequest({ method: 'GET', url: `${server.url}/x`, headers: {} }, opts().options);
    expect(result).toMatchObject({
      ok: true,
      response: { text: '<h1>hi</h1>', json: undefined, truncated: false, contentType: 'text/html' },
    });
  });

  it('sends JSON with accept and content-type, and keeps at most 64 response headers', async () => {
    const server = await serve((_req, res) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      for (let i = 0; i < 100; i++) headers[`x-h${i}`] = 'v'.repeat(40);
      headers['x-long'] = 'w'.repeat(3_000);
      res.writeHead(200, headers).end('[1,2]');
    });
    const result = await sendApiRequest({ method: 'POST', url: `${server.url}/x`, headers: {}, body: [1] }, opts().options);
    expect(server.seen[0]!.headers['content-type']).toBe('application/json');
    expect(server.seen[0]!.headers['accept']).toBe('application/json');
    expect(result).toMatchObject({ ok: true, response: { json: [1, 2] } });
    if (result.ok) {
      expect(Object.keys(result.response.headers).length).toBeLessThanOrEqual(64);
      expect(Math.max(...Object.values(result.response.headers).map((v) => v.length))).toBeLessThanOrEqual(1024);
    }
  });

  it('survives headers too large to read (undici refuses them) as a network failure in words', async () => {
    const server = await serve((_req, res) => void res.writeHead(200, { 'x-huge': 'h'.repeat(100_000) }).end('{}'));
    const result = await sendApiRequest({ method: 'GET', url: `${server.url}/x`, headers: {} }, opts({ maxAttempts: 1 }).options);
    expect(result).toMatchObject({ ok: false, kind: 'network', words: expect.stringMatching(/could not be reached/) });
  });
});
