/**
 * Files only their user can read: the history holds raw hook bodies and, without a keyring, the settings hold
 * secrets. Data folders are made 0700 and the files in them 0600 (on POSIX systems; Windows keeps a user's
 * profile folders private by its own ACLs, and mode bits mean nothing there).
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';

/** Mode for private files (the log, settings.json, the lock file). */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode for private folders (data folders). */
export const PRIVATE_DIR_MODE = 0o700;

const POSIX = process.platform !== 'win32';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates `dir` (and its parents) when missing and makes it 0700 when group or others can reach it. A folder this
 * user may not change (someone else's) is left as it is, with a warning.
 */
export function ensurePrivateDir(dir: string, onWarning?: (message: string) => void): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (POSIX) tighten(dir, PRIVATE_DIR_MODE, onWarning);
}

/** Makes an existing file 0600 when group or others can read it (a file written by an older version). */
export function ensurePrivateFile(path: string, onWarning?: (message: string) => void): void {
  if (POSIX) tighten(path, PRIVATE_FILE_MODE, onWarning);
}

function tighten(path: string, mode: number, onWarning?: (message: string) => void): void {
  try {
    if ((statSync(path).mode & 0o077) === 0) return;
    chmodSync(path, mode);
  } catch (error) {
    onWarning?.(`${path} is readable by other users and could not be made private (${describe(error)}): chmod ${mode.toString(8)} it`);
  }
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
