/**
 * `npm run pack:headless` makes a tarball that `npm install -g` takes: installed into a temporary prefix (offline:
 * it carries its JavaScript dependencies, and the only one it fetches, ngrok's native binary, is optional), its
 * `crashbell` command serves, takes a signed hook, and answers a command; and nothing of the desktop app or the
 * development tools is in it.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessProcess } from '../helpers/headless-process';
import { basicAuth, sendHook } from '../helpers/hook-client';
import { fixturePath, ROOT } from '../helpers/paths';

type Pack = {
  importedPackages(code: string): string[];
  lockClosure(lock: { packages: Record<string, unknown> }, names: string[]): string[];
};
// A plain-JS script (it runs before anything is built): loaded by path, typed here.
const pack = (await import(join(ROOT, 'scripts', 'pack-headless.mjs') as string)) as Pack;

const SOURCE = {
  id: 'packedBacktraceSourceAAA',
  provider: 'backtrace',
  name: 'Game client',
  credentials: { username: 'crash-hook', password: 'packed-test-password-0123' },
};

/** The environment of a user's shell: none of the npm_* settings vitest's own npm run passed down. */
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'NGROK_AUTHTOKEN'));

/** Tools that belong to development or the desktop app, never to the headless package. */
const NOT_RUNTIME =
  /^(electron|electron-.*|@electron\/.*|react|react-dom|vite|vitest|@vitejs\/.*|typescript|@biomejs\/.*|autocannon|playwright-core|happy-dom|@testing-library\/.*|axe-core|fast-check|ajv|yaml|@types\/.*)$/;

describe('the headless package', () => {
  let work: string;
  let tarball: string;
  let prefix: string;
  let crashbell: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'crashbell-pack-headless-'));
    tarball = execFileSync(process.execPath, [join(ROOT, 'scripts', 'pack-headless.mjs'), '--out', join(work, 'pack')], {
      cwd: ROOT,
      env: userEnv,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
    prefix = join(work, 'prefix');
    execFileSync('npm', ['install', '--global', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], {
      cwd: work,
      env: userEnv,
      stdio: 'pipe',
      timeout: 120_000,
    });
    crashbell = join(prefix, 'bin', 'crashbell');
  }, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('holds the headless bundle and its runtime dependencies only', () => {
    const installed = join(prefix, 'lib', 'node_modules', 'crashbell-headless');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
    expect(manifest['bin']).toEqual({ crashbell: 'bin/crashbell.js' });
    expect(manifest['version']).toBe(root.version);
    const deps = { ...manifest['dependencies'], ...manifest['optionalDependencies'] };
    expect(Object.keys(deps).sort()).toEqual([
      '@nats-io/jetstream',
      '@nats-io/kv',
      '@nats-io/transport-node',
      '@ngrok/ngrok',
      'fs-native-extensions',
    ]);
    // Pinned: the versions this repository installs and tests.
    for (const [name, version] of Object.entries(deps)) expect(version).toBe(root.dependencies[name]);
    const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    const carried = new Set(listing.map((f) => /^package\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter(Boolean));
    expect([...carried].filter((name) => NOT_RUNTIME.test(name!))).toEqual([]);
    expect(listing.filter((f) => f.startsWith('package/out/'))).toEqual(expect.arrayContaining(['package/out/headless/headless.js']));
    expect(listing.filter((f) => /bench|\.map$/.test(f) && f.startsWith('package/out/'))).toEqual([]);
  });

  it('crashbell --version, then serve takes a hook and a command answers', async () => {
    expect(execFileSync(crashbell, ['--version'], { env: userEnv, encoding: 'utf8' })).toBe(
      `crashbell ${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`,
    );
    expect(execFileSync(crashbell, ['--help'], { env: userEnv, encoding: 'utf8' })).toMatch(/^Usage: crashbell \[serve\] --config FILE/);

    const config = join(work, 'gateway.json');
    writeFileSync(config, JSON.stringify({ sources: [SOURCE] }), { mode: 0o600 });
    const data = join(work, 'data');
    const server = new HeadlessProcess(
      spawn(crashbell, ['serve', '--config', config, '--port', '0', '--data-dir', data, '--json'], {
        env: userEnv,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    try {
      const port = (await server.waitFor((l) => l['type'] === 'listening'))['port'] as number;
      const answer = await sendHook(port, {
        path: `/hooks/${SOURCE.id}`,
        headers: { 'content-type': 'application/json', authorization: basicAuth(SOURCE.credentials.username, SOURCE.credentials.password) },
        body: readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8'),
      });
      expect(answer.status).toBe(200);
      const received = await server.waitFor((l) => l['type'] === 'received');
      const listed = await new Promise<string>((resolve, reject) =>
        execFile(crashbell, ['list', '--data-dir', data, '--json'], { env: userEnv }, (error, stdout) =>
          error ? reject(error) : resolve(stdout),
        ),
      );
      expect(JSON.parse(listed)).toMatchObject({ total: 1, groups: [{ id: received['group'] }] });
      server.child.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
      expect(existsSync(join(data, 'crashbell.sock'))).toBe(false);
    } finally {
      await server.kill();
    }
  });
});

describe('what the package is made of', () => {
  it('reads the packages a bundle imports, statically, dynamically and through createRequire', () => {
    const code = [
      'import { connect } from "@nats-io/transport-node";',
      'import { join } from "node:path";',
      'import fs from "fs";',
      'const a = await import("@ngrok/ngrok");',
      'const b = createRequire(import.meta.url)("fs-native-extensions");',
      'import { x } from "./assets/core.js";',
      'import "zod/v4";',
    ].join('\n');
    expect(pack.importedPackages(code)).toEqual(['@nats-io/transport-node', '@ngrok/ngrok', 'fs-native-extensions', 'zod']);
  });

  it('carries each bundled package at the path package-lock.json gave it, with what it needs in turn', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const paths = pack.lockClosure(lock, ['@nats-io/transport-node', 'fs-native-extensions']);
    expect(paths).toEqual(
      expect.arrayContaining([
        'node_modules/@nats-io/transport-node',
        'node_modules/@nats-io/nats-core',
        'node_modules/@nats-io/nkeys',
        'node_modules/tweetnacl',
        'node_modules/fs-native-extensions',
        'node_modules/require-addon',
      ]),
    );
    for (const path of paths) expect(lock.packages[path]).toBeDefined();
    expect(() => pack.lockClosure({ packages: {} }, ['left-pad'])).toThrow(/package-lock.json has no left-pad/);
  });
});
