/**
 * The real Crashbell engine in the test process, for the app service's tests and the renderer's e2e run,
 * built by the same `startEngine` the desktop app and headless mode call: the core (receiver on 127.0.0.1,
 * port 0, request log, inbox in a temp data dir), the tunnel state machine over a loopback stand-in for the
 * ngrok SDK (it "forwards" to http://localhost:<port>, which reaches the same receiver by another origin),
 * settings in memory, and the app service over all of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppService } from '../../main/core/app-service';
import type { CrashbellCore } from '../../main/core/core';
import { type Engine, startEngine } from '../../main/core/engine';
import type { Inbox } from '../../main/core/inbox/inbox';
import { MemorySettingsStore } from '../../main/core/settings-access';
import type { NgrokSdk, TunnelManager } from '../../main/core/tunnel';
import { parseSettings, type SettingsInput } from '../../shared/settings';

/** What the shell hooks were asked to do, for assertions. */
export interface ShellLog {
  copied: string[];
  opened: string[];
  startAtLogin: boolean[];
}

export interface Stack {
  engine: Engine;
  service: AppService;
  core: CrashbellCore;
  inbox: Inbox;
  settings: MemorySettingsStore;
  tunnel: TunnelManager;
  shell: ShellLog;
  dataDir: string;
  /** Brings the tunnel online (through the loopback stand-in) or turns it off. */
  setTunnel(online: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Stand-in for @ngrok/ngrok: "forwards" by naming another origin of the same loopback receiver. */
export const loopbackNgrok: NgrokSdk = {
  async forward(config) {
    return { url: () => `http://localhost:${String(config.addr)}`, close: async () => undefined };
  },
};

/** Starts the whole engine. `initial` seeds the settings (sources, onboarded...); the port is always 0. */
export async function startStack(initial: SettingsInput = {}, options: { stateDebounceMs?: number } = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crashbell-stack-'));
  // No authtoken until a test brings the tunnel online, so the stand-in is not "connected" from the start.
  const settings = new MemorySettingsStore(parseSettings({ ...initial, port: 0 }));
  const shell: ShellLog = { copied: [], opened: [], startAtLogin: [] };
  const engine = await startEngine({
    settings,
    dataDir,
    ngrok: loopbackNgrok,
    tunnelTimeoutMs: 2_000,
    shell: {
      copyText: (t) => void shell.copied.push(t),
      openExternal: (u) => void shell.opened.push(u),
      setStartAtLogin: (v) => void shell.startAtLogin.push(v),
    },
    secretStorage: { available: false, note: 'No keychain in the test run: secrets are kept in plain text.' },
    version: '0.1.0-test',
    platform: 'linux',
    stateDebounceMs: options.stateDebounceMs ?? 0,
  });
  const tunnel = engine.tunnel as TunnelManager;

  return {
    engine,
    service: engine.service,
    core: engine.core,
    inbox: engine.core.inbox,
    settings,
    tunnel,
    shell,
    dataDir,
    async setTunnel(online: boolean) {
      const s = settings.get();
      settings.set({ ...s, tunnel: { ...s.tunnel, enabled: online, authtoken: online ? 'test-token' : '' } });
      await engine.applyTunnel();
    },
    async close() {
      await engine.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
