/**
 * Files only their user can read, in folders only their user can write: the history holds raw hook bodies and,
 * without a keyring, the settings hold secrets.
 *
 * A folder someone else may write is a folder where they can plant a link named like one of Crashbell's files
 * (`inbox.log -> /etc/passwd`): opened through it, the target would be truncated, overwritten and chmodded, any file
 * at all when Crashbell runs as root. So, on POSIX systems:
 * - a data folder (and the folder holding the app's settings) must belong to the user Crashbell runs as, and
 *   neither its group nor others may write it: otherwise it is refused with {@link UnsafeDataDirError}, which says
 *   how to fix it. Created here, it is made 0700; one that others may only read is tightened to 0700.
 * - every file in it is opened with `O_NOFOLLOW` (a link is refused, never followed), must then be a regular file
 *   of this user, and is made 0600 through its descriptor (`fchmod`), never by path; temporary files are created
 *   exclusively (`O_EXCL`), so nothing already there, link or file, is ever reused.
 *
 * Windows has no `O_NOFOLLOW` and mode bits mean nothing there. What holds instead: a user's profile folders (where
 * the app's data lives) are private by their ACLs, and making a link needs the SeCreateSymbolicLinkPrivilege
 * (administrators, or Developer Mode), so another user cannot plant one; a link found there anyway is refused by an
 * `lstat` just before the file is opened.
 */
import { closeSync, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, constants as fsConstants, type Stats, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { UnsafeDataDirError, errorText } from './errors';

/** Mode for private files (the log, settings.json, the lock file). */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode for private folders (data folders). */
export const PRIVATE_DIR_MODE = 0o700;

const POSIX = process.platform !== 'win32';

/** `O_NOFOLLOW` where the platform has it (0 on Windows: see the module's comment for what holds there). */
const O_NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;
/** So that opening a FIFO planted in place of a file does not block: it is refused once open (regular files ignore it). */
const O_NONBLOCK = fsConstants.O_NONBLOCK ?? 0;
const O_DIRECTORY = fsConstants.O_DIRECTORY ?? 0;

/** Open flags for the files of a private folder (combined with no-follow by the openers below). */
export const OPEN = {
  /** Read only. */
  read: fsConstants.O_RDONLY,
  /** Read and write, created when missing (the lock file). */
  readWrite: fsConstants.O_RDWR | fsConstants.O_CREAT,
  /** Read and append, created when missing (the log: what `a+` means). */
  append: fsConstants.O_RDWR | fsConstants.O_APPEND | fsConstants.O_CREAT,
  /** A new file only: fails when anything (a file, a link) already has the name. */
  createNew: fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL,
} as const;

/** What a folder is to the user, for messages: `data folder` or `settings folder`. */
export interface PrivateFolder {
  dir: string;
  /** Its name in messages, e.g. `data folder`. Default: `data folder`. */
  what?: string;
  /** How to use another folder instead, appended to advice, e.g. ` or choose another data folder (headless: --data-dir DIR)`. */
  elsewhere?: string;
  onWarning?: (message: string) => void;
}

const DEFAULT_ELSEWHERE = ', or choose another data folder (headless: --data-dir DIR)';

function whatOf(folder: PrivateFolder): string {
  return folder.what ?? 'data folder';
}

function currentUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/** Who may write a folder besides its owner, in words, or null when nobody. */
function otherWriters(mode: number): string | null {
  const group = (mode & 0o020) !== 0;
  const others = (mode & 0o002) !== 0;
  if (group && others) return 'its group and all other users';
  if (group) return 'its group';
  if (others) return 'all other users';
  return null;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** Why a folder cannot be trusted with Crashbell's files, or null when it can. */
function folderProblem(st: Stats, folder: PrivateFolder): string | null {
  const { dir } = folder;
  const what = whatOf(folder);
  const elsewhere = folder.elsewhere ?? DEFAULT_ELSEWHERE;
  if (!st.isDirectory()) return `the ${what} ${dir} is not a folder${elsewhere}`;
  const uid = currentUid();
  if (uid !== null && st.uid !== uid) {
    return (
      `the ${what} ${dir} belongs to another user (uid ${st.uid}; Crashbell runs as uid ${uid}), who could plant links in it ` +
      `that make Crashbell overwrite other files, so it is not used: give it to this user (chown ${uid} ${dir})${elsewhere}`
    );
  }
  const writers = otherWriters(st.mode);
  if (writers !== null) {
    return (
      `the ${what} ${dir} can be written by ${writers} (mode ${octal(st.mode)}), who could plant links in it that make ` +
      `Crashbell overwrite other files, so it is not used: make it private (chmod 700 ${dir})${elsewhere}`
    );
  }
  return null;
}

/**
 * Creates `dir` (and its parents, 0700) when missing, then checks it: a folder another user owns or its group or
 * others may write throws {@link UnsafeDataDirError} saying why and how to fix it; one others may only read or
 * enter is made 0700 (through a descriptor), with a warning when that fails. The folder's own path may be a link
 * (a data folder kept on another disk); what it leads to is what is checked. Nothing is checked on Windows.
 */
export function ensurePrivateDir(folder: PrivateFolder): void {
  const { dir } = folder;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (!POSIX) return;
  let fd: number | null = null;
  try {
    fd = openSync(dir, fsConstants.O_RDONLY | O_DIRECTORY | O_NONBLOCK);
  } catch (error) {
    // A folder its owner may not list (mode 0300) still has an owner and a mode to check.
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
  }
  try {
    const st = fd === null ? statSync(dir) : fstatSync(fd);
    const problem = folderProblem(st, folder);
    if (problem !== null) throw new UnsafeDataDirError(dir, dir, problem);
    if ((st.mode & 0o077) === 0) return;
    try {
      if (fd === null) throw new Error('the folder cannot be opened');
      fchmodSync(fd, PRIVATE_DIR_MODE);
    } catch (error) {
      folder.onWarning?.(
        `the ${whatOf(folder)} ${dir} is readable by other users and could not be made private (${errorText(error)}): chmod 700 ${dir}`,
      );
    }
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** The refusal of a link found where one of Crashbell's files should be. */
function linkError(path: string, folder: PrivateFolder): UnsafeDataDirError {
  return new UnsafeDataDirError(
    folder.dir,
    path,
    `${path} is a symbolic link: Crashbell opens no links in its ${whatOf(folder)}, so that one planted there cannot ` +
      `turn its writes onto another file. Remove the link (rm ${path}) if you did not make it, then start again`,
  );
}

/** {@link linkError} when a failed no-follow open failed because the file is a link, else null. */
function linkRefusal(error: unknown, path: string, folder: PrivateFolder): UnsafeDataDirError | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  // Linux and macOS say ELOOP for O_NOFOLLOW on a link, FreeBSD EMLINK; make sure it is the file that is one.
  if (code !== 'ELOOP' && code !== 'EMLINK') return null;
  try {
    return lstatSync(path).isSymbolicLink() ? linkError(path, folder) : null;
  } catch {
    return null;
  }
}

/** Why an opened file is not one of ours, or null when it is: a regular file of this user. */
function fileProblem(st: Stats, path: string, folder: PrivateFolder): UnsafeDataDirError | null {
  if (!st.isFile()) {
    return new UnsafeDataDirError(
      folder.dir,
      path,
      `${path} is not a regular file, where Crashbell keeps one of its own: remove it (rm ${path}), then start again`,
    );
  }
  const uid = currentUid();
  if (POSIX && uid !== null && st.uid !== uid) {
    return new UnsafeDataDirError(
      folder.dir,
      path,
      `${path} belongs to another user (uid ${st.uid}; Crashbell runs as uid ${uid}): move it away or give it to this user (chown ${uid} ${path}), then start again`,
    );
  }
  return null;
}

function tightenWarning(path: string, error: unknown): string {
  return `${path} is readable by other users and could not be made private (${errorText(error)}): chmod 600 ${path}`;
}

/** Windows has no O_NOFOLLOW: the link is looked for just before the open. */
function refuseLinkWithoutNoFollow(path: string, folder: PrivateFolder): void {
  if (O_NOFOLLOW !== 0) return;
  let isLink = false;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    return;
  }
  if (isLink) throw linkError(path, folder);
}

/**
 * Opens a file of a private folder (`flags` from {@link OPEN}) without following a link: a link, a non-regular file
 * or another user's file throws {@link UnsafeDataDirError}. A file others can read is made 0600 through the
 * descriptor. Returns the descriptor.
 */
export function openPrivateFile(path: string, flags: number, folder: PrivateFolder): number {
  refuseLinkWithoutNoFollow(path, folder);
  let fd: number;
  try {
    fd = openSync(path, flags | O_NOFOLLOW | O_NONBLOCK, PRIVATE_FILE_MODE);
  } catch (error) {
    throw linkRefusal(error, path, folder) ?? error;
  }
  try {
    const st = fstatSync(fd);
    const problem = fileProblem(st, path, folder);
    if (problem !== null) throw problem;
    if (POSIX && (st.mode & 0o077) !== 0) {
      try {
        fchmodSync(fd, PRIVATE_FILE_MODE);
      } catch (error) {
        folder.onWarning?.(tightenWarning(path, error));
      }
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** {@link openPrivateFile} as a `FileHandle`. */
export async function openPrivateHandle(path: string, flags: number, folder: PrivateFolder): Promise<FileHandle> {
  refuseLinkWithoutNoFollow(path, folder);
  let handle: FileHandle;
  try {
    handle = await open(path, flags | O_NOFOLLOW | O_NONBLOCK, PRIVATE_FILE_MODE);
  } catch (error) {
    throw linkRefusal(error, path, folder) ?? error;
  }
  try {
    const st = await handle.stat();
    const problem = fileProblem(st, path, folder);
    if (problem !== null) throw problem;
    if (POSIX && (st.mode & 0o077) !== 0) {
      await handle.chmod(PRIVATE_FILE_MODE).catch((error: unknown) => folder.onWarning?.(tightenWarning(path, error)));
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  return handle;
}

/**
 * Checks a file of a private folder that another library opens by path (electron-store's settings.json): when it
 * exists it must not be a link, and must be a regular file of this user, made 0600 through a descriptor. Throws
 * {@link UnsafeDataDirError} otherwise; a missing file is fine.
 */
export function checkPrivateFile(path: string, folder: PrivateFolder): void {
  let fd: number;
  try {
    fd = openPrivateFile(path, OPEN.read, folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  closeSync(fd);
}

/**
 * The permission bits of `path` when group or others can read it (e.g. `0644`), else null. Always null on
 * Windows, and for a file that cannot be looked at.
 */
export function readableByOthers(path: string): string | null {
  if (!POSIX) return null;
  try {
    const mode = statSync(path).mode & 0o777;
    return (mode & 0o044) === 0 ? null : mode.toString(8).padStart(4, '0');
  } catch {
    return null;
  }
}
