import { describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS } from '../../shared/ipc';
import { ARG_SCHEMAS, registerIpcHandlers, type IpcService } from '../../main/ipc-handlers';
import { sendEvent, type IpcMainLike } from '../../main/ipc-main';
import type { SenderEvent, TrustPolicy } from '../../main/trusted-sender';

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
    await expect(ipc.call('link:open', foreign, 'https://example.com')).rejects.toThrow('Refused: the sender is not the Crashbell window');
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
