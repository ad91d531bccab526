/**
 * Reading the history log back at open (the format is store-format.ts's): every good record goes to the visitor
 * in order; a record whose checksum or index is wrong is skipped and reported; a torn last line (a crash
 * mid-write) is reported, and the caller cuts the file back to the last good record before appending; a line
 * longer than any record Crashbell writes is damage, read past in bounded memory.
 */
import { readSync } from 'node:fs';
import { CRC_PREFIX, checksumOf, type LoadVisitor, NL, type RawRef, SPACE, TAB } from './store-format';

const READ_CHUNK = 4 * 1024 * 1024;

/**
 * The longest line load reads as a record: far above any record Crashbell writes (a hook's body is at most 1 MiB,
 * and a retention record naming a million groups about 40 MB). A longer line is damage; reading it whole cost twice
 * its size in memory (a 304 MiB line took 624 MiB), so it is skipped in bounded memory instead.
 */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** How a load reads and reports. */
export interface LoadOptions {
  /** A line longer than this (bytes, newline included) is skipped; default {@link MAX_RECORD_BYTES}. */
  maxRecordBytes?: number;
  onWarning?: (message: string) => void;
}

/** What a load found. */
export interface LoadResult {
  /** The byte offset just past the last good record: everything after it is to be cut. */
  goodEnd: number;
  /** Records skipped (torn, corrupt, over-long, or refused by the visitor). */
  skipped: number;
  /** The largest read buffer used, in bytes: bounded by the longest record whatever the file holds. */
  bufferBytes: number;
}

/**
 * Reads the log open as `fd` from its start, in chunks, feeding every good record to `visit`. Everything after the
 * last good record (a torn line, corrupt records) is for the caller to cut, so appends start on a clean line; a bad
 * record between good ones stays where it is and is skipped at every load.
 */
export function loadLog(fd: number, visit: LoadVisitor, options: LoadOptions = {}): LoadResult {
  return new LogReader(fd, visit, options).read();
}

/** One pass over a log: a buffer that holds at least one whole record, and where it stands in the file. */
class LogReader {
  private readonly maxRecord: number;
  private buf: Buffer;
  /** Bytes of `buf` holding file data. */
  private filled = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private eof = false;
  private goodEnd = 0;
  private lineNo = 0;
  /** File offset where the over-long line being read past began, or -1. */
  private skipFrom = -1;
  private skipped = 0;
  private bufferBytes: number;

  constructor(
    private readonly fd: number,
    private readonly visit: LoadVisitor,
    private readonly options: LoadOptions,
  ) {
    this.maxRecord = Math.max(CRC_PREFIX + 1, options.maxRecordBytes ?? MAX_RECORD_BYTES);
    this.buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, this.maxRecord));
    this.bufferBytes = this.buf.length;
  }

  read(): LoadResult {
    while (!this.eof) {
      if (this.filled === this.buf.length) this.makeRoom();
      const n = readSync(this.fd, this.buf, this.filled, this.buf.length - this.filled, this.base + this.filled);
      if (n === 0) this.eof = true;
      this.filled += n;
      const pos = this.skipFrom === -1 ? 0 : this.endSkip();
      if (pos === -1) continue;
      this.keepFrom(this.readLines(pos));
    }
    this.reportTorn();
    return { goodEnd: this.goodEnd, skipped: this.skipped, bufferBytes: this.bufferBytes };
  }

  /** The buffer is full without a newline: one record longer than it (grow), or damage (read past it). */
  private makeRoom(): void {
    if (this.buf.length < this.maxRecord) {
      // Grown only up to the longest a record may be: that, not the file, bounds the memory a load takes.
      const bigger = Buffer.allocUnsafe(Math.min(this.buf.length * 2, this.maxRecord));
      this.buf.copy(bigger, 0, 0, this.filled);
      this.buf = bigger;
      this.bufferBytes = Math.max(this.bufferBytes, this.buf.length);
      return;
    }
    // No newline within the longest record: damage. Read past it, keeping none of it.
    this.skipFrom = this.base;
    this.base += this.filled;
    this.filled = 0;
  }

  /** Reading past an over-long line: where the next line starts in the buffer, or -1 when its end is not here yet. */
  private endSkip(): number {
    const nl = this.buf.indexOf(NL);
    if (nl === -1 || nl >= this.filled) {
      this.base += this.filled;
      this.filled = 0;
      return -1;
    }
    this.lineNo++;
    this.skipOverLong(this.skipFrom, this.base + nl + 1 - this.skipFrom);
    this.skipFrom = -1;
    return nl + 1;
  }

  /** Reads the whole lines in the buffer from `from`; returns where the unfinished line (if any) begins. */
  private readLines(from: number): number {
    let pos = from;
    for (;;) {
      const nl = this.buf.indexOf(NL, pos);
      if (nl === -1 || nl >= this.filled) return pos;
      this.lineNo++;
      const lineBytes = nl - pos + 1;
      if (lineBytes > this.maxRecord) this.skipOverLong(this.base + pos, lineBytes);
      else this.readRecord(pos, nl, lineBytes);
      pos = nl + 1;
    }
  }

  /** One line, buf[pos, nl]: to the visitor when its checksum and index hold, else skipped and reported. */
  private readRecord(pos: number, nl: number, lineBytes: number): void {
    const body = pos + CRC_PREFIX;
    const tab = this.buf.indexOf(TAB, body);
    const index = this.indexOf(pos, nl, tab);
    if (index === undefined) {
      this.skipped++;
      this.options.onWarning?.(`History: skipped corrupt record ${this.lineNo} at byte ${this.base + pos}`);
      return;
    }
    try {
      this.visit(index, this.partsOf(tab, nl), lineBytes);
      this.goodEnd = this.base + nl + 1;
    } catch (e) {
      this.skipped++;
      this.options.onWarning?.(`History: skipped record ${this.lineNo} (${(e as Error).message})`);
    }
  }

  /** The line's index when its checksum matches and it parses as a record's index (an object with a kind `k`). */
  private indexOf(pos: number, nl: number, tab: number): object | undefined {
    const buf = this.buf;
    const body = pos + CRC_PREFIX;
    if (body > nl || buf[body - 1] !== SPACE || checksumOf(buf, body, nl) !== buf.toString('latin1', pos, body - 1)) return undefined;
    let index: unknown;
    try {
      index = JSON.parse(buf.toString('utf8', body, tab !== -1 && tab < nl ? tab : nl));
    } catch {
      return undefined;
    }
    return index !== null && typeof index === 'object' && typeof (index as { k?: unknown }).k === 'string' ? index : undefined;
  }

  /** Where each part after the index is in the file: read later by offset, never parsed at load. */
  private partsOf(firstTab: number, nl: number): RawRef[] {
    const parts: RawRef[] = [];
    let tab = firstTab;
    while (tab !== -1 && tab < nl) {
      const nextTab = this.buf.indexOf(TAB, tab + 1);
      const end = nextTab !== -1 && nextTab < nl ? nextTab : nl;
      parts.push({ off: this.base + tab + 1, len: end - tab - 1, text: null });
      tab = end === nl ? -1 : end;
    }
    return parts;
  }

  /** Keeps the unfinished line: moves it to the front, for the next read to complete. */
  private keepFrom(pos: number): void {
    if (pos === 0) return;
    this.buf.copy(this.buf, 0, pos, this.filled);
    this.base += pos;
    this.filled -= pos;
  }

  private skipOverLong(start: number, bytes: number): void {
    this.skipped++;
    this.options.onWarning?.(
      `History: skipped record ${this.lineNo} at byte ${start}: ${bytes} bytes, longer than any record Crashbell writes (${this.maxRecord}), so it is damaged`,
    );
  }

  /** What is left at the end of the file is a line no newline ended: torn, probably by a crash mid-write. */
  private reportTorn(): void {
    if (this.skipFrom === -1 && this.filled === 0) return;
    const tornFrom = this.skipFrom !== -1 ? this.skipFrom : this.base;
    this.skipped++;
    this.options.onWarning?.(
      `History: the last record (${this.base + this.filled - tornFrom} bytes at byte ${tornFrom}) was torn, probably by a crash while writing; it was skipped`,
    );
  }
}
