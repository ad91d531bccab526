import { describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configExposureWarning, parseConfig, withEnvironment } from '../../../main/core/config-file';
import { tmpDataDir } from '../../helpers/tmp-dir';
import { ConfigError } from '../../../main/core/errors';

const source = { id: 'backtraceSourceAAAAAAAA', provider: 'backtrace', name: 'Game', credentials: { username: 'u', password: 'p' } };

describe('headless config file', () => {
  it("reads settings in the app's shape, filling defaults", () => {
    const settings = parseConfig(JSON.stringify({ port: 0, sources: [source] }), 'c.json');
    expect(settings.port).toBe(0);
    expect(settings.sources[0]).toMatchObject({ id: source.id, paused: false, credentials: source.credentials });
    expect(settings.policy.stormLimit).toBe(5);
  });

  it("names a source written without a name after its provider's module", () => {
    const { name: _name, ...nameless } = source;
    expect(parseConfig(JSON.stringify({ sources: [nameless] }), 'c.json').sources[0]!.name).toBe('Backtrace');
  });

  it('says where the JSON breaks', () => {
    expect(() => parseConfig('{\n  "port": 0,\n  "sources": [,]\n}', 'c.json')).toThrow(/c\.json is not valid JSON/);
    try {
      parseConfig('{\n  "port": 0,\n  "sources": [,]\n}', 'c.json');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/line 3/);
    }
  });

  it('names the field and the source at fault', () => {
    expect(() => parseConfig(JSON.stringify({ sources: [source, { ...source, provider: 'pagerduty' }] }), 'c.json')).toThrow(
      /^config file c\.json: "sources\.1\.provider" is not valid \(Crashbell has no "pagerduty" provider: use one of backtrace, errorception, /,
    );
    expect(() => parseConfig(JSON.stringify({ sources: [{ ...source, name: '' }] }), 'c.json')).toThrow(/"sources\.0\.name" is not valid/);
    expect(() => parseConfig(JSON.stringify({ sources: [{ ...source, id: undefined }] }), 'c.json')).toThrow(/"sources\.0\.id" is missing/);
    expect(() => parseConfig(JSON.stringify({ sources: [source, source] }), 'c.json')).toThrow(/two sources have the id/);
    expect(() => parseConfig(JSON.stringify({ sources: [{ ...source, credentials: { username: 'u' } }] }), 'c.json')).toThrow(
      /source "Game" \(backtraceSourceAAAAAAAA\): .*password/,
    );
  });

  it('takes the relay block as the app does; a member reading the relay needs no source, a gateway needs servers', () => {
    const relay = {
      servers: ['nats://nats.example.com:4222'],
      publish: false,
      subscribe: true,
      stream: 'CRASHBELL',
      member: 'ana',
      auth: { credsFile: '/etc/crashbell/team.creds' },
      tls: { ca: '/etc/crashbell/ca.pem' },
    };
    const member = parseConfig(JSON.stringify({ port: 0, sources: [], relay }), 'm.json');
    expect(member.relay).toMatchObject({ ...relay, shareMarks: true, maxAgeDays: 7, replicas: 1 });
    expect(() => parseConfig(JSON.stringify({ port: 0, sources: [] }), 'c.json')).toThrow(/has no sources/);
    expect(() => parseConfig(JSON.stringify({ port: 0, sources: [source], relay: { publish: true } }), 'g.json')).toThrow(
      /"relay.publish" is on but "relay.servers" is empty/,
    );
    expect(() => parseConfig(JSON.stringify({ port: 0, sources: [source], relay: { ...relay, auth: { user: 'a' } } }), 'c.json')).toThrow(
      /relay\.auth/,
    );
  });
});

describe('headless config: the tunnel and the environment', () => {
  it('port is optional; a reserved domain pasted as a URL is kept as its host name', () => {
    const settings = parseConfig(JSON.stringify({ sources: [source], tunnel: { domain: 'https://Crash.ngrok.app/' } }), 'c.json');
    expect(settings.port).toBe(7317);
    expect(settings.tunnel.domain).toBe('crash.ngrok.app');
  });

  it("NGROK_AUTHTOKEN fills in a token the file does not have; the file's own wins", () => {
    const none = parseConfig(JSON.stringify({ sources: [source] }), 'c.json');
    expect(withEnvironment(none, {})).toEqual({ settings: none, authtoken: null });
    expect(withEnvironment(none, { NGROK_AUTHTOKEN: '  ' }).authtoken).toBeNull();
    const fromEnv = withEnvironment(none, { NGROK_AUTHTOKEN: ' env-token ' });
    expect(fromEnv.authtoken).toBe('environment');
    expect(fromEnv.settings.tunnel.authtoken).toBe('env-token');
    const own = parseConfig(JSON.stringify({ sources: [source], tunnel: { authtoken: 'file-token' } }), 'c.json');
    expect(withEnvironment(own, { NGROK_AUTHTOKEN: 'env-token' })).toEqual({ settings: own, authtoken: 'config' });
  });
});

describe.skipIf(process.platform === 'win32')('a config file other users can read', () => {
  it('is warned about when it holds secrets, never when it holds none or is private', () => {
    const path = join(tmpDataDir(), 'crashbell.json');
    const withSecrets = parseConfig(JSON.stringify({ sources: [source], tunnel: { authtoken: 'tok' } }), path);
    const noSecrets = parseConfig(JSON.stringify({ sources: [{ ...source, provider: 'bugsnag', credentials: {} }] }), path);
    writeFileSync(path, '{}');
    chmodSync(path, 0o644);
    expect(configExposureWarning(path, withSecrets)).toBe(
      `config file ${path} holds secrets (source credentials and the ngrok authtoken) and other users can read it (mode 0644): chmod 600 ${path}`,
    );
    expect(configExposureWarning(path, noSecrets)).toBeNull();
    const member = parseConfig(
      JSON.stringify({ sources: [], relay: { servers: ['nats://n:4222'], auth: { user: 'ana', pass: 'pw' } } }),
      path,
    );
    expect(configExposureWarning(path, member)).toBe(
      `config file ${path} holds secrets (the relay credentials) and other users can read it (mode 0644): chmod 600 ${path}`,
    );
    const creds = parseConfig(
      JSON.stringify({ sources: [], relay: { servers: ['nats://n:4222'], auth: { credsFile: '/x.creds' } } }),
      path,
    );
    expect(configExposureWarning(path, creds)).toBeNull();
    const ntfy = parseConfig(
      JSON.stringify({
        sources: [{ ...source, provider: 'bugsnag', credentials: {} }],
        headless: { notify: { ntfy: { url: 'https://ntfy.sh/crashbell-k3q9' } } },
      }),
      path,
    );
    expect(configExposureWarning(path, ntfy)).toContain('holds secrets (the ntfy topic)');
    chmodSync(path, 0o600);
    expect(configExposureWarning(path, withSecrets)).toBeNull();
  });
});
