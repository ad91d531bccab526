import { describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS, INVOKE_CHANNELS, type CrashbellApi } from '../../shared/ipc';

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
