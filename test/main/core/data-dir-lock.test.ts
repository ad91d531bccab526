import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir } from '../../../main/core/data-dir-lock';
import { DataDirInUseError } from '../../../main/core/errors';
import { openInbox } from '../../helpers/inbox';
import { testSettings } from '../../helpers/make-event';
import { ROOT } from '../../helpers/paths';
import { tmpDataDir } from '../../helpers/tmp-dir';

describe('data folder lock', () => {
  it('a second lock on the same folder is refused, naming the folder and the holder, until the first lets go', () => {
    const dir = tmpDataDir();
    const first = lockDataDir(dir, { app: 'test' });
    let refused: unknown;
    try {
      lockDataDir(dir, { app: 'second' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirInUseError);
    const e = refused as DataDirInUseError;
    expect(e.code).toBe('data-dir-in-use');
    expect(e.holder).toMatchObject({ pid: process.pid, host: hostname(), app: 'test' });
    expect(e.message).toContain(dir);
    expect(e.message).toContain(`process ${process.pid}`);
    first.release();
    first.release();
    const again = lockDataDir(dir, { app: 'second' });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, app: 'second' });
    again.release();
  });

  it('a lock left by a SIGKILLed process never blocks the next one', async () => {
    const dir = tmpDataDir();
    // A child holding the lock the way lockDataDir takes it (same file, same byte, same native lock): the module
    // is TypeScript, which a plain Node 20 child cannot load.
    const script = `
      const fs = require('node:fs');
      const { tryLock } = require(${JSON.stringify(join(ROOT, 'node_modules', 'fs-native-extensions'))});
      const fd = fs.openSync(${JSON.stringify(join(dir, LOCK_FILE))}, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
      if (!tryLock(fd, 2 ** 30, 1)) process.exit(3);
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: 'child', app: 'child', since: '' }), 0);
      process.stdout.write('locked\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => c.toString().includes('locked') && resolve());
      child.on('exit', (code) => reject(new Error(`the child exited with ${code}`)));
    });
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(`process ${child.pid} on child`);
    const gone = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await gone;
    // At once: no stale period to wait out.
    const lock = lockDataDir(dir);
    lock.release();
  });

  it('two inboxes on one folder: the second does not open, and opens once the first is closed', async () => {
    const dir = tmpDataDir();
    const first = await openInbox({ dataDir: dir, getSettings: () => testSettings(), owner: 'first' });
    await expect(openInbox({ dataDir: dir, getSettings: () => testSettings() })).rejects.toThrow(
      /in use by another Crashbell \(first, process/,
    );
    await first.close();
    const second = await openInbox({ dataDir: dir, getSettings: () => testSettings() });
    await second.close();
  });

  it('a file system that keeps no locks opens with a warning instead of refusing', () => {
    const dir = tmpDataDir();
    const warnings: string[] = [];
    const locker = {
      tryLock(): boolean {
        throw Object.assign(new Error('no locks available'), { code: 'ENOLCK' });
      },
    };
    const lock = lockDataDir(dir, { locker, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining('keeps no locks (ENOLCK)')]);
    lock.release();
    expect(() =>
      lockDataDir(dir, {
        locker: {
          tryLock: () => {
            throw Object.assign(new Error('bad fd'), { code: 'EBADF' });
          },
        },
      }),
    ).toThrow('bad fd');
  });

  it.skipIf(process.platform === 'win32')('keeps the folder and the lock file to this user (0700, 0600)', () => {
    const dir = join(tmpDataDir(), 'nested', 'data');
    const lock = lockDataDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    lock.release();
  });

  it.skipIf(process.platform === 'win32')('a lock file planted as a link is refused, and the file it points to is untouched', () => {
    const dir = tmpDataDir();
    const target = join(tmpDataDir(), 'precious');
    writeFileSync(target, 'do not touch\n');
    chmodSync(target, 0o644);
    symlinkSync(target, join(dir, LOCK_FILE));
    // Today's code truncated the target, wrote the holder's text into it and made it 0600.
    expect(() => lockDataDir(dir, { app: 'test' })).toThrow(`${join(dir, LOCK_FILE)} is a symbolic link`);
    expect(readFileSync(target, 'utf8')).toBe('do not touch\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });
});
