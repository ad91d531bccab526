/**
 * `npm start` and `npm run dev` check for Electron's binary before building: each layout a checkout can have,
 * laid out in a temporary project next to a copy of the script (so the real Electron is never launched).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'crashbell-check-electron-'));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(ROOT, 'scripts', 'check-electron.mjs'), join(root, 'scripts', 'check-electron.mjs'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Lays out node_modules/electron at `version`, with or without path.txt and the executable it names. */
function electron(version: string, parts: { pathTxt?: boolean; binary?: boolean } = {}): void {
  const dir = join(root, 'node_modules', 'electron');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version }));
  if (parts.pathTxt) writeFileSync(join(dir, 'path.txt'), 'electron');
  if (parts.binary) writeFileSync(join(dir, 'dist', 'electron'), '');
}

function check(env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'ELECTRON_EXEC_PATH' && k !== 'ELECTRON_SKIP_BINARY_DOWNLOAD'),
  );
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'check-electron.mjs')], {
    env: { ...clean, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

describe('scripts/check-electron.mjs', () => {
  it('passes quietly when the binary path.txt names is there', () => {
    electron('45.5.0', { pathTxt: true, binary: true });
    expect(check()).toEqual({ status: 0, stderr: '' });
  });

  it('Electron 42 and later without the binary: npx install-electron, or headless mode', () => {
    electron('45.5.0');
    const { status, stderr } = check();
    expect(status).toBe(1);
    expect(stderr).toContain('Electron 45.5.0 is installed without its binary');
    expect(stderr).toContain('npx install-electron');
    expect(stderr).toContain('npm run headless -- --config crashbell.json');
    expect(stderr).not.toContain('Electron uninstall');
  });

  it('Electron 41 without the binary: its install script, and says when ELECTRON_SKIP_BINARY_DOWNLOAD is what skipped it', () => {
    electron('41.7.1', { pathTxt: true });
    const plain = check();
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain('node node_modules/electron/install.js');
    expect(plain.stderr).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
    const skipped = check({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    expect(skipped.stderr).toContain('unset ELECTRON_SKIP_BINARY_DOWNLOAD');
  });

  it('no electron package at all: npm install', () => {
    const { status, stderr } = check();
    expect(status).toBe(1);
    expect(stderr).toContain('run npm install');
  });

  it('ELECTRON_EXEC_PATH (which electron-vite honours) wins, and a wrong one is named', () => {
    expect(check({ ELECTRON_EXEC_PATH: process.execPath }).status).toBe(0);
    const wrong = check({ ELECTRON_EXEC_PATH: join(root, 'nowhere', 'electron') });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain(join(root, 'nowhere', 'electron'));
  });

  it('is what npm start and npm run dev run before electron-vite, which then builds once', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start']).toBe('node scripts/check-electron.mjs && electron-vite preview');
    expect(scripts['dev']).toBe('node scripts/check-electron.mjs && electron-vite dev');
  });
});
