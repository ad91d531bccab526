/**
 * The relay's fault cases with real processes: headless gateways and subscribers (the built bundle) over a
 * real nats-server, stopped, restarted and SIGKILLed the way machines and servers are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { openInbox } from '../../../helpers/inbox';
import { parseSettings, type RelaySettings, type SourceInput } from '../../../../shared/settings';
import { NatsCluster, NatsServer, natsServerFor } from '../../../helpers/nats-server';
import { postBacktrace, startRelayProcess, TEAM_SOURCE, type RelayProcess } from '../../../helpers/relay-engines';

const NATS = natsServerFor('the team relay process suite (relay-processes.test.ts)');

const entry = inject('headlessEntry');

/** Every message in a stream: its sequence and Nats-Msg-Id (read with a plain client, as an admin would). */
async function streamContents(
  nc: NatsConnection,
  stream: string,
): Promise<Array<{ seq: number; id: string | undefined; subject: string }>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const out: Array<{ seq: number; id: string | undefined; subject: string }> = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    if (m) out.push({ seq, id: m.header?.get('Nats-Msg-Id'), subject: m.subject });
  }
  return out;
}

function received(p: RelayProcess): Array<Record<string, unknown>> {
  return p.proc.json().filter((l) => l['type'] === 'received');
}

function notifications(p: RelayProcess): Array<Record<string, unknown>> {
  return p.proc.json().filter((l) => l['type'] === 'notification');
}

/** Posts hooks for fingerprints from..to-1 with a few in flight; each must be acknowledged. */
async function flood(port: number, prefix: string, from: number, to: number, projects = ['web', 'api', 'game']): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const i = next++;
      const answer = await postBacktrace(port, `${prefix}-${i}`, 1, { project: projects[i % projects.length] });
      expect(answer.status).toBe(200);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

describe.skipIf(!NATS)('team relay processes over a real NATS', () => {
  let dir: string;
  const cleanups: Array<() => Promise<void>> = [];
  const procs: RelayProcess[] = [];
  const start = async (
    name: string,
    relay: Partial<RelaySettings>,
    sources: SourceInput[] = [],
    dataDir?: string,
  ): Promise<RelayProcess> => {
    const p = await startRelayProcess(entry, dir, name, relay, sources, dataDir);
    procs.push(p);
    return p;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crashbell-relay-proc-'));
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.proc.kill();
    for (const c of cleanups.splice(0).reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a subscriber offline during 50 hooks catches up on each exactly once, with one "while you were away" notification; SIGKILLed mid-catch-up it loses and repeats nothing', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.destroy());
    const gateway = await start('gateway', { servers: [nats.url], publish: true, subscribe: false, member: 'gw' }, [TEAM_SOURCE]);
    await gateway.proc.waitFor((l) => l['type'] === 'relay' && l['status'] === 'connected');
    const member = await start('member', { servers: [nats.url], subscribe: true, member: 'ana' });
    await member.proc.waitFor((l) => l['type'] === 'caught-up');
    expect((await postBacktrace(gateway.port, 'before-sleep')).status).toBe(200);
    await member.proc.waitForAll((lines) => lines.filter((l) => l['type'] === 'notification').length === 1);

    // The laptop sleeps (the process is stopped cleanly); 50 hooks come in meanwhile.
    member.proc.child.kill('SIGTERM');
    await member.proc.exited;
    await flood(gateway.port, 'away', 0, 50);
    const nc = await connect({ servers: nats.url });
    cleanups.push(() => nc.close());
    for (;;) {
      const info = await (await jetstreamManager(nc)).streams.info('CRASHBELL');
      if (info.state.last_seq >= 51) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const back = await start('member', { servers: [nats.url], subscribe: true, member: 'ana' }, [], member.dataDir);
    const caughtUp = await back.proc.waitFor((l) => l['type'] === 'caught-up');
    expect(caughtUp['events']).toBe(50);
    expect(received(back)).toHaveLength(50);
    expect(new Set(received(back).map((l) => l['groupKey'])).size).toBe(50);
    expect(received(back).every((l) => l['isNew'] === true && (l['decision'] as Record<string, unknown>)['code'] === 'away')).toBe(true);
    await back.proc.waitForAll((lines) => lines.some((l) => l['type'] === 'notification'));
    expect(notifications(back)).toEqual([
      expect.objectContaining({
        title: 'While you were away: 50 new errors in Team game',
        body: expect.stringMatching(/^New error in Team game: exception in fn_away-\d+, .*, and 47 more\.$/),
        digest: true,
        group: null,
      }),
    ]);
    back.proc.child.kill('SIGTERM');
    await back.proc.exited;
    const inbox = await openInbox({ dataDir: member.dataDir, getSettings: () => parseSettings({}) });
    // Shown as unread, not as 50 toasts.
    expect(inbox.counts()).toEqual({ groups: 51, unread: 51 });
    await inbox.close();

    // Away again: 150 more, and this time the process is SIGKILLed early in its catch-up.
    await flood(gateway.port, 'again', 0, 150);
    for (;;) {
      const info = await (await jetstreamManager(nc)).streams.info('CRASHBELL');
      if (info.state.last_seq >= 201) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const killed = await start('member', { servers: [nats.url], subscribe: true, member: 'ana' }, [], member.dataDir);
    await killed.proc.waitForAll((lines) => lines.filter((l) => l['type'] === 'received').length >= 10);
    killed.proc.child.kill('SIGKILL');
    await killed.proc.exited;
    expect(notifications(killed)).toEqual([]);
    const restarted = await start('member', { servers: [nats.url], subscribe: true, member: 'ana' }, [], member.dataDir);
    await restarted.proc.waitFor((l) => l['type'] === 'caught-up');
    await restarted.proc.waitForAll((lines) => lines.some((l) => l['type'] === 'notification'));
    // Nothing read twice: what the first run stored is not read again.
    const firstRun = new Set(received(killed).map((l) => l['groupKey']));
    const secondRun = received(restarted).map((l) => l['groupKey']);
    expect(secondRun.filter((k) => firstRun.has(k))).toEqual([]);
    expect(received(restarted).every((l) => l['duplicate'] === false)).toBe(true);
    // One summary for the whole catch-up, across the crash.
    expect(notifications(restarted)).toEqual([expect.objectContaining({ title: 'While you were away: 150 new errors in Team game' })]);
    restarted.proc.child.kill('SIGTERM');
    await restarted.proc.exited;
    const after = await openInbox({ dataDir: member.dataDir, getSettings: () => parseSettings({}) });
    expect(after.counts().groups).toBe(201);
    // Each group holds exactly its one hook: nothing lost, nothing ingested twice.
    expect(after.list({ limit: 1000 }).groups.every((g) => after.get(g.id)?.hooks === 1)).toBe(true);
    expect(after.cursor.cursor().seq).toBe(201);
    await after.close();
  });

  it('NATS stopped while hooks arrive at the gateway: every hook is acknowledged, and all are forwarded once NATS is back', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.destroy());
    const gateway = await start('gateway', { servers: [nats.url], publish: true, subscribe: false, member: 'gw' }, [TEAM_SOURCE]);
    await gateway.proc.waitFor((l) => l['type'] === 'relay' && l['status'] === 'connected');
    await flood(gateway.port, 'up', 0, 5);
    await nats.stop();
    await gateway.proc.waitFor((l) => l['type'] === 'relay' && l['status'] === 'disconnected');
    await flood(gateway.port, 'down', 0, 30);
    // And the gateway itself is SIGKILLed and restarted while NATS is still away: the outbox is on disk.
    await gateway.proc.kill();
    const again = await start(
      'gateway',
      { servers: [nats.url], publish: true, subscribe: false, member: 'gw' },
      [TEAM_SOURCE],
      gateway.dataDir,
    );
    await flood(again.port, 'down', 30, 40);
    await nats.restart();
    await again.proc.waitFor((l) => l['type'] === 'relay' && l['status'] === 'connected');
    const nc = await connect({ servers: nats.url });
    cleanups.push(() => nc.close());
    let contents: Awaited<ReturnType<typeof streamContents>> = [];
    for (let i = 0; i < 200; i++) {
      contents = await streamContents(nc, 'CRASHBELL');
      if (contents.length >= 45) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(contents).toHaveLength(45);
    expect(new Set(contents.map((c) => c.id)).size).toBe(45);
    expect(contents.every((c) => c.subject === `crashbell.events.${TEAM_SOURCE.id}`)).toBe(true);
  });

  it('a three-node cluster with an R3 stream, one node SIGKILLed mid-flood: every acknowledged hook reaches the subscriber', async () => {
    const cluster = await NatsCluster.start(3);
    cleanups.push(() => cluster.destroy());
    const relay = { servers: cluster.urls, replicas: 3 };
    const gateway = await start('gateway', { ...relay, publish: true, subscribe: false, member: 'gw' }, [TEAM_SOURCE]);
    await gateway.proc.waitFor((l) => l['type'] === 'relay' && l['status'] === 'connected');
    const member = await start('member', { ...relay, subscribe: true, member: 'ana' });
    await member.proc.waitFor((l) => l['type'] === 'caught-up');
    const nc = await connect({ servers: cluster.urls });
    cleanups.push(() => nc.close());
    const info = await (await jetstreamManager(nc)).streams.info('CRASHBELL');
    expect(info.config.num_replicas).toBe(3);

    await flood(gateway.port, 'flood', 0, 60);
    // The stream's leader dies, with the gateway and the member possibly connected to it.
    const leader = (await (await jetstreamManager(nc)).streams.info('CRASHBELL')).cluster?.leader;
    const victim = cluster.nodes.find((_, i) => `n${i + 1}` === leader) ?? cluster.nodes[0]!;
    await victim.stop('SIGKILL');
    await flood(gateway.port, 'flood', 60, 150);
    const all = member.proc.waitForAll(
      (lines) => new Set(lines.filter((l) => l['type'] === 'received').map((l) => l['groupKey'])).size === 150,
    );
    // Bounded below the test's own timeout, so a stall says where it stands instead of only timing out. Under a
    // full test run's load a new stream leader can take tens of seconds to be elected: the bound leaves room.
    const stalled = new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), 120_000).unref());
    if ((await Promise.race([all, stalled])) === 'stalled') {
      const stream = await (await jetstreamManager(nc)).streams.info('CRASHBELL').then(
        (si) => JSON.stringify({ cluster: si.cluster, state: si.state }),
        (e: unknown) => String(e),
      );
      const nodes = cluster.nodes
        .map((n) => `--- node ${n.port} (${n.running ? 'running' : 'stopped'}):\n${n.log.slice(-1500)}`)
        .join('\n');
      throw new Error(
        `the member has ${new Set(received(member).map((l) => l['groupKey'])).size} of 150 hooks\n--- stream: ${stream}\n--- member stderr:\n${member.proc.stderr.slice(-3000)}\n--- gateway stderr:\n${gateway.proc.stderr.slice(-3000)}\n${nodes}`,
      );
    }
    const keys = received(member).map((l) => l['groupKey']);
    expect(new Set(keys).size).toBe(150);
    expect(keys).toHaveLength(150);
  }, 150_000);
});
