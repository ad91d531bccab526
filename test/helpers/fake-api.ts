/**
 * A scripted `window.crashbell` for component tests: every call is a vi.fn with a sensible default answer,
 * and pushes can be fired by channel. The e2e suite uses the real service; this keeps component tests small.
 */
import { vi } from 'vitest';
import type { Group } from '../../shared/events';
import type { AppState, CrashbellApi, EventChannels, SettingsView, SourceView } from '../../shared/ipc';
import { defaultSettings } from '../../shared/settings';

type Push = { [C in keyof EventChannels]: Set<(p: EventChannels[C]) => void> };

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

export function makeSource(over: Partial<SourceView> = {}): SourceView {
  const id = 'src-aaaaaaaaaaaaaaaa';
  const url = `http://127.0.0.1:7317/hooks/${id}`;
  return {
    id,
    provider: 'backtrace',
    name: 'Game client',
    paused: false,
    credentials: { username: 'user-x', password: 'p4ssw0rd-secret-value' },
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
    startAtLogin: false,
    theme: 'system',
    onboarded: true,
  };
}

/** Installs a fake api on window and returns it with a push function. */
export function installFakeApi(): {
  api: { [K in keyof CrashbellApi]: ReturnType<typeof vi.fn> };
  push: <C extends keyof EventChannels>(c: C, p: EventChannels[C]) => void;
} {
  const listeners: Push = {
    'state:changed': new Set(),
    'group:updated': new Set(),
    'request:recorded': new Set(),
    'notification:raised': new Set(),
    navigate: new Set(),
  };
  const on = <C extends keyof EventChannels>(c: C) =>
    vi.fn((l: (p: EventChannels[C]) => void) => {
      (listeners[c] as Set<typeof l>).add(l);
      return () => (listeners[c] as Set<typeof l>).delete(l);
    });
  const api = {
    getState: vi.fn(async () => makeState()),
    listGroups: vi.fn(async () => ({ groups: [], nextCursor: null, total: 0 })),
    getGroup: vi.fn(async () => makeGroup()),
    markGroup: vi.fn(async (id: string, marks: object) => ({ ...makeGroup({ id }), ...marks })),
    openGroup: vi.fn(async () => ({ opened: true, reason: null })),
    addSource: vi.fn(async () => makeSource()),
    updateSource: vi.fn(async () => makeSource()),
    removeSource: vi.fn(async () => undefined),
    sendTestEvent: vi.fn(async () => ({ via: 'local', status: 200, reason: 'accepted', eventId: 'e1' })),
    listRequests: vi.fn(async () => []),
    replayRequest: vi.fn(async () => ({ via: 'local', status: 200, reason: 'accepted', eventId: 'e2' })),
    getSettings: vi.fn(async () => settingsView()),
    updateSettings: vi.fn(async () => settingsView()),
    setDnd: vi.fn(async () => makeState()),
    reconnectTunnel: vi.fn(async () => ({ status: 'off', reason: 'no authtoken' })),
    copy: vi.fn(async () => undefined),
    openLink: vi.fn(async () => ({ opened: true, reason: null })),
    previewMapping: vi.fn(async () => ({ ok: false, body: null, fields: {}, errors: [] })),
    onStateChanged: on('state:changed'),
    onGroupUpdated: on('group:updated'),
    onRequestRecorded: on('request:recorded'),
    onNotification: on('notification:raised'),
    onNavigate: on('navigate'),
  };
  window.crashbell = api as unknown as CrashbellApi;
  return {
    api: api as unknown as { [K in keyof CrashbellApi]: ReturnType<typeof vi.fn> },
    push: (c, p) => {
      for (const l of listeners[c]) (l as (x: typeof p) => void)(p);
    },
  };
}
