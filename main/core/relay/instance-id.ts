/**
 * This Crashbell's relay id: made once and kept in the data folder as `relay-id`, it marks this instance's own
 * events and marks on the stream. Read and written like every file of the data folder (private-files.ts): never
 * through a link, and a new id goes into a file created exclusively, so a link planted in its place is refused
 * rather than written through.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, OPEN, openPrivateFile, type PrivateFolder } from '../private-files';

/** The file, inside the data folder. */
export const INSTANCE_ID_FILE = 'relay-id';

const VALID_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** More than any valid id and its newline: a bigger file is not one, and is not read whole. */
const MAX_READ = 128;

/** The id in the file, or null when there is no file or it holds no valid id. */
function readId(path: string, folder: PrivateFolder): string | null {
  let fd: number;
  try {
    fd = openPrivateFile(path, OPEN.read, folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const buf = Buffer.alloc(MAX_READ);
    const n = readSync(fd, buf, 0, MAX_READ, 0);
    const id = buf.toString('utf8', 0, n).trim();
    return VALID_ID.test(id) ? id : null;
  } finally {
    closeSync(fd);
  }
}

/** This Crashbell's relay id, kept in the data folder: it marks its own events and marks on the stream. */
export function instanceId(dataDir: string): string {
  const folder: PrivateFolder = { dir: dataDir };
  ensurePrivateDir(folder);
  const path = join(dataDir, INSTANCE_ID_FILE);
  const kept = readId(path, folder);
  if (kept !== null) return kept;
  const id = randomBytes(12).toString('base64url');
  // A file holding no valid id is replaced: removed (a name, never what a link points to), then created anew.
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const fd = openPrivateFile(path, OPEN.createNew, folder);
  try {
    writeSync(fd, `${id}\n`, 0, 'utf8');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return id;
}
