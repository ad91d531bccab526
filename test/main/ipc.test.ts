import { describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS, INVOKE_CHANNELS, type CrashbellApi } from '../../shared/ipc';
import { ARG_SCHEMAS, registerIpcHandlers, type IpcService } from '../../main/ipc-handlers';
import { sendEvent, type IpcMainLike } from '../../main/ipc-main';
import { checkSender, isRendererUrl, type SenderEvent, type TrustPolicy } from '../../main/trusted-sender';

const RENDERER = 'file:///opt/Crashbell/resources/app.asar/out/renderer/index.html';

/** An ipcMain stand-in: keeps the registered listeners so the test can call them as Electron would. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: SenderEvent, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  call(channel: string, event: SenderEvent, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return h(event, ...args);
  }
}

const trust: TrustPolicy = { webContentsId: () => 7, rendererUrl: RENDERER };
const good: SenderEvent = { sender: { id: 7 }, senderFrame: { url: `${RENDERER}#/errors`, parent: null } };

function serviceWithSpies() {
  const calls: Array<[string, unknown[]]> = [];
  const service = Object.fromEntries(
    INVOKE_CHANNELS.map((c) => [
      c,
      (...args: unknown[]) => {
        calls.push([c, args]);
        return Promise.resolve({ channel: c });
      },
    ]),
  ) as unknown as IpcService;
  return { service, calls };
}

function setup() {
  const ipc = new FakeIpcMain();
  const { service, calls } = serviceWithSpies();
  const log: string[] = [];
  const unregister = registerIpcHandlers(ipc, service, { trust, log: (m) => log.push(m) });
  return { ipc, calls, log, unregister };
}

describe('trusted sender', () => {
  it('accepts only our window, top frame, showing our renderer file', () => {
    expect(checkSender(good, trust)).toEqual({ ok: true });
    expect(checkSender({ ...good, sender: { id: 8 } }, trust)).toEqual({ ok: false, reason: 'the sender is not the Crashbell window' });
    expect(checkSender({ ...good, senderFrame: null }, trust)).toMatchObject({ ok: false });
    expect(checkSender({ ...good, senderFrame: { url: RENDERER, parent: {} } }, trust)).toEqual({
      ok: false,
      reason: 'the sender is not the top frame',
    });
    expect(checkSender({ ...good, senderFrame: { url: 'https://evil.example/', parent: null } }, trust)).toEqual({
      ok: false,
      reason: 'the sending page is not the Crashbell renderer',
    });
    expect(checkSender(good, { ...trust, webContentsId: () => null })).toEqual({ ok: false, reason: 'no Crashbell window is open' });
  });

  it('matches the dev server by origin and the packaged file by path', () => {
    expect(isRendererUrl('http://localhost:5173/#/setup', 'http://localhost:5173/')).toBe(true);
    expect(isRendererUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isRendererUrl('file:///tmp/other.html', RENDERER)).toBe(false);
    expect(isRendererUrl('file:///opt/Crashbell/resources/app.asar/out/renderer/index.html?x=1', RENDERER)).toBe(true);
    expect(isRendererUrl('not a url', RENDERER)).toBe(false);
  });
});

describe('IPC handler registration', () => {
  it('registers exactly the contract channels, and removes them all', () => {
    const { ipc, unregister } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });

  it('a good call from our renderer reaches the handler with its arguments', async () => {
    const { ipc, calls } = setup();
    await expect(ipc.call('groups:mark', good, 'g1', { muted: true })).resolves.toEqual({ channel: 'groups:mark' });
    await ipc.call('groups:list', good, { text: 'my_fn', limit: 50, cursor: null });
    await ipc.call('settings:update', good, { policy: { stormLimit: 3 }, tunnel: { authtoken: '' } });
    await ipc.call('clipboard:copy', good, 'https://x.ngrok.app/hooks/abc', { sourceId: 'abc', webhookUrl: true });
    await ipc.call('app:get-state', good);
    expect(calls).toEqual([
      ['groups:mark', ['g1', { muted: true }]],
      ['groups:list', [{ text: 'my_fn', limit: 50, cursor: null }]],
      ['settings:update', [{ policy: { stormLimit: 3 }, tunnel: { authtoken: '' } }]],
      ['clipboard:copy', ['https://x.ngrok.app/hooks/abc', { sourceId: 'abc', webhookUrl: true }]],
      ['app:get-state', []],
    ]);
  });

  it('refuses a bad sender before the handler runs', async () => {
    const { ipc, calls, log } = setup();
    const foreign: SenderEvent = { sender: { id: 99 }, senderFrame: { url: RENDERER, parent: null } };
    await expect(ipc.call('link:open', foreign, 'https://example.com')).rejects.toThrow(
      'Refused: the sender is not the Crashbell window',
    );
    const navigated: SenderEvent = { sender: { id: 7 }, senderFrame: { url: 'https://evil.example/', parent: null } };
    await expect(ipc.call('settings:get', navigated)).rejects.toThrow(/not the Crashbell renderer/);
    expect(calls).toHaveLength(0);
    expect(log.join('\n')).toMatch(/refused link:open/);
  });

  it.each([
    ['groups:get', [42]],
    ['groups:get', []],
    ['groups:get', ['a', 'extra']],
    ['groups:mark', ['g1', { muted: 'yes' }]],
    ['groups:mark', ['g1', { deleted: true }]],
    ['groups:list', [{ limit: 100_000 }]],
    ['sources:add', [{ provider: 'nope', name: 'x' }]],
    ['sources:add', [{ provider: 'backtrace', name: '' }]],
    ['settings:update', [{ port: 70_000 }]],
    ['settings:update', [{ theme: 'neon' }]],
    ['settings:update', [{ dnd: { until: 'tomorrow-ish' } }]],
    ['dnd:set', ['forever']],
    ['clipboard:copy', ['text']],
    ['link:open', [{ href: 'https://x' }]],
    ['sources:preview-mapping', ['s', 'not an object']],
  ])('refuses bad arguments for %s %j', async (channel, args) => {
    const { ipc, calls } = setup();
    await expect(ipc.call(channel, good, ...args)).rejects.toThrow(new RegExp(`^Invalid arguments for ${channel}`));
    expect(calls).toHaveLength(0);
  });

  it('turns a handler failure into a plain rejected message', async () => {
    const ipc = new FakeIpcMain();
    const { service } = serviceWithSpies();
    service['sources:remove'] = async () => {
      throw new TypeError('No such source: abc');
    };
    registerIpcHandlers(ipc, service, { trust });
    const err = await ipc.call('sources:remove', good, 'abc').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).constructor).toBe(Error);
    expect((err as Error).message).toBe('No such source: abc');
  });

  it('has a schema for every channel', () => {
    expect(Object.keys(ARG_SCHEMAS).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });
});

describe('sendEvent', () => {
  it('sends only to our live window', () => {
    const send = vi.fn();
    const win = { isDestroyed: () => false, webContents: { isDestroyed: () => false, send } };
    expect(sendEvent(win, 'navigate', { view: 'errors' })).toBe(true);
    expect(send).toHaveBeenCalledWith('navigate', { view: 'errors' });
    expect(sendEvent(null, 'navigate', { view: 'errors' })).toBe(false);
    expect(sendEvent({ ...win, isDestroyed: () => true }, 'navigate', { view: 'errors' })).toBe(false);
  });
});

describe('preload', () => {
  it('exposes one api object with a function per contract call and never ipcRenderer', async () => {
    vi.resetModules();
    const exposed: Record<string, unknown> = {};
    const invoke = vi.fn(async (...args: unknown[]) => args);
    const listeners = new Map<string, (...a: unknown[]) => void>();
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer: {
        invoke,
        on: (c: string, l: (...a: unknown[]) => void) => listeners.set(c, l),
        removeListener: (c: string) => listeners.delete(c),
      },
    }));
    await import('../../main/preload');
    expect(Object.keys(exposed)).toEqual(['crashbell']);
    const api = exposed['crashbell'] as CrashbellApi;
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    expect(Object.keys(api)).toHaveLength(INVOKE_CHANNELS.length + EVENT_CHANNELS.length);
    for (const raw of ['ipcRenderer', 'invoke', 'send', 'on', 'sendSync']) expect(Object.keys(api)).not.toContain(raw);

    await api.markGroup('g1', { read: true });
    expect(invoke).toHaveBeenLastCalledWith('groups:mark', 'g1', { read: true });
    await api.getState();
    expect(invoke).toHaveBeenLastCalledWith('app:get-state');

    const got: unknown[] = [];
    const off = api.onNavigate((to) => got.push(to));
    listeners.get('navigate')!({ sender: 'secret' }, { view: 'errors' });
    expect(got).toEqual([{ view: 'errors' }]);
    off();
    expect(listeners.has('navigate')).toBe(false);
    vi.doUnmock('electron');
  });
});
