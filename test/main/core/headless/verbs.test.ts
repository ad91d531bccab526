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
import { parseVerbArgs, readCommand } from '../../../../main/core/headless/cli';
import { verbNamed, VERBS } from '../../../../main/core/headless/verbs';
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
    const resolved = json(await cli(['resolve', groupId, '--data-dir', data, '--json']));
    expect(resolved).toMatchObject({ id: groupId, read: true, resolved: true });
    // Only the test event's group is still unread, until read --all.
    expect(json(await cli(['list', '--unread', '--data-dir', data, '--json']))).toMatchObject({ total: 1, groups: [{ test: true }] });
    expect(json(await cli(['read', '--all', '--data-dir', data, '--json']))).toBe(1);
    expect(json(await cli(['list', '--unread', '--data-dir', data, '--json']))).toMatchObject({ total: 0 });
    expect((await cli(['unresolve', groupId, '--data-dir', data])).stdout).toBe(`unresolved: exception in memcpy (${groupId})\n`);
    expect((await cli(['mute', groupId, '--data-dir', data])).code).toBe(0);
    expect(json(await cli(['show', groupId, '--data-dir', data, '--json']))).toMatchObject({ muted: true, resolved: false });
  });

  it('exit 1 when Crashbell refuses: the reason on stderr and in the JSON', async () => {
    const unknownGroup = await cli(['resolve', 'noSuchGroupAAAAAAAAAAAA', '--data-dir', data, '--json']);
    expect(unknownGroup.code).toBe(1);
    expect(unknownGroup.stderr).toMatch(/no error group with id "noSuchGroupAAAAAAAAAAAA"/);
    expect(json(unknownGroup)).toMatchObject({ type: 'error', code: 'unknown-group', reason: expect.stringMatching(/noSuchGroup/) });

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
    expect((await cli(['resolve', '--help'])).stdout).toMatch(/resolve GROUP \[--data-dir DIR\] \[--json\]/);
  });

  it('after serve stops, its socket is gone and commands exit 3', async () => {
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect((await cli(['list', '--data-dir', data])).code).toBe(3);
  });
});

describe('reading the command line', () => {
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
    expect(() => parseVerbArgs(verbNamed('resolve')!, ['a', 'b'])).toThrow(/resolve takes GROUP, not "a b"/);
    expect(() => parseVerbArgs(verbNamed('list')!, ['--limit', '0'])).toThrow(/--limit must be a number from 1 to 1000/);
  });

  it('each verb plans a call the control socket serves', async () => {
    const lookup = async () => ({ sources: [{ id: 'src1', name: 'Game' }] }) as never;
    for (const v of VERBS) {
      const operands = v.operands.filter((o) => !o.endsWith('?')).map((o) => (o === 'SOURCE' ? 'Game' : 'g1'));
      const planned = await v.call({ operands, options: v.name === 'read' && operands.length === 0 ? { all: true } : {} }, lookup);
      expect(isControlCall(planned.call), `${v.name} → ${planned.call}`).toBe(true);
    }
    expect(await verbNamed('resolve')!.call({ operands: ['g1'], options: {} }, lookup)).toEqual({
      call: 'markGroup',
      args: ['g1', { resolved: true }],
    });
    expect(await verbNamed('send-test')!.call({ operands: ['Game'], options: {} }, lookup)).toEqual({
      call: 'sendTestEvent',
      args: ['src1'],
    });
  });
});
