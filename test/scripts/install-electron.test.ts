/**
 * `npm install` fetches Electron's binary once (Electron 42+ no longer does it itself), unless asked not to:
 * the decision for each layout, in a temporary project, and the skip path run for real (no download here).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

type InstallStep = (root: string, env: Record<string, string | undefined>) => 'skip' | 'present' | 'download';
// A plain-JS script (npm runs it before anything is built): loaded by path, typed here.
const { installStep } = (await import(join(ROOT, 'scripts', 'install-electron.mjs') as string)) as { installStep: InstallStep };

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'crashbell-install-electron-'));
  mkdirSync(join(root, 'scripts'));
  for (const f of ['check-electron.mjs', 'install-electron.mjs']) copyFileSync(join(ROOT, 'scripts', f), join(root, 'scripts', f));
  const dir = join(root, 'node_modules', 'electron');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '45.5.0' }));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the install step for Electron', () => {
  it('downloads when the binary is missing, does nothing when it is there, and skips when asked', () => {
    expect(installStep(root, {})).toBe('download');
    expect(installStep(root, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })).toBe('skip');
    expect(installStep(root, { ELECTRON_SKIP_BINARY_DOWNLOAD: '0' })).toBe('download');
    writeFileSync(join(root, 'node_modules', 'electron', 'path.txt'), 'electron');
    writeFileSync(join(root, 'node_modules', 'electron', 'dist', 'electron'), '');
    expect(installStep(root, {})).toBe('present');
  });

  it('says why it skipped, and never fails the install', () => {
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'install-electron.mjs')], {
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD is set/);
  });
});

describe('a failed download', () => {
  it('says so in a sentence, with the error in one line and no stack trace, and never fails the install', () => {
    // Electron's own installer prints the error's stack and exits 1 (node_modules/electron/install.js).
    writeFileSync(
      join(root, 'node_modules', 'electron', 'install.js'),
      "const e = new Error('getaddrinfo ENOTFOUND github.com'); e.name = 'RequestError'; console.error(e.stack); process.exit(1);\n",
    );
    const { ELECTRON_SKIP_BINARY_DOWNLOAD: _skip, ...env } = process.env;
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'install-electron.mjs')], { env, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      'crashbell: the download failed (RequestError: getaddrinfo ENOTFOUND github.com), so the desktop app cannot start yet.',
    );
    expect(result.stderr).toMatch(/npx install-electron|ELECTRON_MIRROR|npm run headless/);
    expect(result.stderr.split('\n').filter((l) => /^\s+at /.test(l))).toEqual([]);
  });
});
