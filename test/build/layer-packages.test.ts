/**
 * The npm packages each layer uses at run time, held to the list docs/architecture.md gives: a new package in a
 * layer is a decision to write down (and a package the core needs must be a runtime dependency, or the installed
 * gateway would not have it). Read from the source itself: static and dynamic imports, and `require` of a package.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** The packages each layer may use at run time, as docs/architecture.md lists them. */
const LAYER_PACKAGES: Record<string, { folder: string; only?: (file: string) => boolean; packages: string[] }> = {
  shared: { folder: 'shared', packages: ['zod'] },
  core: {
    folder: 'main/core',
    packages: [
      'zod',
      'ua-parser-js',
      'fs-native-extensions',
      '@ngrok/ngrok',
      '@nats-io/transport-node',
      '@nats-io/jetstream',
      '@nats-io/kv',
    ],
  },
  shell: {
    folder: 'main',
    only: (file) => !file.startsWith('main/core/'),
    packages: ['electron', 'electron-store', 'electron-updater', 'zod'],
  },
  renderer: { folder: 'renderer/src', packages: ['react', 'react-dom', '@tanstack/react-virtual'] },
};

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|createRequire\([^)]*\)\s*\(\s*)'([^'./][^']*)'/g;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The package a bare specifier names (`@scope/name` or `name`), or null for Node's own modules. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function packagesOf(folder: string, only?: (file: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const path of filesUnder(join(ROOT, folder))) {
    const file = relative(ROOT, path).replaceAll('\\', '/');
    if (only && !only(file)) continue;
    for (const m of readFileSync(path, 'utf8').matchAll(SPECIFIER)) {
      const name = packageOf(m[1]!);
      if (name !== null && !NODE_BUILTINS.has(name)) out.add(name);
    }
  }
  return out;
}

const NODE_BUILTINS = new Set([
  'crypto',
  'fs',
  'path',
  'os',
  'http',
  'https',
  'net',
  'url',
  'util',
  'zlib',
  'stream',
  'events',
  'child_process',
]);

describe('the packages each layer uses at run time', () => {
  for (const [layer, { folder, only, packages }] of Object.entries(LAYER_PACKAGES)) {
    it(`${layer} uses only the packages its row in docs/architecture.md lists`, () => {
      expect([...packagesOf(folder, only)].sort()).toEqual([...packages].sort());
    });
  }

  it('the core’s and the shell’s are runtime dependencies (the installed gateway and the packaged app have them)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of [...LAYER_PACKAGES['core']!.packages, 'electron-store', 'electron-updater']) {
      expect(pkg.dependencies, name).toHaveProperty(name);
    }
  });

  it('docs/architecture.md names each layer’s packages', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## What each layer runs on'));
    for (const { packages } of Object.values(LAYER_PACKAGES)) for (const name of packages) expect(table).toContain(`\`${name}\``);
  });
});
