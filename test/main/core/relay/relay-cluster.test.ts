/**
 * The relay on a three-node JetStream cluster when the node a member reads from dies: in-process engines, so the
 * test knows which node the member is connected to and where its consumer lives.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsCluster, natsServerFor } from '../../../helpers/nats-server';
import { postBacktrace, startRelayEngine, TEAM_SOURCE, type RelayEngine } from '../../../helpers/relay-engines';

const NATS = natsServerFor('the team relay cluster suite (relay-cluster.test.ts)');

describe.skipIf(!NATS)('team relay on a three-node cluster', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const start = async (...args: Parameters<typeof startRelayEngine>): Promise<RelayEngine> => {
    const e = await startRelayEngine(...args);
    cleanups.push(() => e.close());
    return e;
  };

  it('a member whose connection drops while the node holding its consumer is dead reads on from where it was', async () => {
    const cluster = await NatsCluster.start(3);
    cleanups.push(() => cluster.destroy());
    const relay = { servers: cluster.urls, replicas: 3, shareMarks: false };
    const gateway = await start({ ...relay, publish: true, subscribe: false, member: 'gw' }, { sources: [TEAM_SOURCE] });
    await gateway.waitForRelay((s) => s.status === 'connected');
    const member = await start({ ...relay, subscribe: true, member: 'ana' });
    await member.waitForRelay((s) => s.subscriber?.caughtUp === true);
    for (let i = 0; i < 5; i++) expect((await postBacktrace(gateway.engine.core.port!, `before-${i}`)).status).toBe(200);
    await member.waitFor(() => member.received.length === 5);

    // Where the member's consumer lives (an ordered consumer: one replica, on one node) and where the member is connected.
    const nc = await connect({ servers: cluster.urls });
    cleanups.push(() => nc.close());
    const consumers = await (await jetstreamManager(nc)).consumers.list('CRASHBELL').next();
    expect(consumers).toHaveLength(1);
    const nodeNamed = (name: string | undefined) => cluster.nodes.find((_, i) => `n${i + 1}` === name);
    const home = nodeNamed(consumers[0]?.cluster?.leader);
    const connected = cluster.nodes.find((n) => member.engine.relay.getState().server?.endsWith(`:${n.port}`));
    expect(home).toBeDefined();
    expect(connected).toBeDefined();
    // That node dies, and the member's connection drops with it (or, on another node, with that node's restart):
    // the client reconnects and waits on a consumer no node can answer for.
    await home!.stop('SIGKILL');
    if (connected !== home) await connected!.restart();
    for (let i = 0; i < 5; i++) expect((await postBacktrace(gateway.engine.core.port!, `after-${i}`)).status).toBe(200);

    const all = member.waitFor(() => member.received.length === 10);
    // Bounded below the test's own timeout, so a stall says where it stands instead of only timing out.
    const stalled = new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), 45_000).unref());
    if ((await Promise.race([all, stalled])) === 'stalled') {
      throw new Error(`the member has ${member.received.length} of 10 hooks: ${JSON.stringify(member.engine.relay.getState())}`);
    }
    expect(member.received.map((r) => r.group.groupKey)).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `before-${i}`),
      ...Array.from({ length: 5 }, (_, i) => `after-${i}`),
    ]);
  }, 60_000);
});
