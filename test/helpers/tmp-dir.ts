/** A fresh temporary data dir per test, removed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tmpDataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'crashbell-inbox-'));
  dirs.push(d);
  return d;
}
