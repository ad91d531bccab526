/**
 * The inbox's durable history: one append-only log file of JSON records, one per line (the line format is
 * store-format.ts's). This file is the writer: appends, the group commit, and when a compaction may run and
 * switch files; reading the log back is store-load.ts's, the file steps of a compaction store-compaction.ts's.
 *
 * Durability: appends are batched (group commit: everything queued while the previous batch is being
 * written goes out as one writev + fdatasync, with up to two syncs overlapping; the writev to the page cache
 * is synchronous, the fdatasync runs on the thread pool), and each append's promise
 * resolves only once its bytes are synced. At load, a torn or corrupt last record (a crash mid-write) is
 * reported and the file is cut back to the last good record before anything is appended. Compaction runs
 * in the background: it writes the live records to a new file, carries over what was appended meanwhile,
 * syncs it, renames it over the log and syncs the folder, so a crash leaves either the old or the new log.
 * Plain node:fs only: no native module, so it runs unchanged under Electron.
 */
import { lstatSync, readSync, writevSync } from 'node:fs';
import { rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, OPEN, openPrivateHandle, type PrivateFolder } from '../private-files';
import { copyTail, fsyncDir, moveParts, removeEntry, writeLiveRecords } from './store-compaction';
import { encodeLine, type LiveRecord, type LoadVisitor, type RawRef } from './store-format';
import { loadLog } from './store-load';

export type { LiveRecord, LoadVisitor, RawRef } from './store-format';
export { MAX_RECORD_BYTES } from './store-load';

/** Counters, for tests and the bench. */
export interface StoreStats {
  /** Records appended since open. */
  appends: number;
  /** Write calls (one per batch). */
  writes: number;
  /** fdatasync/fsync calls on the log. */
  syncs: number;
  /** Time spent writing and syncing batches, in ms (wall, off the main thread). */
  syncMs: number;
  /** Records written by those batches (for the average batch size). */
  batched: number;
  compactions: number;
  /** Bytes appended while compactions ran, carried over when the files switched. */
  tailBytes: number;
  /** Current size of the log file in bytes. */
  bytes: number;
  /** Records skipped at load (torn or corrupt). */
  skipped: number;
  /** The largest read buffer the load used, in bytes: bounded by `maxRecordBytes` whatever the file holds. */
  loadBufferBytes: number;
}

/** Where the log lives and what it asks of its owner. */
export interface LogStoreOptions {
  dataDir: string;
  /** File name inside the data dir. */
  fileName?: string;
  onWarning?: (message: string) => void;
  /** Decides, whenever the writer is idle, whether the log has grown enough to compact. */
  shouldCompact?: (fileBytes: number) => boolean;
  /** The live records, in the order load should see them, for a compaction. */
  snapshot?: () => LiveRecord[];
  /**
   * A line longer than this (bytes, newline included) is damage, not a record: load skips it by reading past it,
   * never holding more than this much of it. Default {@link MAX_RECORD_BYTES}; tests lower it.
   */
  maxRecordBytes?: number;
}

interface Pending {
  /** The record's bytes, in pieces (written with one writev per batch, never copied together). */
  bufs: Buffer[];
  size: number;
  /** Byte offsets of the parts inside the record. */
  starts: number[];
  refs: RawRef[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A written batch whose sync is under way; `synced` settles with null or the error. */
interface InFlight {
  batch: Pending[];
  start: number;
  total: number;
  t0: number;
  synced: Promise<unknown>;
}

/** Buffers per writev call, under IOV_MAX (1024 on Linux). */
const WRITEV_MAX = 1000;
/** Batches whose fdatasync may run at once. */
const MAX_INFLIGHT = 2;

/** Whether anything (a file, a link, even a dangling one) has this name. */
function entryExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The append-only log. */
export class LogStore {
  readonly path: string;
  private readonly dir: string;
  private readonly opts: LogStoreOptions;
  private handle: FileHandle | null = null;
  private size = 0;
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;
  /** Wakes the writer when an append arrives while it waits for a sync. */
  private wake: (() => void) | null = null;
  /** A compaction holding the writer: granted once nothing is in flight, released by `resumed`. */
  private pause: { grant: () => void; resumed: Promise<void> } | null = null;
  /** The running background compaction, if any. */
  private compaction: Promise<void> | null = null;
  /** A compaction is wanted at the next idle point, whatever the log's size (the history was cleared). */
  private compactRequested = false;
  /** While a compaction runs: refs written after its snapshot, to move with the tail. */
  private compacting: { tail: RawRef[] } | null = null;
  private closed = false;
  private readonly counters: StoreStats = {
    appends: 0,
    writes: 0,
    syncs: 0,
    syncMs: 0,
    batched: 0,
    compactions: 0,
    tailBytes: 0,
    bytes: 0,
    skipped: 0,
    loadBufferBytes: 0,
  };

  private constructor(opts: LogStoreOptions) {
    this.opts = opts;
    this.dir = opts.dataDir;
    this.path = join(opts.dataDir, opts.fileName ?? 'inbox.log');
  }

  /**
   * Opens (creating if missing) the log, feeding every good record to `visit` in order. A torn or
   * corrupt tail is reported through `onWarning` and cut off; corrupt records in the middle are skipped
   * and reported.
   */
  static async open(opts: LogStoreOptions, visit: LoadVisitor): Promise<LogStore> {
    const store = new LogStore(opts);
    // Raw hook bodies live here: the folder and the log are this user's only (0700, 0600), and no link in it is
    // followed (private-files.ts says why).
    ensurePrivateDir(store.folder);
    // A compaction that died before its rename: the old log is intact, the partial copy is garbage (a link by that
    // name is removed, never followed).
    removeEntry(store.tempPath);
    const existed = entryExists(store.path);
    const handle = await openPrivateHandle(store.path, OPEN.append, store.folder);
    let goodEnd = 0;
    try {
      if (existed) {
        const loaded = loadLog(handle.fd, visit, { maxRecordBytes: opts.maxRecordBytes, onWarning: opts.onWarning });
        goodEnd = loaded.goodEnd;
        store.counters.skipped += loaded.skipped;
        store.counters.loadBufferBytes = loaded.bufferBytes;
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    store.handle = handle;
    if (!existed) fsyncDir(store.dir);
    const { size } = await store.handle.stat();
    // Everything after the last good record (a torn line, corrupt records) is cut, so appends start on a clean line.
    if (size > goodEnd) {
      await store.handle.truncate(goodEnd);
      await store.handle.sync();
      store.counters.syncs++;
    }
    store.size = goodEnd;
    store.counters.bytes = goodEnd;
    return store;
  }

  /** The folder the log lives in, as the private-file checks name it. */
  private get folder(): PrivateFolder {
    return { dir: this.dir, onWarning: this.opts.onWarning };
  }

  /** Where a compaction writes the new log before renaming it over the old one. */
  private get tempPath(): string {
    return `${this.path}.compact`;
  }

  /** Counters since open. */
  stats(): StoreStats {
    return { ...this.counters, bytes: this.size };
  }

  /**
   * Appends one record: its index and its parts. The returned refs track where each part lives (in
   * memory until written, then on disk); `done` resolves once the record is synced to disk.
   */
  append(index: string, parts: readonly (string | Buffer)[] = []): { refs: RawRef[]; done: Promise<void> } {
    if (this.closed) return { refs: [], done: Promise.reject(new Error('The history store is closed')) };
    // A part given as bytes (a hook's body as it arrived) is written as it is, never decoded and encoded again.
    const bufs = parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part));
    const line = encodeLine(index, bufs);
    const refs = parts.map((part, i): RawRef => ({ off: -1, len: bufs[i]!.length, text: part }));
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.queue.push({ bufs: line.pieces, size: line.size, starts: line.starts, refs, resolve, reject });
    this.counters.appends++;
    this.kick();
    this.wake?.();
    return { refs, done };
  }

  /** Resolves once everything appended so far is on disk. */
  async barrier(): Promise<void> {
    if (this.queue.length === 0 && this.flushing === null) return;
    const { done } = this.appendMarker();
    await done;
  }

  private appendMarker(): { done: Promise<void> } {
    // An empty wait on the queue: piggybacks on the next batch without writing anything.
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.queue.push({ bufs: [], size: 0, starts: [], refs: [], resolve, reject });
    this.kick();
    this.wake?.();
    return { done };
  }

  private kick(): void {
    if (this.scheduled || this.flushing !== null) return;
    this.scheduled = true;
    // setImmediate: every request handled in this turn of the event loop joins the same batch.
    setImmediate(() => {
      this.scheduled = false;
      if (this.flushing !== null) return;
      this.flushing = this.flushLoop().finally(() => {
        this.flushing = null;
        // A compaction asking to hold the writer just as the loop ended: nothing is in flight, so it may go.
        this.pause?.grant();
        // Appends that arrived between the loop's last check and here still need a batch.
        if (this.queue.length > 0) this.kick();
      });
    });
  }

  /**
   * The writer. It takes everything queued as one batch, writes it with one writev and starts its
   * fdatasync; while that sync runs, the next batch may be written and its sync started too (at most two in
   * flight: the disk overlaps them). Batches are acknowledged in log order, each once its own sync is done.
   */
  private async flushLoop(): Promise<void> {
    const inflight: InFlight[] = [];
    while (this.queue.length > 0 || inflight.length > 0) {
      if (this.pause !== null && inflight.length === 0) {
        // A compaction is switching files: hold the queue until it is done.
        const pause = this.pause;
        pause.grant();
        await pause.resumed;
        continue;
      }
      if (this.queue.length > 0 && inflight.length < MAX_INFLIGHT && this.pause === null) {
        const batch = this.queue;
        this.queue = [];
        const f = await this.writeBatch(batch);
        if (f !== null) inflight.push(f);
        continue;
      }
      const oldest = inflight[0] as InFlight;
      if (inflight.length < MAX_INFLIGHT && this.pause === null) {
        // Room for another batch: wake for new appends as well as for the sync.
        const appended = new Promise<'append'>((resolve) => (this.wake = () => resolve('append')));
        const first = await Promise.race([oldest.synced.then(() => 'synced' as const), appended]);
        this.wake = null;
        if (first === 'append') {
          // Let the rest of this turn's requests join the batch.
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
      }
      const error = await oldest.synced;
      inflight.shift();
      if (error !== null) {
        await this.fail(oldest, inflight.splice(0), error);
        continue;
      }
      this.acknowledge(oldest);
      // Everything written so far is acknowledged: a consistent point to start a compaction from.
      if (inflight.length === 0) this.maybeCompact();
    }
  }

  /** Starts a background compaction when the log has grown enough (or one was asked for) and none is running. */
  private maybeCompact(): void {
    if (this.compaction !== null || this.closed || !this.opts.snapshot) return;
    if (!this.compactRequested && !this.opts.shouldCompact?.(this.size)) return;
    // Only with nothing queued: the snapshot is taken now, and a queued record in it could still fail to
    // sync and be cut from the log, leaving the new file a group that was never stored.
    if (this.queue.length > 0) return;
    this.compactRequested = false;
    this.compaction = this.compact()
      .catch((e: unknown) => {
        // Stopped by close: the old log is whole and the next start compacts it; nothing to warn about.
        if (this.closed) return;
        this.opts.onWarning?.(`History: compaction failed, the log keeps growing for now (${(e as Error).message})`);
      })
      .finally(() => {
        this.compaction = null;
        this.compacting = null;
      });
  }

  /** Holds the writer between batches (granted once nothing is in flight); returns the resume function. */
  private async pauseWriter(): Promise<() => void> {
    let grant!: () => void;
    let resume!: () => void;
    const granted = new Promise<void>((r) => (grant = r));
    const resumed = new Promise<void>((r) => (resume = r));
    this.pause = { grant, resumed };
    if (this.flushing === null) grant();
    await granted;
    return () => {
      this.pause = null;
      resume();
      if (this.queue.length > 0) this.kick();
    };
  }

  /** Writes a batch at the end of the log and starts its sync; null when the write failed (batch rejected). */
  private async writeBatch(batch: Pending[]): Promise<InFlight | null> {
    const handle = this.handle;
    if (handle === null) {
      for (const p of batch) p.reject(new Error('The history store is not open'));
      return null;
    }
    const start = this.size;
    const pieces: Buffer[] = [];
    let total = 0;
    for (const p of batch) {
      for (const b of p.bufs) pieces.push(b);
      total += p.size;
    }
    if (total === 0) return { batch, start, total, t0: 0, synced: Promise.resolve(null) };
    const t0 = performance.now();
    try {
      // At most IOV_MAX (1024 on Linux) buffers per writev; a short write finishes from one buffer.
      for (let i = 0; i < pieces.length; i += WRITEV_MAX) {
        const chunk = pieces.slice(i, i + WRITEV_MAX);
        const want = chunk.reduce((n, b) => n + b.length, 0);
        const bytesWritten = this.writeOut(handle.fd, chunk);
        if (bytesWritten < want) {
          const rest = Buffer.concat(chunk, want).subarray(bytesWritten);
          let written = 0;
          while (written < rest.length) written += this.writeOut(handle.fd, [rest.subarray(written)]);
        }
      }
    } catch (e) {
      // Cut the partial write so later records do not run into a torn line.
      await handle.truncate(start).catch(() => undefined);
      for (const p of batch) p.reject(e);
      return null;
    }
    this.counters.writes++;
    // The bytes are in the file now (readable, not yet durable): parts are read from there from now on.
    let off = start;
    for (const p of batch) {
      for (let i = 0; i < p.refs.length; i++) {
        const ref = p.refs[i] as RawRef;
        ref.off = off + (p.starts[i] ?? 0);
        ref.text = null;
        // Written after a compaction's snapshot: it moves with the tail when the files switch.
        this.compacting?.tail.push(ref);
      }
      off += p.size;
    }
    this.size += total;
    const synced = handle.datasync().then(
      () => null,
      (e: unknown) => e ?? new Error('fdatasync failed'),
    );
    return { batch, start, total, t0, synced };
  }

  /**
   * Appends buffers to the log: the one place a batch is written (tests make it fail like a full disk).
   * Synchronous on purpose: the bytes only go to the page cache here (the fdatasync that makes them durable
   * stays on the thread pool), and handing the write to the thread pool cost the main thread more than the
   * copy itself (measured on a 2-core VM: about 40 us per batch to dispatch it, against ~10 us to write).
   */
  private writeOut(fd: number, buffers: Buffer[]): number {
    return writevSync(fd, buffers);
  }

  private acknowledge(f: InFlight): void {
    if (f.total > 0) {
      this.counters.syncs++;
      this.counters.syncMs += performance.now() - f.t0;
      this.counters.batched += f.batch.length;
    }
    for (const p of f.batch) p.resolve();
  }

  /**
   * A sync failed: what it covered may not be on disk. Reject that batch and those written after it, and
   * cut the log back to where the failed batch began, so nothing unacknowledged lingers in it.
   */
  private async fail(failed: InFlight, after: InFlight[], error: unknown): Promise<void> {
    for (const f of after) await f.synced;
    for (const f of [failed, ...after]) for (const p of f.batch) p.reject(error);
    const handle = this.handle;
    if (handle !== null) {
      await handle.truncate(failed.start).catch(() => undefined);
      this.size = failed.start;
    }
  }

  /** Reads a part (JSON text) from where it lives; null when it cannot be read. */
  readPart(ref: RawRef | null | undefined): string | null {
    if (ref === null || ref === undefined) return null;
    if (ref.text !== null) return typeof ref.text === 'string' ? ref.text : ref.text.toString('utf8');
    return this.readPartBytes(ref)?.toString('utf8') ?? null;
  }

  /** A part's bytes as they are in the log (or pending), for copying it elsewhere without decoding it. */
  private readPartBytes(ref: RawRef): Buffer | null {
    if (ref.text !== null) return typeof ref.text === 'string' ? Buffer.from(ref.text, 'utf8') : ref.text;
    if (this.handle === null || ref.off < 0) return null;
    const buf = Buffer.allocUnsafe(ref.len);
    let got = 0;
    while (got < ref.len) {
      const n = readSync(this.handle.fd, buf, got, ref.len - got, ref.off + got);
      if (n === 0) return null;
      got += n;
    }
    return buf;
  }

  /**
   * Rewrites the log as its live records only, in the background: the snapshot is written to a new file
   * while appends go on to the old one; then, with the writer held briefly, the records appended meanwhile
   * (the tail) are copied over, the new file is synced and renamed over the log, and the folder synced.
   * A crash at any point leaves either the old log or the new one, never a mix.
   */
  private async compact(): Promise<void> {
    const snapshot = this.opts.snapshot;
    if (!snapshot || this.handle === null) return;
    const snapStart = this.size;
    this.compacting = { tail: [] };
    const records = snapshot();
    const tmp = this.tempPath;
    // Created exclusively: whatever has the name (a leftover, a link) is removed first, never written through.
    removeEntry(tmp);
    const out = await openPrivateHandle(tmp, OPEN.createNew, this.folder);
    let resume: (() => void) | null = null;
    let renamed = false;
    try {
      const written = await writeLiveRecords(out, records, {
        readPartBytes: (ref) => this.readPartBytes(ref),
        closing: () => this.closed,
      });
      // The switch: hold the writer, copy the tail appended since the snapshot, sync, rename.
      resume = await this.pauseWriter();
      const old = this.handle;
      if (old === null || this.closed) throw new Error('the store is closing');
      const tailEnd = this.size;
      await copyTail(old, out, snapStart, tailEnd);
      await out.sync();
      await out.close();
      await rename(tmp, this.path);
      renamed = true;
      fsyncDir(this.dir);
      const fresh = await openPrivateHandle(this.path, OPEN.append, this.folder);
      // Synchronous from here: reads switch to the new file and the new offsets in one step.
      moveParts(written.moves, this.compacting?.tail ?? [], written.bytes - snapStart);
      this.handle = fresh;
      this.size = written.bytes + (tailEnd - snapStart);
      this.counters.compactions++;
      this.counters.tailBytes += tailEnd - snapStart;
      this.counters.syncs++;
      await old.close();
    } finally {
      if (!renamed) {
        await out.close().catch(() => undefined);
        await unlink(tmp).catch(() => undefined);
      }
      resume?.();
    }
  }

  /**
   * Rewrites the log as its live records now, whatever its size (after the history was cleared, so what was
   * cleared leaves the disk). Resolves once that compaction is done; a failed one is reported through
   * `onWarning` like any other, and the records then stay until the next.
   */
  async compactNow(): Promise<void> {
    if (!this.opts.snapshot) return;
    this.compactRequested = true;
    while (this.compactRequested && !this.closed) {
      // Everything appended so far is acknowledged first; the writer starts the compaction when it is idle.
      if (this.compaction === null) await this.barrier();
      this.maybeCompact();
      if (this.compaction !== null) await this.compaction;
      else if (this.compactRequested) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this.compaction !== null) await this.compaction;
  }

  /** Size of the log on disk now (for tests). */
  async fileBytes(): Promise<number> {
    return (await stat(this.path)).size;
  }

  /** Writes what is queued, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0 || this.flushing !== null || this.scheduled) await this.barrier().catch(() => undefined);
    if (this.flushing !== null) await this.flushing;
    this.closed = true;
    // A compaction in progress stops at its next step (or finishes its switch) before the file closes.
    if (this.compaction !== null) await this.compaction;
    const h = this.handle;
    this.handle = null;
    if (h !== null) await h.close();
  }
}
