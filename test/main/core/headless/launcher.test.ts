/**
 * `npm run headless` as a user (or a supervisor) starts it: npm → node (the script execs node). With
 * `npm run --silent headless -- --json` stdout holds only JSON lines; without --silent npm's banner comes first
 * and stderr says how to get rid of it. SIGINT to npm stops the server, and so does a SIGKILL to npm (it cannot
 * be forwarded; the launcher watch notices).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { npmBannerOnStdout, startedByNpm } from '../../../../main/core/headless/launcher';
import { HeadlessProcess } from '../../../helpers/headless-process';
import { ROOT } from '../../../helpers/paths';

const dir = mkdtempSync(join(tmpdir(), 'crashbell-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves true when something answers on the port, false when the connection is refused. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Waits (bounded by the test's timeout) until nothing answers on the port any more. */
async function portFrees(port: number): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while ((await answers(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !(await answers(port));
}

/** `npm run [npmFlags] headless -- --config ... --json` in the project, as a user types it. */
function npmRun(name: string, npmFlags: string[]): HeadlessProcess {
  const config = join(dir, `${name}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      sources: [{ id: 'launcherSourceAAAAAAAAA', provider: 'backtrace', name: 'Game', credentials: { username: 'u', password: 'p' } }],
    }),
  );
  const args = ['run', ...npmFlags, 'headless', '--', '--config', config, '--port', '0', '--json', '--data-dir', join(dir, name)];
  // The npm under test must be the one a user has, not vitest's own npm_* environment, and no test opens a
  // real tunnel with a developer's token.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'NGROK_AUTHTOKEN'));
  return new HeadlessProcess(spawn('npm', args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env }));
}

describe('startedByNpm / npmBannerOnStdout', () => {
  it('read what npm exports to the script', () => {
    expect(startedByNpm({})).toBe(false);
    expect(npmBannerOnStdout({})).toBe(false);
    expect(npmBannerOnStdout({ npm_lifecycle_event: 'headless' })).toBe(true);
    expect(npmBannerOnStdout({ npm_lifecycle_event: 'headless', npm_config_loglevel: 'silent' })).toBe(false);
    expect(npmBannerOnStdout({ npm_lifecycle_event: 'headless', npm_config_json: 'true' })).toBe(false);
    expect(npmBannerOnStdout({ npm_lifecycle_event: 'test' })).toBe(false);
  });
});

describe.runIf(process.platform === 'linux')('npm run headless', () => {
  it('--silent: prints only JSON lines, and SIGINT to npm stops the server and frees the port', async () => {
    const npm = npmRun('silent', ['--silent']);
    try {
      const listening = await npm.waitFor((l) => l['type'] === 'listening');
      expect(npm.lines[0]).toBe(JSON.stringify(listening));
      const port = listening['port'] as number;
      expect(await answers(port)).toBe(true);
      expect(npm.stderr).not.toContain('banner');

      npm.child.kill('SIGINT');
      const exit = await npm.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(await portFrees(port)).toBe(true);
      // Every line it printed, to the end, is JSON.
      expect(() => npm.json()).not.toThrow();
    } finally {
      await npm.kill();
    }
  }, 60_000);

  it('without --silent: npm banner first, stderr says how to get JSON only; SIGKILL to npm still stops the server', async () => {
    const npm = npmRun('banner', []);
    try {
      await npm.waitForText('"type":"listening"');
      const at = npm.lines.findIndex((l) => l.startsWith('{'));
      expect(npm.lines.slice(0, at).join('\n')).toContain('> crashbell@');
      const listening = JSON.parse(npm.lines[at] ?? '') as { type: string; port: number };
      expect(listening.type).toBe('listening');
      expect(npm.stderr).toContain('npm run --silent headless -- --json');

      npm.child.kill('SIGKILL');
      expect(await portFrees(listening.port)).toBe(true);
    } finally {
      await npm.kill();
    }
  }, 60_000);
});
