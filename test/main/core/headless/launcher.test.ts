/**
 * `npm run headless` as a user (or a supervisor) starts it: npm → sh → node. Its stdout in --json mode holds
 * only JSON lines (no npm banner), and a SIGKILL to npm does not leave the server orphaned on its port.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../helpers/paths';

const root = ROOT;
const dir = mkdtempSync(join(tmpdir(), 'crashbell-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves true when something answers on the port, false when the connection is refused. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

describe.runIf(process.platform === 'linux')('npm run headless', () => {
  it('prints only JSON lines, and stops when npm is killed', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        port: 0,
        sources: [{ id: 'launcherSourceAAAAAAAAA', provider: 'backtrace', name: 'Game', credentials: { username: 'u', password: 'p' } }],
      }),
    );
    const npm = spawn('npm', ['run', 'headless', '--', '--config', config, '--port', '0', '--json', '--data-dir', join(dir, 'data')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    npm.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const listening = await new Promise<{ port: number }>((resolve, reject) => {
      npm.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        const first = stdout.split('\n')[0];
        if (stdout.includes('\n') && first) {
          try {
            resolve(JSON.parse(first) as { port: number });
          } catch (error) {
            reject(new Error(`the first stdout line is not JSON: ${first}`, { cause: error }));
          }
        }
      });
      npm.once('exit', (code) => reject(new Error(`npm exited (${code}): ${stderr}`)));
    });
    expect(listening).toMatchObject({ type: 'listening' });
    expect(await answers(listening.port)).toBe(true);

    npm.kill('SIGKILL');
    const deadline = Date.now() + 15_000;
    while ((await answers(listening.port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await answers(listening.port)).toBe(false);
  }, 60_000);
});
