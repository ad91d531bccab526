/** The command outlet against stand-in commands: small Node programs run with `node -e`. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
