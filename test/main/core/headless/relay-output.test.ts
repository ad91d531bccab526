/**
 * What headless mode prints about the team relay, with the built process and a real nats-server: a refusal that
 * every retry meets again (a pull the member may not make, a wrong password) is one line on stdout and one on
 * stderr however many retries there are, and human output shows the connection going and coming back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { HeadlessProcess } from '../../../helpers/headless-process';
import { NatsServer, natsServerFor } from '../../../helpers/nats-server';
import { startRelayEngine, TEAM_SOURCE, TEST_STREAM_BYTES, type RelayEngine } from '../../../helpers/relay-engines';

const entry = inject('headlessEntry');
const NATS = natsServerFor("headless mode's relay output tests");

/** A gateway that may do everything, and a member `ana` who may look at the stream but not read it. */
const AUTH = `authorization {
  users = [
    { user: gw, password: gw-password }
    { user: ana, password: ana-password, permissions: { publish: { allow: ["$JS.API.STREAM.INFO.CRASHBELL"] }, subscribe: { allow: ["_INBOX.>"] } } }
  ]
}`;

/** How many times the server's log says `what` (each retry of a refused client adds one). */
function count(log: string, what: RegExp): number {
  return log.split('\n').filter((l) => what.test(l)).length;
}

describe.skipIf(!NATS)("headless mode's relay lines", () => {
  let dir: string;
  let nats: NatsServer;
  const procs: HeadlessProcess[] = [];
  const engines: RelayEngine[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crashbell-relay-output-'));
    nats = await NatsServer.start({ config: AUTH });
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.kill();
    for (const e of engines.splice(0)) await e.close();
    await nats.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(name: string, config: Record<string, unknown>, json: boolean): HeadlessProcess {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify({ port: 0, ...config }), { mode: 0o600 });
    const args = ['--config', path, '--port', '0', '--data-dir', join(dir, `${name}-data`), ...(json ? ['--json'] : [])];
    const proc = HeadlessProcess.start(entry, args, { ...process.env, CRASHBELL_RELAY_FAST: '1' });
    procs.push(proc);
    return proc;
  }

  it('a pull the member may not make: one relay line and one log line, however many retries', async () => {
    const gateway = await startRelayEngine(
      { servers: [nats.url], publish: true, subscribe: false, shareMarks: false, auth: { user: 'gw', pass: 'gw-password' } },
      { sources: [TEAM_SOURCE] },
    );
    engines.push(gateway);
    await gateway.waitForRelay((s) => s.status === 'connected' && s.reason === null);

    const ana = start(
      'ana',
      {
        sources: [],
        relay: {
          servers: [nats.url],
          subscribe: true,
          shareMarks: false,
          member: 'ana',
          auth: { user: 'ana', pass: 'ana-password' },
          maxBytes: TEST_STREAM_BYTES,
        },
      },
      true,
    );
    // Four refused consumer creations: four retries, each naming a new consumer.
    await nats.waitForLog((log) => count(log, /Publish Violation.*\$JS\.API\.CONSUMER\.CREATE\.CRASHBELL/) >= 4);
    const errors = ana.json().filter((l) => l['type'] === 'relay' && l['status'] === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!['reason']).toMatch(
      /^Subscriber: NATS refused: permissions violation for publish to \$JS\.API\.CONSUMER\.CREATE\.CRASHBELL\./,
    );
    expect(count(ana.stderr, /reading the stream failed/)).toBe(1);
  });

  it('a wrong password: one relay line and one log line, however many retries', async () => {
    const wrong = start(
      'wrong',
      {
        sources: [],
        relay: {
          servers: [nats.url],
          subscribe: true,
          member: 'ana',
          auth: { user: 'ana', pass: 'not-the-password' },
          maxBytes: TEST_STREAM_BYTES,
        },
      },
      true,
    );
    await nats.waitForLog((log) => count(log, /authentication error - User "ana"/) >= 4);
    const lines = wrong.json().filter((l) => l['type'] === 'relay');
    expect(lines).toEqual([
      {
        type: 'relay',
        status: 'error',
        reason: expect.stringMatching(/^NATS refused the credentials \(Authorization Violation\)/),
        servers: [nats.url],
      },
    ]);
    expect(count(wrong.stderr, /NATS refused the credentials/)).toBe(1);
  });

  it('human output shows the connection lost and back', async () => {
    const gw = start(
      'gw',
      {
        sources: [TEAM_SOURCE],
        relay: {
          servers: [nats.url],
          publish: true,
          subscribe: false,
          auth: { user: 'gw', pass: 'gw-password' },
          maxBytes: TEST_STREAM_BYTES,
        },
      },
      false,
    );
    await gw.waitForText('relay     connected to');
    await nats.stop();
    expect(await gw.waitForText('relay     disconnected')).toMatch(
      /^relay {5}disconnected: Lost the connection to NATS \(.*\); reconnecting$/,
    );
    await nats.restart();
    await gw.waitUntilLines((lines) => lines.filter((l) => l.startsWith('relay     connected to')).length === 2);
  });
});
