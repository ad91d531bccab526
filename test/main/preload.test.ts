import { describe, expect, it, vi } from 'vitest';
import { API_NAMES, CALL_NAMES, type CrashbellApi, IPC, PUSH_NAMES } from '../../shared/ipc';

/** Loads the preload against a mocked electron; returns what it exposed and the ipcRenderer stand-in. */
async function loadPreload() {
  vi.resetModules();
  const exposed: Record<string, unknown> = {};
  const invoke = vi.fn(async (...args: unknown[]) => args);
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  vi.doMock('electron', () => ({
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
    ipcRenderer: {
      invoke,
      on: (c: string, l: (...a: unknown[]) => void) => {
        if (!listeners.has(c)) listeners.set(c, new Set());
        listeners.get(c)!.add(l);
      },
      removeListener: (c: string, l: (...a: unknown[]) => void) => listeners.get(c)?.delete(l),
    },
  }));
  await import('../../main/preload');
  vi.doUnmock('electron');
  return { exposed, invoke, listeners };
}

describe('preload', () => {
  it('exposes one api object with a function per entry of the IPC table and never ipcRenderer', async () => {
    const { exposed } = await loadPreload();
    expect(Object.keys(exposed)).toEqual(['crashbell']);
    const api = exposed['crashbell'] as Record<string, unknown>;
    expect(Object.keys(api)).toEqual([...API_NAMES]);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    for (const raw of ['ipcRenderer', 'invoke', 'send', 'on', 'sendSync']) expect(Object.keys(api)).not.toContain(raw);
  });

  it('sends each call on its own channel with exactly its arguments', async () => {
    const { exposed, invoke } = await loadPreload();
    const api = exposed['crashbell'] as CrashbellApi;
    await api.markGroup('g1', { read: true });
    expect(invoke).toHaveBeenLastCalledWith('groups:mark', 'g1', { read: true });
    await api.getState();
    expect(invoke).toHaveBeenLastCalledWith('app:get-state');
    const generic = api as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const name of CALL_NAMES) {
      await generic[name]!('a', 2);
      expect(invoke).toHaveBeenLastCalledWith(IPC[name].channel, 'a', 2);
    }
  });

  it('gives each push listener only the payload of its own channel, and removes it', async () => {
    const { exposed, listeners } = await loadPreload();
    const api = exposed['crashbell'] as CrashbellApi;
    const got: unknown[] = [];
    const off = api.onNavigate((to) => got.push(to));
    for (const l of listeners.get('navigate')!) l({ sender: 'secret' }, { view: 'errors' });
    expect(got).toEqual([{ view: 'errors' }]);
    off();
    expect(listeners.get('navigate')!.size).toBe(0);

    const generic = api as unknown as Record<string, (l: (p: unknown) => void) => () => void>;
    for (const name of PUSH_NAMES) {
      const seen: unknown[] = [];
      const unsubscribe = generic[name]!((p) => seen.push(p));
      const channel = IPC[name].channel;
      expect(listeners.get(channel)!.size).toBe(1);
      for (const l of listeners.get(channel)!) l({ sender: 'secret' }, { on: channel });
      expect(seen).toEqual([{ on: channel }]);
      unsubscribe();
      expect(listeners.get(channel)!.size).toBe(0);
    }
  });
});
