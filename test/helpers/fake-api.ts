/**
 * A scripted `window.crashbell` for component tests, built from the IPC table: every call is a vi.fn with a
 * sensible default answer, every push listener a vi.fn that registers, and pushes can be fired by channel.
 * The e2e suite uses the real service; this keeps component tests small.
 */
import { vi } from 'vitest';
import { PROVIDERS, providerInfo } from '../../main/core/providers/index';
import type { Group } from '../../shared/events';
import {
  API_NAMES,
  type AppState,
  type CallName,
  type CallResult,
  type CrashbellApi,
  EVENT_CHANNELS,
  type EventChannels,
  type GroupDetail,
  IPC,
  type ProviderInfo,
  type SettingsView,
  type SourceView,
} from '../../shared/ipc';
import { relaySettingsView } from '../../main/core/settings-edit';
import { defaultSettings } from '../../shared/settings';

/** The core's registry as main sends it in `AppState.providers`. */
export function registryProviders(): ProviderInfo[] {
  return PROVIDERS.map(providerInfo);
}

export function makeGroup(over: Partial<Group> = {}): Group {
  return {
    id: 'g1',
    sourceId: 'src-aaaaaaaaaaaaaaaa',
    provider: 'backtrace',
    groupKey: 'fp1',
    title: 'exception in printf',
    description: 'printf ← my_fn ← main · my_app.exe',
    url: 'https://u.sp.backtrace.io/dashboard/x',
    application: 'my_app.exe',
    project: 'my_project',
    environment: 'production',
    occurrences: 35,
    hosts: 4,
    guids: 0,
    hooks: 1,
    firstSeen: '2026-01-01T00:00:00.000Z',
    lastSeen: '2026-01-01T00:00:00.000Z',
    lastReceivedAt: '2026-01-01T00:00:00.000Z',
    latestObjectId: '2e6',
    classifiers: ['exception'],
    attributes: {
      version: [
        ['1.2.3', 10],
        ['1.1.0', 24],
      ],
    },
    callstack: ['printf', 'my_fn', 'main'],
    page: null,
    userAgent: null,
    browser: null,
    os: null,
    read: false,
    muted: false,
    resolved: false,
    notifiedAt: null,
    lastDecision: { notify: true, code: 'new-group', reason: 'New group', at: '2026-01-01T00:00:00.000Z' },
    latestRaw: { fingerprint: 'fp1' },
    ...over,
  };
}

/** A group as `getGroup` answers it: its link checked (by default, one that opens). */
export function makeGroupDetail(over: Partial<GroupDetail> = {}): GroupDetail {
  const group = makeGroup(over);
  const link = group.url ? { url: group.url, opens: true, reason: null, derived: null } : null;
  return { ...group, link, action: null, actions: [], ...over };
}

export function makeSource(over: Partial<SourceView> = {}): SourceView {
  const id = 'src-aaaaaaaaaaaaaaaa';
  const url = `http://127.0.0.1:7317/hooks/${id}`;
  return {
    id,
    provider: 'backtrace',
    name: 'Game client',
    paused: false,
    sound: 'default',
    credentials: { username: 'user-x', password: 'p4ssw0rd-secret-value' },
    previous: null,
    webUrl: '',
    config: {},
    filters: { minOccurrences: null, attribute: null },
    webhookUrl: url,
    localUrl: url,
    publicUrl: null,
    setup: [
      { label: 'Webhook URL', value: url, secret: false },
      { label: 'Username', value: 'user-x', secret: false },
      { label: 'Password', value: 'p4ssw0rd-secret-value', secret: true },
    ],
    providerName: 'Backtrace',
    docsUrl: 'https://docs.saucelabs.com/',
    securityNote: null,
    setupSteps: ['Open Project Settings → Integrations.'],
    ...over,
  };
}

export function makeState(over: Partial<AppState> = {}): AppState {
  return {
    version: '0.1.0',
    platform: 'linux',
    receiver: { listening: true, port: 7317, localBaseUrl: 'http://127.0.0.1:7317', error: null },
    tunnel: { status: 'off', reason: 'no authtoken' },
    publicBaseUrl: null,
    urlChanged: false,
    sources: [],
    unread: 0,
    groups: 0,
    latest: [],
    pausedAll: false,
    startAtLogin: false,
    dnd: { active: false, until: null, reason: null },
    secretStorage: { available: true, note: null },
    onboarded: true,
    providers: registryProviders(),
    ...over,
  };
}

export function settingsView(): SettingsView {
  const s = defaultSettings();
  return {
    port: s.port,
    pausedAll: s.pausedAll,
    policy: s.policy,
    dnd: s.dnd,
    retention: s.retention,
    tunnel: { enabled: true, domain: '', hasAuthtoken: false },
    relay: relaySettingsView(s.relay),
    startAtLogin: false,
    theme: 'system',
    onboarded: true,
    credentialOverlapHours: s.credentialOverlapHours,
    autoUpdate: s.autoUpdate,
    claimHours: s.claimHours,
  };
}

/** What each call answers unless a test says otherwise: one per call of the table, or it does not compile. */
const DEFAULT_ANSWERS: { [M in CallName]: (...args: never[]) => CallResult<M> } = {
  getState: () => makeState(),
  listGroups: () => ({ groups: [], nextCursor: null, total: 0 }),
  getGroup: () => makeGroupDetail(),
  markGroup: (id: string, marks: object) => ({ ...makeGroup({ id }), ...marks }),
  openGroup: () => ({ opened: true, reason: null }),
  deleteGroup: () => true,
  markAllRead: () => 0,
  clearHistory: () => 0,
  addSource: () => makeSource(),
  updateSource: () => makeSource(),
  removeSource: () => undefined,
  sendTestEvent: () => ({ via: 'local', status: 200, reason: 'accepted', eventId: 'e1' }),
  listRequests: () => [],
  replayRequest: () => ({ via: 'local', status: 200, reason: 'accepted', eventId: 'e2' }),
  getSettings: () => settingsView(),
  updateSettings: () => settingsView(),
  setDnd: () => makeState(),
  reconnectTunnel: () => ({ status: 'off', reason: 'no authtoken' }),
  copy: () => undefined,
  openLink: () => ({ opened: true, reason: null }),
  previewMapping: () => ({ ok: false, body: null, fields: {}, errors: [] }),
  testRelay: () => ({
    ok: true,
    sentAt: '2026-01-01T00:00:00.000Z',
    seq: 7,
    cameBackAt: '2026-01-01T00:00:00.040Z',
    roundTripMs: 40,
    reason: 'Came back through the stream in 40 ms',
  }),
  runAction: (_id: string, action: { kind: string }) => ({
    state: 'done',
    action: action.kind as 'resolve',
    words: 'Resolved here',
    where: 'local',
    code: null,
    status: null,
    retryAt: null,
  }),
  testApiToken: () => ({ ok: true, provider: 'Sentry', words: 'The token can read the issue', code: null, status: null, retryAt: null }),
  getUpdateState: () => ({ status: 'not-available', checkedAt: '2026-01-01T00:00:00.000Z' }),
  checkForUpdates: () => ({ status: 'not-available', checkedAt: '2026-01-01T00:00:00.000Z' }),
  installUpdate: () => undefined,
};

/** Installs a fake api on window and returns it with a push function. */
export function installFakeApi(): {
  api: { [K in keyof CrashbellApi]: ReturnType<typeof vi.fn> };
  push: <C extends keyof EventChannels>(c: C, p: EventChannels[C]) => void;
} {
  const listeners = new Map<string, Set<(payload: unknown) => void>>(EVENT_CHANNELS.map((c) => [c, new Set()]));
  const api: Record<string, ReturnType<typeof vi.fn>> = {};
  for (const name of API_NAMES) {
    const entry = IPC[name];
    if (entry.kind === 'call') {
      const answer = DEFAULT_ANSWERS[name as CallName] as (...args: unknown[]) => unknown;
      api[name] = vi.fn(async (...args: unknown[]) => answer(...args));
    } else {
      const set = listeners.get(entry.channel)!;
      api[name] = vi.fn((l: (payload: unknown) => void) => {
        set.add(l);
        return () => set.delete(l);
      });
    }
  }
  window.crashbell = api as unknown as CrashbellApi;
  return {
    api: api as { [K in keyof CrashbellApi]: ReturnType<typeof vi.fn> },
    push: (c, p) => {
      for (const l of listeners.get(c) ?? []) l(p);
    },
  };
}
