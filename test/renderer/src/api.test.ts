import { afterEach, describe, expect, it } from 'vitest';
import { BridgeMissingError, errorMessage, getState, hasBridge } from '../../../renderer/src/api';
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
});
