/**
 * The real Crashbell engine in the test process, for the app service's tests and the renderer's e2e run:
 * receiver on 127.0.0.1 (port 0), request log, inbox in a temp data dir, the tunnel state machine over a
 * loopback stand-in for the ngrok SDK (it "forwards" to http://localhost:<port>, which reaches the same
 * receiver by another origin), settings in memory, and the app service over all of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '../../shared/events';
import { defaultSettings, type Settings, type SettingsInput, parseSettings } from '../../shared/settings';
import { createAppService, type AppCore, type AppService, type CoreDelivery } from '../../main/core/app-service';
import { ReplayError, UnknownSourceError } from '../../main/core/errors';
import { postRequest } from '../../main/core/http-post';
import { openInbox, type LocalInbox } from '../../main/core/inbox/index';
import { allSecretHeaders, getProvider } from '../../main/core/providers/index';
import { Receiver } from '../../main/core/receiver';
import { RequestLog } from '../../main/core/request-log';
import { MemorySettingsStore } from '../../main/core/settings-store';
import { localBaseUrl, webhookUrl } from '../../main/core/sources';
import { TunnelManager, type NgrokSdk } from '../../main/core/tunnel';

/** What the shell hooks were asked to do, for assertions. */
export interface ShellLog {
  copied: string[];
  opened: string[];
  startAtLogin: boolean[];
}

export interface Stack {
  service: AppService;
  inbox: LocalInbox;
  settings: MemorySettingsStore;
  tunnel: TunnelManager;
  core: AppCore;
  receiver: Receiver;
  shell: ShellLog;
  dataDir: string;
  /** Brings the tunnel online (through the loopback stand-in) or turns it off. */
  setTunnel(online: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Reads the receiver's JSON answer into plain words. */
function answerReason(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { ok?: boolean; error?: string };
    if (status >= 200 && status < 300) return 'accepted';
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // Not JSON: fall through to the status alone.
  }
  return status >= 200 && status < 300 ? 'accepted' : `HTTP ${status}`;
}

function eventIdOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { event?: unknown };
    return typeof parsed.event === 'string' ? parsed.event : null;
  } catch {
    return null;
  }
}

/** Starts the whole engine. `initial` seeds the settings (sources, onboarded...). */
export async function startStack(initial: SettingsInput = {}, options: { stateDebounceMs?: number } = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crashbell-stack-'));
  const settings = new MemorySettingsStore(parseSettings({ ...initial, port: 0 }));
  let service: AppService | null = null;
  const inbox = await openInbox({
    dataDir,
    getSettings: () => settings.get(),
    onGroupChanged: (g) => service?.groupChanged(g),
    onNotification: (n) => service?.notificationRaised(n),
  });
  const log = new RequestLog(200, allSecretHeaders());
  const receiver = new Receiver({
    getSource: (id) => settings.get().sources.find((s) => s.id === id),
    onEvent: (event) => inbox.ingest(event),
    log,
    onRecord: (r: RequestRecord) => service?.requestRecorded(r),
  });
  await receiver.listen(0, '127.0.0.1');
  const local = (): string => localBaseUrl('127.0.0.1', receiver.requirePort());

  const core: AppCore = {
    get port() {
      return receiver.port;
    },
    get localBaseUrl() {
      return receiver.port === null ? null : local();
    },
    requests: log,
    async deliverSample(sourceId: string, base?: string): Promise<CoreDelivery> {
      const source = settings.get().sources.find((s) => s.id === sourceId);
      if (!source) throw new UnknownSourceError(sourceId);
      const provider = getProvider(source.provider);
      if (!provider) throw new Error(`no provider ${source.provider}`);
      const sample = provider.sample(source, Date.now());
      const res = await postRequest(webhookUrl(base ?? local(), sourceId), { headers: sample.headers, body: sample.body }, 5_000);
      return { status: res.status, reason: answerReason(res.status, res.body), eventId: eventIdOf(res.body) };
    },
    async replay(requestId: string): Promise<CoreDelivery> {
      const original = log.original(requestId);
      if (!original) throw new ReplayError('that request is gone from the log or was not kept whole');
      const res = await postRequest(`${local()}${original.path}`, { method: original.method, headers: original.headers, body: original.body }, 5_000);
      return { status: res.status, reason: answerReason(res.status, res.body), eventId: eventIdOf(res.body) };
    },
  };

  // Stand-in for @ngrok/ngrok: "forwards" by naming another origin of the same loopback receiver.
  const sdk: NgrokSdk = {
    async forward(config) {
      return { url: () => `http://localhost:${String(config.addr)}`, close: async () => undefined };
    },
  };
  const tunnel = new TunnelManager({ sdk, timeoutMs: 2_000 });
  const shell: ShellLog = { copied: [], opened: [], startAtLogin: [] };
  service = createAppService({
    core,
    inbox,
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

  return {
    service,
    inbox,
    settings,
    tunnel,
    core,
    receiver,
    shell,
    dataDir,
    async setTunnel(online: boolean) {
      const s: Settings = settings.get();
      await tunnel.apply({ enabled: online, port: receiver.requirePort(), authtoken: online ? 'test-token' : '', domain: s.tunnel.domain });
    },
    async close() {
      service?.close();
      await tunnel.stop();
      await receiver.close(500);
      await inbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { defaultSettings };
