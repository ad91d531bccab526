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
  /** Durable marks; returns the updated group, or null when it does not exist. */
  mark(groupId: string, marks: GroupMarks): Promise<GroupSummary | null>;
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
