import { describe, expect, it, vi } from 'vitest';
import { PROVIDERS } from '../../main/core/providers/index';
import {
  ARG_SCHEMAS,
  type ArgSchemas,
  type IpcHandlers,
  MAX_CREDENTIALS,
  registerIpcHandlers,
  serviceHandlers,
  shellHandlers,
} from '../../main/ipc-handlers';
import { sendEvent, type IpcMainLike } from '../../main/ipc-main';
import type { SenderEvent, TrustPolicy } from '../../main/trusted-sender';
import {
  CALL_NAMES,
  type CrashbellCalls,
  INVOKE_CHANNELS,
  IPC,
  SERVICE_CALL_NAMES,
  SHELL_CALL_NAMES,
  type ShellCalls,
} from '../../shared/ipc';

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

/** A service (and shell) whose every method records its channel and arguments and answers `{ channel }`. */
function serviceWithSpies() {
  const calls: Array<[string, unknown[]]> = [];
  const service = Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      (...args: unknown[]) => {
        calls.push([IPC[name].channel, args]);
        return Promise.resolve({ channel: IPC[name].channel });
      },
    ]),
  ) as unknown as CrashbellCalls & ShellCalls;
  return { service, calls };
}

/** Every call's handler: the service's calls and the shell's. */
function allHandlers(service: CrashbellCalls & ShellCalls): IpcHandlers {
  return { ...serviceHandlers(service), ...shellHandlers(service) };
}

function setup() {
  const ipc = new FakeIpcMain();
  const { service, calls } = serviceWithSpies();
  const log: string[] = [];
  const unregister = registerIpcHandlers(ipc, allHandlers(service), { trust, log: (m) => log.push(m) });
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
    await ipc.call('settings:update', good, { autoUpdate: false });
    await ipc.call('clipboard:copy', good, 'https://x.ngrok.app/hooks/abc', { sourceId: 'abc', webhookUrl: true });
    await ipc.call('app:get-state', good);
    await ipc.call('sources:update', good, 's1', { regenerate: true, endOverlap: false, webUrl: 'https://sentry.example.com/' });
    expect(calls).toEqual([
      ['groups:mark', ['g1', { muted: true }]],
      ['groups:list', [{ text: 'my_fn', limit: 50, cursor: null }]],
      ['settings:update', [{ policy: { stormLimit: 3 }, tunnel: { authtoken: '' } }]],
      ['settings:update', [{ autoUpdate: false }]],
      ['clipboard:copy', ['https://x.ngrok.app/hooks/abc', { sourceId: 'abc', webhookUrl: true }]],
      ['app:get-state', []],
      ['sources:update', ['s1', { regenerate: true, endOverlap: false, webUrl: 'https://sentry.example.com/' }]],
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
    ['settings:update', [{ credentialOverlapHours: 24 * 365 }]],
    ['sources:update', ['s1', { regenerate: 'yes' }]],
    ['sources:update', ['s1', { previous: { credentials: {}, until: '2030-01-01' } }]],
    ['sources:update', ['s1', { webUrl: 'x'.repeat(5_000) }]],
    ['settings:update', [{ theme: 'neon' }]],
    ['settings:update', [{ autoUpdate: 'off' }]],
    ['update:check', [true]],
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
    service.removeSource = async () => {
      throw new TypeError('No such source: abc');
    };
    registerIpcHandlers(ipc, allHandlers(service), { trust });
    const err = await ipc.call('sources:remove', good, 'abc').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).constructor).toBe(Error);
    expect((err as Error).message).toBe('No such source: abc');
  });

  it('has a schema and a handler for every call, and refuses to register without one', () => {
    expect(Object.keys(ARG_SCHEMAS).sort()).toEqual([...CALL_NAMES].sort());
    const { service } = serviceWithSpies();
    const handlers = allHandlers(service);
    expect(Object.keys(handlers).sort()).toEqual([...CALL_NAMES].sort());

    // The compiler refuses a schema map or a service that lacks a call...
    const { setDnd: _schema, ...schemasWithoutOne } = ARG_SCHEMAS;
    // @ts-expect-error: setDnd has no argument schema
    schemasWithoutOne satisfies ArgSchemas;
    const { removeSource: _method, ...serviceWithoutOne } = service;
    // @ts-expect-error: the service has no removeSource
    expect(() => serviceHandlers(serviceWithoutOne)).toThrow('the app service has no removeSource() for sources:remove');

    // ...and so does registration at run time, before any channel is registered.
    const ipc = new FakeIpcMain();
    const { removeSource: _handler, ...handlersWithoutOne } = handlers;
    expect(() => registerIpcHandlers(ipc, handlersWithoutOne as unknown as IpcHandlers, { trust })).toThrow(/sources:remove/);
    const { checkForUpdates: _check, ...withoutTheShell } = handlers;
    expect(() => registerIpcHandlers(ipc, withoutTheShell as unknown as IpcHandlers, { trust })).toThrow(/update:check/);
    expect(() => registerIpcHandlers(ipc, handlers, { trust }, schemasWithoutOne as unknown as ArgSchemas)).toThrow(/dnd:set/);
    expect(ipc.handlers.size).toBe(0);
  });

  it('splits the calls between the app service and the shell by the table, each answered by one of them', async () => {
    expect([...SERVICE_CALL_NAMES, ...SHELL_CALL_NAMES].sort()).toEqual([...CALL_NAMES].sort());
    expect(SHELL_CALL_NAMES).toEqual(['getUpdateState', 'checkForUpdates', 'installUpdate']);
    const { service } = serviceWithSpies();
    expect(Object.keys(serviceHandlers(service)).sort()).toEqual([...SERVICE_CALL_NAMES].sort());
    expect(Object.keys(shellHandlers(service)).sort()).toEqual([...SHELL_CALL_NAMES].sort());
    const { installUpdate: _install, ...shellWithoutOne } = service;
    // @ts-expect-error: the shell has no installUpdate
    expect(() => shellHandlers(shellWithoutOne)).toThrow('the shell has no installUpdate() for update:install');
  });

  it('checks the update calls like any other: our window only, and no arguments', async () => {
    const { ipc, calls } = setup();
    await expect(ipc.call('update:install', good)).resolves.toEqual({ channel: 'update:install' });
    await expect(ipc.call('update:install', good, 'now')).rejects.toThrow(/^Invalid arguments for update:install/);
    const stranger: SenderEvent = { sender: { id: 8 }, senderFrame: { url: RENDERER, parent: null } };
    await expect(ipc.call('update:check', stranger)).rejects.toThrow('Refused: the sender is not the Crashbell window');
    expect(calls).toEqual([['update:install', []]]);
  });

  it('binds each handler to the service method of the same name', async () => {
    const seen: unknown[] = [];
    class Service {
      private readonly prefix = 'bound';
      async getGroup(groupId: string) {
        seen.push(`${this.prefix}:${groupId}`);
        return null;
      }
    }
    const { service } = serviceWithSpies();
    const real = new Service();
    const handlers = serviceHandlers({ ...service, getGroup: real.getGroup.bind(real) });
    await handlers.getGroup('g7');
    const unbound = serviceHandlers(Object.assign(Object.create(real) as Service, service, { getGroup: Service.prototype.getGroup }));
    await unbound.getGroup('g8');
    expect(seen).toEqual(['bound:g7', 'bound:g8']);
  });
});

describe('argument bounds', () => {
  const MB45 = 45 * 1024 * 1024;

  it('refuses a 45 MB call, naming the bound', async () => {
    const { ipc, calls } = setup();
    const huge = 'x'.repeat(MB45);
    await expect(ipc.call('sources:add', good, { provider: 'errorception', name: 'Site', credentials: { secret: huge } })).rejects.toThrow(
      /^Invalid arguments for sources:add \(argument 0\.credentials\.secret\): a credential of at most 16 KiB$/,
    );
    await expect(ipc.call('sources:update', good, 'src', { config: { mapping: huge } })).rejects.toThrow(/at most 64 KiB of configuration/);
    // 45 MB spread over many small credentials: refused by their count before any is read.
    const many = Object.fromEntries(Array.from({ length: MB45 / (1024 * 1024) }, (_, i) => [`k${i}`, 'v'.repeat(1024 * 1024)]));
    await expect(ipc.call('sources:update', good, 'src', { credentials: many })).rejects.toThrow(
      new RegExp(`argument 1\\.credentials\\): at most ${MAX_CREDENTIALS} credentials$`),
    );
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['a key with a space', { 'my secret': 's' }, /argument 0\.credentials\.my secret\): a credential name of 1 to 64 letters/],
    ['a key of 65 characters', { ['k'.repeat(65)]: 's' }, /a credential name of 1 to 64 letters/],
    ['an empty key', { '': 's' }, /a credential name of 1 to 64 letters/],
    ['a value that is not text', { secret: 42 }, /argument 0\.credentials\.secret\)/],
    ['33 credentials', Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])), /at most 32 credentials/],
    ['an array', ['s'], /argument 0\.credentials\)/],
  ])('refuses credentials with %s', async (_what, credentials, message) => {
    const { ipc, calls } = setup();
    await expect(ipc.call('sources:add', good, { provider: 'sentry', name: 'S', credentials })).rejects.toThrow(message);
    expect(calls).toHaveLength(0);
  });

  it('accepts credentials at the bounds', async () => {
    const { ipc, calls } = setup();
    const credentials = Object.fromEntries(
      Array.from({ length: 32 }, (_, i) => [`client_secret.${i}-${'k'.repeat(40)}`, 'v'.repeat(16 * 1024)]),
    );
    await ipc.call('sources:update', good, 'src', { credentials });
    expect(calls).toEqual([['sources:update', ['src', { credentials }]]]);
  });

  it('checks provider ids against the registry, naming the ones it has', async () => {
    const { ipc, calls } = setup();
    const known = PROVIDERS.map((p) => p.id).join(', ');
    await expect(ipc.call('sources:add', good, { provider: 'pagerduty', name: 'x' })).rejects.toThrow(
      `Invalid arguments for sources:add (argument 0.provider): Crashbell has no "pagerduty" provider: use one of ${known}`,
    );
    await expect(ipc.call('groups:list', good, { provider: 'pagerduty' })).rejects.toThrow(/use one of backtrace, /);
    for (const p of PROVIDERS) await ipc.call('groups:list', good, { provider: p.id });
    expect(calls).toHaveLength(PROVIDERS.length);
  });

  it('bounds source filters', async () => {
    const { ipc } = setup();
    await expect(
      ipc.call('sources:update', good, 'src', { filters: { minOccurrences: null, attribute: { name: 'env', value: 'x'.repeat(1_001) } } }),
    ).rejects.toThrow(/argument 1\.filters\.attribute\.value/);
    await ipc.call('sources:update', good, 'src', { filters: { minOccurrences: 10, attribute: { name: 'env', value: 'production' } } });
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
