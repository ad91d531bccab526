/**
 * Packaging smoke: electron-builder packs the built app for Linux (`--dir`, the step every installer target
 * shares) with electron-builder.yml, against a stand-in Electron distribution (the real binary cannot be
 * downloaded here; `-c.electronDist` is electron-builder's own switch for a local one). Checks what a user's
 * install depends on: the bundles inside the asar, the native ngrok module unpacked beside it, and the icons
 * the tray and notifications load from resources/.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

const root = ROOT;
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(archive: string, options?: object): string[] };

let work: string;
let resources: string;

function bin(name: string): string {
  return join(root, 'node_modules', name);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'crashbell-pack-'));
  const electronDist = join(work, 'electron-dist');
  execFileSync('mkdir', ['-p', electronDist]);
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n');
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
      `-c.electronDist=${electronDist}`,
      `-c.directories.output=${out}`,
    ],
    { cwd: root, env, stdio: 'pipe' },
  );
  resources = join(out, 'linux-unpacked', 'resources');
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

  it('ships the notification icon and a tray icon for every state', () => {
    expect(existsSync(join(resources, 'icon.png'))).toBe(true);
    const tray = readdirSync(join(resources, 'tray'));
    for (const state of ['listening', 'down', 'unread', 'dnd']) {
      expect(tray.some((f) => f.includes(state))).toBe(true);
    }
  });
});
