import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CoreEvents, CrashbellCore, type CoreEventMap } from '../../../main/core/core';
import { PortInUseError, ReplayError, UnknownSourceError } from '../../../main/core/errors';
import type { Inbox, IngestResult } from '../../../main/core/inbox/types';
import { MemorySettingsStore } from '../../../main/core/settings-store';
import { createSource } from '../../../main/core/sources';
import type { GroupSummary, NormalizedEvent, NotificationRequest } from '../../../shared/events';
import { defaultSettings, type Settings } from '../../../shared/settings';
import { basicAuth, sendHook } from '../../helpers/hook-client';
import { fixturePath } from '../../helpers/paths';

const backtrace = createSource({ provider: 'backtrace', name: 'Game' });
const errorception = createSource({ provider: 'errorception', name: 'Site', credentials: { secret: 'site-secret' } });

function settingsWith(patch: Partial<Settings> = {}): MemorySettingsStore {
  return new MemorySettingsStore({ ...defaultSettings(), port: 0, sources: [backtrace, errorception], ...patch });
}

/** A minimal in-memory inbox for tests that are about the core, not about grouping. */
class ListInbox implements Inbox {
  readonly events: NormalizedEvent[] = [];
  fail: Error | null = null;
  closed = false;
  async ingest(event: NormalizedEvent): Promise<IngestResult> {
    if (this.fail) throw this.fail;
    this.events.push(event);
    const group = { id: `g-${event.groupKey}`, groupKey: event.groupKey, occurrences: this.events.length } as unknown as GroupSummary;
    return {
      group,
      isNew: this.events.length === 1,
      duplicate: false,
      decision: { notify: true, code: 'new-group', reason: 'New group', at: event.receivedAt },
    };
  }
  list() {
    return { groups: [], nextCursor: null, total: 0 };
  }
  get() {
    return null;
  }
  async mark() {
    return null;
  }
  counts() {
    return { groups: this.events.length, unread: 0 };
  }
  latest() {
    return [];
  }
  async close() {
    this.closed = true;
  }
}

function collect(events: CoreEvents): { [K in keyof CoreEventMap]: Array<CoreEventMap[K]> } {
  const out = { request: [], received: [], rejected: [], notification: [], group: [], warning: [] } as {
    [K in keyof CoreEventMap]: Array<CoreEventMap[K]>;
  };
  for (const name of Object.keys(out) as Array<keyof CoreEventMap>) {
    events.on(name, (payload) => (out[name] as unknown[]).push(payload));
  }
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

describe('CrashbellCore.start over a caller-made inbox', () => {
  it('listens on a free port, reports requests, received events and rejections', async () => {
    const inbox = new ListInbox();
    core = await CrashbellCore.start({ settings: settingsWith(), inbox, port: 0 });
    const seen = collect(core.events);
    expect(core.port).toBeGreaterThan(0);
    expect(core.localBaseUrl).toBe(`http://127.0.0.1:${core.port}`);
    expect(core.webhookUrl(backtrace.id)).toBe(`http://127.0.0.1:${core.port}/hooks/${backtrace.id}`);
    expect(core.webhookUrl(backtrace.id, 'https://abc.ngrok.app')).toBe(`https://abc.ngrok.app/hooks/${backtrace.id}`);

    const body = readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8');
    const headers = {
      'content-type': 'application/json',
      authorization: basicAuth(backtrace.credentials['username']!, backtrace.credentials['password']!),
    };
    expect((await sendHook(core.port, { path: `/hooks/${backtrace.id}`, headers, body })).status).toBe(200);
    expect(
      (await sendHook(core.port, { path: `/hooks/${backtrace.id}`, headers: { 'content-type': 'application/json' }, body })).status,
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
    core = await CrashbellCore.start({ settings, inbox: new ListInbox(), port: 0 });
    expect((await core.deliverSample(backtrace.id).catch((e: unknown) => e)) instanceof UnknownSourceError).toBe(true);
    settings.set({ ...settings.get(), sources: [backtrace] });
    expect(await core.deliverSample(backtrace.id)).toMatchObject({ via: 'local', status: 200, reason: 'accepted' });
    const stale = settings.get().sources[0]!;
    settings.set({ ...settings.get(), sources: [] });
    const res = await sendHook(core.port, { path: `/hooks/${stale.id}`, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
  });

  it("records hooks for paused sources (pausing is the policy's business, not a refusal)", async () => {
    const inbox = new ListInbox();
    core = await CrashbellCore.start({ settings: settingsWith({ sources: [{ ...backtrace, paused: true }] }), inbox, port: 0 });
    expect((await core.deliverSample(backtrace.id)).status).toBe(200);
    expect(inbox.events).toHaveLength(1);
  });

  it('answers 503 when the inbox cannot store, and keeps running', async () => {
    const inbox = new ListInbox();
    inbox.fail = new Error('disk full');
    core = await CrashbellCore.start({ settings: settingsWith(), inbox, port: 0 });
    const result = await core.deliverSample(errorception.id);
    expect(result.status).toBe(503);
    expect(result.reason).toMatch(/disk full/);
    inbox.fail = null;
    expect((await core.deliverSample(errorception.id)).status).toBe(200);
  });

  it("delivers each provider's signed sample through the real receiver, with a new group each time", async () => {
    const inbox = new ListInbox();
    core = await CrashbellCore.start({ settings: settingsWith(), inbox, port: 0 });
    for (const source of [backtrace, errorception]) {
      const one = await core.deliverSample(source.id);
      const two = await core.deliverSample(source.id);
      expect(one).toMatchObject({ via: 'local', status: 200 });
      expect(one.eventId).toBeTruthy();
      expect(two.eventId).not.toBe(one.eventId);
    }
    const keys = inbox.events.map((e) => e.groupKey);
    expect(new Set(keys).size).toBe(4);
  });

  it('reports an unreachable public URL as status 0 with the reason', async () => {
    core = await CrashbellCore.start({ settings: settingsWith(), inbox: new ListInbox(), port: 0 });
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const result = await core.deliverSample(backtrace.id, `http://127.0.0.1:${port}`);
    expect(result).toMatchObject({ via: 'tunnel', status: 0, eventId: null });
    expect(result.reason).toMatch(/could not reach/);
  });

  it('replays a recorded request exactly, and refuses one whose body was not kept whole', async () => {
    const inbox = new ListInbox();
    core = await CrashbellCore.start({ settings: settingsWith(), inbox, port: 0 });
    const body = readFileSync(fixturePath('errorception', 'first-occurrence.json'), 'utf8');
    const json = JSON.parse(body) as { message: string; page: string };
    const signature = createHash('sha1').update(`site-secret${json.message}${json.page}`).digest('hex');
    await sendHook(core.port, {
      path: `/hooks/${errorception.id}`,
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body,
    });
    const original = core.requests()[0]!;
    expect(original.headers['x-signature']).not.toBe(signature);

    const replayed = await core.replay(original.id);
    expect(replayed).toMatchObject({ via: 'local', status: 200 });
    expect(inbox.events).toHaveLength(2);
    expect(inbox.events[1]!.raw).toEqual(inbox.events[0]!.raw);

    const big = Buffer.alloc(70 * 1024, 0x20);
    await sendHook(core.port, {
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

  it('throws PortInUseError saying how to fix it when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const attempt = CrashbellCore.start({ settings: settingsWith(), inbox: new ListInbox(), port });
      await expect(attempt).rejects.toThrow(PortInUseError);
      await expect(CrashbellCore.start({ settings: settingsWith(), inbox: new ListInbox(), port })).rejects.toThrow(
        `port ${port} is in use: choose another port in Settings or pass --port 0`,
      );
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it('uses the settings port when none is given, and can move to another port', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const free = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    core = await CrashbellCore.start({ settings: settingsWith({ port: free }), inbox: new ListInbox() });
    expect(core.port).toBe(free);
    const moved = await core.rebind(0);
    expect(moved).not.toBe(free);
    expect(core.port).toBe(moved);
    expect((await core.deliverSample(backtrace.id)).status).toBe(200);
  });

  it('keeps a throwing subscriber from breaking the receiver, and reports it as a warning', async () => {
    const warnings: string[] = [];
    core = await CrashbellCore.start({ settings: settingsWith(), inbox: new ListInbox(), port: 0, onWarning: (w) => warnings.push(w) });
    core.events.on('received', () => {
      throw new Error('subscriber bug');
    });
    expect((await core.deliverSample(backtrace.id)).status).toBe(200);
    expect(warnings.some((w) => w.includes('subscriber bug'))).toBe(true);
  });
});

describe('CrashbellCore.open with the real inbox', () => {
  it('stores events durably, raises notifications after the received event, and reloads groups after a restart', async () => {
    const settings = settingsWith();
    core = await CrashbellCore.open({ settings, dataDir, port: 0 });
    const order: string[] = [];
    const notifications: NotificationRequest[] = [];
    core.events.on('received', ({ result }) => order.push(`received:${result.group.id}`));
    core.events.on('notification', (n) => {
      notifications.push(n);
      order.push(`notification:${n.group}`);
    });
    const sent = await core.deliverSample(backtrace.id);
    expect(sent.status).toBe(200);
    expect(notifications).toHaveLength(1);
    expect(order[0]).toMatch(/^received:/);
    expect(order[1]).toBe(`notification:${order[0]!.slice('received:'.length)}`);
    expect(core.inbox.counts().groups).toBe(1);
    await core.stop();

    core = await CrashbellCore.open({ settings, dataDir, port: 0 });
    expect(core.inbox.counts().groups).toBe(1);
  });

  it('closes the inbox again when the port cannot be bound', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(CrashbellCore.open({ settings: settingsWith(), dataDir, port })).rejects.toThrow(PortInUseError);
      // The data dir is free again: a second open succeeds.
      core = await CrashbellCore.open({ settings: settingsWith(), dataDir, port: 0 });
      expect(core.listening).toBe(true);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
