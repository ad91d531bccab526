#!/usr/bin/env node
/**
 * `npm start` and `npm run dev` run this first. Without Electron's binary, electron-vite would build main,
 * preload and renderer and then stop with "Electron uninstall"; this says in plain words how to get the binary
 * (or how to run Crashbell without a window) before anything is built. Exit code 1 when the binary is missing.
 *
 * It looks where electron-vite looks: ELECTRON_EXEC_PATH, else node_modules/electron/path.txt naming the
 * executable under node_modules/electron/dist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Why Electron cannot start from `root`, with what to do about it, or null when its binary is there.
 * @param {string} root the project folder
 * @param {Record<string, string | undefined>} env the environment
 * @returns {string | null}
 */
export function electronProblem(root, env = process.env) {
  const headless = 'Or run Crashbell without a window: npm run headless -- --config crashbell.json (README: "Headless mode").';
  const override = env.ELECTRON_EXEC_PATH;
  if (override) {
    return existsSync(override)
      ? null
      : `ELECTRON_EXEC_PATH is set to ${override}, which does not exist. Unset it or point it at an Electron executable.`;
  }
  const electronDir = join(root, 'node_modules', 'electron');
  const packageFile = join(electronDir, 'package.json');
  if (!existsSync(packageFile))
    return `The electron package is not installed (${relative(root, electronDir)} is missing): run npm install.\n${headless}`;
  const version = String(JSON.parse(readFileSync(packageFile, 'utf8')).version ?? '');
  const pathFile = join(electronDir, 'path.txt');
  const executable = existsSync(pathFile) ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
  if (executable !== null && existsSync(executable)) return null;

  // Electron 42 and later no longer download the binary while npm installs; 41 and earlier do, unless told not to.
  const major = Number(version.split('.')[0]);
  const get =
    major >= 42
      ? 'npx install-electron'
      : `node node_modules/electron/install.js${env.ELECTRON_SKIP_BINARY_DOWNLOAD ? ' (after unset ELECTRON_SKIP_BINARY_DOWNLOAD: it is set here, and it skips the download)' : ''}`;
  return [
    `Electron ${version} is installed without its binary (${relative(root, executable ?? pathFile)} is missing), so the desktop app cannot start.`,
    `  Download it once (about 100 MB, from GitHub): ${get}`,
    '  Behind a proxy, set ELECTRON_GET_USE_PROXY=1 and GLOBAL_AGENT_HTTPS_PROXY=http://proxy:port; or use a mirror: ELECTRON_MIRROR=https://mirror/electron/',
    '  Or set ELECTRON_EXEC_PATH to an Electron executable you already have.',
    `  ${headless}`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problem = electronProblem(join(dirname(fileURLToPath(import.meta.url)), '..'));
  if (problem) {
    process.stderr.write(`crashbell: ${problem}\n`);
    process.exit(1);
  }
}
