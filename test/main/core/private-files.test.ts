/**
 * The data folder rule (private-files.ts): a folder another user owns or may write is refused with words that say
 * how to fix it, and no file in a private folder is opened through a link, a FIFO or another user's file.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from '../../../main/core/data-dir-lock';
import { UnsafeDataDirError } from '../../../main/core/errors';
import { openInbox } from '../../helpers/inbox';
import { ensurePrivateDir, OPEN, openPrivateFile } from '../../../main/core/private-files';
import { testSettings } from '../../helpers/make-event';
import { tmpDataDir } from '../../helpers/tmp-dir';

const POSIX = process.platform !== 'win32';
const ROOT = process.getuid?.() === 0;
/** Debian's `nobody`: the other user a root test hands the folder to. */
const NOBODY = 65534;

function refusal(run: () => unknown): UnsafeDataDirError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnsafeDataDirError);
    return error as UnsafeDataDirError;
  }
  throw new Error('expected the folder or file to be refused');
}

describe.skipIf(!POSIX)('a data folder others may write is refused', () => {
  it.each([
    ['0770', 'its group'],
    ['0707', 'all other users'],
    ['0777', 'its group and all other users'],
    ['1777', 'its group and all other users'],
  ])('mode %s: refused with why and how to fix it, and nothing is made in it', (octal, who) => {
    const mode = Number.parseInt(octal, 8);
    const dir = join(tmpDataDir(), 'data');
    mkdirSync(dir);
    chmodSync(dir, mode);
    const e = refusal(() => lockDataDir(dir));
    expect(e.code).toBe('data-dir-unsafe');
    expect(e.dir).toBe(dir);
    expect(e.message).toContain(`the data folder ${dir} can be written by ${who} (mode ${octal})`);
    expect(e.message).toContain(`chmod 700 ${dir}`);
    expect(e.message).toContain('--data-dir');
    expect(readdirSync(dir)).toEqual([]);
    // Left as it was: the user decides.
    expect(statSync(dir).mode & 0o7777).toBe(mode);
  });

  it('the inbox refuses it too, before reading or writing anything', async () => {
    const dir = join(tmpDataDir(), 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o775);
    await expect(openInbox({ dataDir: dir, getSettings: () => testSettings() })).rejects.toThrow(/can be written by its group/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('one others may only read is made private (0700), as before', () => {
    const dir = join(tmpDataDir(), 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    ensurePrivateDir({ dir });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('a new folder is made 0700 whatever the umask', () => {
    const dir = join(tmpDataDir(), 'a', 'b');
    ensurePrivateDir({ dir });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '..')).mode & 0o777).toBe(0o700);
  });

  it('a folder reached through a link is checked where it leads', () => {
    const base = tmpDataDir();
    const real = join(base, 'real');
    mkdirSync(real);
    chmodSync(real, 0o777);
    symlinkSync(real, join(base, 'link'));
    expect(refusal(() => ensurePrivateDir({ dir: join(base, 'link') })).message).toContain('can be written by');
  });
});

describe.skipIf(!ROOT)('a data folder of another user is refused (as root)', () => {
  it('owned by nobody: refused, naming the owner and how to fix it', async () => {
    const dir = join(tmpDataDir(), 'data');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, NOBODY, NOBODY);
    const e = refusal(() => lockDataDir(dir));
    expect(e.message).toContain(`the data folder ${dir} belongs to another user (uid ${NOBODY}; Crashbell runs as uid 0)`);
    expect(e.message).toContain(`chown 0 ${dir}`);
    await expect(openInbox({ dataDir: dir, getSettings: () => testSettings() })).rejects.toThrow(/belongs to another user/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a file of another user in a private folder is not opened (root could open anyone's)", () => {
    const dir = tmpDataDir();
    const file = join(dir, 'inbox.log');
    writeFileSync(file, 'theirs', { mode: 0o644 });
    chownSync(file, NOBODY, NOBODY);
    expect(refusal(() => openPrivateFile(file, OPEN.append, { dir })).message).toContain('belongs to another user');
    expect(readFileSync(file, 'utf8')).toBe('theirs');
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });
});

describe.skipIf(!POSIX)('files of a private folder', () => {
  it('a link is refused, never followed: the target keeps its bytes and its mode', () => {
    const dir = tmpDataDir();
    const target = join(tmpDataDir(), 'precious');
    writeFileSync(target, 'do not touch', { mode: 0o644 });
    chmodSync(target, 0o644);
    const link = join(dir, 'inbox.log');
    symlinkSync(target, link);
    for (const flags of [OPEN.read, OPEN.readWrite, OPEN.append]) {
      expect(refusal(() => openPrivateFile(link, flags, { dir })).message).toContain(`${link} is a symbolic link`);
    }
    // An exclusive create refuses anything already there, a link included.
    expect(() => openPrivateFile(link, OPEN.createNew, { dir })).toThrow(/EEXIST/);
    expect(readFileSync(target, 'utf8')).toBe('do not touch');
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });

  it('a dangling link is not created through', () => {
    const dir = tmpDataDir();
    const target = join(tmpDataDir(), 'would-be-created');
    symlinkSync(target, join(dir, 'crashbell.lock'));
    refusal(() => openPrivateFile(join(dir, 'crashbell.lock'), OPEN.readWrite, { dir }));
    expect(existsSync(target)).toBe(false);
  });

  it('a FIFO in place of a file is refused at once (the open does not wait for a writer)', () => {
    const dir = tmpDataDir();
    const fifo = join(dir, 'relay-id');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(() => openPrivateFile(fifo, OPEN.read, { dir })).message).toContain('is not a regular file');
  });

  it('its own file readable by others is made 0600 through the descriptor', () => {
    const dir = tmpDataDir();
    const file = join(dir, 'inbox.log');
    writeFileSync(file, '', { mode: 0o644 });
    chmodSync(file, 0o644);
    closeSync(openPrivateFile(file, OPEN.append, { dir }));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
