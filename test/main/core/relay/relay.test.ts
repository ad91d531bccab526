import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { encodeMarkValue, MARK_MAX_VALUE_BYTES, MARKS_MAX_BYTES, MARKS_TTL_MS } from '../../../../main/core/relay/marks';
import type { GroupStateChange } from '../../../../shared/events';
import { trimmedBodyOf } from '../../../../shared/relay-body';
import type { SourceInput } from '../../../../shared/settings';
import { sendHook } from '../../../helpers/hook-client';
import { NatsServer, natsServerFor, hasOpenssl, makeTestCa } from '../../../helpers/nats-server';
import { fixturePath } from '../../../helpers/paths';
import { type ProviderApiFake, rollbarApiFake } from '../../../helpers/provider-api-fakes';
import { postBacktrace, startRelayEngine, TEAM_SOURCE, type RelayEngine } from '../../../helpers/relay-engines';

const NATS = natsServerFor('the team relay suite (relay.test.ts)');

describe.skipIf(!NATS)('team relay over a real NATS JetStream', () => {
  let nats: NatsServer;
  const engines: RelayEngine[] = [];
  const start = async (...args: Parameters<typeof startRelayEngine>): Promise<RelayEngine> => {
    const e = await startRelayEngine(...args);
    engines.push(e);
    return e;
  };

  // A server per test: one account holds one stream on crashbell.events.>.
  beforeEach(async () => {
    nats = await NatsServer.start();
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    await nats.destroy();
  });

  it('gateway → stream → subscriber: a hook accepted by the gateway is recorded and notified by the member', async () => {
    const gateway = await start(
      { servers: [nats.url], publish: true, subscribe: false, stream: 'E2E', member: 'gw' },
      { sources: [TEAM_SOURCE] },
    );
    await gateway.waitForRelay((s) => s.status === 'connected');
    const member = await start({ servers: [nats.url], publish: false, subscribe: true, stream: 'E2E', member: 'ana' });
    await member.waitForRelay((s) => s.status === 'connected' && s.subscriber?.caughtUp === true);

    const answer = await postBacktrace(gateway.engine.core.port!, 'e2e-one');
    expect(answer.status).toBe(200);
    await member.waitFor(() => member.notifications.length === 1);
    expect(member.received).toHaveLength(1);
    const got = member.received[0]!;
    expect(got.group).toMatchObject({
      sourceId: TEAM_SOURCE.id,
      provider: 'backtrace',
      groupKey: 'e2e-one',
      title: 'exception in fn_e2e-one',
    });
    // The member has no such source configured: it still names it as the gateway does.
    expect(member.notifications[0]?.title).toContain('fn_e2e-one');
    expect(member.engine.core.inbox.get(got.group.id)?.latestRaw).toMatchObject({ fingerprint: 'e2e-one' });
    const state = await member.waitForRelay((s) => s.subscriber?.ingested === 1);
    expect(state.subscriber).toMatchObject({ ingested: 1, lag: 0, caughtUp: true });
    const gw = await gateway.waitForRelay((s) => s.gateway?.forwarded === 1);
    expect(gw.gateway).toMatchObject({ pending: 0, forwarded: 1 });

    // Test relay from the member round-trips through the stream.
    const test = await member.engine.service.testRelay();
    expect(test).toMatchObject({ ok: true });
    expect(test.cameBackAt).not.toBeNull();
    expect(member.engine.relay.getState().test?.ok).toBe(true);
    // The test message is skipped by everyone: it is not an error.
    expect(member.received).toHaveLength(1);
  });

  it('two groups whose hooks carry the same redelivery key (Backtrace "null:1") both reach a member', async () => {
    const gateway = await start(
      { servers: [nats.url], publish: true, subscribe: false, stream: 'KEYS', member: 'gw' },
      { sources: [TEAM_SOURCE] },
    );
    await gateway.waitForRelay((s) => s.status === 'connected');
    const member = await start({ servers: [nats.url], subscribe: true, stream: 'KEYS', member: 'ana' });
    await member.waitForRelay((s) => s.subscriber?.caughtUp === true);
    // Two different errors, each the first occurrence of an object Backtrace did not name: the same key, null:1.
    expect((await postBacktrace(gateway.engine.core.port!, 'first-error', 1, { object_id: null })).status).toBe(200);
    expect((await postBacktrace(gateway.engine.core.port!, 'second-error', 1, { object_id: null })).status).toBe(200);
    // And one with a key of its own, so the member has read past both.
    expect((await postBacktrace(gateway.engine.core.port!, 'third-error', 1)).status).toBe(200);
    expect(gateway.received.map((r) => r.isNew)).toEqual([true, true, true]);
    await member.waitFor(() => member.received.some((r) => r.group.groupKey === 'third-error'));
    expect(member.received.map((r) => r.group.groupKey)).toEqual(['first-error', 'second-error', 'third-error']);
    // Both stored in the stream: neither was taken for the other's duplicate.
    const gw = await gateway.waitForRelay((s) => s.gateway?.forwarded === 3);
    expect(gw.gateway).toMatchObject({ pending: 0, forwarded: 3, duplicates: 0 });
  });

  it("a body over the server's max_payload is forwarded trimmed with a marker; a hook NATS refuses for good is parked and the next is delivered", async () => {
    await nats.stop();
    nats = await NatsServer.start({ dir: nats.dir, port: nats.port, config: 'max_payload: 16384' });
    const gateway = await start(
      { servers: [nats.url], publish: true, subscribe: false, stream: 'BIG', member: 'gw' },
      { sources: [TEAM_SOURCE] },
    );
    await gateway.waitForRelay((s) => s.status === 'connected');
    const member = await start({ servers: [nats.url], subscribe: true, stream: 'BIG', member: 'ana' });
    await member.waitForRelay((s) => s.subscriber?.caughtUp === true);

    // Quotes are escaped twice on the way (in the body's JSON, in the envelope's): 30,000 of them need 120 KB.
    const padding = '"'.repeat(30_000);
    expect((await postBacktrace(gateway.engine.core.port!, 'big-body', 1, { padding })).status).toBe(200);
    // 64 frames of 500 characters: the event itself (bounded, never cut) is over 16 KiB, with or without its body.
    const frames = Array.from({ length: 64 }, (_, i) => `frame_${i}_${'x'.repeat(490)}`);
    expect((await postBacktrace(gateway.engine.core.port!, 'huge-event', 1, { callstack: frames })).status).toBe(200);
    expect((await postBacktrace(gateway.engine.core.port!, 'after-it', 1)).status).toBe(200);

    await member.waitFor(() => member.received.some((r) => r.group.groupKey === 'after-it'));
    expect(member.received.map((r) => r.group.groupKey)).toEqual(['big-body', 'after-it']);
    const big = member.engine.core.inbox.get(member.received[0]!.group.id);
    const marker = trimmedBodyOf(big?.latestRaw);
    const sent = gateway.engine.core.inbox.get(gateway.received[0]!.group.id);
    const body = JSON.stringify(sent?.latestRaw);
    expect(marker).toMatchObject({ bytes: expect.any(Number), limit: expect.any(Number) });
    expect(marker!.bytes).toBeGreaterThan(16384);
    expect(marker!.limit).toBeLessThanOrEqual(16384);
    expect(marker!.start.length).toBeGreaterThan(1000);
    expect(JSON.parse(JSON.stringify(sent?.latestRaw))).toMatchObject({ padding });
    expect(body.length).toBeGreaterThan(marker!.start.length);
    // The member still has the whole event: title, callstack, project.
    expect(big).toMatchObject({ groupKey: 'big-body', title: expect.stringContaining('fn_big-body') });

    const state = await gateway.waitForRelay((s) => s.gateway?.pending === 0 && s.gateway.forwarded === 3);
    expect(state.gateway).toMatchObject({
      parked: 1,
      lastParked: {
        seq: 2,
        title: expect.any(String),
        reason: expect.stringMatching(/^its event alone is \d+ bytes, over the 16384 bytes NATS takes per message/),
      },
    });
    // Parked is not an error of the relay: it goes on.
    expect(state).toMatchObject({ status: 'connected', reason: null });
  });

  it('a stream whose max_msg_size is lowered under a running gateway: the refused hook is fitted again and delivered', async () => {
    const gateway = await start(
      { servers: [nats.url], publish: true, subscribe: false, stream: 'SHRUNK', member: 'gw' },
      { sources: [TEAM_SOURCE] },
    );
    await gateway.waitForRelay((s) => s.status === 'connected');
    expect((await postBacktrace(gateway.engine.core.port!, 'before', 1)).status).toBe(200);
    await gateway.waitForRelay((s) => s.gateway?.forwarded === 1);
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('SHRUNK');
    await jsm.streams.update('SHRUNK', { ...info.config, max_msg_size: 12 * 1024 });
    await nc.close();
    const member = await start({ servers: [nats.url], subscribe: true, stream: 'SHRUNK', member: 'ana' });
    expect((await postBacktrace(gateway.engine.core.port!, 'now-too-big', 1, { padding: 'y'.repeat(40_000) })).status).toBe(200);
    await member.waitFor(() => member.received.some((r) => r.group.groupKey === 'now-too-big'));
    const got = member.engine.core.inbox.get(member.received.find((r) => r.group.groupKey === 'now-too-big')!.group.id);
    expect(trimmedBodyOf(got?.latestRaw)).toMatchObject({ limit: expect.any(Number) });
    expect(trimmedBodyOf(got?.latestRaw)!.limit).toBeLessThanOrEqual(12 * 1024);
    expect((await gateway.waitForRelay((s) => s.gateway?.forwarded === 2)).gateway).toMatchObject({ parked: 0, pending: 0 });
  });

  it('a connected member that receives the backlog of a NATS outage raises one summary, not one toast per event', async () => {
    const relay = { servers: [nats.url], stream: 'OUTAGE' };
    const gateway = await start({ ...relay, publish: true, subscribe: false, member: 'gw' }, { sources: [TEAM_SOURCE] });
    await gateway.waitForRelay((s) => s.status === 'connected');
    const member = await start({ ...relay, subscribe: true, member: 'ana' });
    await member.waitForRelay((s) => s.subscriber?.caughtUp === true);
    expect((await postBacktrace(gateway.engine.core.port!, 'before-outage')).status).toBe(200);
    await member.waitFor(() => member.notifications.length === 1);

    // NATS goes away; the gateway keeps accepting hooks, which pile up in its outbox.
    await nats.stop();
    await member.waitForRelay((s) => s.status !== 'connected');
    for (let i = 0; i < 8; i++) expect((await postBacktrace(gateway.engine.core.port!, `during-outage-${i}`)).status).toBe(200);
    const accepted = Date.now();
    // The gateway comes back after the member (its connection took longer): the member reads live when the
    // backlog arrives, with no catch-up to hold it.
    const servers = gateway.settings.get().relay.servers;
    gateway.settings.set({ ...gateway.settings.get(), relay: { ...gateway.settings.get().relay, servers: [] } });
    await gateway.waitForRelay((s) => s.status === 'off');
    await nats.restart();
    await member.waitForRelay((s) => s.status === 'connected' && s.subscriber?.caughtUp === true && s.subscriber.lag === 0);
    // Late by more than the test's lateMs (1 s): these hooks waited while NATS was away.
    while (Date.now() - accepted < 1_200) await new Promise((r) => setTimeout(r, 100));
    gateway.settings.set({ ...gateway.settings.get(), relay: { ...gateway.settings.get().relay, servers } });

    await member.waitFor(() => member.received.length === 9 && member.notifications.length >= 2);
    expect(member.received.slice(1).every((r) => r.decision.code === 'away')).toBe(true);
    expect(member.notifications.slice(1)).toEqual([
      expect.objectContaining({
        title: 'While you were away: 8 new errors in Team game',
        body: expect.stringMatching(/^New error in Team game: exception in fn_during-outage-0, .*, and 5 more\.$/),
        digest: true,
      }),
    ]);
    // The burst is over: the next live hook notifies on its own.
    expect((await postBacktrace(gateway.engine.core.port!, 'after-outage')).status).toBe(200);
    await member.waitFor(() => member.notifications.length === 3);
    expect(member.notifications[2]).toMatchObject({ title: expect.stringContaining('fn_after-outage'), digest: false });
  });

  it('two gateways receiving the same redelivery put one event in the stream', async () => {
    const relay = { servers: [nats.url], publish: true, subscribe: false, stream: 'TWOGW' };
    const a = await start({ ...relay, member: 'gw-a' }, { sources: [TEAM_SOURCE] });
    const b = await start({ ...relay, member: 'gw-b' }, { sources: [TEAM_SOURCE] });
    await a.waitForRelay((s) => s.status === 'connected');
    await b.waitForRelay((s) => s.status === 'connected');
    const member = await start({ servers: [nats.url], subscribe: true, stream: 'TWOGW', member: 'bo' });
    await member.waitForRelay((s) => s.subscriber?.caughtUp === true);
    // The provider's first attempt reached gateway A; its retry (same object, same count) gateway B.
    expect((await postBacktrace(a.engine.core.port!, 'twice', 7)).status).toBe(200);
    expect((await postBacktrace(b.engine.core.port!, 'twice', 7)).status).toBe(200);
    await a.waitForRelay((s) => s.gateway?.forwarded === 1);
    await b.waitForRelay((s) => s.gateway?.forwarded === 1);
    // The second gateway's publish was answered "duplicate": counted, not silently taken for a new message.
    expect(b.engine.relay.getState().gateway).toMatchObject({ forwarded: 1, duplicates: 1 });
    expect(a.engine.relay.getState().gateway).toMatchObject({ forwarded: 1, duplicates: 0 });
    // Then a different hook, so the member has read past both.
    expect((await postBacktrace(a.engine.core.port!, 'after', 1)).status).toBe(200);
    await member.waitFor(() => member.received.length >= 2);
    await member.waitForRelay((s) => s.subscriber?.lag === 0);
    expect(member.received.map((r) => r.group.groupKey)).toEqual(['twice', 'after']);
    expect(member.engine.relay.getState().subscriber?.ingested).toBe(2);
  });

  it('team marks propagate between two subscribers, name who set them, and a later hook regresses', async () => {
    const gateway = await start(
      { servers: [nats.url], publish: true, subscribe: false, stream: 'MARKS', member: 'gw' },
      { sources: [TEAM_SOURCE] },
    );
    const ana = await start({ servers: [nats.url], subscribe: true, stream: 'MARKS', member: 'ana' });
    const bo = await start({ servers: [nats.url], subscribe: true, stream: 'MARKS', member: 'bo' });
    for (const e of [gateway, ana, bo]) await e.waitForRelay((s) => s.status === 'connected');
    expect((await postBacktrace(gateway.engine.core.port!, 'marked', 1)).status).toBe(200);
    await ana.waitFor(() => ana.received.length === 1);
    await bo.waitFor(() => bo.received.length === 1);
    const groupId = ana.received[0]!.group.id;

    const resolved = await ana.engine.service.markGroup(groupId, { resolved: true });
    expect(resolved).toMatchObject({ resolved: true, resolvedBy: 'ana' });
    await bo.waitFor(() => bo.engine.core.inbox.get(groupId)?.resolved === true);
    expect(bo.engine.core.inbox.get(groupId)).toMatchObject({ resolved: true, resolvedBy: 'ana' });

    // A local-only mark stays on this machine.
    bo.settings.set({ ...bo.settings.get(), relay: { ...bo.settings.get().relay, shareMarks: false } });
    await bo.waitForRelay((s) => s.status === 'connected');
    await bo.engine.service.markGroup(groupId, { muted: true });
    expect(bo.engine.core.inbox.get(groupId)).toMatchObject({ muted: true });
    expect(ana.engine.core.inbox.get(groupId)?.muted).toBe(false);

    // The error comes back after ana resolved it: a regression for both, naming ana.
    expect((await postBacktrace(gateway.engine.core.port!, 'marked', 2)).status).toBe(200);
    await ana.waitFor(() => ana.received.length === 2);
    expect(ana.received[1]?.decision).toMatchObject({ code: 'regressed-after-resolve' });
    expect(ana.received[1]?.decision.reason).toMatch(/resolved by ana/);
    await bo.waitFor(() => bo.received.length === 2);
    // bo muted it locally: recorded, no toast.
    expect(bo.received[1]?.decision).toMatchObject({ code: 'muted' });
  });

  it('a member away while hooks and marks came applies each mark by event time when it catches up', async () => {
    const relay = { servers: [nats.url], subscribe: true, stream: 'AWAY' };
    const gateway = await start({ ...relay, publish: true, subscribe: false, member: 'gw' }, { sources: [TEAM_SOURCE] });
    const ana = await start({ ...relay, member: 'ana' });
    let bo = await start({ ...relay, member: 'bo' });
    for (const e of [gateway, ana, bo]) await e.waitForRelay((s) => s.status === 'connected');
    // bo has read the stream and the bucket once (both empty), then is away.
    await bo.waitForRelay((s) => s.subscriber?.caughtUp === true);
    engines.splice(engines.indexOf(bo), 1);
    await bo.close(true);

    // A: a hook, ana resolves it, the error comes back. B: two hooks, then ana resolves it.
    const post = async (fingerprint: string, n: number, seen: number) => {
      expect((await postBacktrace(gateway.engine.core.port!, fingerprint, n)).status).toBe(200);
      await ana.waitFor(() => ana.received.length === seen);
    };
    await post('away-a', 1, 1);
    const a = ana.received[0]!.group.id;
    await ana.engine.service.markGroup(a, { resolved: true });
    await post('away-a', 2, 2);
    await post('away-b', 1, 3);
    await post('away-b', 2, 4);
    const b = ana.received[3]!.group.id;
    await ana.engine.service.markGroup(b, { resolved: true });

    const states: GroupStateChange[] = [];
    bo = await start({ ...relay, member: 'bo' }, { dataDir: bo.dataDir });
    bo.engine.core.onGroupState((s) => states.push(s));
    await bo.waitForRelay((s) => s.subscriber?.caughtUp === true && s.subscriber.ingested === 4);
    await bo.waitFor(() => states.length >= 3);
    // A's resolve came between its hooks: applied before the second, which reopened it (a regression for bo too).
    expect(states.filter((s) => s.group === a)).toEqual([
      { group: a, status: 'resolved', by: 'ana', via: 'team' },
      { group: a, status: 'reopened', by: null, via: 'provider' },
    ]);
    expect(bo.engine.core.group(a)).toMatchObject({ resolved: false, lastDecision: { reason: expect.stringMatching(/resolved by ana/) } });
    // B's came after both: it holds once the catch-up is read, and neither hook was a regression.
    expect(states.filter((s) => s.group === b)).toEqual([{ group: b, status: 'resolved', by: 'ana', via: 'team' }]);
    expect(bo.engine.core.group(b)).toMatchObject({ resolved: true, resolvedBy: 'ana' });
  });

  it('claims and provider actions become team marks: who, where, released by a resolve, lapsed after their time', async () => {
    // ana's Crashbell is the gateway too, with a Rollbar source whose API (a local fake of Rollbar's documented
    // one) takes her actions; bo only reads the stream.
    const token = 'rollbar-write-token-team-0123456789';
    const fake: ProviderApiFake = await rollbarApiFake({ [token]: ['read', 'write'] }, ['272716944']).start();
    try {
      const rollbar: SourceInput = { id: 'rollbarTeamSourceAAAAAA', provider: 'rollbar', name: 'Shop', api: { token, url: fake.url } };
      const ana = await start(
        { servers: [nats.url], publish: true, subscribe: true, stream: 'CLAIM', member: 'ana' },
        { sources: [rollbar] },
      );
      const bo = await start({ servers: [nats.url], subscribe: true, stream: 'CLAIM', member: 'bo' });
      for (const e of [ana, bo]) await e.waitForRelay((s) => s.status === 'connected' && s.subscriber?.caughtUp === true);
      const anaStates: GroupStateChange[] = [];
      const boStates: GroupStateChange[] = [];
      ana.engine.core.onGroupState((s) => anaStates.push(s));
      bo.engine.core.onGroupState((s) => boStates.push(s));
      const body = JSON.stringify({
        ...(JSON.parse(readFileSync(fixturePath('rollbar', 'new-item.json'), 'utf8')) as object),
        event_name: 'new_item',
      });
      const answer = await sendHook(ana.engine.core.port!, {
        path: `/hooks/${rollbar.id}`,
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(answer.status).toBe(200);
      await bo.waitFor(() => bo.received.length === 1);
      const groupId = bo.received[0]!.group.id;
      const row = (e: RelayEngine) => e.engine.core.inbox.list({}).groups.find((g) => g.id === groupId);

      // ana is on it: bo's list and detail show it, with who, and bo hears of it as a teammate's change. (Each wait
      // is for the change's event: the list shows a mark a moment before it is on disk and announced.)
      expect(await ana.engine.service.runAction(groupId, { kind: 'claim' })).toMatchObject({ state: 'done', where: 'local' });
      const until = ana.engine.core.group(groupId)?.claimedUntil;
      expect(Date.parse(until!)).toBeGreaterThan(Date.now() + 3 * 3_600_000);
      await bo.waitFor(() => boStates.length === 1);
      expect(row(bo)?.claimedBy).toBe('ana');
      expect(bo.engine.core.group(groupId)).toMatchObject({ claimedBy: 'ana', claimedUntil: until });
      expect(boStates).toEqual([{ group: groupId, status: 'claimed', by: 'ana', via: 'team' }]);

      // Resolved in Rollbar by ana: bo sees where and by whom, and the claim is over.
      const resolved = await ana.engine.service.runAction(groupId, { kind: 'resolve' });
      expect(resolved).toMatchObject({ state: 'done', where: 'provider', words: expect.stringMatching(/Resolved in Rollbar/) });
      expect(fake.requests.at(-1)).toMatchObject({ method: 'PATCH', path: '/api/1/item/272716944', body: { status: 'resolved' } });
      await bo.waitFor(() => boStates.length === 3);
      expect(bo.engine.core.group(groupId)).toMatchObject({ resolved: true, resolvedBy: 'ana' });
      expect(bo.engine.core.group(groupId)?.claimedBy ?? null).toBeNull();
      expect(row(bo)).toMatchObject({ resolved: true, claimedBy: null });
      expect(boStates.slice(1)).toEqual([
        { group: groupId, status: 'resolved', by: 'ana', via: 'team', inProvider: 'Rollbar' },
        { group: groupId, status: 'released', by: 'ana', via: 'team', inProvider: 'Rollbar' },
      ]);

      // bo is on it for five seconds: ana sees it, then neither shows it once its time is over.
      expect(await bo.engine.service.runAction(groupId, { kind: 'claim', hours: 5 / 3600 })).toMatchObject({ state: 'done' });
      await ana.waitFor(() => anaStates.some((s) => s.via === 'team'));
      expect(row(ana)?.claimedBy).toBe('bo');
      expect(anaStates.filter((s) => s.via === 'team')).toEqual([{ group: groupId, status: 'claimed', by: 'bo', via: 'team' }]);
      await ana.waitFor(() => row(ana)?.claimedBy === null);
      expect(ana.engine.core.group(groupId)?.claimedBy ?? null).toBeNull();
      await bo.waitFor(() => row(bo)?.claimedBy === null);
      expect(bo.engine.core.group(groupId)?.claimedBy ?? null).toBeNull();

      // The bucket ana's gateway made has its limits, and the server holds every writer to them.
      const nc = await connect({ servers: nats.url });
      try {
        const info = await (await jetstreamManager(nc)).streams.info('KV_CLAIM-marks');
        expect(info.config).toMatchObject({
          max_bytes: MARKS_MAX_BYTES,
          max_msg_size: MARK_MAX_VALUE_BYTES,
          max_age: MARKS_TTL_MS * 1_000_000,
          max_msgs_per_subject: 1,
        });
        const kv = await new Kvm(nc).open('CLAIM-marks');
        await expect(kv.put(`bo.${groupId}.oversized01`, 'x'.repeat(MARK_MAX_VALUE_BYTES + 1))).rejects.toThrow(
          /message size exceeds maximum allowed/,
        );
      } finally {
        await nc.close();
      }
    } finally {
      await fake.close();
    }
  });

  it('marks that are not team marks are ignored with one warning each: an earlier Crashbell’s, a wrong key, a bad value', async () => {
    // An earlier Crashbell's bucket: made without limits, its keys the group id alone.
    const nc = await connect({ servers: nats.url });
    try {
      const kv = await new Kvm(nc).create('OLD-marks', { history: 1 });
      const gateway = await start(
        { servers: [nats.url], publish: true, subscribe: false, stream: 'OLD', member: 'gw' },
        { sources: [TEAM_SOURCE] },
      );
      const ana = await start({ servers: [nats.url], subscribe: true, stream: 'OLD', member: 'ana' });
      for (const e of [gateway, ana]) await e.waitForRelay((s) => s.status === 'connected');
      expect((await postBacktrace(gateway.engine.core.port!, 'old-bucket', 1)).status).toBe(200);
      await ana.waitFor(() => ana.received.length === 1);
      const groupId = ana.received[0]!.group.id;
      const warnings: string[] = [];
      const states: GroupStateChange[] = [];
      ana.engine.core.onWarning((w) => warnings.push(w));
      ana.engine.core.onGroupState((s) => states.push(s));

      const at = new Date().toISOString();
      await kv.put(groupId, JSON.stringify({ v: 1, resolved: true, by: 'ana', at, origin: 'old-crashbell' }));
      await kv.put(`ana.${groupId}`, encodeMarkValue({ resolved: { to: true, at } }));
      await kv.put(`bo.${groupId}.rawclient01`, 'not json');
      await kv.put(
        `bo.${groupId}.rawclient02`,
        encodeMarkValue({ assignee: { to: 'x'.repeat(150), at }, pad: 'y'.repeat(MARK_MAX_VALUE_BYTES) } as never),
      );
      await kv.put(`bo.${groupId}.rawclient01`, 'still not json');
      // Without authentication anyone may write any key (docs/team-relay.md says so): this one is well formed.
      await kv.put(`bo.${groupId}.rawclient03`, encodeMarkValue({ muted: { to: true, at } }));
      await ana.waitFor(() => ana.engine.core.group(groupId)?.muted === true && states.length === 1);

      expect(ana.engine.core.group(groupId)).toMatchObject({ resolved: false, muted: true, mutedBy: 'bo' });
      expect(states).toEqual([{ group: groupId, status: 'muted', by: 'bo', via: 'team' }]);
      const big = Buffer.byteLength(
        encodeMarkValue({ assignee: { to: 'x'.repeat(150), at }, pad: 'y'.repeat(MARK_MAX_VALUE_BYTES) } as never),
      );
      const shape = 'it is not <member>.<group id>.<instance> (an earlier Crashbell wrote it, or not Crashbell)';
      expect(warnings.filter((w) => w.startsWith('Team marks'))).toEqual([
        `Team marks: ignored "${groupId}" in OLD-marks: ${shape}`,
        `Team marks: ignored "ana.${groupId}" in OLD-marks: ${shape}`,
        `Team marks: ignored "bo.${groupId}.rawclient01" in OLD-marks: its value is not JSON`,
        `Team marks: ignored "bo.${groupId}.rawclient02" in OLD-marks: its value is ${big} bytes, over ${MARK_MAX_VALUE_BYTES}`,
      ]);
    } finally {
      await nc.close();
    }
  });

  it('a NATS user name that cannot name marks: its state says so, it still shows the team’s, and its own stay here', async () => {
    await nats.stop();
    nats = await NatsServer.start({
      dir: nats.dir,
      port: nats.port,
      config: `authorization {
  users = [
    { user: gw, password: gw-password }
    { user: "ana.lopez", password: lopez-password }
  ]
}`,
    });
    const gateway = await start(
      { servers: [nats.url], publish: true, subscribe: false, stream: 'NAMES', auth: { user: 'gw', pass: 'gw-password' } },
      { sources: [TEAM_SOURCE] },
    );
    await gateway.waitForRelay((s) => s.status === 'connected' && s.reason === null);
    const ana = await start({ servers: [nats.url], subscribe: true, stream: 'NAMES', auth: { user: 'ana.lopez', pass: 'lopez-password' } });
    const state = await ana.waitForRelay((s) => s.reason?.startsWith('Team marks') === true);
    expect(state.reason).toBe(
      'Team marks: The NATS user name "ana.lopez" cannot name team marks (a key in the marks bucket takes letters, digits, - and _, up to 64): ask your NATS admin for such a user name. Your marks stay on this machine; teammates\' marks still show here',
    );
    expect((await postBacktrace(gateway.engine.core.port!, 'names', 1)).status).toBe(200);
    await ana.waitFor(() => ana.received.length === 1);
    const groupId = ana.received[0]!.group.id;
    const warnings: string[] = [];
    ana.engine.core.onWarning((w) => warnings.push(w));
    expect(await ana.engine.service.runAction(groupId, { kind: 'claim' })).toMatchObject({ state: 'done', where: 'local' });
    expect(warnings).toEqual([state.reason]);
    // Her claim never left this machine; the gateway's resolve still shows here, under its user name, and ends it.
    expect(gateway.engine.core.group(groupId)?.claimedBy ?? null).toBeNull();
    await gateway.engine.service.markGroup(groupId, { resolved: true });
    await ana.waitFor(() => ana.engine.core.group(groupId)?.resolvedBy === 'gw');
    expect(ana.engine.core.group(groupId)?.claimedBy ?? null).toBeNull();
  });

  it('wrong credentials and missing permissions are states with plain reasons, and hooks are still accepted', async () => {
    await nats.stop();
    nats = await NatsServer.start({
      dir: nats.dir,
      port: nats.port,
      config: `authorization {
  users = [
    { user: gw, password: gw-password }
    { user: nopub, password: nopub-password, permissions: { publish: { allow: [">"], deny: ["crashbell.events.>"] }, subscribe: { allow: [">"] } } }
    { user: ana, password: ana-password, permissions: { publish: { allow: [">"], deny: ["$JS.API.CONSUMER.CREATE.>"] }, subscribe: { allow: [">"] } } }
  ]
}`,
    });
    const wrong = await start({ servers: [nats.url], subscribe: true, stream: 'AUTH', auth: { user: 'ana', pass: 'not-her-password' } });
    const refused = await wrong.waitForRelay((s) => s.status === 'error');
    expect(refused.reason).toBe(
      'NATS refused the credentials (Authorization Violation): check the user and password, token or .creds file in the relay settings',
    );
    expect(refused.retryAt).not.toBeNull();

    const gateway = await start(
      { servers: [nats.url], publish: true, subscribe: false, stream: 'AUTH', auth: { user: 'nopub', pass: 'nopub-password' } },
      { sources: [TEAM_SOURCE] },
    );
    await gateway.waitForRelay((s) => s.status === 'connected');
    // NATS refusing the forward never refuses the provider: the hook is stored and waits in the outbox.
    expect((await postBacktrace(gateway.engine.core.port!, 'denied')).status).toBe(200);
    const denied = await gateway.waitForRelay((s) => s.status === 'error');
    expect(denied.reason).toBe(`Gateway: NATS refused: permissions violation for publish to crashbell.events.${TEAM_SOURCE.id}`);
    expect(denied.gateway).toMatchObject({ pending: 1, forwarded: 0 });

    const member = await start({ servers: [nats.url], subscribe: true, stream: 'AUTH', auth: { user: 'ana', pass: 'ana-password' } });
    const noConsumer = await member.waitForRelay((s) => s.status === 'error');
    // Both its readers are refused: the stream's consumer and the marks bucket's watch. Without the consumer's
    // name, which the client makes anew for each retry: the same refusal reads the same each time.
    expect(noConsumer.reason).toMatch(
      /^(Subscriber|Team marks): NATS refused: permissions violation for publish to \$JS\.API\.CONSUMER\.CREATE\.(AUTH|KV_AUTH-marks)\.…$/,
    );

    // Fixed on the server (here: the gateway gets a user that may publish): the waiting hook goes out.
    gateway.settings.set({
      ...gateway.settings.get(),
      relay: { ...gateway.settings.get().relay, auth: { user: 'gw', pass: 'gw-password' } },
    });
    const fixed = await gateway.waitForRelay((s) => s.gateway?.forwarded === 1);
    expect(fixed).toMatchObject({ status: 'connected', reason: null });
  });

  it.skipIf(!hasOpenssl() && !process.env['CI'])(
    'a server whose certificate comes from a private CA: a TLS failure in words, then connected with tls.ca',
    async () => {
      const certs = makeTestCa(join(nats.dir, 'tls'));
      await nats.stop();
      nats = await NatsServer.start({
        dir: nats.dir,
        port: nats.port,
        config: `tls { cert_file: "${certs.cert}", key_file: "${certs.key}" }`,
      });
      const blind = await start({ servers: [nats.url], subscribe: true, stream: 'TLS' });
      const failed = await blind.waitForRelay((s) => s.status === 'error');
      expect(failed.reason).toMatch(
        new RegExp(
          `^TLS failure with ${nats.url.replace(/[.]/g, '\\.')}: .*certificate.*\\. If the server uses a private CA, set tls\\.ca to its PEM file in the relay settings$`,
        ),
      );
      const trusting = await start({ servers: [nats.url], publish: true, subscribe: true, stream: 'TLS', tls: { ca: certs.ca } });
      const ok = await trusting.waitForRelay((s) => s.status === 'connected' && s.subscriber?.caughtUp === true);
      expect(ok.reason).toBeNull();
      const missing = await start({ servers: [nats.url], subscribe: true, stream: 'TLS', tls: { ca: join(nats.dir, 'no-such-ca.pem') } });
      expect((await missing.waitForRelay((s) => s.status === 'error')).reason).toMatch(
        /^The relay's TLS CA file .*no-such-ca\.pem cannot be read/,
      );
    },
  );

  it('a stream of the same name with other subjects, or another stream on the subjects, is refused in plain words', async () => {
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'], max_bytes: 1024 * 1024 });
    const gateway = await start({ servers: [nats.url], publish: true, subscribe: false, stream: 'ORDERS' });
    const state = await gateway.waitForRelay((s) => s.status === 'error');
    expect(state.reason).toBe(
      'Gateway: The stream ORDERS exists with other subjects (orders.>); Crashbell needs crashbell.events.>. Choose another stream name in the relay settings, or ask your NATS admin to fix that stream',
    );
    await jsm.streams.add({ name: 'THEIRS', subjects: ['crashbell.events.>'], max_bytes: 1024 * 1024 });
    const member = await start({ servers: [nats.url], publish: true, subscribe: true, stream: 'MINE' });
    const refused = await member.waitForRelay((s) => s.status === 'error' && /overlap/.test(s.reason ?? ''));
    expect(refused.reason).toMatch(/already takes crashbell\.events\.>.*THEIRS|already takes crashbell\.events\.>/);
    await nc.close();
  });
});
