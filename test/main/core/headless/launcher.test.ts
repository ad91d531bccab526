/**
 * `npm run headless` as a user (or a supervisor) starts it: npm → node (the script execs node). With
 * `npm run --silent headless -- --json` stdout holds only JSON lines; without --silent npm's banner comes first
 * and stderr says how to get rid of it. SIGINT to npm stops the server, and so does a SIGKILL to npm (it cannot
 * be forwarded; the launcher watch notices). Ctrl+C in a terminal (SIGINT to npm's whole process group, which npm
 * forwards to node a second time) and `timeout` (its signal to npm, then to its group) are one clean stop. And the
 * README's first hook works as written.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { npmBannerOnStdout, startedByNpm } from '../../../../main/core/headless/launcher';
import { freePort } from '../../../helpers/nats-server';
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

// The npm under test must be the one a user has, not vitest's own npm_* environment, and no test opens a real
// tunnel with a developer's token.
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'NGROK_AUTHTOKEN'));

/**
 * `npm run [npmFlags] headless -- --config ... [--json]` in the project, as a user types it. `detached` gives it a
 * process group of its own, as a terminal's job has, so a test can signal the whole group as Ctrl+C does.
 */
function npmRun(name: string, npmFlags: string[], options: { json?: boolean; detached?: boolean } = {}): HeadlessProcess {
  const config = join(dir, `${name}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      sources: [{ id: 'launcherSourceAAAAAAAAA', provider: 'backtrace', name: 'Game', credentials: { username: 'u', password: 'p' } }],
    }),
  );
  const json = options.json ?? true;
  const args = [
    'run',
    ...npmFlags,
    'headless',
    '--',
    '--config',
    config,
    '--port',
    '0',
    ...(json ? ['--json'] : []),
    '--data-dir',
    join(dir, name),
  ];
  return new HeadlessProcess(
    spawn('npm', args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: userEnv, detached: options.detached ?? false }),
  );
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

describe.runIf(process.platform === 'linux')('stopping npm run headless as terminals and supervisors do', () => {
  it('Ctrl+C in a terminal (SIGINT to the whole process group, forwarded again by npm) is one clean stop: exit 0', async () => {
    const npm = npmRun('ctrl-c', [], { json: false, detached: true });
    try {
      await npm.waitForText('Press Ctrl+C to stop.');
      process.kill(-npm.child.pid!, 'SIGINT');
      expect(await npm.exited).toEqual({ code: 0, signal: null });
      expect(npm.lines.filter((l) => l === 'SIGINT: stopping…')).toHaveLength(1);
      expect(npm.lines.at(-1)).toBe('stopped');
      expect(npm.stderr).not.toMatch(/again|exiting without waiting|ERR!/);
    } finally {
      if (npm.child.exitCode === null) process.kill(-npm.child.pid!, 'SIGKILL');
      await npm.kill();
    }
  }, 60_000);

  it("timeout's SIGTERM (to npm, then to timeout's whole process group) is one clean stop: exit 0", async () => {
    const config = join(dir, 'timeout.json');
    writeFileSync(
      config,
      JSON.stringify({
        sources: [{ id: 'timeoutSourceAAAAAAAAAA', provider: 'backtrace', name: 'Game', credentials: { username: 'u', password: 'p' } }],
      }),
    );
    // The time limit is never reached: the test signals timeout itself, which passes the signal on exactly as when
    // the limit is reached.
    const args = [
      '600',
      'npm',
      'run',
      '--silent',
      'headless',
      '--',
      '--config',
      config,
      '--port',
      '0',
      '--json',
      '--data-dir',
      join(dir, 'timeout'),
    ];
    const run = new HeadlessProcess(spawn('timeout', args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: userEnv }));
    try {
      await run.waitFor((l) => l['type'] === 'listening');
      run.child.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.stderr).not.toMatch(/again|exiting without waiting/);
    } finally {
      await run.kill();
    }
  }, 60_000);
});

/** The fenced block right after `<!-- readme: NAME -->` in the README. */
function readmeBlock(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`<!-- readme: ${name} -->\n`);
  const block = at < 0 ? null : /^```\w*\n([\s\S]*?)^```/m.exec(readme.slice(at));
  if (!block) throw new Error(`the README lost its "${name}" block`);
  return block[1]!;
}

/** Runs a shell command line from the README in the clone, as a user pastes it. */
function shell(line: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', line], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const HAVE_CURL = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;
if (!HAVE_CURL) {
  console.warn(
    `[readme] curl not found: the README's first-hook test is ${process.env['CI'] === 'true' ? 'FAILING (.ci/run installs curl)' : 'SKIPPED'}.`,
  );
}

describe.runIf(process.platform === 'linux' && (HAVE_CURL || process.env['CI'] === 'true'))("the README's first hook", () => {
  it('works as written against npm run headless with the sample config, and Ctrl+C stops it', async () => {
    const [start, ...rest] = readmeBlock('first-hook')
      .replace(/\\\n\s*/g, '')
      .trim()
      .split('\n');
    const [curl, list] = rest;
    expect(start).toBe('npm run headless -- --config crashbell.json');
    expect(curl).toMatch(/^curl .*http:\/\/127\.0\.0\.1:7317\/hooks\//);
    // The only changes: the config file lives in the test's folder (not the clone), and a free port stands in
    // for 7317, which something else on this machine may hold. The data folder is the default one, under
    // XDG_DATA_HOME.
    const config = join(dir, 'readme', 'crashbell.json');
    const home = join(dir, 'readme', 'xdg');
    mkdirSync(join(dir, 'readme'), { recursive: true });
    writeFileSync(config, readmeBlock('sample-config'));
    const port = await freePort();
    const env = { ...userEnv, XDG_DATA_HOME: home };
    const startArgs = start!
      .split(' ')
      .slice(1)
      .map((a) => (a === 'crashbell.json' ? config : a));
    const npm = new HeadlessProcess(
      spawn('npm', [...startArgs, '--port', String(port)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env, detached: true }),
    );
    try {
      await npm.waitForText('Press Ctrl+C to stop.');
      const hook = await shell(curl!.replace(':7317/', `:${port}/`), env);
      expect(hook).toMatchObject({ code: 0, stderr: '' });
      expect(hook.stdout).toMatch(/^\{"ok":true,"event":"[0-9a-f-]{36}"\}$/);
      expect(await npm.waitForText('received  [Game client] exception in printf')).toMatch(/new group; notify: New group/);
      await npm.waitForText('notify    New error in Game client: exception in printf');

      const listed = await shell(list!, env);
      expect(listed).toMatchObject({ code: 0, stderr: '' });
      expect(listed.stdout).toMatch(/^\S{22} +35× {2}exception in printf {2}\(backtrace, my_app\.exe, unread; last /m);

      process.kill(-npm.child.pid!, 'SIGINT');
      expect(await npm.exited).toEqual({ code: 0, signal: null });
    } finally {
      if (npm.child.exitCode === null) process.kill(-npm.child.pid!, 'SIGKILL');
      await npm.kill();
    }
  }, 90_000);
});
