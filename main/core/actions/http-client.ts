/**
 * The one HTTP client provider actions go through (resolve, snooze, assign... and "Test token"): every request
 * to a provider's API is sent here, so every one gets the same guarantees.
 *
 * - Addresses: `https:` only; `http:` only to a loopback address, and only when the caller allows it (an API URL
 *   the user set for a local server or a test). A URL with a user name or password is refused.
 * - Time: each attempt has a timeout; the caller's signal aborts everything at once.
 * - Retries: bounded (`maxAttempts`), with exponential backoff and full jitter, for 429, 5xx, timeouts and
 *   network errors only; a 429's `Retry-After` (seconds or an HTTP date) is waited for when it is within
 *   `maxRetryWaitMs`, and otherwise reported as when to try again. The actions are idempotent (they set a state),
 *   so sending one again after a timeout is safe.
 * - Redirects: never to another host (the token would go with it). On the same origin at most
 *   `maxRedirects`, and only ones that keep the method (307, 308; 301-303 for GET).
 * - Answers: at most `maxBodyBytes` are read (a longer one is cut, and `truncated` says so); JSON is parsed only
 *   when the whole body came, and a body that is not JSON is kept as text for the words.
 *
 * Built on Node's own fetch (undici), so nothing is added to the dependencies; `redirect: 'manual'` hands each
 * 3xx back here, where the rules above apply.
 */
import { isLoopbackHost } from '../../../shared/settings';

/** What to send. The body, when there is one, is sent as JSON. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** What came back (the last answer, after any redirects and retries). */
export interface ApiResponse {
  status: number;
  /** Lower-cased header names (at most {@link MAX_KEPT_HEADERS}, each value cut to 1 KiB). */
  headers: Record<string, string>;
  /** The body as text, at most `maxBodyBytes` of it. */
  text: string;
  /** The body parsed as JSON; undefined when it was empty, cut, or not JSON. */
  json: unknown;
  /** The body was longer than `maxBodyBytes` and was cut. */
  truncated: boolean;
  /** The body's `content-type`, or ''. */
  contentType: string;
  /** The URL that answered (after same-origin redirects). */
  url: string;
}

/** Why no usable answer came. */
export type HttpFailureKind = 'timeout' | 'network' | 'redirect' | 'address' | 'aborted';

/** The outcome of {@link sendApiRequest}: an answer (any status), or a failure with plain words. */
export type HttpResult =
  | { ok: true; response: ApiResponse; attempts: number; retryAt: number | null }
  | { ok: false; kind: HttpFailureKind; words: string; attempts: number };

/** A retry the client is about to wait for (for "retrying at 14:05:30"). */
export interface RetryNotice {
  /** The attempt that failed (1-based). */
  attempt: number;
  /** Epoch ms of the next attempt. */
  at: number;
  /** The status that caused it, or null for a timeout or network error. */
  status: number | null;
}

/** Knobs; tests set short ones. */
export interface HttpClientOptions {
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts in all (1 = no retry). */
  maxAttempts: number;
  maxBodyBytes: number;
  maxRedirects: number;
  /** First backoff; doubled per attempt, with full jitter. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** The longest wait for a `Retry-After` (or a provider's reset time) before giving up and reporting it. */
  maxRetryWaitMs: number;
  /** Allow `http:` to a loopback address (an API URL the user set explicitly, or a test). */
  allowLoopbackHttp: boolean;
  /** Called before each wait for a retry. */
  onRetry?: (notice: RetryNotice) => void;
  /** Extra words on when a rate limit ends, from a provider's own headers (epoch ms), when `Retry-After` is absent. */
  rateLimitReset?: (headers: Record<string, string>) => number | null;
  /** A provider that refuses a rate-limited request with another status (Honeybadger's 403). */
  isRateLimited?: (response: ApiResponse) => boolean;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  random?: () => number;
}

/** Defaults for the app: a person is waiting on the answer, so attempts are short and few. */
export const DEFAULT_HTTP_OPTIONS: HttpClientOptions = {
  timeoutMs: 15_000,
  maxAttempts: 3,
  maxBodyBytes: 256 * 1024,
  maxRedirects: 2,
  backoffBaseMs: 500,
  backoffMaxMs: 8_000,
  maxRetryWaitMs: 60_000,
  allowLoopbackHttp: false,
};

/** How many response headers are kept; a provider's answer needs a handful. */
export const MAX_KEPT_HEADERS = 64;
const MAX_HEADER_VALUE = 1024;

/** Why a URL may not be sent to, or null when it may. */
export function addressProblem(raw: string, allowLoopbackHttp: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw.slice(0, 200)}" is not a URL`;
  }
  if (url.username !== '' || url.password !== '')
    return `${url.host}: a URL with a user name or password is not used (the token has its own setting)`;
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) {
    return allowLoopbackHttp ? null : `${url.origin}: plain http is used only for a loopback API URL you set yourself`;
  }
  return `${url.origin}: the token is sent only over https (http only to a loopback address you set as the API URL)`;
}

/**
 * The wait a `Retry-After` asks for, in ms from `now`: delta-seconds or an HTTP date. Null when absent or not
 * readable; never negative.
 */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names a weekday and GMT; anything else (a bare number with a sign, junk) is ignored.
  if (!/GMT$/i.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function defaultSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function keptHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of headers) {
    if (count >= MAX_KEPT_HEADERS) break;
    out[name.toLowerCase()] = value.length > MAX_HEADER_VALUE ? value.slice(0, MAX_HEADER_VALUE) : value;
    count++;
  }
  return out;
}

/** Reads at most `max` bytes of a body, cancelling the rest. */
async function readBounded(res: Response, max: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!res.body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = max - kept;
    if (value.byteLength > room) {
      if (room > 0) chunks.push(value.subarray(0, room));
      kept = max;
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    kept += value.byteLength;
  }
  const bytes = new Uint8Array(kept);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { bytes, truncated };
}

async function toApiResponse(res: Response, url: string, maxBodyBytes: number): Promise<ApiResponse> {
  const headers = keptHeaders(res.headers);
  const { bytes, truncated } = await readBounded(res, maxBodyBytes);
  // A cut body may end inside a character; the decoder replaces it rather than throwing.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let json: unknown;
  if (!truncated && text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers, text, json, truncated, contentType: headers['content-type'] ?? '', url };
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/** Words for a fetch that threw (no answer): the cause's code when Node gives one. */
function networkWords(origin: string, error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  const known: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused',
    ENOTFOUND: 'the host name does not resolve (offline, or a wrong API URL)',
    EAI_AGAIN: 'the host name could not be looked up (offline?)',
    ECONNRESET: 'the connection was reset',
    ETIMEDOUT: 'the connection timed out',
    ENETUNREACH: 'the network is unreachable (offline?)',
    EHOSTUNREACH: 'the host is unreachable',
    UND_ERR_SOCKET: 'the connection closed before an answer',
    CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
    DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed and not trusted",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate could not be verified",
    ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host",
  };
  return `${origin} could not be reached: ${known[code] ?? (code ? `network error ${code}` : 'network error')}`;
}

/** One request-response exchange, following same-origin redirects under the rules in the module comment. */
async function exchange(
  req: ApiRequest,
  opts: HttpClientOptions,
  signal: AbortSignal | undefined,
): Promise<{ ok: true; response: ApiResponse } | { ok: false; kind: HttpFailureKind; words: string }> {
  let url = req.url;
  const origin = new URL(req.url).origin;
  const body = req.body === undefined ? undefined : JSON.stringify(req.body);
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  for (let redirects = 0; ; redirects++) {
    const problem = addressProblem(url, opts.allowLoopbackHttp);
    if (problem) return { ok: false, kind: 'address', words: problem };
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), opts.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    let res: Response;
    try {
      res = await fetch(url, { method: req.method, headers, body, redirect: 'manual', signal: combined });
    } catch (error) {
      clearTimeout(timer);
      if (signal?.aborted) return { ok: false, kind: 'aborted', words: 'the action was cancelled' };
      if (timeout.signal.aborted) {
        return { ok: false, kind: 'timeout', words: `${origin} gave no answer within ${Math.round(opts.timeoutMs / 100) / 10} s` };
      }
      return { ok: false, kind: 'network', words: networkWords(origin, error) };
    }
    try {
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel().catch(() => undefined);
        const location = res.headers.get('location') ?? '';
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return { ok: false, kind: 'redirect', words: `${origin} redirected to "${location.slice(0, 200)}", which is not a URL` };
        }
        if (next.origin !== origin) {
          return {
            ok: false,
            kind: 'redirect',
            words: `${origin} redirected to another host (${next.host}); Crashbell does not follow it, as the token would go with it: check the source's API URL`,
          };
        }
        const keepsMethod = res.status === 307 || res.status === 308 || (req.method === 'GET' && res.status <= 303);
        if (!keepsMethod) {
          return {
            ok: false,
            kind: 'redirect',
            words: `${origin} answered ${res.status}, a redirect that would change the request: check the source's API URL`,
          };
        }
        if (redirects >= opts.maxRedirects) {
          return {
            ok: false,
            kind: 'redirect',
            words: `${origin} redirected more than ${opts.maxRedirects} times: check the source's API URL`,
          };
        }
        url = next.href;
        continue;
      }
      const response = await toApiResponse(res, url, opts.maxBodyBytes);
      return { ok: true, response };
    } catch (error) {
      if (signal?.aborted) return { ok: false, kind: 'aborted', words: 'the action was cancelled' };
      if (timeout.signal.aborted) {
        return {
          ok: false,
          kind: 'timeout',
          words: `${origin} did not finish its answer within ${Math.round(opts.timeoutMs / 100) / 10} s`,
        };
      }
      return { ok: false, kind: 'network', words: networkWords(origin, error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Sends one API request under the rules in the module comment. Never throws for anything the network or the
 * provider does: every answer (any status) and every failure comes back as an {@link HttpResult}. `retryAt`
 * (epoch ms) is set on a final 429 (or provider rate-limit answer) when the provider said when to try again.
 */
export async function sendApiRequest(req: ApiRequest, options: Partial<HttpClientOptions> = {}, signal?: AbortSignal): Promise<HttpResult> {
  const opts: HttpClientOptions = { ...DEFAULT_HTTP_OPTIONS, ...options };
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const first = addressProblem(req.url, opts.allowLoopbackHttp);
  if (first) return { ok: false, kind: 'address', words: first, attempts: 0 };
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts));
  for (let attempt = 1; ; attempt++) {
    const result = await exchange(req, opts, signal);
    let status: number | null = null;
    let wait: number | null = null;
    let limitedUntil: number | null = null;
    if (result.ok) {
      const { response } = result;
      const limited = response.status === 429 || (opts.isRateLimited?.(response) ?? false);
      if (!limited && !isRetryableStatus(response.status)) return { ok: true, response, attempts: attempt, retryAt: null };
      status = response.status;
      if (limited) {
        const after = retryAfterMs(response.headers['retry-after'], now());
        const reset = after === null ? (opts.rateLimitReset?.(response.headers) ?? null) : null;
        const askedMs = after ?? (reset === null ? null : Math.max(0, reset - now()));
        if (askedMs !== null) limitedUntil = now() + askedMs;
        // Asked to wait longer than a person should: stop here and say when instead.
        if (askedMs !== null && askedMs > opts.maxRetryWaitMs) return { ok: true, response, attempts: attempt, retryAt: limitedUntil };
        wait = askedMs;
      }
      if (attempt >= maxAttempts) return { ok: true, response, attempts: attempt, retryAt: limitedUntil };
    } else {
      if (result.kind !== 'timeout' && result.kind !== 'network') return { ...result, attempts: attempt };
      if (attempt >= maxAttempts) return { ...result, attempts: attempt };
    }
    const backoff = Math.min(opts.backoffMaxMs, opts.backoffBaseMs * 2 ** (attempt - 1));
    const delay = wait ?? Math.floor(random() * backoff);
    opts.onRetry?.({ attempt, at: now() + delay, status });
    await sleep(delay, signal);
    if (signal?.aborted) return { ok: false, kind: 'aborted', words: 'the action was cancelled', attempts: attempt };
  }
}
