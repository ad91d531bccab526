/**
 * npm must be free to say why an install failed: the project's .npmrc may not turn its log level down (it once
 * set loglevel=silent to keep npm's banner out of `npm run headless -- --json`, and every install error, an
 * Electron download behind a proxy among them, vanished). JSON-only stdout is `npm run --silent headless`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

describe('.npmrc', () => {
  it('does not silence npm', () => {
    const npmrc = join(ROOT, '.npmrc');
    const settings = existsSync(npmrc)
      ? readFileSync(npmrc, 'utf8')
          .split('\n')
          .map((l) => l.trim())
      : [];
    expect(settings.filter((l) => /^(loglevel|silent)\s*=/.test(l))).toEqual([]);
    expect(settings).toContain('save-exact=true');
  });
});
