/**
 * `npm install` leaves a fresh clone clean: package-lock.json's entry for the project says what npm itself writes
 * there for package.json, or npm rewrites the file on the first install. It once lacked `hasInstallScript`, which
 * npm sets for a project with an install script (the postinstall that fetches Electron's binary), and every
 * `npm install` left package-lock.json modified.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown> & { scripts: Record<string, string> };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  name: string;
  version: string;
  packages: Record<string, Record<string, unknown>>;
};

describe("package-lock.json's entry for the project", () => {
  it('matches package.json as npm writes it', () => {
    const root = lock.packages['']!;
    expect({ name: lock.name, version: lock.version }).toEqual({ name: pkg['name'], version: pkg['version'] });
    for (const key of ['name', 'version', 'license', 'dependencies', 'devDependencies', 'engines']) {
      expect({ key, value: root[key] }).toEqual({ key, value: pkg[key] });
    }
  });

  it('says the project has an install script exactly when it has one (npm adds or drops the flag otherwise)', () => {
    const installs = ['preinstall', 'install', 'postinstall'].some((name) => name in pkg.scripts);
    expect(lock.packages['']!['hasInstallScript'] === true).toBe(installs);
  });
});
