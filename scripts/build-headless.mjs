#!/usr/bin/env node
/**
 * Builds the headless bundle (out/headless) unless it is already newer than every source it is built from.
 * `npm run headless` runs this first: a fresh checkout builds once, later starts skip the build, and two
 * headless processes started together do not rebuild (and empty) the folder under each other.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'out', 'headless', 'headless.js');
const inputs = ['main/core', 'shared', 'scripts/bench.ts', 'scripts/bench', 'vite.headless.config.ts', 'package.json', 'package-lock.json'];

/** Newest modification time (ms) under a file or folder. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

const upToDate =
  process.env.CRASHBELL_REBUILD !== '1' &&
  existsSync(output) &&
  inputs.every((p) => !existsSync(join(root, p)) || newest(join(root, p)) < statSync(output).mtimeMs);

if (!upToDate) {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.headless.config.ts', '--logLevel', 'error'],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}
