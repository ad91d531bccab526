/**
 * The history: one append-only log in the data folder (store.ts) shared by every ledger. It takes the data
 * folder's lock, reads the log back once at start, handing each record to the ledger that owns its kind (and
 * its added fields to the ledgers that added them), keeps records of kinds no ledger knows (a newer version
 * wrote them) through compactions, and rewrites the log as the ledgers' snapshots when it has grown enough.
 */
import { type DataDirLock, lockDataDir } from '../data-dir-lock';
import { errorText } from '../errors';
import { LogStore, type LiveRecord, type RawRef, type StoreStats } from './store';
import type { Ledger, RecordAddition, StoredRecord } from './ledger';

/** The log compacts once it is this many times the size of its live records... */
const COMPACT_RATIO = 3;
/** ...and at least this big, so small logs never bother. */
const COMPACT_MIN_BYTES = 8 * 1024 * 1024;

/** Options for {@link History.open}. */
export interface HistoryOptions {
  /** The data folder (created if missing, private to this user). */
  dataDir: string;
  /** Names this process in the lock file, for the message another Crashbell shows (`app`, `headless`). */
  owner?: string;
  /** When the log compacts: past `minBytes` and `ratio` times its live records (defaults 8 MiB, 3). */
  compaction?: { minBytes?: number; ratio?: number };
  onWarning?: (message: string) => void;
  now?: () => number;
}

/** What {@link History.append} returns: where the record's parts are, and when it is on disk. */
export interface Appended {
  /** The record's own parts, then the added part if any. */
  refs: RawRef[];
  /** Resolves once the record is synced to disk; rejects when it could not be (nothing of it then counts). */
  done: Promise<void>;
}

/**
 * The durable log and who owns what in it. Make it, make the ledgers over it, then {@link History.open} it with
 * them: each reads its records back before anything is appended.
 */
export class History {
  private store!: LogStore;
  private lock: DataDirLock | null = null;
  private readonly owners = new Map<string, Ledger>();
  private readonly fieldOwners: Array<{ ledger: Ledger; fields: readonly string[] }> = [];
  private readonly partAdders = new Map<string, Ledger>();
  /** Records of kinds no ledger knows, kept as they are through compaction. */
  private foreign: Array<{ index: string; parts: RawRef[]; bytes: number }> = [];
  private readonly foreignKinds = new Map<string, number>();
  private closed = false;
  private ledgers: readonly Ledger[] = [];

  constructor(private readonly opts: HistoryOptions) {}

  private register(ledgers: readonly Ledger[]): void {
    this.ledgers = ledgers;
    for (const ledger of ledgers) {
      for (const kind of ledger.kinds) {
        const taken = this.owners.get(kind);
        if (taken) throw new Error(`record kind "${kind}" is claimed by both ${taken.name} and ${ledger.name}`);
        this.owners.set(kind, ledger);
      }
      if (ledger.fields?.length) this.fieldOwners.push({ ledger, fields: ledger.fields });
      for (const kind of ledger.addsPartTo ?? []) {
        const taken = this.partAdders.get(kind);
        if (taken) throw new Error(`both ${taken.name} and ${ledger.name} add a part to "${kind}" records`);
        this.partAdders.set(kind, ledger);
      }
    }
  }

  /**
   * Takes the data folder's lock (throwing DataDirInUseError while another Crashbell holds it), then reads the
   * log back into `ledgers`, skipping and reporting torn or corrupt records. Their order is the order their
   * snapshots are written at a compaction: what a load must read first, first.
   */
  async open(ledgers: readonly Ledger[]): Promise<void> {
    this.register(ledgers);
    for (const ledger of ledgers) ledger.bind?.(this);
    const { onWarning } = this.opts;
    // Before the log is read: a second writer on one log loses what was acknowledged and tears records.
    this.lock = lockDataDir(this.opts.dataDir, {
      app: this.opts.owner ?? 'crashbell',
      onWarning: (m) => onWarning?.(m),
      ...(this.opts.now ? { now: this.opts.now } : {}),
    });
    try {
      this.store = await LogStore.open(
        {
          dataDir: this.opts.dataDir,
          onWarning: (m) => onWarning?.(m),
          shouldCompact: (bytes) => this.shouldCompact(bytes),
          snapshot: () => this.snapshot(),
        },
        (index, parts, bytes) => this.replay(index as StoredRecord['index'], parts, bytes),
      );
    } catch (error) {
      this.lock.release();
      throw error;
    }
    this.reportForeign();
  }

  private replay(index: StoredRecord['index'], parts: RawRef[], bytes: number): void {
    const owner = this.owners.get(index.k);
    if (!owner) {
      // A kind this version does not know (a newer Crashbell wrote it, then the user went back): its checksum
      // held, so it is data, kept as it is through compaction for the version that knows what it means.
      this.foreign.push({ index: JSON.stringify(index), parts, bytes });
      this.foreignKinds.set(index.k, (this.foreignKinds.get(index.k) ?? 0) + 1);
      return;
    }
    const own = owner.ownParts?.[index.k] ?? parts.length;
    owner.replay({ index, parts: own < parts.length ? parts.slice(0, own) : parts, bytes });
    if (this.fieldOwners.length === 0) return;
    const adder = this.partAdders.get(index.k);
    for (const { ledger, fields } of this.fieldOwners) {
      if (ledger === owner || !fields.some((f) => index[f] !== undefined)) continue;
      ledger.replayFields?.({ index, parts, bytes }, ledger === adder ? (parts[own] ?? null) : null);
    }
  }

  /** Says, once per kind, which records were kept without being understood. */
  private reportForeign(): void {
    for (const [kind, n] of this.foreignKinds) {
      this.opts.onWarning?.(
        `History: ${n} record${n === 1 ? '' : 's'} of the kind "${kind}" that this version of Crashbell does not know (a newer version wrote ${n === 1 ? 'it' : 'them'}?) ${n === 1 ? 'is' : 'are'} kept as ${n === 1 ? 'it is' : 'they are'}, through compaction`,
      );
    }
    this.foreignKinds.clear();
  }

  private shouldCompact(fileBytes: number): boolean {
    let live = 0;
    for (const ledger of this.ledgers) live += ledger.liveBytes();
    for (const r of this.foreign) live += r.bytes;
    const c = this.opts.compaction;
    return fileBytes > (c?.minBytes ?? COMPACT_MIN_BYTES) && fileBytes > (c?.ratio ?? COMPACT_RATIO) * live;
  }

  private snapshot(): LiveRecord[] {
    const out: LiveRecord[] = [];
    for (const ledger of this.ledgers) for (const r of ledger.snapshot()) out.push(r);
    // Records of unknown kinds last, in their order: like marks, they may name groups, which a version that
    // knows them must have read first.
    for (const r of this.foreign) out.push({ index: r.index, parts: r.parts });
    return out;
  }

  /**
   * Appends one record: its index (JSON text of an object), its own parts and what other ledgers add to it,
   * in one line, so all of it is on disk or none of it is.
   */
  append(index: string, parts: readonly (string | Buffer)[] = [], additions: readonly RecordAddition[] = []): Appended {
    if (this.closed) return { refs: [], done: Promise.reject(new Error('The history is closed')) };
    if (additions.length === 0) return this.store.append(index, parts);
    let head = index.slice(0, -1);
    let extra: string | null = null;
    for (const a of additions) {
      if (a.fields) for (const name in a.fields) head += `,${JSON.stringify(name)}:${JSON.stringify(a.fields[name])}`;
      if (a.part !== undefined) extra = a.part;
    }
    return this.store.append(`${head}}`, extra === null ? parts : [...parts, extra]);
  }

  /** Resolves once everything appended so far is on disk. */
  barrier(): Promise<void> {
    return this.store.barrier();
  }

  /** A part's text, from memory while its write is pending, else from the log; null when it cannot be read. */
  readPart(ref: RawRef | null | undefined): string | null {
    return this.store.readPart(ref);
  }

  /** Forgets the records of unknown kinds (the user cleared the history: all of it is to go). */
  dropForeign(): () => void {
    const kept = this.foreign;
    this.foreign = [];
    return () => {
      if (this.foreign.length === 0) this.foreign = kept;
    };
  }

  /** Rewrites the log as its live records now (after Clear history, so what was cleared leaves the disk). */
  compactNow(): Promise<void> {
    return this.store.compactNow();
  }

  stats(): StoreStats {
    return this.store.stats();
  }

  /** Writes what is queued, closes the log and lets the data folder go. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.store.close();
    } catch (error) {
      this.opts.onWarning?.(`History: closing the log failed (${errorText(error)})`);
      throw error;
    } finally {
      this.lock?.release();
    }
  }
}
