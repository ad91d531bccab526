/**
 * The steps of a history log compaction that touch files (the store sequences them and holds the writer while
 * the files switch, store.ts): the live records written to a new file, the tail appended meanwhile copied after
 * them, the folder synced after the rename, and each kept part's new place worked out, to be applied in one step.
 */
import { closeSync, fsyncSync, openSync, unlinkSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { encodeLine, type LiveRecord, NULL_PART, type RawRef } from './store-format';

/** A kept part's place in the new file: the ref, its offset there and its length (the bytes actually written). */
export type PartMove = [ref: RawRef, off: number, len: number];

/** What writing the live records needs from the store they come from. */
export interface SnapshotSource {
  /** A part's bytes as the log holds them (or pending); null when it can no longer be read. */
  readPartBytes(ref: RawRef): Buffer | null;
  /** True once the store is closing: the compaction stops at its next record. */
  closing(): boolean;
}

/** What the live records took in the new file. */
export interface WrittenSnapshot {
  /** Bytes written: where the tail goes. */
  bytes: number;
  moves: PartMove[];
}

/** Chunks of the new file are written once they reach this size. */
const FLUSH_BYTES = 1024 * 1024;

/** Removes the name (a link itself, never what it points to); nothing there is fine. */
export function removeEntry(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Makes a rename or a new file in the folder durable. */
export function fsyncDir(dir: string): void {
  // Windows cannot open a folder for fsync; rename is already durable enough there.
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Writes all of `data` at the file's current position, however short each write comes back. */
async function writeAll(out: FileHandle, data: Buffer, length = data.length): Promise<void> {
  let written = 0;
  while (written < length) {
    const { bytesWritten } = await out.write(data, written, length - written, null);
    written += bytesWritten;
  }
}

/**
 * Writes the live records to `out` as lines, copying their parts as bytes: a compaction never decodes and
 * encodes the bodies it carries over. A part that can no longer be read is written as JSON null.
 */
export async function writeLiveRecords(out: FileHandle, records: readonly LiveRecord[], source: SnapshotSource): Promise<WrittenSnapshot> {
  const moves: PartMove[] = [];
  let pos = 0;
  let chunks: Buffer[] = [];
  let chunkBytes = 0;
  const flush = async (): Promise<void> => {
    if (chunkBytes === 0) return;
    const data = Buffer.concat(chunks, chunkBytes);
    chunks = [];
    chunkBytes = 0;
    await writeAll(out, data);
  };
  for (const rec of records) {
    if (source.closing()) throw new Error('the store is closing');
    const parts = rec.parts.map((ref) => source.readPartBytes(ref) ?? NULL_PART);
    const line = encodeLine(rec.index, parts);
    for (let i = 0; i < rec.parts.length; i++) moves.push([rec.parts[i]!, pos + line.starts[i]!, parts[i]!.length]);
    for (const b of line.pieces) chunks.push(b);
    chunkBytes += line.size;
    pos += line.size;
    // Writing a chunk yields to the event loop, so requests keep flowing during a big compaction.
    if (chunkBytes >= FLUSH_BYTES) await flush();
  }
  await flush();
  return { bytes: pos, moves };
}

/** Copies the old log's bytes [from, to) (the records appended since the snapshot) to the end of `out`. */
export async function copyTail(old: FileHandle, out: FileHandle, from: number, to: number): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(4 * 1024 * 1024, Math.max(1, to - from)));
  for (let at = from; at < to; ) {
    const { bytesRead } = await old.read(buf, 0, Math.min(buf.length, to - at), at);
    if (bytesRead === 0) throw new Error('the log ended early while copying its tail');
    await writeAll(out, buf, bytesRead);
    at += bytesRead;
  }
}

/**
 * Points every kept part at its place in the new file, synchronously (reads switch with the file in one step).
 * Tail refs (written after the snapshot, now `shift` bytes further on) win over snapshot moves: a ref that is
 * both holds the same bytes in both places, and its tail offset is taken before any move is applied.
 */
export function moveParts(moves: readonly PartMove[], tail: readonly RawRef[], shift: number): void {
  const tailOffsets = tail.map((ref) => ref.off + shift);
  for (const [ref, off, len] of moves) {
    ref.off = off;
    // Equal unless the part could not be read and was written as "null".
    ref.len = len;
  }
  tail.forEach((ref, i) => {
    ref.off = tailOffsets[i]!;
  });
}
