#!/usr/bin/env node
/**
 * `npm install` runs this after installing: Electron 42 and later no longer download their binary during the
 * install, so `npm install && npm start` would stop at a missing binary. This fetches it once with Electron's
 * own installer (`install-electron`), unless ELECTRON_SKIP_BINARY_DOWNLOAD asks not to (CI, servers that run
 * only headless mode and the tests, which never need it). A failed download is said plainly and does not fail
 * the install: headless mode and `npm test` work without the binary, and `npm start` says how to get it.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronProblem } from './check-electron.mjs';

/**
 * What the install step should do: `skip` (asked not to download), `present` (the binary is there) or
 * `download`.
 * @param {string} root the project folder
 * @param {Record<string, string | undefined>} env the environment
 * @returns {'skip' | 'present' | 'download'}
 */
export function installStep(root, env = process.env) {
  const skip = env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  if (skip && skip !== '0' && skip !== 'false') return 'skip';
  return electronProblem(root, env) === null ? 'present' : 'download';
}

/**
 * What a failed download said, without its stack: Electron's installer prints the error's whole stack trace, which
 * tells a person nothing they can act on; its first line ("RequestError: getaddrinfo ENOTFOUND github.com") does.
 * @param {string} stderr what the installer wrote on stderr
 * @param {Error | undefined} spawnError why it could not be run at all, if so
 * @returns {string}
 */
export function failureSummary(stderr, spawnError) {
  if (spawnError) return spawnError.message;
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^at\s/.test(l));
  return (lines[0] ?? '').slice(0, 300);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const step = installStep(root);
  if (step === 'skip') {
    process.stderr.write(
      "crashbell: Electron's binary was not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD is set); npm test and npm run headless do not need it, and npm start says how to get it.\n",
    );
  } else if (step === 'download') {
    process.stderr.write("crashbell: downloading Electron's binary for the desktop app (once, about 100 MB)…\n");
    const result = spawnSync(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], {
      stdio: ['ignore', 'inherit', 'pipe'],
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      const why = failureSummary(result.stderr ?? '', result.error);
      process.stderr.write(
        `crashbell: the download failed${why ? ` (${why})` : ''}, so the desktop app cannot start yet.\n${electronProblem(root) ?? ''}\n`,
      );
    } else if (result.stderr) {
      process.stderr.write(result.stderr);
    }
  }
}
