/**
 * The inbox's public contract: what the receiver, headless mode, the app service and the shell rely on.
 * The implementation (grouping, durable store, policy) lives beside this file.
 */
import type {
  Decision,
  Group,
  GroupMarks,
  GroupPage,
  GroupQuery,
  GroupRow,
  GroupSummary,
  NormalizedEvent,
  NotificationRequest,
} from '../../../shared/events';
import type { Settings, Source } from '../../../shared/settings';

/** What ingesting one event did. Resolves only once the event is durable on disk. */
export interface IngestResult {
  group: GroupSummary;
  /** The group was new to Crashbell. */
  isNew: boolean;
  /** A redelivery of a hook already recorded: nothing changed, nothing was raised. */
  duplicate: boolean;
  decision: Decision;
  /** The notification the policy raised for this event, to show now; null when it raised none. */
  notification: NotificationRequest | null;
}

/** What the caller knows of an event beside the event itself. */
export interface IngestContext {
  /**
   * The event's source, looked up once by whoever received it (the receiver, the relay): the policy reads its
   * filters, pause and name. Null when it is no longer configured.
   */
  source: Source | null;
  /**
   * The body text `event.raw` was parsed from, which the store keeps as it arrived instead of serializing
   * `event.raw` again.
   */
  rawJson?: string;
  /**
   * Gateway: keep the event in the outbox, in the same durable record as the group, so the relay forwards it
   * to the team's stream (at least once, in order) however long NATS is away.
   */
  outbox?: boolean;
  /**
   * Subscriber: the relay stream sequence the event was read at. It is stored in the same durable record as
   * the event, so a crash can neither lose nor repeat it. `hold`: a catch-up is under way, so a notification
   * the policy raises is held for the one "while you were away" summary instead of shown.
   */
  relay?: { seq: number; hold: boolean };
}

/** Where the subscriber stands in the relay stream, as stored with the events it ingested. */
export interface RelayCursor {
  /** The stream it was read from (name and creation time), or null before the first relayed event. */
  stream: string | null;
  /** The last stream sequence ingested (0: none). */
  seq: number;
}

/** What a catch-up held back for its "while you were away" summary, kept durably until it is raised. */
export interface AwayTally {
  /** Notifications held. */
  held: number;
  /** Distinct projects (or applications, or sources) they came from, at most 50. */
  places: string[];
  /** How many of them were regressions. */
  regressions: number;
  /** The first few held notifications' titles, regressions first. */
  titles: string[];
  regressionTitles: string[];
  /** The groups concerned, at most 100. */
  groups: string[];
}

/** One event waiting in the gateway's outbox: what the relay forwards to the stream. */
export interface OutboxEntry {
  /** Outbox sequence: strictly increasing in acceptance order, never reused. */
  seq: number;
  /** The event without its raw body. */
  event: Omit<NormalizedEvent, 'raw'>;
  /** The source as the gateway knew it, so members who do not have it configured can still name it. */
  source: { id: string; provider: string; name: string } | null;
  /** The raw body as stored (JSON text). */
  rawJson: string;
}

/** Options for opening an inbox. */
export interface InboxOptions {
  /** Folder for the history (created if missing). */
  dataDir: string;
  /** Current settings (policy, DND, retention, sources' filters and pause); read per decision, never from disk. */
  getSettings: () => Settings;
  /**
   * Called with what a timer raises (a storm-control digest once its window passes). What an event raises
   * comes back in its own {@link IngestResult} instead.
   */
  onTimerNotification?: (n: NotificationRequest) => void;
  /**
   * Names this process in the data folder's lock file (`headless`, `app`...), for the message another Crashbell
   * shows when it finds the folder taken. The lock itself is always taken (see data-dir-lock.ts).
   */
  owner?: string;
  /** Called with plain words when the store skipped a torn or corrupt record at load. */
  onWarning?: (message: string) => void;
  /** Clock, for tests. */
  now?: () => number;
}

/** The inbox: grouping, durable history and the notification policy. */
export interface Inbox {
  /**
   * Groups, stores (fsync'd) and decides; resolves with the decision and the notification to raise, if any.
   * The receiver answers 2xx only after this resolves. Without a context the event has no known source.
   */
  ingest(event: NormalizedEvent, context?: IngestContext): Promise<IngestResult>;
  /** Newest first (by last received), filtered and searched. */
  list(query: GroupQuery): GroupPage;
  get(groupId: string): Group | null;
  /**
   * Durable marks; returns the updated group, or null when it does not exist. `by` names the team member who
   * resolved or muted it (a team mark from the relay); without it the mark is this machine's own.
   */
  mark(groupId: string, marks: GroupMarks, by?: string | null): Promise<GroupSummary | null>;
  /** Removes one group from the history, durably; false when it does not exist. A later hook starts it afresh. */
  delete(groupId: string): Promise<boolean>;
  /**
   * Removes every group, durably, and rewrites the log so their bodies are gone from the disk too; answers how
   * many groups there were.
   */
  clear(): Promise<number>;
  /** Marks every group read, durably (one record, whatever the history holds); answers how many changed. */
  markAllRead(): Promise<number>;
  /** How many groups are kept, and how many of them are unread (groups of test events only do not count). */
  counts(): { groups: number; unread: number };
  /** The rows of the latest groups by last received, for the tray menu. */
  latest(n: number): GroupRow[];
  /** Flushes pending writes and stops timers (digests). */
  close(): Promise<void>;
}
