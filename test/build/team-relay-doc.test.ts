/**
 * docs/team-relay.md works as written on Debian 12, as far as a test can go without root: its systemd units are
 * the repository's files (deploy/), word for word, and `systemd-analyze verify` accepts them; its certificate steps
 * make a certificate its nats-server configuration takes (`nats-server -t`); and with that configuration (TLS,
 * bcrypt passwords, max_payload, permissions) its own gateway and member examples forward and read a hook as big
 * as the receiver takes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RelaySettings, SourceInput } from '../../shared/settings';
import { basicAuth, sendHook } from '../helpers/hook-client';
import { backtraceBody } from '../helpers/make-event';
import { hasOpenssl, NatsServer, natsServerFor } from '../helpers/nats-server';
import { ROOT } from '../helpers/paths';
import { type RelayEngine, startRelayEngine } from '../helpers/relay-engines';

const DOC = readFileSync(join(ROOT, 'docs', 'team-relay.md'), 'utf8');

/** The fenced block right after `<!-- crashbell-doc: NAME -->`. */
function marked(name: string): string {
  const at = DOC.indexOf(`<!-- crashbell-doc: ${name} -->\n`);
  if (at < 0) throw new Error(`docs/team-relay.md lost its "${name}" block`);
  const block = /^```\w*\n([\s\S]*?)^```/m.exec(DOC.slice(at));
  if (!block) throw new Error(`no fenced block after the "${name}" marker`);
  return block[1]!;
}

/** The nats-server configuration block. */
function serverConfig(): string {
  const block = /```conf\n# crashbell-relay-nats-config\n([\s\S]*?)```/.exec(DOC)?.[1];
  if (!block) throw new Error('docs/team-relay.md lost its nats-server config block');
  return block;
}

function hasSystemdAnalyze(): boolean {
  return spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('docs/team-relay.md, the systemd units', () => {
  const units = ['deploy/crashbell-gateway.service', 'deploy/nats-server.service.d/crashbell.conf'];

  it.each(units)('includes %s word for word', (file) => {
    expect(marked(file)).toBe(readFileSync(join(ROOT, file), 'utf8'));
  });

  it('the gateway unit is hardened as it says', () => {
    const unit = readFileSync(join(ROOT, 'deploy/crashbell-gateway.service'), 'utf8');
    for (const line of [
      'User=crashbell',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/crashbell',
      'Restart=on-failure',
      'RestartPreventExitStatus=2',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'CapabilityBoundingSet=',
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
    // The paths it names are the ones the doc creates.
    expect(unit).toContain(
      'ExecStart=/opt/crashbell/bin/crashbell serve --config /etc/crashbell/gateway.json --data-dir /var/lib/crashbell --json',
    );
    expect(DOC).toContain('npm install --global --prefix /opt/crashbell ./crashbell-headless-');
    expect(DOC).toContain('install -d -o crashbell -g crashbell -m 0700 /var/lib/crashbell');
  });

  describe.skipIf(!hasSystemdAnalyze())('systemd-analyze verify', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'crashbell-units-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('accepts the gateway unit (its program stood in for by an executable at a path that exists here)', () => {
      const program = join(dir, 'crashbell');
      writeFileSync(program, '#!/bin/sh\nexit 0\n');
      chmodSync(program, 0o755);
      const unit = join(dir, 'crashbell-gateway.service');
      writeFileSync(
        unit,
        readFileSync(join(ROOT, 'deploy/crashbell-gateway.service'), 'utf8').replace('/opt/crashbell/bin/crashbell', program),
      );
      const run = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
      expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({ status: 0, output: '' });
    });

    it.skipIf(!existsSync('/lib/systemd/system/nats-server.service'))("accepts Debian's nats-server unit with the drop-in", () => {
      const unitDir = join(dir, 'nats');
      mkdirSync(join(unitDir, 'nats-server.service.d'), { recursive: true });
      copyFileSync('/lib/systemd/system/nats-server.service', join(unitDir, 'nats-server.service'));
      copyFileSync(join(ROOT, 'deploy/nats-server.service.d/crashbell.conf'), join(unitDir, 'nats-server.service.d', 'crashbell.conf'));
      const run = spawnSync('systemd-analyze', ['verify', join(unitDir, 'nats-server.service')], { encoding: 'utf8' });
      expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({ status: 0, output: '' });
      // What the drop-in is for: the package's unit runs as nats with no state folder and no restart of its own.
      const packaged = readFileSync('/lib/systemd/system/nats-server.service', 'utf8');
      expect(packaged).toMatch(/^User=nats$/m);
      expect(packaged).toMatch(/^ExecStart=\/usr\/sbin\/nats-server -c \/etc\/nats-server\.conf$/m);
      expect(packaged).not.toMatch(/^StateDirectory=/m);
    });
  });
});

const NATS = natsServerFor("docs/team-relay.md's server configuration tests");

describe.skipIf(!NATS || !hasOpenssl())("docs/team-relay.md, the server's configuration", () => {
  let dir: string;
  let tls: string;
  const engines: RelayEngine[] = [];
  let nats: NatsServer | null = null;

  /**
   * The doc's certificate steps, run in `tls` without what needs root (the folder's owner, moving the CA key
   * away), for `host` instead of nats.example.com.
   */
  function runCertificateSteps(host: string): void {
    const steps = marked('nats-tls-steps')
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^(install|cd|chgrp|mv) /.test(l))
      .map((l) => l.replaceAll('nats.example.com', host));
    execFileSync('sh', ['-e', '-c', steps.join('\n')], { cwd: tls, stdio: 'pipe' });
  }

  /** The doc's configuration with its root paths moved under the test's folder. */
  function configHere(): string {
    return serverConfig().replaceAll('/etc/nats/tls/', `${tls}/`).replaceAll('/var/lib/nats', join(dir, 'store'));
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crashbell-relay-doc-'));
    tls = join(dir, 'tls');
    mkdirSync(tls);
    runCertificateSteps('localhost');
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    await nats?.destroy();
    nats = null;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes nats-server -t, with the certificate its steps make', () => {
    expect(readFileSync(join(tls, 'server.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
    const file = join(dir, 'nats-server.conf');
    writeFileSync(file, configHere());
    const run = spawnSync('nats-server', ['-c', file, '-t'], { encoding: 'utf8' });
    expect({ status: run.status, output: `${run.stdout}${run.stderr}`.trim() }).toEqual({
      status: 0,
      output: `nats-server: configuration file ${file} is valid`,
    });
    // What the text promises of it: TLS on, bcrypt passwords only, a payload limit for 1 MiB hooks.
    const config = serverConfig();
    expect(config).toMatch(/^tls \{/m);
    expect(config).toMatch(/^max_payload: 4MB$/m);
    expect(config).toMatch(/^ {2}store_dir: \/var\/lib\/nats$/m);
    const passwords = [...config.matchAll(/password: ("?)([^\s,"]+)\1/g)].map((m) => m[2]!);
    expect(passwords.length).toBe(3);
    for (const p of passwords) expect(p).toMatch(/^\$2b\$11\$[./A-Za-z0-9]{53}$/);
  });

  it('each user may write team marks under its own name only, and the examples log in as those users', () => {
    const config = serverConfig();
    const users = [...config.matchAll(/\{ user: (\w+), password: "[^"]+", permissions: \$(\w+) \}/g)].map((m) => ({
      user: m[1]!,
      block: m[2]!,
    }));
    expect(users.map((u) => u.user)).toEqual(['gateway', 'ana', 'bo']);
    for (const { user, block } of users) {
      const body = new RegExp(`^  ${block} = \\{\n([\\s\\S]*?)\\n  \\}$`, 'm').exec(config)?.[1];
      expect(body, `the ${block} block`).toBeDefined();
      // The bucket's subjects it may publish to: its own prefix, nothing wider.
      expect([...body!.matchAll(/"(\$KV\.[^"]*)"/g)].map((m) => m[1])).toEqual([`$KV.CRASHBELL-marks.${user}.>`]);
    }
    // The examples authenticate as the users whose names their marks go under.
    for (const name of ['gateway-config', 'member-config']) {
      const relay = (JSON.parse(marked(name)) as { relay: { auth: { user: string }; member: string } }).relay;
      expect(users.map((u) => u.user)).toContain(relay.auth.user);
      expect(relay.member).toBe(relay.auth.user);
    }
  });

  it('its gateway and member examples forward and read a hook as big as the receiver takes', async () => {
    // As the doc's server runs, but on a free loopback port and with the test's store.
    const config = configHere()
      .split('\n')
      .filter((l) => !/^(server_name|listen):/.test(l))
      .join('\n')
      .replace(/jetstream \{[\s\S]*?\n\}\n/, '');
    nats = await NatsServer.start({ config });
    const url = `tls://localhost:${nats.port}`;
    const here = (block: string): { sources: SourceInput[]; relay: Partial<RelaySettings> } => {
      const parsed = JSON.parse(marked(block)) as { sources: SourceInput[]; relay: Record<string, unknown> };
      expect(parsed.relay['servers']).toEqual(['tls://nats.example.com:4222']);
      return {
        sources: parsed.sources,
        relay: { ...parsed.relay, servers: [url], tls: { ca: join(tls, 'ca.pem') } } as Partial<RelaySettings>,
      };
    };
    const gatewayConfig = here('gateway-config');
    const memberConfig = here('member-config');
    const gateway = await startRelayEngine(gatewayConfig.relay, { sources: gatewayConfig.sources });
    engines.push(gateway);
    await gateway.waitForRelay((s) => s.status === 'connected' && s.gateway !== null && s.reason === null);
    const member = await startRelayEngine(memberConfig.relay);
    engines.push(member);
    await member.waitForRelay((s) => s.status === 'connected' && s.subscriber?.caughtUp === true);

    // About 1 MB of quotes: escaped once in the body and again in the envelope, near 2 MB on the stream.
    const source = gatewayConfig.sources[0]!;
    const body = JSON.stringify(backtraceBody({ fingerprint: 'doc-big', object_id: 'doc-big-1', padding: '"'.repeat(500_000) }));
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(body.length).toBeLessThan(1024 * 1024);
    const answer = await sendHook(gateway.engine.core.port!, {
      path: `/hooks/${source.id}`,
      headers: {
        'content-type': 'application/json',
        authorization: basicAuth(String(source.credentials?.['username']), String(source.credentials?.['password'])),
      },
      body,
    });
    expect(answer.status).toBe(200);
    await member.waitFor(() => member.received.length === 1);
    expect(member.received[0]!.group.title).toBe('exception in printf');
    expect(member.engine.core.inbox.get(member.received[0]!.group.id)?.latestRaw).toEqual(JSON.parse(body));
    expect(nats.log).not.toMatch(/Violation|maximum payload/i);
  });
});
