/**
 * Acting on a crash from the command line, end to end over real sockets and the built headless process: a Rollbar
 * hook, the verbs (each a process of its own, as a user types them), Rollbar's API as a local fake that follows its
 * documentation (the source's `api.url` points at it, `api.token` is in the config), the `group-state` lines and
 * what the outlets get (the command its JSON document, ntfy a clear), then Rollbar's own state hook for what
 * Crashbell did, which raises nothing. A token without the `write` scope is refused: exit 1 with Rollbar's reason.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HeadlessProcess } from '../../../helpers/headless-process';
import { sendHook } from '../../../helpers/hook-client';
import { NtfyStandIn } from '../../../helpers/ntfy-stand-in';
import { fixturePath } from '../../../helpers/paths';
import { type ProviderApiFake, rollbarApiFake } from '../../../helpers/provider-api-fakes';

const entry = inject('headlessEntry');

const WRITE_TOKEN = 'rollbar-write-token-0123456789abcdef';
const READ_TOKEN = 'rollbar-read-only-token-0123456789ab';
const SHOP = 'e2eRollbarShopSourceAAAAA';
const READONLY = 'e2eRollbarReadOnlySrcAAAA';
/** The item id of the documented `new_item` body (its `data.item.id`, not the counter in its links). */
const ITEM = '272716944';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  const { NGROK_AUTHTOKEN: _t, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

function rollbarBody(event: string): string {
  const body = JSON.parse(readFileSync(fixturePath('rollbar', 'new-item.json'), 'utf8')) as Record<string, unknown>;
  return JSON.stringify({ ...body, event_name: event });
}

describe('acting from the command line, in the provider', () => {
  let dir: string;
  let data: string;
  let stdinDir: string;
  let fake: ProviderApiFake;
  let ntfy: NtfyStandIn;
  let server: HeadlessProcess;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crashbell-act-'));
    data = join(dir, 'data');
    stdinDir = join(dir, 'stdin');
    // Each command run writes its stdin to a file of its own.
    const save =
      "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(require('path').join(process.argv[1],Date.now()+'-'+process.pid+'.json'),s))";
    mkdirSync(stdinDir);
    fake = await rollbarApiFake({ [WRITE_TOKEN]: ['read', 'write'], [READ_TOKEN]: ['read'] }, [ITEM]).start();
    ntfy = await NtfyStandIn.start();
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        sources: [
          { id: SHOP, provider: 'rollbar', name: 'Shop', api: { token: WRITE_TOKEN, url: fake.url } },
          { id: READONLY, provider: 'rollbar', name: 'Shop (read-only token)', api: { token: READ_TOKEN, url: fake.url } },
        ],
        relay: { member: 'ana' },
        headless: {
          notify: { command: { argv: [process.execPath, '-e', save, stdinDir], concurrency: 1 }, ntfy: { url: ntfy.topicUrl('alerts') } },
        },
      }),
      { mode: 0o600 },
    );
    server = HeadlessProcess.start(entry, ['serve', '--config', config, '--port', '0', '--data-dir', data, '--json']);
    port = (await server.waitFor((l) => l['type'] === 'listening'))['port'] as number;
  });
  afterAll(async () => {
    await server.kill();
    await fake.close();
    await ntfy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const hook = (sourceId: string, body: string) =>
    sendHook(port, { path: `/hooks/${sourceId}`, headers: { 'content-type': 'application/json' }, body });
  const lines = (type: string) => server.json().filter((l) => l['type'] === type);
  const stdinDocs = () =>
    readdirSync(stdinDir)
      .sort()
      .map((f) => JSON.parse(readFileSync(join(stdinDir, f), 'utf8')) as Record<string, unknown>);

  it('hook, snooze --for 2h and resolve in Rollbar, the group-state lines, and Rollbar’s own state hook raising nothing', async () => {
    expect((await hook(SHOP, rollbarBody('new_item'))).status).toBe(200);
    const received = await server.waitFor((l) => l['type'] === 'received' && l['source'] === SHOP);
    const group = received['group'] as string;
    await server.waitFor((l) => l['type'] === 'notification' && l['group'] === group);
    await ntfy.waitFor(1);

    // snooze --for 2h: Rollbar's documented snooze, and words that say it was made there.
    const snoozed = await cli(['snooze', group, '--for', '2h', '--data-dir', data]);
    expect(snoozed).toMatchObject({ code: 0, stderr: '' });
    expect(snoozed.stdout).toBe(`Snoozed for 2 hours in Rollbar (${group})\n`);
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/api/1/item/${ITEM}`,
      headers: { 'x-rollbar-access-token': WRITE_TOKEN },
      body: { snooze_enabled: true, snooze_expiration_in_seconds: 7200 },
    });
    expect(await server.waitFor((l) => l['type'] === 'group-state' && l['status'] === 'snoozed')).toEqual({
      type: 'group-state',
      group,
      status: 'snoozed',
      by: 'ana',
      via: 'crashbell',
      inProvider: 'Rollbar',
    });

    // resolve --json: the ActionResult, and the change made in Rollbar first.
    const resolved = await cli(['resolve', group, '--data-dir', data, '--json']);
    expect(resolved.code).toBe(0);
    expect(JSON.parse(resolved.stdout)).toMatchObject({
      state: 'done',
      action: 'resolve',
      where: 'provider',
      words: 'Resolved in Rollbar',
    });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PATCH', path: `/api/1/item/${ITEM}`, body: { status: 'resolved' } });
    await server.waitFor((l) => l['type'] === 'group-state' && l['status'] === 'resolved');
    const shown = JSON.parse((await cli(['show', group, '--data-dir', data, '--json'])).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ resolved: true, action: { action: 'resolve', state: 'done', words: 'Resolved in Rollbar', by: 'ana' } });

    // Rollbar's own hook for the resolve Crashbell made: recorded, nothing raised, no state changed.
    expect((await hook(SHOP, rollbarBody('resolved_item'))).status).toBe(200);
    const echo = await server.waitFor((l) => l['type'] === 'received' && l['source'] === SHOP && l['lifecycle'] === 'resolved');
    expect(echo['decision']).toMatchObject({ notify: false, code: 'provider-resolved' });
    // A later line (another group's hook) shows nothing came out between.
    expect((await hook(READONLY, rollbarBody('new_item'))).status).toBe(200);
    await server.waitFor((l) => l['type'] === 'received' && l['source'] === READONLY);
    expect(lines('notification').filter((l) => l['group'] === group)).toHaveLength(1);
    expect(
      lines('group-state')
        .filter((l) => l['group'] === group)
        .map((l) => l['status']),
    ).toEqual(expect.arrayContaining(['snoozed', 'resolved']));
    expect(lines('group-state').every((l) => l['via'] === 'crashbell')).toBe(true);

    // The outlets heard too: the command got the notification and each state change on stdin, told apart by type;
    // ntfy published the group's notification as its sequence and cleared it once, at the snooze.
    const states = lines('group-state').filter((l) => l['group'] === group);
    await waitUntil(() => stdinDocs().filter((d) => d['group'] === group).length >= 1 + states.length);
    const docs = stdinDocs().filter((d) => d['group'] === group);
    expect(docs[0]).toMatchObject({ type: 'notification', group });
    expect(docs.slice(1)).toEqual(states);
    expect(ntfy.publishes[0]?.sequenceId).toBe(`crashbell-${group}`);
    expect((await ntfy.waitForChanges(1)).map((c) => [c.kind, c.sequenceId])).toEqual([['clear', `crashbell-${group}`]]);
  });

  it('a token without the write scope: exit 1 with Rollbar’s reason, in words and in the JSON; nothing changes', async () => {
    if (!lines('received').some((l) => l['source'] === READONLY)) expect((await hook(READONLY, rollbarBody('new_item'))).status).toBe(200);
    const received = await server.waitFor((l) => l['type'] === 'received' && l['source'] === READONLY);
    const group = received['group'] as string;
    const before = fake.requests.length;
    const refused = await cli(['ignore', group, '--data-dir', data, '--json']);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/^crashbell: .*write/);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      type: 'error',
      code: 'forbidden',
      reason: expect.stringMatching(/write/),
      result: { state: 'failed', action: 'ignore', status: 403, where: null },
    });
    expect(fake.requests.slice(before)).toMatchObject([{ method: 'PATCH', headers: { 'x-rollbar-access-token': READ_TOKEN } }]);
    const human = await cli(['ignore', group, '--data-dir', data]);
    expect(human).toMatchObject({ code: 1, stdout: '' });
    const shown = JSON.parse((await cli(['show', group, '--data-dir', data, '--json'])).stdout) as Record<string, unknown>;
    expect(shown['ignored'] ?? false).toBe(false);
    expect(shown['action']).toMatchObject({ action: 'ignore', state: 'failed', words: expect.stringMatching(/write scope/) });
    expect(lines('group-state').filter((l) => l['group'] === group)).toEqual([]);
  });

  it('exit 3 when no Crashbell runs for the data folder', async () => {
    const run = await cli(['resolve', 'anyGroupAAAAAAAAAAAAAA', '--data-dir', join(dir, 'nothing-here'), '--json']);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ type: 'error', code: 'not-running' });
  });
});

/** Polls (bounded by the test's own timeout) until `done` holds. */
async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 25));
}
