/**
 * The issue ref through the whole engine, over a real socket: a hook's ids reach its group, survive a restart
 * (the history stores them), and the source's API token never reaches the data folder.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Engine, startEngine } from '../../../../main/core/engine';
import { MemorySettingsStore } from '../../../../main/core/settings-access';
import { parseSettings } from '../../../../shared/settings';
import { sendHook } from '../../../helpers/hook-client';
import { fixtureText } from '../../../helpers/saas-fixtures';

const TOKEN = 'rollbar-write-token-0123456789abcdef';
const dirs: string[] = [];
const engines: Engine[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function engineOn(dir: string) {
  const settings = new MemorySettingsStore(
    parseSettings({
      port: 0,
      tunnel: { enabled: false },
      sources: [{ id: 'rollbarSourceRefAAAAAAA', provider: 'rollbar', name: 'Rollbar', api: { token: TOKEN } }],
    }),
  );
  const engine = await startEngine({ settings, dataDir: dir, ngrok: null });
  engines.push(engine);
  return engine;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('a hook carries its issue ref to the group', () => {
  it('keeps it across a restart, and never writes the API token into the data folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crashbell-issue-ref-'));
    dirs.push(dir);
    const engine = await engineOn(dir);
    const body = fixtureText('rollbar', 'new-item.json');
    const answer = await sendHook(engine.core.port!, {
      path: '/hooks/rollbarSourceRefAAAAAAA',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(answer.status).toBe(200);
    const id = engine.core.inbox.list({}).groups[0]!.id;
    expect(engine.core.inbox.get(id)!.issueRef).toEqual({ ids: { itemId: '272716944' }, apiOrigin: null });
    await engine.stop();
    engines.splice(0);

    const again = await engineOn(dir);
    expect(again.core.inbox.get(id)!.issueRef).toEqual({ ids: { itemId: '272716944' }, apiOrigin: null });
    for (const file of filesUnder(dir)) {
      if (file.endsWith('.lock')) continue;
      expect(readFileSync(file, 'utf8'), file).not.toContain(TOKEN);
    }
  });
});
