/**
 * Ledgers: the parts of Crashbell's state that live in the history log. Each owns some record kinds (the
 * inbox owns groups and marks; the relay's gateway its outbox; its subscriber its stream cursor), reads them
 * back at start and writes them again when the log is compacted. Some also add fields of their own to another
 * ledger's record, so that two facts reach the disk in one write (a gateway's outbox entry rides in the group
 * record of the hook it forwards): the owner of a record kind never needs to know who added what.
 */
import type { LiveRecord, RawRef } from './store';

export type { LiveRecord, RawRef };

/** A record as the log hands it back at start: its index (parsed) and where its parts are. */
export interface StoredRecord {
  /** The index object; `k` names its kind. */
  index: { k: string } & Record<string, unknown>;
  /** The record's parts after the index, in order (read on demand through the history). */
  parts: RawRef[];
  /** The whole line's size, for the compaction ratio. */
  bytes: number;
}

/** What a ledger may do with the history it lives in. */
export interface LedgerStore {
  /** Appends one record of its own (index JSON text and parts); `done` resolves once it is on disk. */
  append(index: string, parts?: readonly string[]): { refs: RawRef[]; done: Promise<void> };
  /** A part's text, or null when it cannot be read. */
  readPart(ref: RawRef | null | undefined): string | null;
}

/** One ledger: the record kinds it owns, how it reads them back, and what it keeps through a compaction. */
export interface Ledger {
  /** For messages: "groups", "relay outbox"... */
  readonly name: string;
  /** The record kinds (`k`) this ledger writes and reads back. */
  readonly kinds: readonly string[];
  /**
   * Index fields it adds to records of other kinds (and the extra part that may come with them), so that its
   * fact is on disk exactly when theirs is. Such a record is handed to {@link replayFields} too.
   */
  readonly fields?: readonly string[];
  /**
   * How many parts its records of a kind have of their own (the group record: its summary and its raw body);
   * parts after those were added by another ledger. Absent: every part is the owner's.
   */
  readonly ownParts?: Readonly<Record<string, number>>;
  /**
   * The record kinds to which this ledger adds an extra part (at most one ledger per kind, so a part's owner is
   * never in doubt, in old logs either).
   */
  readonly addsPartTo?: readonly string[];
  /** Called when the history opens, before anything is read back: where this ledger's records live. */
  bind?(store: LedgerStore): void;
  /** Reads back one of its own records; throwing skips the record with a warning. */
  replay(record: StoredRecord): void;
  /** Reads back its fields (and its extra part, if it added one) from a record of another kind. */
  replayFields?(record: StoredRecord, extraPart: RawRef | null): void;
  /**
   * The records that hold its whole state now, for a compaction (the log is rewritten as every ledger's
   * snapshot). Ledgers are asked in the order they were registered, which is the order a load reads them.
   */
  snapshot(): LiveRecord[];
  /** Bytes of its live records in the log, for the compaction ratio. */
  liveBytes(): number;
}

/** Fields and an extra part another ledger adds to a record before it is written. */
export interface RecordAddition {
  /** Index fields, named by the ledger that adds them (see {@link Ledger.fields}). */
  fields?: Record<string, unknown>;
  /** One extra part, written after the record's own parts. */
  part?: string;
}

/** Where a ledger writes before its history opened: nowhere (it says so). */
export const unbound: LedgerStore = {
  append: () => ({ refs: [], done: Promise.reject(new Error('The history is not open yet')) }),
  readPart: () => null,
};
