/**
 * docs/team-relay.md's nats-server configuration, run as written: a gateway and two members with exactly the
 * permissions it documents forward, read, test and share marks without a single permission violation.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

  it('its permissions are all a gateway and its members need', async () => {
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
    const bo = await start({
      servers: [url],
      subscribe: true,
      member: 'bo',
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
    await ana.engine.service.markGroup(groupId, { resolved: true });
    await bo.waitFor(() => bo.engine.core.inbox.get(groupId)?.resolvedBy === 'ana');

    for (const e of [gateway, ana, bo]) {
      const s = e.engine.relay.getState();
      expect({ status: s.status, reason: s.reason }).toEqual({ status: 'connected', reason: null });
    }
    expect(nats.log).not.toMatch(/Violation/);
  });
});
