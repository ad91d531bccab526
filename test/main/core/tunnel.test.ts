import type * as RealNgrok from '@ngrok/ngrok';
import { describe, expect, it } from 'vitest';
import type { TunnelState } from '../../../shared/events';
import {
  baseOf,
  domainOf,
  publicBaseOf,
  backoffDelay,
  explainNgrokError,
  noAuthtokenReason,
  TunnelManager,
  type NgrokForwardConfig,
  type NgrokListener,
  type NgrokSdk,
  type TunnelTimers,
} from '../../../main/core/tunnel';

/** The fake below stands in for the real SDK: tsc checks that the real module fits the same interface. */
type RealSdkFits = typeof RealNgrok extends NgrokSdk ? true : false;
const realSdkFits: RealSdkFits = true;

describe('the SDK interface', () => {
  it('is one the real @ngrok/ngrok module satisfies', () => {
    expect(realSdkFits).toBe(true);
  });
});

/** Timers that only fire when the test says so, recording every delay asked for. */
class ManualTimers implements TunnelTimers {
  private nextId = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  readonly delays: number[] = [];
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { fn, ms });
    this.delays.push(ms);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Fires the pending timers whose delay equals `ms` (the retry timer, or the forward timeout). */
  fire(ms: number): number {
    let fired = 0;
    for (const [id, t] of [...this.pending]) {
      if (t.ms === ms) {
        this.pending.delete(id);
        t.fn();
        fired += 1;
      }
    }
    return fired;
  }
}

class FakeListener implements NgrokListener {
  closed = false;
  constructor(private readonly address: string | null) {}
  url(): string | null {
    return this.address;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

type Outcome = { url: string } | { error: Error } | 'hang';

/** A fake SDK with `@ngrok/ngrok`'s forward() shape; each call takes the next scripted outcome. */
class FakeSdk implements NgrokSdk {
  readonly calls: NgrokForwardConfig[] = [];
  readonly listeners: FakeListener[] = [];
  readonly late: Array<(l: FakeListener) => void> = [];
  constructor(private readonly outcomes: Outcome[]) {}
  forward(config: NgrokForwardConfig): Promise<NgrokListener> {
    this.calls.push(config);
    const outcome = this.outcomes.shift() ?? { error: new Error('no scripted outcome') };
    if (outcome === 'hang') {
      return new Promise((resolve) => this.late.push(resolve));
    }
    if ('error' in outcome) return Promise.reject(outcome.error);
    const listener = new FakeListener(outcome.url);
    this.listeners.push(listener);
    return Promise.resolve(listener);
  }
}

/** An error as @ngrok/ngrok raises it: message ending in the code, and `errorCode` set. */
function ngrokError(code: string, message: string): Error {
  return Object.assign(new Error(`${message}\n\nerror_code: ${code}`), { errorCode: code });
}

const flush = () => new Promise<void>((r) => setImmediate(r));

function setup(outcomes: Outcome[]) {
  const sdk = new FakeSdk(outcomes);
  const timers = new ManualTimers();
  const tunnel = new TunnelManager({
    sdk,
    timers,
    timeoutMs: 5_000,
    backoff: { initialMs: 1_000, factor: 2, maxMs: 8_000 },
    now: () => Date.parse('2026-01-01T00:00:00Z'),
  });
  const states: TunnelState[] = [];
  tunnel.subscribe((s) => states.push(s));
  return { sdk, timers, tunnel, states };
}

const config = { enabled: true, port: 7317, authtoken: 'tok_123', domain: '' };

describe('TunnelManager', () => {
  it('goes off → connecting → online(url) and passes port, token and domain to forward()', async () => {
    const { sdk, tunnel, states } = setup([{ url: 'https://abc.ngrok.app' }]);
    expect(tunnel.getState().status).toBe('off');
    await tunnel.apply({ ...config, domain: 'crash.ngrok.app' });
    expect(states).toEqual([
      { status: 'connecting', attempt: 1 },
      { status: 'online', url: 'https://abc.ngrok.app' },
    ]);
    expect(sdk.calls[0]).toMatchObject({ addr: 7317, authtoken: 'tok_123', domain: 'crash.ngrok.app' });
    expect(tunnel.url).toBe('https://abc.ngrok.app');
  });

  it('stays off with plain words when there is no authtoken, and never calls forward()', async () => {
    const { sdk, tunnel } = setup([]);
    await tunnel.apply({ ...config, authtoken: '' });
    expect(tunnel.getState()).toEqual({ status: 'off', reason: noAuthtokenReason(7317) });
    expect(noAuthtokenReason(7317)).toBe(
      'No ngrok authtoken: providers on the internet cannot reach Crashbell; it listens on http://127.0.0.1:7317 only',
    );
    expect(sdk.calls).toHaveLength(0);
  });

  it('a rejected authtoken is an error with the ngrok code and is not retried on a timer', async () => {
    const { tunnel, timers } = setup([
      { error: ngrokError('ERR_NGROK_107', 'authentication failed: The authtoken you specified is properly formed, but it is invalid.') },
    ]);
    await tunnel.apply(config);
    const state = tunnel.getState();
    expect(state).toMatchObject({ status: 'error', code: 'ERR_NGROK_107', retryAt: null });
    if (state.status === 'error') {
      expect(state.reason).toMatch(/authtoken is not valid/);
      expect(state.reason).toContain('ERR_NGROK_107');
    }
    expect(timers.pending.size).toBe(0);
  });

  it('explains domain-not-reserved, too-many-sessions and unknown codes', () => {
    expect(explainNgrokError(ngrokError('ERR_NGROK_319', 'failed to bind'))).toMatchObject({
      code: 'ERR_NGROK_319',
      retry: false,
    });
    expect(explainNgrokError(ngrokError('ERR_NGROK_319', 'x')).reason).toMatch(/not reserved by this ngrok account/);
    const sessions = explainNgrokError(ngrokError('ERR_NGROK_108', 'limited to 1 simultaneous ngrok agent sessions'));
    expect(sessions.reason).toMatch(/Too many ngrok sessions.*ERR_NGROK_108/);
    expect(explainNgrokError(new Error('weird thing\n\nerror_code: ERR_NGROK_9999'))).toMatchObject({
      code: 'ERR_NGROK_9999',
      reason: 'ngrok refused the tunnel: weird thing (ERR_NGROK_9999)',
    });
    expect(explainNgrokError('odd')).toMatchObject({ code: null, reason: 'ngrok failed: odd' });
  });

  it('no network: plain words, then retries with exponential backoff up to the cap', async () => {
    // Exactly what @ngrok/ngrok 1.7 rejects with when it cannot reach ngrok (observed on this offline machine).
    const netDown = () => ({
      error: Object.assign(new Error('failed to connect session: failed to establish tcp connection'), { code: 'GenericFailure' }),
    });
    const { tunnel, timers, sdk } = setup([
      netDown(),
      netDown(),
      netDown(),
      netDown(),
      netDown(),
      netDown(),
      { url: 'https://back.ngrok.app' },
    ]);
    await tunnel.apply(config);
    const first = tunnel.getState();
    expect(first).toMatchObject({ status: 'error', code: null, retryAt: '2026-01-01T00:00:01.000Z' });
    if (first.status === 'error') expect(first.reason).toMatch(/^No network/);

    const retryDelays: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const retry = [...timers.pending.values()].find((t) => t.ms !== 5_000);
      expect(retry).toBeDefined();
      retryDelays.push(retry!.ms);
      timers.fire(retry!.ms);
      await flush();
    }
    expect(retryDelays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(sdk.calls).toHaveLength(7);
    expect(tunnel.getState()).toEqual({ status: 'online', url: 'https://back.ngrok.app' });
    expect(timers.pending.size).toBe(0);
  });

  it('bounds forward() by a timeout, retries, and closes a listener that answers too late', async () => {
    const { tunnel, timers, sdk, states } = setup(['hang', { url: 'https://second.ngrok.app' }]);
    const applying = tunnel.apply(config);
    await flush();
    expect(timers.fire(5_000)).toBe(1);
    await applying;
    const state = tunnel.getState();
    expect(state).toMatchObject({ status: 'error', code: null });
    if (state.status === 'error') expect(state.reason).toMatch(/did not answer within 5 s/);

    const late = new FakeListener('https://late.ngrok.app');
    sdk.late[0]!(late);
    await flush();
    expect(late.closed).toBe(true);
    expect(tunnel.getState().status).toBe('error');

    timers.fire(1_000);
    await flush();
    expect(tunnel.getState()).toEqual({ status: 'online', url: 'https://second.ngrok.app' });
    expect(states.map((s) => s.status)).toEqual(['connecting', 'error', 'connecting', 'online']);
  });

  it('reconnects after the session drops (network loss) and reports the URL change', async () => {
    const { tunnel, timers, sdk } = setup([{ url: 'https://one.ngrok.app' }, { url: 'https://two.ngrok.app' }]);
    const changes: Array<[string | null, string | null]> = [];
    tunnel.subscribe((next, prev) => {
      const a = prev.status === 'online' ? prev.url : null;
      const b = next.status === 'online' ? next.url : null;
      if (b && a !== b) changes.push([a, b]);
    });
    await tunnel.apply(config);
    sdk.calls[0]!.onStatusChange!('closed');
    expect(tunnel.getState()).toMatchObject({ status: 'error', retryAt: '2026-01-01T00:00:01.000Z' });
    timers.fire(1_000);
    await flush();
    expect(sdk.listeners[0]!.closed).toBe(true);
    expect(tunnel.getState()).toEqual({ status: 'online', url: 'https://two.ngrok.app' });
    expect(changes).toEqual([
      [null, 'https://one.ngrok.app'],
      [null, 'https://two.ngrok.app'],
    ]);
  });

  it("takes the same listener back when the SDK's own session reconnect comes first", async () => {
    const { tunnel, timers, sdk } = setup([{ url: 'https://one.ngrok.app' }]);
    await tunnel.apply(config);
    sdk.calls[0]!.onStatusChange!('closed');
    sdk.calls[0]!.onStatusChange!('connected');
    expect(tunnel.getState()).toEqual({ status: 'online', url: 'https://one.ngrok.app' });
    expect(timers.pending.size).toBe(0);
    expect(sdk.calls).toHaveLength(1);
  });

  it('reconnect() after resume drops the old session and connects again at once', async () => {
    const { tunnel, sdk } = setup([{ url: 'https://one.ngrok.app' }, { url: 'https://one.ngrok.app' }]);
    await tunnel.apply(config);
    const state = await tunnel.reconnect();
    expect(sdk.listeners[0]!.closed).toBe(true);
    expect(sdk.calls).toHaveLength(2);
    expect(state).toEqual({ status: 'online', url: 'https://one.ngrok.app' });
  });

  it('ignores an unchanged configuration, restarts on a changed one, and stops cleanly', async () => {
    const { tunnel, sdk } = setup([{ url: 'https://one.ngrok.app' }, { url: 'https://mine.ngrok.app' }]);
    await tunnel.apply(config);
    await tunnel.apply({ ...config });
    expect(sdk.calls).toHaveLength(1);
    await tunnel.apply({ ...config, domain: 'mine.ngrok.app' });
    expect(sdk.calls).toHaveLength(2);
    expect(tunnel.url).toBe('https://mine.ngrok.app');
    await tunnel.apply({ ...config, domain: 'mine.ngrok.app', enabled: false });
    expect(tunnel.getState()).toMatchObject({ status: 'off' });
    expect(sdk.listeners[1]!.closed).toBe(true);
    await tunnel.stop();
    expect(tunnel.getState()).toEqual({ status: 'off', reason: 'Tunnel stopped' });
  });

  it('backoffDelay doubles and caps', () => {
    const opts = { initialMs: 500, factor: 2, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => backoffDelay(n, opts))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });
});

describe('public URL helpers', () => {
  it('keep a reserved domain as a host name when the user pastes a URL', () => {
    expect(domainOf('https://My-Crashbell.ngrok.app/')).toBe('my-crashbell.ngrok.app');
    expect(domainOf('  crashbell.ngrok.dev  ')).toBe('crashbell.ngrok.dev');
    expect(domainOf('http://x.ngrok.app/hooks/abc?x=1')).toBe('x.ngrok.app');
    expect(domainOf('')).toBe('');
  });

  it('reduce URLs to their base, and give the public base only while online', () => {
    expect(baseOf('https://a.ngrok.app/hooks/x')).toBe('https://a.ngrok.app');
    expect(baseOf('not a url')).toBeNull();
    expect(publicBaseOf({ status: 'online', url: 'https://a.ngrok.app/' })).toBe('https://a.ngrok.app');
    expect(publicBaseOf({ status: 'connecting', attempt: 1 })).toBeNull();
  });
});
