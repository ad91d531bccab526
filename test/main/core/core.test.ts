import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrashbellCore, type GroupsChange, type Received, type ReceiverStatus } from '../../../main/core/core';
import { PortInUseError, ReplayError, UnknownSourceError } from '../../../main/core/errors';
import { MemorySettingsStore } from '../../../main/core/settings-access';
import { createSource } from '../../../main/core/sources';
import type { GroupSummary, NotificationRequest, RequestRecord } from '../../../shared/events';
import { defaultSettings, type Settings } from '../../../shared/settings';
import { basicAuth, sendHook } from '../../helpers/hook-client';
import { backtraceEvent } from '../../helpers/make-event';
import { fixturePath } from '../../helpers/paths';

const backtrace = createSource({ provider: 'backtrace', name: 'Game' });
const errorception = createSource({ provider: 'errorception', name: 'Site', credentials: { secret: 'site-secret' } });

function settingsWith(patch: Partial<Settings> = {}): MemorySettingsStore {
  return new MemorySettingsStore({ ...defaultSettings(), port: 0, sources: [backtrace, errorception], ...patch });
}

/** Everything the core fires, by event, in order. */
interface Seen {
  request: RequestRecord[];
  received: Received[];
  rejected: RequestRecord[];
  notification: NotificationRequest[];
  group: GroupSummary[];
  removed: Array<{ groupId: string }>;
  groups: GroupsChange[];
  receiver: ReceiverStatus[];
  warning: string[];
}

function collect(c: CrashbellCore): Seen {
  const out: Seen = {
    request: [],
    received: [],
    rejected: [],
    notification: [],
    group: [],
    removed: [],
    groups: [],
    receiver: [],
    warning: [],
  };
  c.onRequest((v) => out.request.push(v));
  c.onReceived((v) => out.received.push(v));
  c.onRejected((v) => out.rejected.push(v));
  c.onNotification((v) => out.notification.push(v));
  c.onGroup((v) => out.group.push(v));
  c.onRemoved((v) => out.removed.push(v));
  c.onGroups((v) => out.groups.push(v));
  c.onReceiver((v) => out.receiver.push(v));
  c.onWarning((v) => out.warning.push(v));
  return out;
}

let core: CrashbellCore | null = null;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'crashbell-core-'));
});

afterEach(async () => {
  await core?.stop();
  core = null;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('CrashbellCore.open', () => {
  it('listens on a free port, reports requests, received events and rejections', async () => {
    core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
    const seen = collect(core);
    expect(core.port).toBeGreaterThan(0);
    expect(core.localBaseUrl).toBe(`http://127.0.0.1:${core.port}`);
    expect(core.webhookUrl(backtrace.id)).toBe(`http://127.0.0.1:${core.port}/hooks/${backtrace.id}`);
    expect(core.webhookUrl(backtrace.id, 'https://abc.ngrok.app')).toBe(`https://abc.ngrok.app/hooks/${backtrace.id}`);

    const body = readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8');
    const headers = {
      'content-type': 'application/json',
      authorization: basicAuth(backtrace.credentials['username']!, backtrace.credentials['password']!),
    };
    expect((await sendHook(core.port!, { path: `/hooks/${backtrace.id}`, headers, body })).status).toBe(200);
    expect(
      (await sendHook(core.port!, { path: `/hooks/${backtrace.id}`, headers: { 'content-type': 'application/json' }, body })).status,
    ).toBe(401);

    expect(seen.received).toHaveLength(1);
    expect(seen.received[0]!.event.groupKey).toBe('8910551e27a339e542...');
    expect(seen.received[0]!.result.isNew).toBe(true);
    expect(seen.request.map((r) => r.status)).toEqual([200, 401]);
    expect(seen.rejected.map((r) => r.status)).toEqual([401]);
    expect(core.requests().map((r) => r.status)).toEqual([401, 200]);
  });

  it('looks sources up live: a source added after start answers at once, a removed one is 404', async () => {
    const settings = settingsWith({ sources: [] });
    core = await CrashbellCore.open({ settings, dataDir, port: 0 });
    expect((await core.deliverSample(backtrace.id).catch((e: unknown) => e)) instanceof UnknownSourceError).toBe(true);
    settings.set({ ...settings.get(), sources: [backtrace] });
    expect(await core.deliverSample(backtrace.id)).toMatchObject({ via: 'local', status: 200, reason: 'accepted' });
    const stale = settings.get().sources[0]!;
    settings.set({ ...settings.get(), sources: [] });
    const res = await sendHook(core.port!, { path: `/hooks/${stale.id}`, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
  });

  it("records hooks for paused sources (pausing is the policy's business, not a refusal)", async () => {
    core = await CrashbellCore.open({ settings: settingsWith({ sources: [{ ...backtrace, paused: true }] }), dataDir, port: 0 });
    const seen = collect(core);
    expect((await core.deliverSample(backtrace.id)).status).toBe(200);
    expect(core.inbox.counts().groups).toBe(1);
    expect(seen.received[0]!.result.decision.code).toBe('source-paused');
    expect(seen.notification).toEqual([]);
  });

  it("delivers each provider's signed sample through the real receiver, with a new group each time", async () => {
    core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
    const seen = collect(core);
    for (const source of [backtrace, errorception]) {
      const one = await core.deliverSample(source.id);
      const two = await core.deliverSample(source.id);
      expect(one).toMatchObject({ via: 'local', status: 200 });
      expect(one.eventId).toBeTruthy();
      expect(two.eventId).not.toBe(one.eventId);
    }
    const keys = seen.received.map((r) => r.event.groupKey);
    expect(new Set(keys).size).toBe(4);
    expect(core.inbox.counts().groups).toBe(4);
  });

  it('marks its own samples as test events by a token no sender knows, masked in the inspector', async () => {
    core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
    const seen = collect(core);
    expect((await core.deliverSample(backtrace.id)).status).toBe(200);
    expect(seen.received[0]!.event.test).toBe(true);
    expect(seen.received[0]!.result.group.test).toBe(true);
    const token = core.requestLog.original(core.requests()[0]!.id)!.headers['x-crashbell-test']!;
    expect(token.length).toBeGreaterThan(20);
    expect(core.requests()[0]!.headers['x-crashbell-test']).not.toBe(token);

    // A sender with the source's credentials cannot pass a real crash off as a test with a made-up token.
    const body = readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8');
    const auth = basicAuth(backtrace.credentials['username']!, backtrace.credentials['password']!);
    for (const forged of ['1', 'true', `${token}x`]) {
      const res = await sendHook(core.port!, {
        path: `/hooks/${backtrace.id}`,
        headers: { 'content-type': 'application/json', authorization: auth, 'x-crashbell-test': forged },
        body,
      });
      expect(res.status).toBe(200);
    }
    expect(seen.received.slice(1).map((r) => r.event.test)).toEqual([false, false, false]);
    expect(core.inbox.counts().unread).toBe(1);

    // The replay of a test request is a test again.
    expect((await core.replay(core.requests().at(-1)!.id)).status).toBe(200);
    expect(seen.received.at(-1)!.event.test).toBe(true);
  });

  it('deletes a group, marks all read and clears the history, telling listeners', async () => {
    core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
    const seen = collect(core);
    const body = readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8');
    const auth = basicAuth(backtrace.credentials['username']!, backtrace.credentials['password']!);
    for (const fingerprint of ['a', 'b', 'c']) {
      const hook = { ...(JSON.parse(body) as Record<string, unknown>), fingerprint };
      await sendHook(core.port!, {
        path: `/hooks/${backtrace.id}`,
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify(hook),
      });
    }
    const [first] = core.inbox.list({}).groups;
    expect(await core.deleteGroup(first!.id)).toBe(true);
    expect(await core.deleteGroup(first!.id)).toBe(false);
    expect(seen.removed).toEqual([{ groupId: first!.id }]);
    expect(await core.markAllRead()).toBe(2);
    expect(await core.markAllRead()).toBe(0);
    expect(core.inbox.counts()).toEqual({ groups: 2, unread: 0 });
    expect(await core.clearHistory()).toBe(2);
    expect(seen.groups).toEqual([
      { change: 'all-read', count: 2 },
      { change: 'cleared', count: 2 },
    ]);
    expect(core.inbox.counts().groups).toBe(0);
  });

  it('reports an unreachable public URL as status 0 with the reason', async () => {
    core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const result = await core.deliverSample(backtrace.id, `http://127.0.0.1:${port}`);
    expect(result).toMatchObject({ via: 'tunnel', status: 0, eventId: null });
    expect(result.reason).toMatch(/could not reach/);
  });

  it('replays a recorded request exactly, and refuses one whose body was not kept whole', async () => {
    core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
    const seen = collect(core);
    const body = readFileSync(fixturePath('errorception', 'first-occurrence.json'), 'utf8');
    const json = JSON.parse(body) as { message: string; page: string };
    const signature = createHash('sha1').update(`site-secret${json.message}${json.page}`).digest('hex');
    await sendHook(core.port!, {
      path: `/hooks/${errorception.id}`,
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body,
    });
    const original = core.requests()[0]!;
    expect(original.headers['x-signature']).not.toBe(signature);

    expect(original).toMatchObject({ title: json.message, duplicate: false });

    const replayed = await core.replay(original.id);
    // The same body again: recognised as a redelivery of the first, and the answer says so.
    expect(replayed).toMatchObject({ via: 'local', status: 200, duplicate: true });
    expect(replayed.reason).toMatch(/recognised as a redelivery/);
    expect(core.requests()[0]).toMatchObject({ status: 200, duplicate: true, title: json.message });
    expect(core.requests()[0]!.reason).toMatch(/redelivery/);
    expect(seen.received).toHaveLength(2);
    expect(seen.received[1]!.event.raw).toEqual(seen.received[0]!.event.raw);
    expect(seen.received[1]!.result.duplicate).toBe(true);

    const big = Buffer.alloc(70 * 1024, 0x20);
    await sendHook(core.port!, {
      path: `/hooks/${errorception.id}`,
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body: Buffer.concat([Buffer.from(body.slice(0, -1)), big, Buffer.from('}')]),
    });
    const truncated = core.requests()[0]!;
    expect(truncated.bodyTruncated).toBe(true);
    await expect(core.replay(truncated.id)).rejects.toThrow(ReplayError);
    await expect(core.replay(truncated.id)).rejects.toThrow(/not kept whole/);
    await expect(core.replay('no-such-request')).rejects.toThrow(/no longer in the log/);
  });

  it('throws PortInUseError saying what is wrong when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const attempt = CrashbellCore.open({ settings: settingsWith(), dataDir, port });
      await expect(attempt).rejects.toThrow(PortInUseError);
      await expect(CrashbellCore.open({ settings: settingsWith(), dataDir, port })).rejects.toThrow(
        `port ${port} is already in use by another program`,
      );
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it('with fallbackToFreePort, listens on a free port instead and says why', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port, fallbackToFreePort: true });
      expect(core.port).not.toBe(port);
      expect(core.receiver).toMatchObject({ port: core.port, wanted: port, code: 'port-in-use' });
      expect(core.receiver.error).toBe(
        `port ${port} is already in use by another program, so Crashbell listens on port ${core.port} for now`,
      );
      expect((await core.deliverSample(backtrace.id)).status).toBe(200);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it('uses the settings port when none is given, and can move to another port', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const free = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    core = await CrashbellCore.open({ settings: settingsWith({ port: free }), dataDir });
    expect(core.port).toBe(free);
    const seen = collect(core);
    const moved = await core.rebind(0);
    expect(moved).not.toBe(free);
    expect(core.port).toBe(moved);
    expect(seen.receiver).toEqual([{ port: moved, wanted: 0, error: null, code: null }]);
    expect((await core.deliverSample(backtrace.id)).status).toBe(200);
  });

  it('keeps a throwing subscriber from breaking the receiver, and reports it as a warning', async () => {
    const warnings: string[] = [];
    core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0, onWarning: (w) => warnings.push(w) });
    core.onReceived(() => {
      throw new Error('subscriber bug');
    });
    expect((await core.deliverSample(backtrace.id)).status).toBe(200);
    expect(warnings.some((w) => w.includes('subscriber bug'))).toBe(true);
  });
});

describe('the one event route', () => {
  it('stores events durably, emits received, then its notification, then the group, and reloads groups after a restart', async () => {
    const settings = settingsWith();
    core = await CrashbellCore.open({ settings, dataDir, port: 0 });
    const order: string[] = [];
    const notifications: NotificationRequest[] = [];
    core.onReceived(({ result }) => order.push(`received:${result.group.id}`));
    core.onNotification((n) => {
      notifications.push(n);
      order.push(`notification:${n.group}`);
    });
    core.onGroup((g) => order.push(`group:${g.id}`));
    const sent = await core.deliverSample(backtrace.id);
    expect(sent.status).toBe(200);
    expect(notifications).toHaveLength(1);
    const id = order[0]!.slice('received:'.length);
    expect(order).toEqual([`received:${id}`, `notification:${id}`, `group:${id}`]);
    expect(core.inbox.counts().groups).toBe(1);
    await core.stop();

    core = await CrashbellCore.open({ settings, dataDir, port: 0 });
    expect(core.inbox.counts().groups).toBe(1);
  });

  it('reports a redelivery as received, raising nothing and changing no group', async () => {
    core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
    const seen = collect(core);
    const body = readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8');
    const headers = {
      'content-type': 'application/json',
      authorization: basicAuth(backtrace.credentials['username']!, backtrace.credentials['password']!),
    };
    for (let i = 0; i < 2; i++) expect((await sendHook(core.port!, { path: `/hooks/${backtrace.id}`, headers, body })).status).toBe(200);
    expect(seen.received.map((r) => r.result.duplicate)).toEqual([false, true]);
    expect(seen.notification).toHaveLength(1);
    expect(seen.group).toHaveLength(1);
  });

  it('takes events from another route (the relay) with their source looked up once, and marks tell group listeners', async () => {
    core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
    const seen = collect(core);
    const event = backtraceEvent({ sourceId: backtrace.id });
    const result = await core.ingest(event, { ...backtrace, paused: true }, undefined, { kind: 'relay', seq: 1, hold: false });
    expect(result.decision.code).toBe('source-paused');
    expect(seen.received).toHaveLength(1);
    const marked = await core.mark(result.group.id, { read: true });
    expect(marked?.read).toBe(true);
    expect(seen.group.map((g) => g.read)).toEqual([false, true]);
    expect(await core.mark('no-such-group', { read: true })).toBeNull();
  });

  it('a mark that settles a group (a teammate resolved or claimed it) makes it read; one that does not leaves it unread', async () => {
    core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
    const states: string[] = [];
    core.onGroupState((c) => states.push(`${c.status} by ${c.by} via ${c.via}`));
    const { group } = await core.ingest(backtraceEvent({ sourceId: backtrace.id }), backtrace, undefined, {
      kind: 'relay',
      seq: 1,
      hold: false,
    });
    expect(core.inbox.counts().unread).toBe(1);
    expect((await core.mark(group.id, { assignee: 'bo' }, 'ana', { via: 'team' }))?.read).toBe(false);
    expect(core.inbox.counts().unread).toBe(1);
    const claimed = await core.mark(group.id, { claimedBy: 'ana', claimedUntil: '2999-01-01T00:00:00.000Z' }, 'ana', { via: 'team' });
    expect(claimed?.read).toBe(true);
    expect(core.inbox.counts().unread).toBe(0);
    // The user's own "mark unread" stands, settled or not (a resolve also ends the claim).
    expect((await core.mark(group.id, { read: false, resolved: true }))?.read).toBe(false);
    expect(states).toEqual([
      'assigned by ana via team',
      'claimed by ana via team',
      'resolved by null via crashbell',
      'released by null via crashbell',
    ]);
  });

  it('hears what it reports at start-up when subscribed between construction and start', async () => {
    const received: string[] = [];
    core = new CrashbellCore({ settings: settingsWith(), dataDir, port: 0 });
    core.onReceiver((r) => received.push(`listening:${r.port}`));
    await core.start();
    expect(received).toEqual([`listening:${core.port}`]);
  });

  it('closes the inbox again when the port cannot be bound', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(CrashbellCore.open({ settings: settingsWith(), dataDir, port })).rejects.toThrow(PortInUseError);
      // The inbox was closed again: a second open of the same data dir succeeds.
      core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
      expect(core.listening).toBe(true);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
