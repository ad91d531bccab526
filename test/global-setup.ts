import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the built headless entry (plain Node), for tests that spawn the real process. */
    headlessEntry: string;
  }
}

/**
 * Builds the headless bundle once per run into a private folder, so tests spawn the same code a user runs
 * and parallel runs never overwrite each other's build.
 */
export default function setup(project: TestProject): () => void {
  // Inside the project (under node_modules/.cache) so the bundle's external imports (zod, ua-parser-js...)
  // resolve from the project's node_modules, as they do for out/headless.
  const cacheDir = join(project.config.root, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const outDir = mkdtempSync(join(cacheDir, 'crashbell-headless-'));
  execFileSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'vite.headless.config.ts', '--logLevel', 'error', '--outDir', outDir],
    { stdio: 'inherit' },
  );
  project.provide('headlessEntry', join(outDir, 'headless.js'));
  return () => rmSync(outDir, { recursive: true, force: true });
}
