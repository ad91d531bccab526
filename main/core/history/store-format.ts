/**
 * The history log's line format, shared by the writer (store.ts), the reader (store-load.ts) and compaction
 * (store-compaction.ts), so the three cannot drift apart.
 *
 * Line format (UTF-8): `<crc32, 8 hex digits> <index JSON>`, then zero or more `\t<part JSON>`, then `\n`.
 * The CRC covers everything after the space, so a torn or damaged record is recognised as such even when
 * it happens to be valid JSON. JSON.stringify never emits a raw tab or newline, so the separators are
 * unambiguous. Only the small index is parsed at load; the other parts (a group's full summary, its raw
 * body) stay on disk and are read by offset when asked for, which keeps start-up fast and memory small
 * whatever the history holds.
 */
import { crc32 } from 'node:zlib';

/** Where one part of a record is: on disk (offset and length) or, until its write lands, in memory. */
export interface RawRef {
  /** Byte offset of the part in the log; -1 while pending. */
  off: number;
  /** Byte length of the part. */
  len: number;
  /** The part while its write is pending (as text, or as the bytes it was given in). */
  text: string | Buffer | null;
}

/** One record to keep through a compaction: its index and its parts. */
export interface LiveRecord {
  index: string;
  parts: RawRef[];
}

/** A parsed index and where the record's parts are, as load hands them to the visitor. */
export type LoadVisitor = (index: unknown, parts: RawRef[], lineBytes: number) => void;

/** The bytes that end a line. */
export const NL = 0x0a;
/** The bytes between an index and its parts, and between parts. */
export const TAB = 0x09;
/** The byte between the checksum and the index. */
export const SPACE = 0x20;
/** Every line starts with the CRC-32 of the rest of the line (8 hex digits) and a space. */
export const CRC_PREFIX = 9;
/** What a part that can no longer be read is written as (JSON null). */
export const NULL_PART = Buffer.from('null');

const NL_BUF = Buffer.from('\n');
const TAB_BUF = Buffer.from('\t');
const EMPTY = Buffer.alloc(0);

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** The CRC-32 of buf[start, end), as the 8 hex digits a line starts with. */
export function checksumOf(buf: Buffer, start: number, end: number): string {
  return hex8(crc32(buf.subarray(start, end)));
}

/** One record as the pieces of its line, ready for writev. */
export interface EncodedLine {
  /** The line's bytes, in pieces (never copied together: the parts are the caller's own buffers). */
  pieces: Buffer[];
  /** The whole line's length, newline included. */
  size: number;
  /** Byte offset of each part inside the line. */
  starts: number[];
}

/**
 * Encodes a record as one line. Each piece is encoded once and checksummed as it is: the offsets come from the
 * buffers' own lengths, and a part given as bytes (a hook's body as it arrived, a part a compaction copies) is
 * written as it is, never decoded and encoded again.
 */
export function encodeLine(index: string, parts: readonly Buffer[]): EncodedLine {
  const head = Buffer.from(index, 'utf8');
  // The checksum goes first but covers what follows: its slot is filled once the parts are summed.
  const pieces: Buffer[] = [EMPTY, head];
  const starts: number[] = [];
  let crc = crc32(head);
  let at = CRC_PREFIX + head.length;
  for (const part of parts) {
    crc = crc32(part, crc32(TAB_BUF, crc));
    pieces.push(TAB_BUF, part);
    starts.push(at + 1);
    at += 1 + part.length;
  }
  pieces[0] = Buffer.from(`${hex8(crc)} `, 'latin1');
  pieces.push(NL_BUF);
  return { pieces, size: at + 1, starts };
}
