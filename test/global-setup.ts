import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  const outDir = mkdtempSync(join(tmpdir(), 'crashbell-headless-'));
  execFileSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'vite.headless.config.ts', '--logLevel', 'error', '--outDir', outDir],
    { stdio: 'inherit' },
  );
  project.provide('headlessEntry', join(outDir, 'headless.js'));
  return () => rmSync(outDir, { recursive: true, force: true });
}
