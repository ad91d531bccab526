/**
 * How extensions plug into the ingest pipeline (the relay's gateway and subscriber today; provider actions and
 * team claims next). An extension is a ledger of its own in the history (its record kinds and state) and may
 * contribute to each ingest: fields and a part added to the group record, so its fact reaches the disk in the
 * same write as the event, or a record of its own appended with it. It never reaches into the inbox, and it
 * never fires the core's events: it asks the core (see `ExtensionHost` in core.ts).
 */
import type { Source } from '../../../shared/settings';
import type { BoundedEvent } from '../bounded-event';
import type { Ledger, RawRef, RecordAddition } from '../history/ledger';
import type { Fold } from '../inbox/fold';
import type { ProviderEcho } from '../inbox/policy';

/** Where an event came from. */
export type IngestOrigin =
  /** A hook this Crashbell's receiver accepted. */
  | { kind: 'hook' }
  /**
   * An event the team relay read from its stream at `seq`; `hold`: a catch-up is under way, so what would notify
   * is held for its one "while you were away" summary.
   */
  | { kind: 'relay'; seq: number; hold: boolean };

/** What the caller knows of an event besides the event itself. */
export interface IngestContext {
  /** The event's source, looked up once by whoever received it; null when it is no longer configured. */
  source: Source | null;
  /** The body text `event.raw` was parsed from, kept as it arrived instead of serialized again. */
  rawJson?: string | undefined;
  /** The same body's bytes as they arrived (the receiver has them): stored as they are. */
  rawBytes?: Buffer | undefined;
  origin: IngestOrigin;
}

/** What one extension adds to one ingest. */
export interface Contribution {
  /** Fields (and a part) added to the group record of an accepted event: on disk exactly when it is. */
  addition?: RecordAddition;
  /** A record of its own kind appended with the ingest (a redelivery writes no group record to ride in). */
  record?: string;
  /** The group record was appended: where its parts are (its own, then the one added, if any). */
  placed?(refs: readonly RawRef[]): void;
  /** The write failed: put back whatever `contribute` changed. */
  failed?(): void;
  /** The write is durable. */
  committed?(): void;
}

/** What extensions know about a group before its event is folded. */
export interface FoldHints {
  /** State changes this Crashbell just made in the provider (its state hook is then already applied). */
  echoes?: ProviderEcho[];
}

/** An extension's say in each ingest. */
export interface IngestContributor {
  /** Called before the event is folded: what the extension knows that the policy should (optional). */
  hints?(groupId: string, event: BoundedEvent): FoldHints | null;
  /** Called once per event, after the inbox folded it and before anything is written. */
  contribute(fold: Fold, event: BoundedEvent, context: IngestContext): Contribution | null;
}

/** An extension: a ledger of its own, and optionally a contributor to each ingest. */
export type IngestExtension = Ledger & Partial<IngestContributor>;
