/**
 * One process owns a data folder: an OS-level lock on `crashbell.lock` inside it, taken before the history is
 * read and held until it is closed. Two processes appending to one log lose acknowledged hooks and tear records,
 * so the second one refuses to start and names the folder and the process that holds it.
 *
 * Why an OS lock: the kernel drops it the moment its holder dies, however it dies (SIGKILL, a crash, a power cut
 * on the next boot), so a stale lock never blocks the next start and nothing has to guess whether a holder is
 * still alive. A PID file or a lock folder with a heartbeat (proper-lockfile, lockfile) can only guess: they either
 * wait out a stale period after a SIGKILL, or take over from a live process that was merely suspended (a laptop
 * asleep, SIGSTOP), and PIDs are reused. The lock comes from `fs-native-extensions` (Holepunch): Node-API prebuilds
 * for Linux, macOS and Windows (x64 and arm64), so nothing is compiled at install and the same binary loads in
 * Node and in Electron. It takes an open-file-description lock on Linux (F_OFD_SETLK), `flock` on macOS and
 * `LockFileEx` on Windows: all three conflict between two opens in the same process too, which a plain POSIX
 * `fcntl` lock would not.
 *
 * The lock file is never deleted: unlinking it would let a third process lock a new file while a second still
 * waits on the old one. Its text only says who holds it, for the message; the lock itself is the OS's.
 */
import { closeSync, fstatSync, ftruncateSync, readSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type DataDirHolder, DataDirInUseError, type UnsafeDataDirError } from './errors';
import { ensurePrivateDir, OPEN, openPrivateFile } from './private-files';

/** The lock file inside a data folder. */
export const LOCK_FILE = 'crashbell.lock';

/**
 * The byte range locked: one byte far past the holder's text, so on Windows (where a locked range cannot be read
 * by others) the text stays readable for the message.
 */
const LOCK_OFFSET = 2 ** 30;
const LOCK_LENGTH = 1;

/** Who holds a data folder, as its lock file says: process id, host, which Crashbell, since when (ISO 8601). */
export type LockHolder = DataDirHolder;

/** A held data-folder lock. */
export interface DataDirLock {
  /** The lock file's path. */
  readonly path: string;
  /** Lets the folder go (closing the file drops the OS lock). Safe to call more than once. */
  release(): void;
}

/** The OS lock calls used (fs-native-extensions' API); tests pass their own to exercise the fallbacks. */
export interface FileLocker {
  /** True when the lock was taken, false when someone else holds it; throws on any other failure. */
  tryLock(fd: number, offset: number, length: number): boolean;
}

/** Error codes that mean "held by someone else" on some platform (Windows' lock violation reads as EBUSY). */
const HELD_CODES = new Set(['EAGAIN', 'EWOULDBLOCK', 'EACCES', 'EBUSY']);
/** Error codes of a file system that keeps no locks (NFS without a lock daemon, some FUSE mounts). */
const UNSUPPORTED_CODES = new Set(['ENOLCK', 'ENOSYS', 'EOPNOTSUPP', 'ENOTSUP', 'EINVAL']);

let nativeLocker: FileLocker | Error | null = null;

/** fs-native-extensions, loaded on first use, or the reason it cannot be on this platform. */
function loadNativeLocker(): FileLocker | Error {
  if (nativeLocker !== null) return nativeLocker;
  try {
    // Loaded with require (it is CommonJS and finds its prebuild next to itself), and only here, so a platform
    // without a prebuild still runs, with a warning, instead of failing at import.
    const native = createRequire(import.meta.url)('fs-native-extensions') as {
      tryLock(fd: number, offset: number, length: number, opts?: { shared?: boolean }): boolean;
    };
    nativeLocker = {
      tryLock(fd, offset, length) {
        try {
          return native.tryLock(fd, offset, length);
        } catch (error) {
          if (HELD_CODES.has((error as NodeJS.ErrnoException).code ?? '')) return false;
          throw error;
        }
      },
    };
  } catch (error) {
    nativeLocker = error instanceof Error ? error : new Error(String(error));
  }
  return nativeLocker;
}

/** Options for {@link lockDataDir}. */
export interface LockOptions {
  /** Names this process in the lock file: `headless`, `app`, `test`... Default: `crashbell`. */
  app?: string;
  /** Told when the folder cannot be locked on this platform at all (then it opens unlocked). */
  onWarning?: (message: string) => void;
  /** The OS lock; default fs-native-extensions. */
  locker?: FileLocker;
  /** Clock, for the lock file's `since`. */
  now?: () => number;
}

function readHolder(fd: number): LockHolder | null {
  try {
    const size = Math.min(fstatSync(fd).size, 4096);
    const buf = Buffer.alloc(size);
    const n = readSync(fd, buf, 0, size, 0);
    const parsed: unknown = JSON.parse(buf.toString('utf8', 0, n));
    if (parsed === null || typeof parsed !== 'object') return null;
    const h = parsed as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string') return null;
    return {
      pid: h.pid,
      host: h.host,
      app: typeof h.app === 'string' ? h.app : 'crashbell',
      since: typeof h.since === 'string' ? h.since : '',
    };
  } catch {
    return null;
  }
}

/**
 * Takes the data folder's lock (creating the folder, private to this user, when missing). Throws
 * {@link DataDirInUseError} naming the folder and the holder when another process (or another inbox in this
 * one) has it, and {@link UnsafeDataDirError} for a folder another user owns or may write, or a lock file that is
 * a link (see private-files.ts). Where the OS lock cannot be loaded at all, warns and returns a lock that holds
 * nothing.
 */
export function lockDataDir(dir: string, options: LockOptions = {}): DataDirLock {
  const folder = { dir, onWarning: options.onWarning };
  ensurePrivateDir(folder);
  const path = join(dir, LOCK_FILE);
  const locker = options.locker ?? loadNativeLocker();
  if (locker instanceof Error) {
    options.onWarning?.(
      `the data folder ${dir} cannot be locked on this platform (${locker.message}): make sure no other Crashbell uses it at the same time`,
    );
    return { path, release: () => undefined };
  }
  // Never through a link: the holder's text below truncates and overwrites the file.
  const fd = openPrivateFile(path, OPEN.readWrite, folder);
  try {
    let taken: boolean;
    try {
      taken = locker.tryLock(fd, LOCK_OFFSET, LOCK_LENGTH);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!UNSUPPORTED_CODES.has(code)) throw error;
      options.onWarning?.(
        `the data folder ${dir} is on a file system that keeps no locks (${code}): make sure no other Crashbell uses it at the same time`,
      );
      taken = true;
    }
    if (!taken) throw new DataDirInUseError(dir, readHolder(fd));
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      app: options.app ?? 'crashbell',
      since: new Date((options.now ?? Date.now)()).toISOString(),
    };
    ftruncateSync(fd, 0);
    writeSync(fd, `${JSON.stringify(holder)}\n`, 0, 'utf8');
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      // Closing the descriptor is what drops the lock, on every platform.
      closeSync(fd);
    },
  };
}
