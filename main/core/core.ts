/**
 * CrashbellCore: the engine. It opens the history in a data folder (the inbox and the extensions' ledgers),
 * runs the receiver, keeps the request log, and is the one route every event takes: {@link CrashbellCore.ingest}
 * runs the ingest pipeline (pipeline/ingest.ts) and reports what it did. It alone fires its events; extensions
 * (the team relay today) plug into the pipeline and ask the core through the methods of {@link ExtensionHost}.
 * The app, headless mode and the e2e harness all build it the same way, through `startEngine` (engine.ts).
 */
import { randomBytes } from 'node:crypto';
import type { DeliveryResult } from '../../shared/ipc';
import type {
  Decision,
  GroupMarks,
  GroupStateChange,
  GroupSummary,
  NormalizedEvent,
  NotificationRequest,
  RequestRecord,
} from '../../shared/events';
import type { Source } from '../../shared/settings';
import { Emitter, type Event } from './base/event';
import { DisposableStore } from './base/lifecycle';
import type { BoundedEvent } from './bounded-event';
import { deliver } from './delivery';
import { errorText, ListenError, ReplayError, UnknownSourceError } from './errors';
import { marksSettle, statusChanges } from './group-state';
import { History } from './history/history';
import type { RecordAddition } from './history/ledger';
import { Inbox } from './inbox/inbox';
import { groupLinkVerdict } from './links';
import type { IngestContext, IngestExtension, IngestOrigin } from './pipeline/extension';
import { IngestPipeline } from './pipeline/ingest';
import { safeEqual } from './providers/helpers';
import { allSecretHeaders, getProvider } from './providers/index';
import { Receiver } from './receiver/receiver';
import { DEFAULT_REQUEST_LOG_SIZE, RequestLog } from './request-log';
import type { SettingsStore } from './settings-access';
import { findSource, localBaseUrl, webhookUrl } from './sources';

/** What ingesting one event came to. */
export interface IngestResult {
  /** The group after the event (for a redelivery: as it was). */
  group: GroupSummary;
  /** The group was new to Crashbell. */
  isNew: boolean;
  /** A redelivery of a hook already recorded: nothing changed, nothing was raised. */
  duplicate: boolean;
  decision: Decision;
  /** The notification the event raised, finished (its link checked); null when it raised none. */
  notification: NotificationRequest | null;
}

/** An event stored durably, with what the inbox made of it. */
export interface Received {
  event: BoundedEvent;
  result: IngestResult;
}

/** Where the receiver listens, and why not where it was asked to. */
export interface ReceiverStatus {
  /** The bound port, or null while it is not listening. */
  port: number | null;
  /** The port it was asked for (settings or an override). */
  wanted: number;
  /**
   * Why it is not on the port it was asked for (taken, not allowed), in words that hold in every front end;
   * null when it is.
   */
  error: string | null;
  /** The error's stable code (`port-in-use`, `port-not-allowed`, `host-not-available`), or null. */
  code: string | null;
  /** No receiver at all: this Crashbell has no sources to receive for (a team member only reading the relay). */
  off?: boolean;
}

/** A change to many groups at once (the history cleared, every group marked read). */
export interface GroupsChange {
  change: 'cleared' | 'all-read';
  count: number;
}

/** How marks came to be set, for the group-state changes they make, and what rides in their record. */
export interface MarkHow {
  /** Default `crashbell`: this Crashbell's own user. */
  via?: GroupStateChange['via'];
  /** The provider the change was also made in, when an action went through its API. */
  inProvider?: string | null;
  /** What another ledger adds to the mark's record (an action's outcome), written in the same line. */
  additions?: readonly RecordAddition[];
}

/** What an extension may ask of the core: it never reaches into the inbox nor fires the core's events itself. */
export interface ExtensionHost {
  /** Ingests an event the extension brought in (the relay's subscriber), through the same pipeline as hooks. */
  ingest(event: NormalizedEvent, source: Source | null, rawJson: string | undefined, origin: IngestOrigin): Promise<IngestResult>;
  /** Raises a notification the extension made (a catch-up's summary): the core finishes it and fires it. */
  notify(notification: NotificationRequest): void;
  /** Reports something that went wrong but stopped nothing. */
  warn(message: string): void;
  /** Sets a group's marks durably; `by` names who set them, `how` how they came (a teammate's: via `team`). */
  mark(groupId: string, marks: GroupMarks, by?: string | null, how?: MarkHow): Promise<GroupSummary | null>;
  /** A group without its raw body, or null. */
  group(groupId: string): GroupSummary | null;
  /** A configured source by id, or null. */
  sourceById(sourceId: string): Source | null;
}

/** Options for {@link CrashbellCore}. */
export interface CoreOptions {
  settings: SettingsStore;
  /**
   * Folder for the history (created if missing, private to this user). One process owns it: `start` throws
   * DataDirInUseError while another holds it.
   */
  dataDir: string;
  /** Which front end this is (`app`, `headless`), named in the data folder's lock file for the other's message. */
  owner?: string;
  /** Address to listen on; default 127.0.0.1 (the tunnel reaches it there). */
  host?: string;
  /** Overrides `settings.port`; 0 picks a free port. */
  port?: number;
  /**
   * Whether to run the receiver at all; default true. Off for a team member with no sources of its own, so it
   * takes no port (and clashes with no gateway on the same machine).
   */
  listen?: boolean;
  /**
   * When the port cannot be had, listen on a free one instead and report why in {@link CrashbellCore.receiver}
   * (the desktop app: the tunnel forwards to whatever port it has, so public URLs keep working). Off, `start`
   * throws the {@link ListenError} (headless mode: a server must not silently move).
   */
  fallbackToFreePort?: boolean;
  /** Plain-words warnings; also fired as `onWarning`. */
  onWarning?: (message: string) => void;
  /** Extensions plugged into the ingest pipeline, each a ledger of its own in the history. */
  extensions?: readonly IngestExtension[];
  /** How many requests the inspector keeps; default 200. */
  requestLogSize?: number;
  /** Body size limit in bytes; default 1 MiB. */
  maxBodyBytes?: number;
  /** Time to wait for an answer when posting a test event or a replay; default 15 s. */
  deliveryTimeoutMs?: number;
  /** When the log compacts (tests and the bench): past `minBytes` and `ratio` times its live records. */
  compaction?: { minBytes?: number; ratio?: number };
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * The header Crashbell's own test events carry: the core's per-run token, which only this process knows, so
 * no sender (even one holding a source's credentials) can have a real crash taken for a test and hidden from
 * the unread count. Masked in the inspector like the providers' secrets.
 */
export const TEST_EVENT_HEADER = 'x-crashbell-test';

/** The running engine. Create it with {@link CrashbellCore.open}, or construct, subscribe, then {@link start}. */
export class CrashbellCore implements ExtensionHost {
  readonly requestLog: RequestLog;
  /** The groups: list, search and read them here; change them through the core's methods. */
  readonly inbox: Inbox;
  private readonly history: History;
  private readonly pipeline: IngestPipeline;
  private readonly settings: SettingsStore;
  private readonly receiverServer: Receiver | null;
  private readonly hostAddress: string;
  private readonly deliveryTimeoutMs: number;
  private readonly disposables = new DisposableStore();
  private status: ReceiverStatus;
  private started = false;
  private stopping: Promise<void> | null = null;
  /** Marks Crashbell's own test events (see {@link TEST_EVENT_HEADER}); new each run, never stored. */
  private readonly testToken = randomBytes(24).toString('base64url');

  // One emitter per event; only the core fires them. A listener's exception becomes a warning.
  private readonly warningEmitter = this.disposables.add(new Emitter<string>());
  private readonly requestEmitter = this.emitter<RequestRecord>();
  private readonly rejectedEmitter = this.emitter<RequestRecord>();
  private readonly receivedEmitter = this.emitter<Received>();
  private readonly notificationEmitter = this.emitter<NotificationRequest>();
  private readonly groupEmitter = this.emitter<GroupSummary>();
  private readonly removedEmitter = this.emitter<{ groupId: string }>();
  private readonly groupsEmitter = this.emitter<GroupsChange>();
  private readonly receiverEmitter = this.emitter<ReceiverStatus>();
  private readonly groupStateEmitter = this.emitter<GroupStateChange>();

  /** Plain words about something that went wrong but did not stop the core (a torn record skipped...). */
  readonly onWarning: Event<string> = this.warningEmitter.event;
  /** Every request the receiver saw, accepted or rejected, as the inspector lists it. */
  readonly onRequest: Event<RequestRecord> = this.requestEmitter.event;
  /** A request the receiver refused (any status outside 2xx). */
  readonly onRejected: Event<RequestRecord> = this.rejectedEmitter.event;
  /** An event stored durably (or recognised as a redelivery), with what the inbox did. */
  readonly onReceived: Event<Received> = this.receivedEmitter.event;
  /**
   * A notification to raise, finished: its link passed the link rule or was taken out. The one an event raised
   * (always right after that event's `onReceived`), a digest storm control's timer raised, or an extension's.
   */
  readonly onNotification: Event<NotificationRequest> = this.notificationEmitter.event;
  /** A group changed (an event, a mark), for live views. */
  readonly onGroup: Event<GroupSummary> = this.groupEmitter.event;
  /** A group left the history: the user deleted it. */
  readonly onRemoved: Event<{ groupId: string }> = this.removedEmitter.event;
  /** Many groups changed at once: live views reload their lists rather than hear of each group. */
  readonly onGroups: Event<GroupsChange> = this.groupsEmitter.event;
  /** The receiver moved or stopped listening (a port change, a port that was taken). */
  readonly onReceiver: Event<ReceiverStatus> = this.receiverEmitter.event;
  /**
   * A group was resolved, reopened, ignored, snoozed, muted, claimed (or undone), whatever the route: an action
   * here, the provider's own state hook, a teammate. Fired after `onGroup` for the same change.
   */
  readonly onGroupState: Event<GroupStateChange> = this.groupStateEmitter.event;

  constructor(private readonly options: CoreOptions) {
    this.settings = options.settings;
    this.hostAddress = options.host ?? '127.0.0.1';
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 15_000;
    const listen = options.listen ?? true;
    this.status = {
      port: null,
      wanted: options.port ?? options.settings.get().port,
      error: null,
      code: null,
      ...(listen ? {} : { off: true }),
    };
    if (options.onWarning) this.disposables.add(this.onWarning(options.onWarning));
    this.requestLog = new RequestLog(options.requestLogSize ?? DEFAULT_REQUEST_LOG_SIZE, [...allSecretHeaders(), TEST_EVENT_HEADER]);
    this.history = new History({
      dataDir: options.dataDir,
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
      ...(options.compaction ? { compaction: options.compaction } : {}),
      onWarning: (m) => this.warn(m),
      ...(options.now ? { now: options.now } : {}),
    });
    this.inbox = new Inbox({
      history: this.history,
      getSettings: () => this.settings.get(),
      onTimerNotification: (n) => this.notify(n),
      onWarning: (m) => this.warn(m),
      ...(options.now ? { now: options.now } : {}),
    });
    const extensions = options.extensions ?? [];
    this.pipeline = new IngestPipeline(
      this.history,
      this.inbox,
      extensions.filter((x) => typeof x.contribute === 'function') as Array<Required<Pick<IngestExtension, 'contribute'>>>,
    );
    this.receiverServer = listen ? this.makeReceiver(options) : null;
  }

  private emitter<T>(): Emitter<T> {
    return this.disposables.add(new Emitter<T>({ onListenerError: (error) => this.warn(`a listener failed: ${errorText(error)}`) }));
  }

  private makeReceiver(options: CoreOptions): Receiver {
    return new Receiver({
      // Looked up per request, so adding, removing or pausing a source takes effect at once.
      getSource: (id) => this.sourceById(id) ?? undefined,
      onEvent: (event, source, rawJson, rawBytes) => this.ingest(event, source, rawJson, { kind: 'hook' }, rawBytes),
      isTestEvent: (headers) => {
        const given = headers[TEST_EVENT_HEADER];
        return given !== undefined && safeEqual(given, this.testToken);
      },
      log: this.requestLog,
      onRecord: (record) => {
        this.requestEmitter.fire(record);
        if (record.status < 200 || record.status >= 300) this.rejectedEmitter.fire(record);
      },
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /**
   * Opens the history (extensions' ledgers first, so their state is read before the groups it applies to), then
   * starts the receiver. When the port cannot be had it either listens on a free one and says why in
   * {@link receiver} (`fallbackToFreePort`), or closes the history again and throws the {@link ListenError}.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.history.open([...(this.options.extensions ?? []), this.inbox]);
    try {
      await this.inbox.start();
      if (this.receiverServer) await this.listenOn(this.status.wanted, this.options.fallbackToFreePort ?? false);
    } catch (error) {
      this.inbox.close();
      await this.history.close();
      throw error;
    }
  }

  /** Builds the core and starts it (see {@link start}). */
  static async open(options: CoreOptions): Promise<CrashbellCore> {
    const core = new CrashbellCore(options);
    await core.start();
    return core;
  }

  // ---- the one route every event takes ----

  /**
   * Stores an event (durably: this resolves only once it is on disk), then fires `onReceived`, then the
   * notification the event raised, if any, then `onGroup`. `source` is the event's source, looked up once by
   * whoever received it; `rawJson` the body text the event was parsed from, kept as it arrived.
   */
  async ingest(
    event: NormalizedEvent,
    source: Source | null,
    rawJson: string | undefined,
    origin: IngestOrigin,
    rawBytes?: Buffer,
  ): Promise<IngestResult> {
    const context: IngestContext = { source, rawJson, rawBytes, origin };
    const { event: bounded, fold } = await this.pipeline.ingest(event, context);
    const notification = fold.notification ? this.finish(fold.notification, fold.group, source) : null;
    const result: IngestResult = { group: fold.group, isNew: fold.isNew, duplicate: fold.duplicate, decision: fold.decision, notification };
    this.receivedEmitter.fire({ event: bounded, result });
    if (notification) this.notificationEmitter.fire(notification);
    if (!fold.duplicate) {
      this.groupEmitter.fire(fold.group);
      // A hook changes a group's state only as its provider says (resolved, ignored, reopened): the provider's.
      if (fold.before !== null) this.fireStates(fold.before, fold.group, null, 'provider');
    }
    return result;
  }

  /** A notification with its link held to the group's link rule: the one place the rule is applied to one. */
  private finish(n: NotificationRequest, group: Pick<GroupSummary, 'url' | 'provider'> | null, source: Source | null): NotificationRequest {
    if (n.url === null) return n;
    const verdict = group ? groupLinkVerdict({ url: n.url, provider: group.provider }, source) : null;
    if (verdict?.ok) return verdict.url === n.url ? n : { ...n, url: verdict.url };
    const reason = verdict && !verdict.ok ? verdict.reason : 'it belongs to no group';
    return { ...n, url: null, refusedLink: { url: n.url.slice(0, 300), reason } };
  }

  notify(notification: NotificationRequest): void {
    const group = notification.group === null ? null : this.inbox.summary(notification.group);
    const source = group ? this.sourceById(group.sourceId) : null;
    this.notificationEmitter.fire(this.finish(notification, group, source));
  }

  warn(message: string): void {
    this.warningEmitter.fire(message);
  }

  // ---- the user's changes ----

  /**
   * Sets a group's marks durably and tells `onGroup` listeners; null when the group does not exist. `by` names
   * the team member behind a shared mark.
   */
  async mark(groupId: string, marks: GroupMarks, by?: string | null, how: MarkHow = {}): Promise<GroupSummary | null> {
    const before = this.inbox.summary(groupId);
    // A group settled by any route (here, a teammate, an action) is read: it asks nothing of anyone any more.
    const read = before !== null && !before.read && marks.read === undefined && marksSettle(before, marks);
    const updated = await this.inbox.mark(groupId, read ? { ...marks, read: true } : marks, by ?? null, how.additions ?? []);
    if (updated) {
      this.groupEmitter.fire(updated);
      if (before) this.fireStates(before, updated, by ?? null, how.via ?? 'crashbell', how.inProvider ?? null);
    }
    return updated;
  }

  private fireStates(
    before: GroupSummary,
    after: GroupSummary,
    by: string | null,
    via: GroupStateChange['via'],
    inProvider: string | null = null,
  ): void {
    if (!this.groupStateEmitter.hasListeners) return;
    for (const status of statusChanges(before, after)) {
      this.groupStateEmitter.fire({ group: after.id, status, by, via, ...(inProvider ? { inProvider } : {}) });
    }
  }

  /** Removes a group from the history durably and tells `onRemoved` listeners; false when it does not exist. */
  async deleteGroup(groupId: string): Promise<boolean> {
    const deleted = await this.inbox.delete(groupId);
    if (deleted) this.removedEmitter.fire({ groupId });
    return deleted;
  }

  /** Clears the whole history (durably, bodies gone from the disk) and tells `onGroups` listeners; answers how many went. */
  async clearHistory(): Promise<number> {
    const count = await this.inbox.clear();
    this.groupsEmitter.fire({ change: 'cleared', count });
    return count;
  }

  /** Marks every group read durably and tells `onGroups` listeners; answers how many changed. */
  async markAllRead(): Promise<number> {
    const count = await this.inbox.markAllRead();
    if (count > 0) this.groupsEmitter.fire({ change: 'all-read', count });
    return count;
  }

  group(groupId: string): GroupSummary | null {
    return this.inbox.summary(groupId);
  }

  sourceById(sourceId: string): Source | null {
    return findSource(this.settings.get(), sourceId);
  }

  // ---- the receiver ----

  /** The address the receiver listens on. */
  get host(): string {
    return this.hostAddress;
  }

  /** Where the receiver listens and, when it is not on the port it was asked for, why. */
  get receiver(): ReceiverStatus {
    return { ...this.status };
  }

  /** The port the receiver listens on, or null while it is not listening (moving to another port, or off). */
  get port(): number | null {
    return this.receiverServer?.port ?? null;
  }

  get listening(): boolean {
    return this.receiverServer?.listening ?? false;
  }

  /** `http://127.0.0.1:<port>`, or null while the receiver is not listening. */
  get localBaseUrl(): string | null {
    const port = this.port;
    return port === null ? null : localBaseUrl(this.hostAddress, port);
  }

  /** A source's webhook URL under `baseUrl` (the public tunnel URL), or the local one. */
  webhookUrl(sourceId: string, baseUrl?: string | null): string {
    return webhookUrl(baseUrl ?? this.localBaseUrl ?? localBaseUrl(this.hostAddress, this.status.wanted), sourceId);
  }

  /** The requests the inspector lists, newest first. */
  requests(): RequestRecord[] {
    return this.requestLog.list();
  }

  /**
   * "Send test event": posts the provider's realistic, correctly signed sample for the source through the
   * real receiver, locally or through `baseUrl` (the public tunnel URL) so the whole path is exercised.
   * Network failures come back as status 0 with the reason; an unknown source throws UnknownSourceError.
   */
  async deliverSample(sourceId: string, baseUrl?: string | null): Promise<DeliveryResult> {
    const source = this.sourceById(sourceId);
    const provider = source ? getProvider(source.provider) : undefined;
    if (!source || !provider) throw new UnknownSourceError(sourceId);
    const via: DeliveryResult['via'] = baseUrl ? 'tunnel' : 'local';
    if (!baseUrl && this.localBaseUrl === null) return { via, status: 0, reason: 'the receiver is not listening right now', eventId: null };
    const sample = provider.sample(source, Date.now());
    const headers = { ...sample.headers, [TEST_EVENT_HEADER]: this.testToken };
    return deliver(via, this.webhookUrl(sourceId, baseUrl), { headers, body: sample.body }, this.deliveryTimeoutMs);
  }

  /**
   * Re-sends a recorded request, exactly as it arrived, to the local receiver. Throws ReplayError when the
   * request is no longer in the log or its body was too large to keep whole.
   */
  async replay(requestId: string): Promise<DeliveryResult> {
    const record = this.requestLog.get(requestId);
    if (!record) throw new ReplayError('that request is no longer in the log (only the latest requests are kept)');
    if (!record.replayable) {
      throw new ReplayError(
        record.bodyTruncated
          ? 'its body was not kept whole (over 64 KiB, or not read to the end), so it cannot be replayed'
          : 'it was not addressed to a source, so there is nothing to replay it to',
      );
    }
    const original = this.requestLog.original(requestId);
    if (!original) throw new ReplayError('that request is no longer in the log (only the latest requests are kept)');
    const base = this.localBaseUrl;
    if (base === null) return { via: 'local', status: 0, reason: 'the receiver is not listening right now', eventId: null };
    const request = { method: original.method, headers: original.headers, body: original.body };
    return deliver('local', `${base}${original.path}`, request, this.deliveryTimeoutMs);
  }

  /**
   * Moves the receiver to another port (Settings changed it). When that port cannot be had it listens on a
   * free one instead and says why in {@link receiver}; resolves with the port it listens on (null when off).
   */
  async rebind(port: number): Promise<number | null> {
    const server = this.receiverServer;
    if (!server) return null;
    await server.close();
    await this.listenOn(port, true);
    return server.requirePort();
  }

  private async listenOn(port: number, fallback: boolean): Promise<void> {
    const server = this.receiverServer!;
    try {
      const bound = await server.listen(port, this.hostAddress);
      this.setStatus({ port: bound, wanted: port, error: null, code: null });
    } catch (error) {
      if (!fallback || !(error instanceof ListenError)) {
        this.setStatus({ port: null, wanted: port, error: errorText(error), code: null });
        throw error;
      }
      const bound = await server.listen(0, this.hostAddress);
      this.setStatus({
        port: bound,
        wanted: port,
        error: `${error.message}, so Crashbell listens on port ${bound} for now`,
        code: error.code,
      });
    }
  }

  private setStatus(next: ReceiverStatus): void {
    this.status = next;
    this.receiverEmitter.fire({ ...next });
  }

  /**
   * Stops the receiver (letting requests in progress finish), then closes the inbox and the history so
   * everything acknowledged is flushed and a pending digest is raised. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.receiverServer?.close();
      this.status = { ...this.status, port: null };
      if (!this.started) return;
      this.inbox.close();
      try {
        await this.history.close();
      } finally {
        this.disposables.dispose();
      }
    })();
    return this.stopping;
  }
}
