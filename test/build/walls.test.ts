/**
 * The walls between layers are the linter's to keep (biome.jsonc): each case feeds Biome one import that
 * crosses a wall, under the path of a file in the layer, and expects `npm run lint` to refuse it; the allowed
 * imports beside it must pass. The cases are linted in a scratch copy of the config, never in the tree.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

const root = ROOT;
const biome = join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
// The project's own config in an empty tree of its own: the case files never touch the real one.
const sandbox = mkdtempSync(join(tmpdir(), 'crashbell-walls-'));
copyFileSync(join(root, 'biome.jsonc'), join(sandbox, 'biome.jsonc'));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

function lint(path: string, source: string): { ok: boolean; output: string } {
  const file = join(sandbox, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, source);
  const result = spawnSync(process.execPath, [biome, 'lint', '--vcs-enabled=false', path], { cwd: sandbox, encoding: 'utf8' });
  rmSync(file);
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

const refused: Array<[wall: string, path: string, source: string]> = [
  ['the core never imports electron', 'main/core/zz-wall.ts', "import { app } from 'electron';\nexport const a = app;\n"],
  ['nor from a nested folder', 'main/core/inbox/zz-wall.ts', "import { app } from 'electron/main';\nexport const a = app;\n"],
  [
    'the core never imports the shell',
    'main/core/zz-wall.ts',
    "import { TrayController } from '../tray';\nexport const a = TrayController;\n",
  ],
  [
    'nor from a nested folder',
    'main/core/providers/zz-wall.ts',
    "import { Notifier } from '../../notifications';\nexport const a = Notifier;\n",
  ],
  ['the core never imports the renderer', 'main/core/zz-wall.ts', "import { App } from '../../renderer/src/app';\nexport const a = App;\n"],
  [
    'the renderer never imports electron',
    'renderer/src/zz-wall.ts',
    "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n",
  ],
  [
    'the renderer never imports node:*',
    'renderer/src/views/zz-wall.tsx',
    "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n",
  ],
  ['nor a bare Node module', 'renderer/src/zz-wall.ts', "import { readFileSync } from 'fs';\nexport const a = readFileSync;\n"],
  [
    'the renderer never imports main/',
    'renderer/src/lib/zz-wall.ts',
    "import { PROVIDERS } from '../../../main/core/providers/index';\nexport const a = PROVIDERS;\n",
  ],
  ['only main/electron.ts imports electron in the shell', 'main/zz-wall.ts', "import { app } from 'electron';\nexport const a = app;\n"],
  ['nor electron-updater', 'main/zz-wall.ts', "import { autoUpdater } from 'electron-updater';\nexport const a = autoUpdater;\n"],
  [
    'shared/ imports nothing outside shared/',
    'shared/zz-wall.ts',
    "import { Receiver } from '../main/core/receiver/receiver';\nexport const a = Receiver;\n",
  ],
  ['shared/ has no Node', 'shared/zz-wall.ts', "import { createHash } from 'node:crypto';\nexport const a = createHash;\n"],
  ['the preload imports no shell module', 'main/preload.ts', "import { app } from './electron';\nexport const a = app;\n"],
  [
    'the preload imports nothing of shared/ but the IPC table',
    'main/preload.ts',
    "import { parseSettings } from '../shared/settings';\nexport const a = parseSettings;\n",
  ],
];

const allowed: Array<[what: string, path: string, source: string]> = [
  [
    'the core imports itself and shared/',
    'main/core/inbox/zz-wall.ts',
    "import { x } from '../errors';\nimport type { Settings } from '../../../shared/settings';\nexport const a: Settings | typeof x = x;\n",
  ],
  ['the shell imports electron through main/electron.ts', 'main/zz-wall.ts', "import { app } from './electron';\nexport const a = app;\n"],
  ['main/electron.ts imports electron', 'main/electron.ts', "export { app } from 'electron';\n"],
  ['the preload imports the IPC table', 'main/preload.ts', "import { IPC } from '../shared/ipc';\nexport const a = IPC;\n"],
  [
    'the renderer imports shared/',
    'renderer/src/zz-wall.ts',
    "import type { Settings } from '../../shared/settings';\nexport type A = Settings;\n",
  ],
];

describe('import walls (biome.jsonc)', () => {
  it.each(refused)('%s (%s)', (_wall, path, source) => {
    const result = lint(path, source);
    expect(result.ok, result.output).toBe(false);
    expect(result.output).toContain('noRestrictedImports');
  });

  it.each(allowed)('%s (%s)', (_what, path, source) => {
    const result = lint(path, source);
    expect(result.ok, result.output).toBe(true);
  });
});
