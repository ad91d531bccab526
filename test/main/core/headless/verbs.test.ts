/**
 * The command line's verbs against the built headless process: `serve` runs, and `list`, `show`, `read`,
 * `resolve`, `send-test`... (each a separate process, as a user types them) act on it through its control socket,
 * with the exit codes the usage promises: 0 done, 1 refused, 2 usage, 3 no Crashbell for that data folder.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { groupActionSchema } from '../../../../shared/actions';
import { parseVerbArgs, readCommand } from '../../../../main/core/headless/cli';
import { parseDuration, type VerbInput, verbNamed, VERBS } from '../../../../main/core/headless/verbs';
import { isControlCall } from '../../../../main/core/control/protocol';
import { HeadlessProcess } from '../../../helpers/headless-process';
import { basicAuth, sendHook } from '../../../helpers/hook-client';
import { fixturePath, ROOT } from '../../../helpers/paths';

const entry = inject('headlessEntry');

const SOURCE = {
  id: 'verbsBacktraceSourceAAAA',
  provider: 'backtrace',
  name: 'Game client',
  credentials: { username: 'crash-hook', password: 'verbs-test-password-0123' },
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One command, as a user runs it: `node headless.js VERB ... --data-dir DIR`. */
function cli(args: string[]): Promise<Run> {
  const { NGROK_AUTHTOKEN: _t, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const json = (run: Run): unknown => JSON.parse(run.stdout);

describe('verbs against a running headless Crashbell', () => {
  let dir: string;
  let data: string;
  let server: HeadlessProcess;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crashbell-verbs-'));
    data = join(dir, 'data');
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ sources: [SOURCE] }), { mode: 0o600 });
    server = HeadlessProcess.start(entry, ['serve', '--config', config, '--port', '0', '--data-dir', data, '--json']);
    port = (await server.waitFor((l) => l['type'] === 'listening'))['port'] as number;
  });
  afterAll(async () => {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('send-test by name, list --json, show --json, read and resolve: 0, and the server sees each', async () => {
    expect(json(await cli(['list', '--data-dir', data, '--json']))).toEqual({ groups: [], nextCursor: null, total: 0 });

    const sent = await cli(['send-test', 'Game client', '--data-dir', data]);
    expect(sent).toMatchObject({ code: 0, stderr: '' });
    expect(sent.stdout).toMatch(/^test event delivered \(HTTP 200 via local: accepted\)/);
    await server.waitFor((l) => l['type'] === 'received' && l['test'] === true);

    const body = readFileSync(fixturePath('backtrace', 'group-notification.json'), 'utf8').replace(/printf/g, 'memcpy');
    const hook = await sendHook(port, {
      path: `/hooks/${SOURCE.id}`,
      headers: { 'content-type': 'application/json', authorization: basicAuth(SOURCE.credentials.username, SOURCE.credentials.password) },
      body,
    });
    expect(hook.status).toBe(200);
    const received = await server.waitFor((l) => l['type'] === 'received' && l['test'] !== true);
    const groupId = received['group'] as string;

    const page = json(await cli(['list', '--data-dir', data, '--json', '--limit', '10'])) as {
      groups: Array<Record<string, unknown>>;
      total: number;
    };
    expect(page.total).toBe(2);
    expect(page.groups[0]).toMatchObject({ id: groupId, title: 'exception in memcpy', read: false, resolved: false });
    const human = await cli(['list', '--data-dir', data]);
    expect(human.stdout).toContain(groupId);
    expect(human.stdout).toMatch(/2 groups\n$/);

    const shown = json(await cli(['show', groupId, '--data-dir', data, '--json'])) as Record<string, unknown>;
    expect(shown).toMatchObject({ id: groupId, title: 'exception in memcpy', sourceId: SOURCE.id, occurrences: 35 });
    // As the detail view gets it: the checked link and the latest raw body.
    expect(shown['link']).toMatchObject({ opens: true });
    expect(shown['latestRaw']).toEqual(JSON.parse(body));
    expect((await cli(['show', groupId, '--data-dir', data])).stdout).toContain(`id           ${groupId}`);

    const read = await cli(['read', groupId, '--data-dir', data]);
    expect(read).toMatchObject({ code: 0, stdout: `marked read: exception in memcpy (${groupId})\n` });
    // Backtrace has no API to act through: resolved here only, saying why.
    const resolved = json(await cli(['resolve', groupId, '--data-dir', data, '--json']));
    expect(resolved).toMatchObject({
      state: 'done',
      action: 'resolve',
      where: 'local',
      words: expect.stringMatching(/^Resolved here only: /),
    });
    expect(json(await cli(['show', groupId, '--data-dir', data, '--json']))).toMatchObject({
      read: true,
      resolved: true,
      action: { action: 'resolve', state: 'done', words: expect.stringMatching(/^Resolved here only: /) },
    });
    // Only the test event's group is still unread, until read --all.
    expect(json(await cli(['list', '--unread', '--data-dir', data, '--json']))).toMatchObject({ total: 1, groups: [{ test: true }] });
    expect(json(await cli(['read', '--all', '--data-dir', data, '--json']))).toBe(1);
    expect(json(await cli(['list', '--unread', '--data-dir', data, '--json']))).toMatchObject({ total: 0 });
    expect((await cli(['unresolve', groupId, '--data-dir', data])).stdout).toMatch(
      new RegExp(`^Reopened here only: .*\\(${groupId}\\)\\n$`),
    );
    expect((await cli(['mute', groupId, '--data-dir', data])).code).toBe(0);
    expect(json(await cli(['show', groupId, '--data-dir', data, '--json']))).toMatchObject({ muted: true, resolved: false });

    // The other actions, here only for Backtrace; the human words say where the change was made.
    const snoozed = await cli(['snooze', groupId, '--for', '2h', '--data-dir', data]);
    expect(snoozed).toMatchObject({ code: 0, stderr: '' });
    expect(snoozed.stdout).toMatch(/^Snoozed for 2 hours here only: /);
    expect((await cli(['ignore', groupId, '--data-dir', data])).stdout).toMatch(/^Ignored here only: /);
    expect((await cli(['claim', groupId, '--for', '90m', '--data-dir', data])).stdout).toMatch(/^Claimed: the team sees you are on it/);
    const held = json(await cli(['show', groupId, '--data-dir', data, '--json'])) as Record<string, unknown>;
    expect(held).toMatchObject({ ignored: true, snoozedUntil: expect.any(String), claimedBy: expect.any(String) });
    const until = Date.parse(String(held['claimedUntil']));
    expect(until - Date.now()).toBeGreaterThan(80 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(90 * 60_000);
    const detail = (await cli(['show', groupId, '--data-dir', data])).stdout;
    expect(detail).toMatch(/state +read, muted, ignored, snoozed until .*, claimed by /);
    expect(detail).toMatch(/last action +done: Claimed: the team sees you are on it/);
    expect(detail).toMatch(/why not +resolve, .*: Backtrace's documentation/);
    expect((await cli(['release', groupId, '--data-dir', data])).stdout).toBe(`Claim released here (${groupId})\n`);
    // What only a provider can do is refused (exit 1) with the reason, changing nothing.
    const assign = await cli(['assign', groupId, '--to', 'me', '--data-dir', data, '--json']);
    expect(assign.code).toBe(1);
    expect(assign.stderr).toMatch(/Backtrace's documentation/);
    expect(json(assign)).toMatchObject({ type: 'error', code: 'unsupported', result: { state: 'failed', action: 'assign-to-me' } });
  });

  it('exit 1 when Crashbell refuses: the reason on stderr and in the JSON', async () => {
    const unknownGroup = await cli(['resolve', 'noSuchGroupAAAAAAAAAAAA', '--data-dir', data, '--json']);
    expect(unknownGroup.code).toBe(1);
    expect(unknownGroup.stderr).toMatch(/no error group with id "noSuchGroupAAAAAAAAAAAA"/);
    expect(json(unknownGroup)).toMatchObject({ type: 'error', code: 'gone', reason: expect.stringMatching(/noSuchGroup/) });
    const unknownMute = await cli(['mute', 'noSuchGroupAAAAAAAAAAAA', '--data-dir', data, '--json']);
    expect(json(unknownMute)).toMatchObject({ type: 'error', code: 'unknown-group', reason: expect.stringMatching(/noSuchGroup/) });

    const unknownSource = await cli(['send-test', 'Web shop', '--data-dir', data]);
    expect(unknownSource).toMatchObject({ code: 1, stdout: '' });
    expect(unknownSource.stderr).toMatch(
      /no source with the id or name "Web shop"; the sources are: "Game client" \(verbsBacktraceSourceAAAA\)/,
    );

    const tooLong = await cli(['show', 'x'.repeat(300), '--data-dir', data, '--json']);
    expect(tooLong.code).toBe(1);
    expect(json(tooLong)).toMatchObject({ type: 'error', code: 'bad-args' });
  });

  it('exit 2 for a usage problem, before anything is asked of Crashbell', async () => {
    for (const args of [
      ['resolve'],
      ['read', 'g1', '--all'],
      ['list', '--limit', 'lots'],
      ['frob'],
      ['show', 'a', 'b'],
      ['list', '--colour'],
      ['snooze', 'g1'],
      ['snooze', 'g1', '--for', '2 hours'],
      ['snooze', 'g1', '--for', '31d'],
      ['snooze', 'g1', '--for', '2h', '--until-count', '10'],
      ['snooze', 'g1', '--until-count', '0'],
      ['assign', 'g1'],
      ['assign', 'g1', '--to', 'bob'],
      ['claim', 'g1', '--for', '8d'],
      ['release'],
    ]) {
      const run = await cli([...args, '--data-dir', data]);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).not.toBe('');
    }
    const asJson = await cli(['resolve', '--json', '--data-dir', data]);
    expect(json(asJson)).toMatchObject({ type: 'error', code: 'usage', reason: expect.stringMatching(/resolve takes GROUP/) });
  });

  it('exit 3 when no Crashbell runs for the data folder, saying how to start one', async () => {
    const other = join(dir, 'other');
    const run = await cli(['list', '--data-dir', other, '--json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/no Crashbell is running for the data folder .*other.*Start one with: .* serve --config FILE --data-dir/);
    expect(json(run)).toMatchObject({ type: 'error', code: 'not-running' });
  });

  it('--version and --help need no running Crashbell', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `crashbell ${pkg.version}\n`, stderr: '' });
    expect(json(await cli(['--version', '--json']))).toEqual({ type: 'version', version: pkg.version });
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const v of VERBS) expect(help.stdout).toContain(`  ${v.name} ${v.usage}`);
    expect(help.stdout).toMatch(/"relay": \{"servers": \[/);
    expect(help.stdout).toMatch(/Exit codes: 0 .* 3 no Crashbell is running/s);
    expect((await cli(['resolve', '--help'])).stdout).toMatch(/resolve GROUP \[--next-release\] \[--data-dir DIR\] \[--json\]/);
    expect((await cli(['snooze', '--help'])).stdout).toMatch(/--until-count N until it occurs N more times/);
  });

  it('after serve stops, its socket is gone and commands exit 3', async () => {
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect((await cli(['list', '--data-dir', data])).code).toBe(3);
  });
});

describe('reading the command line', () => {
  it('reads durations as minutes: 30m, 2h, 1d, 1h30m; nothing else', () => {
    expect(parseDuration('30m')).toBe(30);
    expect(parseDuration('2h')).toBe(120);
    expect(parseDuration('1d')).toBe(1440);
    expect(parseDuration('1h30m')).toBe(90);
    for (const bad of ['', '2', 'h', '2 h', '-2h', '2.5h', '2w', '2hours', '1e3m', '9999999m']) expect(parseDuration(bad), bad).toBeNull();
  });

  it('serve is the default when the first argument is an option, or there is none', () => {
    expect(readCommand(['--config', 'c.json'])).toEqual({ kind: 'serve', argv: ['--config', 'c.json'] });
    expect(readCommand(['serve', '--config', 'c.json'])).toEqual({ kind: 'serve', argv: ['--config', 'c.json'] });
    expect(readCommand([])).toEqual({ kind: 'serve', argv: [] });
    expect(readCommand(['--version'])).toEqual({ kind: 'version' });
    expect(readCommand(['--help'])).toEqual({ kind: 'help' });
    expect(readCommand(['list', '--json'])).toMatchObject({ kind: 'verb', verb: { name: 'list' }, argv: ['--json'] });
    expect(() => readCommand(['lst'])).toThrow(/unknown command "lst": the commands are serve, list, show/);
  });

  it("a verb's operands, options, --data-dir and --json", () => {
    const read = verbNamed('read')!;
    expect(parseVerbArgs(read, ['--all', '--data-dir', '/d', '--json'])).toEqual({
      input: { operands: [], options: { all: true } },
      dataDir: '/d',
      json: true,
    });
    expect(parseVerbArgs(read, ['g1', '--data-dir', '/d'])).toMatchObject({ input: { operands: ['g1'] }, json: false });
    expect(() => parseVerbArgs(read, [])).toThrow(/read takes a GROUP or --all/);
    expect(() => parseVerbArgs(verbNamed('resolve')!, ['a', 'b'])).toThrow(/resolve takes GROUP \[--next-release\], not "a b"/);
    expect(() => parseVerbArgs(verbNamed('list')!, ['--limit', '0'])).toThrow(/--limit must be a number from 1 to 1000/);
    // Group ids are base64url: one may start with "-", and is still the GROUP, wherever it stands.
    expect(parseVerbArgs(verbNamed('resolve')!, ['-yQ3xAbc', '--json'])).toMatchObject({ input: { operands: ['-yQ3xAbc'] }, json: true });
    expect(parseVerbArgs(verbNamed('snooze')!, ['--for', '2h', '-h4x', '--data-dir', '/d'])).toMatchObject({
      input: { operands: ['-h4x'], options: { for: '2h' } },
      dataDir: '/d',
    });
    expect(parseVerbArgs(verbNamed('show')!, ['--', '--odd'])).toMatchObject({ input: { operands: ['--odd'] } });
    expect(parseVerbArgs(verbNamed('show')!, ['-h'])).toBe('help');
    expect(() => parseVerbArgs(verbNamed('show')!, ['-a', '-b'])).toThrow(/show takes GROUP, not "-a -b"/);
  });

  it('each verb plans a call the control socket serves', async () => {
    const lookup = async () => ({ sources: [{ id: 'src1', name: 'Game' }] }) as never;
    for (const v of VERBS) {
      const operands = v.operands.filter((o) => !o.endsWith('?')).map((o) => (o === 'SOURCE' ? 'Game' : 'g1'));
      const planned = await v.call(
        { operands, options: v.name === 'read' && operands.length === 0 ? { all: true } : { for: '1h', to: 'me' } },
        lookup,
      );
      expect(isControlCall(planned.call), `${v.name} → ${planned.call}`).toBe(true);
    }
    const planned = (name: string, options: VerbInput['options'] = {}) => verbNamed(name)!.call({ operands: ['g1'], options }, lookup);
    expect(await planned('resolve')).toEqual({ call: 'runAction', args: ['g1', { kind: 'resolve' }] });
    expect(await planned('resolve', { 'next-release': true })).toEqual({
      call: 'runAction',
      args: ['g1', { kind: 'resolve-next-release' }],
    });
    expect(await planned('unresolve')).toEqual({ call: 'runAction', args: ['g1', { kind: 'unresolve' }] });
    expect(await planned('snooze', { for: '2h' })).toEqual({ call: 'runAction', args: ['g1', { kind: 'snooze', minutes: 120 }] });
    expect(await planned('snooze', { 'until-count': '50' })).toEqual({
      call: 'runAction',
      args: ['g1', { kind: 'snooze-occurrences', count: 50 }],
    });
    expect(await planned('ignore')).toEqual({ call: 'runAction', args: ['g1', { kind: 'ignore' }] });
    expect(await planned('assign', { to: 'me' })).toEqual({ call: 'runAction', args: ['g1', { kind: 'assign-to-me' }] });
    expect(await planned('claim')).toEqual({ call: 'runAction', args: ['g1', { kind: 'claim' }] });
    expect(await planned('claim', { for: '4h' })).toEqual({ call: 'runAction', args: ['g1', { kind: 'claim', hours: 4 }] });
    expect(await planned('release')).toEqual({ call: 'runAction', args: ['g1', { kind: 'release' }] });
    expect(await planned('mute')).toEqual({ call: 'markGroup', args: ['g1', { muted: true }] });
    // Every planned action is one the IPC table's schema takes.
    for (const [name, options] of [
      ['snooze', { for: '30d' }],
      ['snooze', { 'until-count': '1000000' }],
      ['claim', { for: '7d' }],
      ['claim', { for: '1m' }],
    ] as const) {
      const { args } = await planned(name, options);
      expect(groupActionSchema.safeParse(args[1]).success, `${name} ${JSON.stringify(options)}`).toBe(true);
    }
    expect(await verbNamed('send-test')!.call({ operands: ['Game'], options: {} }, lookup)).toEqual({
      call: 'sendTestEvent',
      args: ['src1'],
    });
  });
});
