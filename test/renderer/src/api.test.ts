import { afterEach, describe, expect, it } from 'vitest';
import * as rendererApi from '../../../renderer/src/api';
import { BridgeMissingError, errorMessage, getState, hasBridge } from '../../../renderer/src/api';
import { API_NAMES } from '../../../shared/ipc';
import { installFakeApi } from '../../helpers/fake-api';

afterEach(() => {
  delete (globalThis as { window?: unknown }).window;
});

describe('api errors', () => {
  it('strips Electron’s IPC prefix from messages', () => {
    expect(errorMessage(new Error("Error invoking remote method 'sources:add': Error: Errorception sources need the secret"))).toBe(
      'Errorception sources need the secret',
    );
    expect(errorMessage('plain')).toBe('plain');
  });
});

describe('the bridge', () => {
  it('refuses plainly without the preload, and calls through it when present', async () => {
    expect(hasBridge()).toBe(false);
    expect(() => getState()).toThrow(BridgeMissingError);
    (globalThis as { window?: unknown }).window = {};
    const { api } = installFakeApi();
    expect(hasBridge()).toBe(true);
    await getState();
    expect(api.getState).toHaveBeenCalledTimes(1);
  });

  it('exports one function per entry of the IPC table, passing its arguments to the bridge', () => {
    (globalThis as { window?: unknown }).window = {};
    const { api } = installFakeApi();
    const exported = rendererApi as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const name of API_NAMES) {
      expect(typeof exported[name], name).toBe('function');
      exported[name]!('a', 2);
      expect(api[name]).toHaveBeenLastCalledWith('a', 2);
    }
  });
});
