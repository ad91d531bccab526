/**
 * Acting on a group through the engine, over real sockets: the hook, the action (in the provider through a local
 * fake of its documented API, or here only), the group's state and its group-state changes, the provider's own
 * state hook that follows raising nothing, a refusal changing nothing, and an action in flight when the engine
 * stops asked again at the next start.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ECHO_WINDOW_MS } from '../../../../main/core/actions/action-ledger';
import { type Engine, startEngine } from '../../../../main/core/engine';
import { MemorySettingsStore } from '../../../../main/core/settings-access';
import type { GroupStateChange, NotificationRequest } from '../../../../shared/events';
import { parseSettings, type SourceInput } from '../../../../shared/settings';
import { basicAuth, sendHook } from '../../../helpers/hook-client';
import { fixturePath } from '../../../helpers/paths';
import { type ProviderApiFake, rollbarApiFake } from '../../../helpers/provider-api-fakes';

const TOKEN = 'rollbar-write-token-0123456789abcdef';
const ROLLBAR_ID = 'rollbarActionSrcAAAAAAA';
const BACKTRACE_ID = 'backtraceActionSrcAAAAA';
const dirs: string[] = [];
const engines: Engine[] = [];
const fakes: ProviderApiFake[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const f of fakes.splice(0)) await f.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function rollbarBody(event: string): string {
  const body = JSON.parse(readFileSync(fixturePath('rollbar', 'new-item.json'), 'utf8')) as Record<string, unknown>;
  return JSON.stringify({ ...body, event_name: event });
}

async function engineWith(apiUrl: string, dir = mkdtempSync(join(tmpdir(), 'crashbell-actions-'))) {
  if (!dirs.includes(dir)) dirs.push(dir);
  const sources: SourceInput[] = [
    { id: ROLLBAR_ID, provider: 'rollbar', name: 'Shop', api: { token: TOKEN, url: apiUrl } },
    { id: BACKTRACE_ID, provider: 'backtrace', name: 'Game', credentials: { username: 'bt-user', password: 'bt-password-0123456789' } },
  ];
  const settings = new MemorySettingsStore(parseSettings({ port: 0, tunnel: { enabled: false }, sources, relay: { member: 'ana' } }));
  const states: GroupStateChange[] = [];
  const notes: NotificationRequest[] = [];
  const engine = await startEngine({
    settings,
    dataDir: dir,
    ngrok: null,
    subscribe: (core) => {
      core.onGroupState((s) => states.push(s));
      core.onNotification((n) => notes.push(n));
    },
  });
  engines.push(engine);
  const hook = async (sourceId: string, body: string, headers: Record<string, string> = {}) =>
    sendHook(engine.core.port!, { path: `/hooks/${sourceId}`, headers: { 'content-type': 'application/json', ...headers }, body });
  return { engine, states, notes, hook, dir };
}

async function rollbarFake(): Promise<ProviderApiFake> {
  const fake = await rollbarApiFake({ [TOKEN]: ['read', 'write'] }, ['272716944']).start();
  fakes.push(fake);
  return fake;
}

describe('an action in the provider', () => {
  it('resolves in Rollbar, then here; the provider’s own state hook raises nothing; a reopen’s echo neither', async () => {
    const fake = await rollbarFake();
    const { engine, states, notes, hook } = await engineWith(fake.url);
    expect((await hook(ROLLBAR_ID, rollbarBody('new_item'))).status).toBe(200);
    const groupId = engine.core.inbox.list({}).groups[0]!.id;
    expect(notes).toHaveLength(1);

    const resolved = await engine.service.runAction(groupId, { kind: 'resolve' });
    expect(resolved).toMatchObject({ state: 'done', where: 'provider', words: expect.stringMatching(/Resolved in Rollbar/) });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PATCH', path: '/api/1/item/272716944', body: { status: 'resolved' } });
    expect(engine.core.group(groupId)?.resolved).toBe(true);
    expect(states).toEqual([{ group: groupId, status: 'resolved', by: 'ana', via: 'crashbell', inProvider: 'Rollbar' }]);
    expect((await engine.service.getGroup(groupId))?.action).toMatchObject({ action: 'resolve', state: 'done', by: 'ana' });

    // Rollbar's own hook for what Crashbell just did: nothing more changes, nothing is raised.
    expect((await hook(ROLLBAR_ID, rollbarBody('resolved_item'))).status).toBe(200);
    expect(notes).toHaveLength(1);

    const reopened = await engine.service.runAction(groupId, { kind: 'unresolve' });
    expect(reopened).toMatchObject({ state: 'done', where: 'provider' });
    expect(fake.requests.at(-1)?.body).toEqual({ status: 'active' });
    // Rollbar tells of the reactivation Crashbell asked for: already applied, no "Regressed" toast.
    expect((await hook(ROLLBAR_ID, rollbarBody('reactivated_item'))).status).toBe(200);
    expect(notes).toHaveLength(1);
    expect(engine.core.group(groupId)?.lastDecision?.code).toBe('own-action');
  });

  it('changes nothing when the provider refuses, and says why in words', async () => {
    const fake = await rollbarFake();
    fake.answerNext({ status: 403, body: { err: 1, message: 'access token does not have the write scope' } });
    const { engine, states, hook } = await engineWith(fake.url);
    await hook(ROLLBAR_ID, rollbarBody('new_item'));
    const groupId = engine.core.inbox.list({}).groups[0]!.id;
    const result = await engine.service.runAction(groupId, { kind: 'ignore' });
    expect(result).toMatchObject({ state: 'failed', code: 'forbidden', where: null, status: 403 });
    expect(result.words).toMatch(/write/);
    expect(engine.core.group(groupId)?.ignored ?? false).toBe(false);
    expect(states).toEqual([]);
    expect((await engine.service.getGroup(groupId))?.action).toMatchObject({ action: 'ignore', state: 'failed' });
  });

  it('asks again at the next start what was in flight when the engine stopped, and records it done then', async () => {
    const fake = await rollbarFake();
    fake.answerNext({ hang: true });
    const first = await engineWith(fake.url);
    await first.hook(ROLLBAR_ID, rollbarBody('new_item'));
    const groupId = first.engine.core.inbox.list({}).groups[0]!.id;
    const asked = first.engine.service.runAction(groupId, { kind: 'snooze', minutes: 60 });
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    await first.engine.stop();
    expect(await asked).toMatchObject({ state: 'failed', code: 'cancelled' });
    engines.splice(0);

    const again = await engineWith(fake.url, first.dir);
    // The pending action is asked again in the background at start; done once its record is on disk.
    const doneState = async () => (await again.engine.service.getGroup(groupId))?.action?.state;
    for (let i = 0; i < 200 && (await doneState()) !== 'done'; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await again.engine.service.getGroup(groupId))?.action).toMatchObject({ action: 'snooze', state: 'done' });
    expect(again.engine.core.group(groupId)?.snoozedUntil).toEqual(expect.any(String));
    expect(fake.requests.at(-1)?.body).toMatchObject({ snooze_enabled: true, snooze_expiration_in_seconds: 3600 });
  });
});

describe('an action here only', () => {
  it('resolves a Backtrace group here, saying why the provider was not asked, and a claim is released by the resolve', async () => {
    const fake = await rollbarFake();
    const { engine, states, hook } = await engineWith(fake.url);
    const body = readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8');
    await hook(BACKTRACE_ID, body, { authorization: basicAuth('bt-user', 'bt-password-0123456789') });
    const groupId = engine.core.inbox.list({}).groups[0]!.id;
    const claimed = await engine.service.runAction(groupId, { kind: 'claim' });
    expect(claimed).toMatchObject({ state: 'done', where: 'local' });
    expect(engine.core.group(groupId)).toMatchObject({ claimedBy: 'ana', claimedUntil: expect.any(String) });
    const resolved = await engine.service.runAction(groupId, { kind: 'resolve' });
    expect(resolved).toMatchObject({ state: 'done', where: 'local', words: expect.stringMatching(/^Resolved here only: /) });
    expect(engine.core.group(groupId)).toMatchObject({ resolved: true, claimedBy: null });
    expect(states.map((s) => s.status)).toEqual(['claimed', 'resolved', 'released']);
    expect(fake.requests).toEqual([]);
  });

  it('refuses what only a provider can do, changing nothing', async () => {
    const fake = await rollbarFake();
    const { engine, hook } = await engineWith(fake.url);
    const body = readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8');
    await hook(BACKTRACE_ID, body, { authorization: basicAuth('bt-user', 'bt-password-0123456789') });
    const groupId = engine.core.inbox.list({}).groups[0]!.id;
    const result = await engine.service.runAction(groupId, { kind: 'assign-to-me' });
    expect(result).toMatchObject({ state: 'failed', code: 'unsupported' });
    expect(engine.core.group(groupId)?.assignee ?? null).toBeNull();
  });
});

describe('the echo window', () => {
  it('is ten minutes', () => {
    expect(ECHO_WINDOW_MS).toBe(600_000);
  });
});
