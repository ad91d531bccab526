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
import type { Settings } from '../../../shared/settings';

/** What ingesting one event did. Resolves only once the event is durable on disk. */
export interface IngestResult {
  group: GroupSummary;
  /** The group was new to Crashbell. */
  isNew: boolean;
  /** A redelivery of a hook already recorded: nothing changed, nothing was raised. */
  duplicate: boolean;
  decision: Decision;
}

/** Options for opening an inbox. */
export interface InboxOptions {
  /** Folder for the history (created if missing). */
  dataDir: string;
  /** Current settings (policy, DND, retention, sources' filters and pause); read per decision, never from disk. */
  getSettings: () => Settings;
  /** Called for every notification the policy raises, digests included. */
  onNotification?: (n: NotificationRequest) => void;
  /** Called whenever a group changes (ingest, marks), for live UI updates. */
  onGroupChanged?: (g: GroupSummary) => void;
  /** Called with plain words when the store skipped a torn or corrupt record at load. */
  onWarning?: (message: string) => void;
  /** Clock, for tests. */
  now?: () => number;
}

/** The inbox: grouping, durable history and the notification policy. */
export interface Inbox {
  /**
   * Groups, stores (fsync'd) and decides. The receiver answers 2xx only after this resolves.
   * `rawJson` (optional, additive): the body text `event.raw` was parsed from, which the store may keep
   * as it arrived instead of serializing `event.raw` again.
   */
  ingest(event: NormalizedEvent, rawJson?: string): Promise<IngestResult>;
  /** Newest first (by last received), filtered and searched. */
  list(query: GroupQuery): GroupPage;
  get(groupId: string): Group | null;
  /** Durable marks; returns the updated group, or null when it does not exist. */
  mark(groupId: string, marks: GroupMarks): Promise<GroupSummary | null>;
  /** How many groups are kept, and how many of them are unread. */
  counts(): { groups: number; unread: number };
  /** The rows of the latest groups by last received, for the tray menu. */
  latest(n: number): GroupRow[];
  /** Flushes pending writes and stops timers (digests). */
  close(): Promise<void>;
}
