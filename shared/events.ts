/**
 * The normalized event and group types that every layer shares.
 *
 * Providers turn a provider's webhook body into a {@link NormalizedEvent}; the inbox folds events into
 * {@link Group}s; the shell and the renderer only ever see these shapes, never a provider's raw format
 * (except `raw`, kept for the detail view and the inspector).
 */

/**
 * An id of the core's provider registry (`main/core/providers/index.ts`), e.g. `"backtrace"`. A plain string
 * here: shared/ knows no list of providers, so adding one touches only its module and the registry. The core
 * checks ids against the registry wherever settings enter.
 */
export type ProviderId = string;

/**
 * Where a hook stands in its group's life, as the provider told it (or as far as it can tell).
 * `unknown` when the provider says nothing (Backtrace); the inbox decides newness by its own history.
 */
export type Lifecycle = 'new' | 'recurring' | 'regressed' | 'resolved' | 'ignored' | 'unknown';

/** A browser or operating system read from a user agent. */
export interface AgentPart {
  name: string | null;
  version: string | null;
}

/** One histogram of a custom attribute: value and count, as Backtrace sends them. */
export type AttributeHistogram = Array<[value: string, count: number]>;

/**
 * What a provider's API needs to act on the issue behind a group (resolve, snooze, assign in the provider): the
 * ids its hooks carry, under names the provider's module chooses (Sentry `org` and `issue`, Bugsnag `projectId`
 * and `errorId`, Rollbar `itemId`, Honeybadger `projectId` and `faultId`), and the origin of the provider's API
 * the hook's own URLs name (a Sentry region, Honeybadger's EU app). Ids and URLs only, never a secret; bounded
 * like every kept field (`bounded-event.ts`).
 */
export interface IssueRef {
  ids: Record<string, string>;
  /** `https://us.sentry.io`, `https://eu-app.honeybadger.io`; null when the hook names none (the default applies). */
  apiOrigin: string | null;
}

/** One webhook, verified and parsed, in the one shape the rest of the app uses. */
export interface NormalizedEvent {
  /** Unique id the receiver gives each accepted hook. */
  id: string;
  provider: ProviderId;
  sourceId: string;
  /** Groups events within a source: Backtrace `fingerprint`, Errorception `webUrl`, and so on. */
  groupKey: string;
  title: string;
  /** Short text for a notification body: top frames, or the page and the browser. */
  description: string;
  /** The page to open for this error (`group_url`, `webUrl`...). Unchecked: the shell guards it. */
  url: string | null;
  /**
   * Plain words when `url` was built by Crashbell because the provider sent none ("built from the issue id
   * and this source's web app URL: Sentry sent no web_url"); absent or null when the provider sent it.
   */
  urlDerivation?: string | null;
  /** Occurrences of the group as the provider counts them, when it says. */
  occurrences: number | null;
  hosts: number | null;
  guids: number | null;
  /** ISO 8601. */
  firstSeen: string | null;
  /** ISO 8601. */
  lastSeen: string | null;
  /** ISO 8601, when Crashbell accepted the hook. */
  receivedAt: string;
  classifiers: string[];
  /** Histograms of custom attributes (Backtrace `attributes`). */
  attributes: Record<string, AttributeHistogram>;
  callstack: string[];
  application: string | null;
  project: string | null;
  /** Deployment environment when the provider names one. */
  environment: string | null;
  /** Backtrace `object_id`: the last object received in the group. */
  objectId: string | null;
  /** Errorception: the page where the error happened. */
  page: string | null;
  userAgent: string | null;
  browser: AgentPart | null;
  os: AgentPart | null;
  /** Errorception `isFirstOccurrence`. */
  isFirstOccurrence: boolean | null;
  lifecycle: Lifecycle;
  /** A provider milestone trigger ("power of ten", "rate exceeded"...), in words, or null. */
  milestone: string | null;
  /** The ids the provider's API needs to act on this issue; absent or null when the hook carries none. */
  issueRef?: IssueRef | null;
  /**
   * How to recognise a redelivery of the same hook: same `key` within `windowMs` (null: forever).
   * Backtrace: object_id + occurrences; Errorception: a hash of the body within 10 minutes.
   */
  redelivery: { key: string; windowMs: number | null };
  /** The body as it arrived, parsed. */
  raw: unknown;
  /**
   * Crashbell's own "Send test event" sample (recognised by a per-run token only Crashbell knows, so no sender
   * can pass a real crash off as a test); absent or false for every hook from outside.
   */
  test?: boolean;
}

/** What the policy decided for one event, and why, so the UI can explain it. */
export interface Decision {
  notify: boolean;
  /** Machine-readable reason, e.g. `new-group`, `regressed-after-resolve`, `milestone`, `muted`, `storm`. */
  code: string;
  /** Plain words for the UI: "New group", "Muted: no notification", "Crossed 100 occurrences". */
  reason: string;
  /** True when the notification was folded into a digest by storm control. */
  digested?: boolean;
  /** ISO 8601 end of the one-off Do Not Disturb that held it back (code `dnd`), for readers that word it themselves. */
  until?: string;
  /** ISO 8601. */
  at: string;
}

/** A group of events with the same source and group key, as the inbox keeps it. */
export interface Group {
  /** Stable id derived from source id and group key. */
  id: string;
  sourceId: string;
  provider: ProviderId;
  groupKey: string;
  title: string;
  description: string;
  url: string | null;
  /** How `url` was built when the provider sent none (see {@link NormalizedEvent.urlDerivation}). */
  urlDerivation?: string | null;
  application: string | null;
  project: string | null;
  environment: string | null;
  occurrences: number;
  hosts: number | null;
  guids: number | null;
  /** How many hooks (not redeliveries) the group has received. */
  hooks: number;
  firstSeen: string;
  lastSeen: string;
  /** ISO 8601 of the last accepted hook for this group. */
  lastReceivedAt: string;
  latestObjectId: string | null;
  classifiers: string[];
  attributes: Record<string, AttributeHistogram>;
  callstack: string[];
  page: string | null;
  userAgent: string | null;
  browser: AgentPart | null;
  os: AgentPart | null;
  read: boolean;
  muted: boolean;
  resolved: boolean;
  /**
   * Every hook of the group so far was Crashbell's own test event: it is listed with a "test" mark and not
   * counted among the unread errors. A real hook makes the group real for good. Absent in groups stored before
   * test events were told apart (read it as false).
   */
  test?: boolean;
  /** The team member who resolved it through the team relay ("Resolved by ana"); null or absent: this machine. */
  resolvedBy?: string | null;
  /** The team member who muted it through the team relay. */
  mutedBy?: string | null;
  /** The latest {@link IssueRef} its hooks carried (what an action in the provider addresses); absent or null: none. */
  issueRef?: IssueRef | null;
  /** Ignored (here, in the provider, or by a teammate): nothing it does notifies until it is reopened. */
  ignored?: boolean;
  /** ISO 8601: snoozed, nothing notifies before then; null or absent when not snoozed for a time. */
  snoozedUntil?: string | null;
  /** Snoozed until the group counts this many occurrences; null or absent when not snoozed by count. */
  snoozeCount?: number | null;
  /** Who the issue is assigned to in the provider, as Crashbell assigned it ("me" as the source names it). */
  assignee?: string | null;
  /** The team member who claimed it ("ana is on it"), or null. */
  claimedBy?: string | null;
  /** ISO 8601 when the claim lapses by itself. */
  claimedUntil?: string | null;
  /** ISO 8601 of the last notification raised for this group, or null. */
  notifiedAt: string | null;
  /** The last decision the policy made for this group. */
  lastDecision: Decision | null;
  /** The latest event's raw body, for the detail view. */
  latestRaw: unknown;
}

/** A group without its raw body: what the core passes around and a mark answers. */
export type GroupSummary = Omit<Group, 'latestRaw'>;

/** Search and filters for the list of groups. */
export interface GroupQuery {
  /**
   * Matches title, application, project, environment, page, browser, operating system, attributes and callstack
   * (see `shared/group-filter.ts`), and the name of the group's source.
   */
  text?: string;
  sourceId?: string;
  provider?: ProviderId;
  unread?: boolean;
  muted?: boolean;
  resolved?: boolean;
  /** Opaque cursor from the previous page. */
  cursor?: string | null;
  /** Page size, 1..1000. */
  limit?: number;
}

/**
 * One group as a list shows it: what the window's rows, the tray and the list's filters read, and nothing
 * more, so a page of hundreds stays small. The detail view asks for the whole {@link Group} when it opens.
 */
export interface GroupRow {
  id: string;
  sourceId: string;
  provider: ProviderId;
  title: string;
  application: string | null;
  project: string | null;
  occurrences: number;
  hosts: number | null;
  /** ISO 8601: when the provider last saw it. */
  lastSeen: string;
  /** ISO 8601 of the last accepted hook: what the list is ordered by. */
  lastReceivedAt: string;
  read: boolean;
  muted: boolean;
  resolved: boolean;
  /** Only Crashbell's own test events so far (see {@link Group.test}). */
  test: boolean;
  /** Ignored: nothing notifies (see {@link Group.ignored}). */
  ignored?: boolean;
  /** ISO 8601 while snoozed for a time, else null or absent. */
  snoozedUntil?: string | null;
  /** Who claimed it, and until when (a claim past its time has lapsed). */
  claimedBy?: string | null;
  claimedUntil?: string | null;
}

/** The row of a group (or of anything that has a row's fields, such as a summary), with only a row's fields. */
export function groupRow(g: Omit<GroupRow, 'test'> & { test?: boolean }): GroupRow {
  return {
    id: g.id,
    sourceId: g.sourceId,
    provider: g.provider,
    title: g.title,
    application: g.application,
    project: g.project,
    occurrences: g.occurrences,
    hosts: g.hosts,
    lastSeen: g.lastSeen,
    lastReceivedAt: g.lastReceivedAt,
    read: g.read,
    muted: g.muted,
    resolved: g.resolved,
    test: g.test === true,
    ignored: g.ignored === true,
    snoozedUntil: g.snoozedUntil ?? null,
    claimedBy: g.claimedBy ?? null,
    claimedUntil: g.claimedUntil ?? null,
  };
}

/**
 * A group that changed, as the window hears of it: its row, and the text a search looks through (see
 * `shared/group-filter.ts`), which a row leaves out, so the window can tell whether its search keeps the group.
 */
export interface GroupUpdate {
  row: GroupRow;
  text: string;
}

/** One page of groups, newest first. */
export interface GroupPage {
  groups: GroupRow[];
  nextCursor: string | null;
  /** How many groups match the query in all. */
  total: number;
}

/**
 * The marks set on a group: by the user (read, muted, resolved), by an action (ignored, snoozed, assigned,
 * claimed: those reach the core through its actions, see `shared/actions.ts`), or by a teammate.
 */
export interface GroupMarks {
  read?: boolean;
  muted?: boolean;
  resolved?: boolean;
  ignored?: boolean;
  /** ISO 8601, or null to end a snooze by time. */
  snoozedUntil?: string | null;
  /** An occurrence count, or null to end a snooze by count. */
  snoozeCount?: number | null;
  assignee?: string | null;
  /** A member name, or null to release the claim. */
  claimedBy?: string | null;
  claimedUntil?: string | null;
}

/** What became of a group, whatever the route (see {@link GroupStateChange}). */
export type GroupStatus =
  | 'resolved'
  | 'reopened'
  | 'ignored'
  | 'snoozed'
  | 'unsnoozed'
  | 'muted'
  | 'unmuted'
  | 'claimed'
  | 'released'
  | 'assigned';

/**
 * A group's state changed: resolved, ignored, snoozed, muted, claimed (or undone), whoever did it. The shell
 * withdraws the group's notification still on screen, headless prints a `group-state` line, outlets hear of it.
 */
export interface GroupStateChange {
  group: string;
  status: GroupStatus;
  /** The team member or user behind it; null when the provider did it on its own (a state hook). */
  by: string | null;
  /** `crashbell`: this Crashbell (the window, the tray, a notification, the command line); `provider`: the
   * provider's own state hook; `team`: a teammate through the relay. */
  via: 'crashbell' | 'provider' | 'team';
  /** The provider the change was also made in, when an action went through its API ("Sentry"). */
  inProvider?: string | null;
}

/**
 * How a notification sounds: the platform's default, none, or one of macOS's system sounds by name (Windows and
 * Linux play their default sound for a named one: they offer no choice of sound to an app).
 */
export const NOTIFICATION_SOUNDS = [
  'default',
  'silent',
  'Basso',
  'Blow',
  'Bottle',
  'Frog',
  'Funk',
  'Glass',
  'Hero',
  'Morse',
  'Ping',
  'Pop',
  'Purr',
  'Sosumi',
  'Submarine',
  'Tink',
] as const;
export type NotificationSound = (typeof NOTIFICATION_SOUNDS)[number];

/** A notification the core asks the shell (or headless stdout) to raise. */
export interface NotificationRequest {
  title: string;
  body: string;
  /** The sound its source asks for; absent means the platform's default (digests, older callers). */
  sound?: NotificationSound;
  /**
   * The error's page for a single group, already held to the link rule (the provider's hosts or the source's web
   * app URL): null for a digest (it opens the list), and when the rule refused the link (see `refusedLink`).
   */
  url: string | null;
  /** The link the provider sent that the link rule refused, and why: shown, never opened. */
  refusedLink?: { url: string; reason: string };
  /** The group id, or null for a digest. */
  group: string | null;
  digest: boolean;
  /** For a digest: the group ids it covers. */
  groups?: string[];
}

/** One request to the receiver, accepted or rejected, for the request inspector. */
export interface RequestRecord {
  id: string;
  /** ISO 8601. */
  time: string;
  method: string;
  path: string;
  sourceId: string | null;
  provider: ProviderId | null;
  status: number;
  reason: string;
  /** Header names lower-cased; secrets (authorization, signatures, tokens) masked. */
  headers: Record<string, string>;
  /** The first 64 KiB of the body, as UTF-8 text. */
  body: string;
  bodyBytes: number;
  bodyTruncated: boolean;
  /** The accepted event's id, when there is one. */
  eventId: string | null;
  /** The accepted event's title (what the inspector's row names), when there is one. */
  title?: string | null;
  /** Accepted as a redelivery of a hook already recorded: answered 200, nothing changed. */
  duplicate?: boolean;
  /** Whether the inspector can replay it (the whole body was kept). */
  replayable: boolean;
}

/** The tunnel's state machine, as the UI shows it. */
export type TunnelState =
  | { status: 'off'; reason: string }
  | { status: 'connecting'; attempt: number }
  | { status: 'online'; url: string }
  | { status: 'error'; reason: string; code: string | null; retryAt: string | null };

/** The team relay (NATS JetStream), as Setup, the tray and headless mode show it. */
export interface RelayState {
  /** `off`: no servers configured. `error`: a reason a person must act on (or a retry is scheduled). */
  status: 'off' | 'connecting' | 'connected' | 'disconnected' | 'error';
  /** Plain words: why it is off, disconnected or in error; null when all is well. */
  reason: string | null;
  servers: string[];
  /** The server it is connected to. */
  server: string | null;
  /** ISO 8601 of the next connection attempt, when one is scheduled. */
  retryAt: string | null;
  member: string;
  stream: string;
  publish: boolean;
  subscribe: boolean;
  /** Gateway: the outbox. */
  gateway: {
    pending: number;
    forwarded: number;
    lastForwardedAt: string | null;
    /**
     * Publishes JetStream answered as duplicates since the relay started: the stream already held a message of
     * that id (a re-send after a restart or an outage, or the same hook through another gateway).
     */
    duplicates: number;
    /** Hooks set aside because NATS refuses them as they are (the rest are forwarded); the newest with its reason. */
    parked: number;
    lastParked: { seq: number; title: string | null; reason: string; at: string } | null;
  } | null;
  /** Subscriber: where it stands in the stream. */
  subscriber: {
    /** The last stream sequence ingested. */
    ingested: number;
    /** The newest sequence in the stream, as last seen. */
    newest: number | null;
    /** newest − ingested, when known. */
    lag: number | null;
    caughtUp: boolean;
    /** ISO 8601 of the last relayed event ingested (when its gateway accepted it). */
    lastEventAt: string | null;
  } | null;
  /** The last Test relay. */
  test: RelayTestResult | null;
}

/** What Test relay found: published (with its stream sequence), and when it came back through the stream. */
export interface RelayTestResult {
  ok: boolean;
  /** ISO 8601. */
  sentAt: string;
  /** The stream sequence JetStream stored it at, or null when it was refused. */
  seq: number | null;
  /** ISO 8601 of when this Crashbell read it back, or null (not subscribed, or it did not come back in time). */
  cameBackAt: string | null;
  roundTripMs: number | null;
  /** Plain words: what happened. */
  reason: string;
}
