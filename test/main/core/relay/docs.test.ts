/**
 * docs/team-relay.md's nats-server configuration, run as written: a gateway and two members with exactly the
 * permissions it documents forward, read, test and share marks without a single permission violation; each
 * member's marks show under its NATS user whatever it calls itself, and a member that writes under another's
 * name is refused by the server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { TeamMarks } from '../../../../main/core/relay/marks';
import type { GroupStateChange } from '../../../../shared/events';
import { makeTestCa, NatsServer, natsServerFor } from '../../../helpers/nats-server';
import { ROOT } from '../../../helpers/paths';
import { postBacktrace, startRelayEngine, TEAM_SOURCE, type RelayEngine } from '../../../helpers/relay-engines';

const NATS = natsServerFor("docs/team-relay.md's suite");

const DOC = readFileSync(join(ROOT, 'docs', 'team-relay.md'), 'utf8');

/**
 * The documented server config, without what each test server sets itself (listen address, store), and with a
 * test CA's certificate for 127.0.0.1 where it names the server's (its TLS steps are tested in
 * test/build/team-relay-doc.test.ts).
 */
function documentedConfig(tls: { cert: string; key: string }): string {
  const block = /```conf\n# crashbell-relay-nats-config\n([\s\S]*?)```/.exec(DOC)?.[1];
  if (!block) throw new Error('docs/team-relay.md lost its nats-server config block');
  return block
    .split('\n')
    .filter((l) => !/^(server_name|listen):/.test(l))
    .join('\n')
    .replace(/jetstream \{[\s\S]*?\n\}\n/, '')
    .replace('/etc/nats/tls/server.pem', tls.cert)
    .replace('/etc/nats/tls/server-key.pem', tls.key);
}

describe.skipIf(!NATS)('docs/team-relay.md', () => {
  const engines: RelayEngine[] = [];
  let nats: NatsServer | null = null;
  let caDir: string | null = null;
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    await nats?.destroy();
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  });

  it('its permissions are all a gateway and its members need, and each writes marks under its own user only', async () => {
    caDir = mkdtempSync(join(tmpdir(), 'crashbell-doc-ca-'));
    const ca = makeTestCa(caDir);
    nats = await NatsServer.start({ config: documentedConfig(ca) });
    const url = nats.url;
    const tls = { ca: ca.ca };
    const start = async (...args: Parameters<typeof startRelayEngine>) => {
      const e = await startRelayEngine(...args);
      engines.push(e);
      return e;
    };
    const gateway = await start(
      {
        servers: [url],
        publish: true,
        subscribe: false,
        member: 'gateway',
        auth: { user: 'gateway', pass: 'a-long-random-gateway-password' },
        tls,
      },
      { sources: [TEAM_SOURCE] },
    );
    await gateway.waitForRelay((s) => s.status === 'connected' && s.gateway !== null);
    const ana = await start({
      servers: [url],
      subscribe: true,
      member: 'ana',
      auth: { user: 'ana', pass: 'a-long-random-password-for-ana' },
      tls,
    });
    // bo calls himself ana here: a member name is no identity, what the server checks is.
    const bo = await start({
      servers: [url],
      subscribe: true,
      member: 'ana',
      auth: { user: 'bo', pass: 'a-long-random-password-for-bo' },
      tls,
    });
    await ana.waitForRelay((s) => s.subscriber?.caughtUp === true);
    await bo.waitForRelay((s) => s.subscriber?.caughtUp === true);

    expect((await postBacktrace(gateway.engine.core.port!, 'documented')).status).toBe(200);
    await ana.waitFor(() => ana.received.length === 1);
    await bo.waitFor(() => bo.received.length === 1);
    expect(await ana.engine.service.testRelay()).toMatchObject({ ok: true });
    const groupId = ana.received[0]!.group.id;
    const anaStates: GroupStateChange[] = [];
    const boStates: GroupStateChange[] = [];
    ana.engine.core.onGroupState((s) => anaStates.push(s));
    bo.engine.core.onGroupState((s) => boStates.push(s));

    // ana is on it; bo resolves it (here only: bo has no source for it), which ends her claim, and ana sees it as
    // bo's, though bo's Crashbell calls him ana.
    expect(await ana.engine.service.runAction(groupId, { kind: 'claim' })).toMatchObject({ state: 'done' });
    await bo.waitFor(() => boStates.length === 1);
    expect(boStates).toEqual([{ group: groupId, status: 'claimed', by: 'ana', via: 'team' }]);
    expect(bo.engine.core.group(groupId)?.claimedBy).toBe('ana');
    expect(await bo.engine.service.runAction(groupId, { kind: 'resolve' })).toMatchObject({ state: 'done', where: 'local' });
    await ana.waitFor(() => anaStates.length === 3);
    expect(anaStates.slice(1)).toEqual([
      { group: groupId, status: 'resolved', by: 'bo', via: 'team' },
      { group: groupId, status: 'released', by: 'bo', via: 'team' },
    ]);
    expect(ana.engine.core.group(groupId)).toMatchObject({ resolved: true, resolvedBy: 'bo' });
    expect(ana.engine.core.group(groupId)?.claimedBy ?? null).toBeNull();

    // A Crashbell changed to write as ana, logged in as bo: the server refuses the write, and says so in words.
    const nc = await connect({ servers: url, user: 'bo', pass: 'a-long-random-password-for-bo', tls: { ca: readFileSync(ca.ca, 'utf8') } });
    const impostor = new TeamMarks({
      core: bo.engine.core,
      bucket: 'CRASHBELL-marks',
      replicas: 1,
      origin: 'impostor-0001',
      member: () => 'ana',
      auth: { user: 'ana', pass: 'not-used-here' },
      live: () => true,
      onProblem: () => undefined,
    });
    const detach = impostor.attach(nc);
    try {
      await expect(impostor.share(groupId, { muted: true })).rejects.toThrow(
        'Team marks: NATS refused: permissions violation for publish to $KV.CRASHBELL-marks.ana.…. This user may write only under its own name',
      );
    } finally {
      await detach();
      await nc.close();
    }
    // Its mark reached no one: ana's next mark does (the bucket keeps order), and bo's group is not muted.
    expect(await ana.engine.service.runAction(groupId, { kind: 'ignore' })).toMatchObject({ state: 'done' });
    await bo.waitFor(() => boStates.some((s) => s.status === 'ignored'));
    expect(bo.engine.core.group(groupId)).toMatchObject({ ignored: true, muted: false });
    expect(boStates.map((s) => [s.status, s.by, s.via])).toEqual([
      ['claimed', 'ana', 'team'],
      ['resolved', 'bo', 'crashbell'],
      ['released', 'bo', 'crashbell'],
      ['ignored', 'ana', 'team'],
    ]);

    for (const e of [gateway, ana, bo]) {
      const s = e.engine.relay.getState();
      expect({ status: s.status, reason: s.reason }).toEqual({ status: 'connected', reason: null });
    }
    // The one violation is the impostor's.
    const violations = nats.log.split('\n').filter((l) => /Violation/.test(l));
    expect(violations.length).toBeGreaterThan(0);
    for (const v of violations) expect(v).toContain(`$KV.CRASHBELL-marks.ana.${groupId}.impostor-0001`);
  });
});
