/**
 * The real Crashbell engine in the test process, for the app service's tests and the renderer's e2e run:
 * {@link CrashbellCore} (receiver on 127.0.0.1, port 0, request log, inbox in a temp data dir), the tunnel
 * state machine over a loopback stand-in for the ngrok SDK (it "forwards" to http://localhost:<port>, which
 * reaches the same receiver by another origin), settings in memory, and the app service over all of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSettings, type SettingsInput } from '../../shared/settings';
import { appCoreOf, connectCoreEvents, createAppService, type AppCore, type AppService } from '../../main/core/app-service';
import { CrashbellCore } from '../../main/core/core';
import type { Inbox } from '../../main/core/inbox/types';
import { MemorySettingsStore } from '../../main/core/settings-access';
import { TunnelManager, type NgrokSdk } from '../../main/core/tunnel';

/** What the shell hooks were asked to do, for assertions. */
export interface ShellLog {
  copied: string[];
  opened: string[];
  startAtLogin: boolean[];
}

export interface Stack {
  service: AppService;
  inbox: Inbox;
  settings: MemorySettingsStore;
  tunnel: TunnelManager;
  engine: CrashbellCore;
  core: AppCore;
  shell: ShellLog;
  dataDir: string;
  /** Brings the tunnel online (through the loopback stand-in) or turns it off. */
  setTunnel(online: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Starts the whole engine. `initial` seeds the settings (sources, onboarded...); the port is always 0. */
export async function startStack(initial: SettingsInput = {}, options: { stateDebounceMs?: number } = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crashbell-stack-'));
  const settings = new MemorySettingsStore(parseSettings({ ...initial, port: 0 }));
  const engine = await CrashbellCore.open({ settings, dataDir });
  const core = appCoreOf(engine);

  // Stand-in for @ngrok/ngrok: "forwards" by naming another origin of the same loopback receiver.
  const sdk: NgrokSdk = {
    async forward(config) {
      return { url: () => `http://localhost:${String(config.addr)}`, close: async () => undefined };
    },
  };
  const tunnel = new TunnelManager({ sdk, timeoutMs: 2_000 });
  const shell: ShellLog = { copied: [], opened: [], startAtLogin: [] };
  const service = createAppService({
    core,
    inbox: engine.inbox,
    settings,
    tunnel,
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
  const unhook = connectCoreEvents(engine, service);

  return {
    service,
    inbox: engine.inbox,
    settings,
    tunnel,
    engine,
    core,
    shell,
    dataDir,
    async setTunnel(online: boolean) {
      const s = settings.get();
      const authtoken = online ? 'test-token' : '';
      settings.set({ ...s, tunnel: { ...s.tunnel, authtoken } });
      await tunnel.apply({ enabled: online, port: engine.port, authtoken, domain: s.tunnel.domain });
    },
    async close() {
      unhook();
      service.close();
      await tunnel.stop();
      await engine.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
