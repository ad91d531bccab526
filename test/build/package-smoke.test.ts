/**
 * Packaging smoke: electron-builder packs the built app for Linux (`--dir`, the step every installer target
 * shares) with electron-builder.yml, against a stand-in Electron distribution (the real binary cannot be
 * downloaded here; `-c.electronDist` is electron-builder's own switch for a local one). Checks what a user's
 * install depends on: the bundles inside the asar, the native modules (ngrok, the data-dir lock) unpacked beside it,
 * the icons the tray and notifications load from resources/, and the fuses electron-builder flips in the binary.
 *
 * The stand-in "Electron" is a shell script followed by a fuse wire laid out as Electron's own (the sentinel, wire
 * version 1, nine fuses at Electron 45's defaults from electron/build/fuses/fuses.json5): electron-builder finds
 * and flips it exactly as in a real binary, and @electron/fuses reads it back.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UPDATE_FEED } from '../../main/update-feed';
import { ROOT } from '../helpers/paths';

const root = ROOT;
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(archive: string, options?: object): string[] };

let work: string;
let resources: string;
let binary: string;

function bin(name: string): string {
  return join(root, 'node_modules', name);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'crashbell-pack-'));
  const electronDist = join(work, 'electron-dist');
  execFileSync('mkdir', ['-p', electronDist]);
  // run_as_node … wasm_trap_handlers = 1 0 1 1 0 0 0 1 1 (Electron 41 to 45 alike).
  const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
  writeFileSync(
    join(electronDist, 'electron'),
    Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.from(FUSE_SENTINEL), Buffer.from([1, 9]), Buffer.from('101100011')]),
  );
  chmodSync(join(electronDist, 'electron'), 0o755);
  const out = join(work, 'dist');
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' };
  execFileSync(process.execPath, [bin('electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, env, stdio: 'pipe' });
  execFileSync(
    process.execPath,
    [
      bin('electron-builder/cli.js'),
      '--linux',
      'dir',
      '--config',
      'electron-builder.yml',
      // Never a GitHub release from a test (electron-builder would publish by itself under CI=true).
      '--publish',
      'never',
      `-c.electronDist=${electronDist}`,
      `-c.directories.output=${out}`,
    ],
    { cwd: root, env, stdio: 'pipe' },
  );
  resources = join(out, 'linux-unpacked', 'resources');
  binary = join(out, 'linux-unpacked', 'crashbell');
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packaged app (linux dir)', () => {
  it('carries the main, preload and renderer bundles in the asar', () => {
    const files = asar.listPackage(join(resources, 'app.asar'));
    for (const f of ['/package.json', '/out/main/index.js', '/out/preload/preload.cjs', '/out/renderer/index.html']) {
      expect(files).toContain(f);
    }
    // Development-only packages stay out of the installer.
    expect(files.some((f) => f.startsWith('/node_modules/vitest/'))).toBe(false);
    expect(files.some((f) => f.startsWith('/node_modules/react-dom/'))).toBe(false);
  });

  it('unpacks the native ngrok module, which cannot load from inside an asar', () => {
    const unpacked = join(resources, 'app.asar.unpacked', 'node_modules', '@ngrok');
    const natives = readdirSync(unpacked, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.node'));
    expect(natives.length).toBeGreaterThan(0);
    expect(existsSync(join(unpacked, 'ngrok', 'index.js'))).toBe(true);
  });

  it('unpacks the data-dir lock (fs-native-extensions) and packs its pure-JS loader', () => {
    const prebuilds = join(resources, 'app.asar.unpacked', 'node_modules', 'fs-native-extensions', 'prebuilds');
    for (const host of ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64']) {
      expect(existsSync(join(prebuilds, host, 'fs-native-extensions.node')), host).toBe(true);
    }
    const files = asar.listPackage(join(resources, 'app.asar'));
    for (const dep of [
      'fs-native-extensions',
      'require-addon',
      'bare-addon-resolve',
      'bare-module-resolve',
      'bare-semver',
      'which-runtime',
    ]) {
      expect(files, dep).toContain(`/node_modules/${dep}/package.json`);
    }
  });

  it('flips the fuses electron-builder.yml sets in the packed binary', async () => {
    const wire = await getCurrentFuseWire(binary);
    // Index → char code ('0' off, '1' on); index 8 (wasm trap handlers) is past 1.8.0's enum.
    const states = wire as unknown as Record<number, number>;
    const state = (fuse: number) => String.fromCharCode(states[fuse] ?? 0);
    expect(wire.version).toBe(FuseVersion.V1);
    expect(state(FuseV1Options.RunAsNode)).toBe('0');
    expect(state(FuseV1Options.EnableCookieEncryption)).toBe('1');
    expect(state(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe('0');
    expect(state(FuseV1Options.EnableNodeCliInspectArguments)).toBe('0');
    expect(state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe('1');
    expect(state(FuseV1Options.OnlyLoadAppFromAsar)).toBe('1');
    expect(state(FuseV1Options.LoadBrowserProcessSpecificV8Snapshot)).toBe('0');
    expect(state(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe('0');
    // Not configurable in electron-builder 26: keeps Electron's default.
    expect(state(8)).toBe('1');
  });

  it('packs electron-updater and the app-update.yml naming the repository the app updates from', () => {
    const files = asar.listPackage(join(resources, 'app.asar'));
    for (const dep of ['electron-updater', 'builder-util-runtime', 'js-yaml', 'lazy-val', 'semver']) {
      expect(files, dep).toContain(`/node_modules/${dep}/package.json`);
    }
    const updateConfig = parse(readFileSync(join(resources, 'app-update.yml'), 'utf8')) as Record<string, unknown>;
    expect(updateConfig).toMatchObject({ provider: 'github', owner: UPDATE_FEED.owner, repo: UPDATE_FEED.repo });
    expect(updateConfig['updaterCacheDirName']).toEqual(expect.any(String));
  });

  it('ships the notification icon and a tray icon for every state', () => {
    expect(existsSync(join(resources, 'icon.png'))).toBe(true);
    const tray = readdirSync(join(resources, 'tray'));
    for (const state of ['listening', 'down', 'unread', 'dnd']) {
      expect(tray.some((f) => f.includes(state))).toBe(true);
    }
  });
});
