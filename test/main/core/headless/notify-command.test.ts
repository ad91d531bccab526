/** The command outlet against stand-in commands: small Node programs run with `node -e`. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../../../main/core/headless/notify-command';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-notify-command-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const node = (script: string, ...args: string[]) => [process.execPath, '-e', script, ...args];

describe('runCommand', () => {
  it('gives the input on stdin, without a shell, and resolves null on exit 0', async () => {
    const out = join(dir, 'got.json');
    const argv = node(
      "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(process.argv[1],s+'|'+process.argv[2]))",
      out,
      '$HOME; echo not a shell',
    );
    expect(await runCommand(argv, '{"title":"x"}\n', 10_000)).toBeNull();
    expect(readFileSync(out, 'utf8')).toBe('{"title":"x"}\n|$HOME; echo not a shell');
  });

  it('reports the exit code with the tail of what it wrote', async () => {
    const failure = await runCommand(node("console.log('working');console.error('no route to pager');process.exit(3)"), '{}', 10_000);
    expect(failure).toBe('exited with code 3: working no route to pager');
  });

  it('a command that ignores stdin is fine', async () => {
    expect(await runCommand(node('process.exit(0)'), 'x'.repeat(1 << 20), 10_000)).toBeNull();
  });

  it('keeps only the tail of a chatty command', async () => {
    const failure = await runCommand(node("process.stdout.write('a'.repeat(100000)+'END');process.exit(1)"), '', 10_000);
    expect(failure?.endsWith('END')).toBe(true);
    expect(failure?.length).toBeLessThan(1_200);
  });

  it('stops a command that runs too long', async () => {
    const failure = await runCommand(node('setInterval(()=>{},1000)'), '', 200);
    expect(failure).toBe('did not finish within 0.2 s, so it was stopped');
  });

  it('kills one that ignores SIGTERM', async () => {
    const failure = await runCommand(node("process.on('SIGTERM',()=>{});console.log('stubborn');setInterval(()=>{},1000)"), '', 300);
    expect(failure).toMatch(/^did not finish within 0.3 s, so it was stopped/);
  }, 15_000);

  it('stops when aborted', async () => {
    const abort = new AbortController();
    const running = runCommand(node('setInterval(()=>{},1000)'), '', 60_000, abort.signal);
    abort.abort();
    expect(await running).toBe('stopped because headless mode is stopping');
  });

  it('names a program that does not exist', async () => {
    expect(await runCommand([join(dir, 'no-such-program')], '', 10_000)).toBe(
      `could not start ${join(dir, 'no-such-program')}: no such program`,
    );
  });
});

/** Whether a process runs (Linux: a zombie waiting to be reaped by PID 1 runs nothing). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The running processes of process group `pgid`, read from /proc. */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(name));
  }
  return members;
}

/** Waits for a file a command writes (its process ids), bounded. */
async function pidsFrom(file: string): Promise<number[]> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 25));
  return readFileSync(file, 'utf8').trim().split(' ').map(Number);
}

/**
 * A command that starts `sh -c SCRIPT` in the background (same group, output not shared), writes "<its pid> <the
 * child's pid>" to `pidFile`, then waits for it, or exits 0 at once with `exitAtOnce`. A shell, not node: it starts
 * in a few milliseconds, well within the short time limits below even on a loaded machine.
 */
const withChild = (pidFile: string, script: string, exitAtOnce = false) => [
  'sh',
  '-c',
  `sh -c "$1" & echo "$$ $!" > "$2"${exitAtOnce ? '' : '; wait'}`,
  'leader',
  script,
  pidFile,
];

describe.skipIf(process.platform !== 'linux')('runCommand: the whole process group is the run', () => {
  it('on timeout, what the command started is stopped with it', async () => {
    const pids = join(dir, 'pids');
    const failure = await runCommand(withChild(pids, 'exec sleep 30'), '', 500);
    expect(failure).toBe('did not finish within 0.5 s, so it was stopped');
    const [leader, child] = await pidsFrom(pids);
    // Today's code signalled only the program: its `sleep` kept running after the run was "over".
    expect(running(child!)).toBe(false);
    expect(groupMembers(leader!)).toEqual([]);
  });

  it('a command that exits leaving a child running is over only once the child is; past the time limit it is stopped', async () => {
    const pids = join(dir, 'pids');
    const failure = await runCommand(withChild(pids, 'exec sleep 30', true), '', 500);
    expect(failure).toBe('exited, but processes it started were still running after 0.5 s, so they were stopped');
    const [leader, child] = await pidsFrom(pids);
    expect(running(child!)).toBe(false);
    expect(groupMembers(leader!)).toEqual([]);
  });

  it('a child that lives on briefly after its parent exited 0 is waited for, and the run succeeds', async () => {
    const pids = join(dir, 'pids');
    const done = join(dir, 'done');
    const failure = await runCommand(withChild(pids, `sleep 0.3; echo done > ${done}`, true), '', 10_000);
    expect(failure).toBeNull();
    // Resolved only after the child finished its work.
    expect(readFileSync(done, 'utf8')).toBe('done\n');
    const [leader] = await pidsFrom(pids);
    expect(groupMembers(leader!)).toEqual([]);
  });

  it('a child that ignores SIGTERM outlives the program until SIGKILL, and the run lasts until it is gone', async () => {
    const pids = join(dir, 'pids');
    const failure = await runCommand(withChild(pids, "trap '' TERM; sleep 30"), '', 500);
    expect(failure).toBe('did not finish within 0.5 s, so it was stopped');
    const [leader, child] = await pidsFrom(pids);
    expect(running(child!)).toBe(false);
    expect(groupMembers(leader!)).toEqual([]);
  }, 15_000);

  it('an abort (headless stopping) stops the whole group', async () => {
    const pids = join(dir, 'pids');
    const abort = new AbortController();
    const run = runCommand(withChild(pids, 'exec sleep 30'), '', 60_000, abort.signal);
    const [leader, child] = await pidsFrom(pids);
    expect(running(child!)).toBe(true);
    abort.abort();
    expect(await run).toBe('stopped because headless mode is stopping');
    expect(running(child!)).toBe(false);
    expect(groupMembers(leader!)).toEqual([]);
  });

  it("runs the command in a process group of its own, not headless mode's", async () => {
    const out = join(dir, 'pgid');
    const failure = await runCommand(
      node("require('fs').writeFileSync(process.argv[1], require('fs').readFileSync('/proc/self/stat','latin1'))", out),
      '',
      10_000,
    );
    expect(failure).toBeNull();
    const stat = readFileSync(out, 'latin1');
    const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(stat.split(' ')[0]);
    expect(Number(pgrp)).toBe(pid);
    expect(Number(session)).toBe(pid);
  });
});
