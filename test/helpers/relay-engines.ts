/**
 * Crashbell engines wired to a real NATS for the relay's tests: in the test process (startEngine, as the app
 * builds it) or as the built headless process, with a Backtrace source and a helper that posts its hooks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotificationRequest, RelayState } from '../../shared/events';
import { type Engine, startEngine } from '../../main/core/engine';
import type { IngestResult } from '../../main/core/core';
import { MemorySettingsStore } from '../../main/core/settings-access';
import { parseSettings, type RelaySettings, type SourceInput } from '../../shared/settings';
import { HeadlessProcess } from './headless-process';
import { basicAuth, sendHook, type HookResponse } from './hook-client';
import { backtraceBody } from './make-event';

/** The team's Backtrace source, configured the same on every gateway. */
export const TEAM_SOURCE: SourceInput = {
  id: 'teamBacktraceSourceAAAA',
  provider: 'backtrace',
  name: 'Team game',
  credentials: { username: 'team-hook', password: 'team-hook-password-0123456789' },
};

/** Posts a signed Backtrace hook: one group per fingerprint, a new object per occurrence count. */
export function postBacktrace(
  port: number,
  fingerprint: string,
  occurrences = 1,
  over: Record<string, unknown> = {},
  source: SourceInput = TEAM_SOURCE,
): Promise<HookResponse> {
  const body = backtraceBody({
    fingerprint,
    occurrences,
    object_id: `${fingerprint}-${occurrences}`,
    callstack: [`fn_${fingerprint}`, 'main'],
    ...over,
  });
  return sendHook(port, {
    path: `/hooks/${source.id}`,
    headers: {
      'content-type': 'application/json',
      authorization: basicAuth(String(source.credentials?.['username']), String(source.credentials?.['password'])),
    },
    body: JSON.stringify(body),
  });
}

/** Streams in tests reserve little of the test server's store. */
export const TEST_STREAM_BYTES = 64 * 1024 * 1024;

/** Short timings so faults are noticed within a test's time (and an event a second old arrives late). */
export const FAST_RELAY = {
  backoff: { initialMs: 200, factor: 2, maxMs: 2_000 },
  consumer: { missedHeartbeats: 2, expiresMs: 2_000, lateMs: 1_000 },
};

/** An in-process engine with its received events and notifications recorded. */
export interface RelayEngine {
  engine: Engine;
  settings: MemorySettingsStore;
  dataDir: string;
  received: IngestResult[];
  notifications: NotificationRequest[];
  /** Waits (bounded by the test's timeout) until the relay's state satisfies the predicate. */
  waitForRelay(predicate: (s: RelayState) => boolean): Promise<RelayState>;
  /** Waits until the recorded events and notifications satisfy the predicate. */
  waitFor(predicate: () => boolean): Promise<void>;
  close(keepData?: boolean): Promise<void>;
}

export async function startRelayEngine(
  relay: Partial<RelaySettings>,
  options: { sources?: SourceInput[]; dataDir?: string; settings?: Record<string, unknown> } = {},
): Promise<RelayEngine> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'crashbell-relay-'));
  const settings = new MemorySettingsStore(
    parseSettings({ port: 0, sources: options.sources ?? [], relay: { maxBytes: TEST_STREAM_BYTES, ...relay }, ...options.settings }),
  );
  const received: IngestResult[] = [];
  const notifications: NotificationRequest[] = [];
  const engine = await startEngine({
    settings,
    dataDir,
    port: 0,
    ngrok: null,
    subscribe: (core) => {
      core.onReceived(({ result }) => received.push(result));
      core.onNotification((n) => notifications.push(n));
    },
    relayTiming: FAST_RELAY,
    ...(process.env['RELAY_DEBUG']
      ? { log: (m: string) => console.error(`[${dataDir.slice(-6)}] ${m}`), onWarning: (m: string) => console.error(`[warn] ${m}`) }
      : {}),
  });
  if (process.env['RELAY_DEBUG']) engine.relay.onState((s) => console.error(`[${dataDir.slice(-6)}] state ${JSON.stringify(s)}`));
  const waitUntil = async <T>(check: () => T | undefined, subscribe: (wake: () => void) => { dispose(): void }): Promise<T> => {
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, 100);
        const off = subscribe(done);
        function done(): void {
          clearTimeout(t);
          off.dispose();
          resolve();
        }
      });
    }
  };
  return {
    engine,
    settings,
    dataDir,
    received,
    notifications,
    waitForRelay: (predicate) =>
      waitUntil(
        () => {
          const s = engine.relay.getState();
          return predicate(s) ? s : undefined;
        },
        (wake) => engine.relay.onState(wake),
      ),
    waitFor: async (predicate) => {
      await waitUntil(
        () => (predicate() ? true : undefined),
        (wake) => engine.core.onReceived(wake),
      );
    },
    async close(keepData = false) {
      await engine.stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A headless Crashbell process with a relay config, in its own folder. */
export interface RelayProcess {
  proc: HeadlessProcess;
  dataDir: string;
  configPath: string;
  port: number;
}

/** Writes the config and starts the built headless process (`--json`); resolves at its `listening` line. */
export async function startRelayProcess(
  entry: string,
  dir: string,
  name: string,
  relay: Partial<RelaySettings>,
  sources: SourceInput[] = [],
  dataDir = join(dir, `${name}-data`),
): Promise<RelayProcess> {
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify({ port: 0, sources, relay: { maxBytes: TEST_STREAM_BYTES, ...relay } }));
  const proc = HeadlessProcess.start(entry, ['--config', configPath, '--port', '0', '--data-dir', dataDir, '--json'], {
    ...process.env,
    CRASHBELL_RELAY_FAST: '1',
  });
  const listening = await proc.waitFor((l) => l['type'] === 'listening');
  return { proc, dataDir, configPath, port: listening['port'] as number };
}
