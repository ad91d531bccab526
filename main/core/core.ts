/**
 * CrashbellCore: the engine. It opens the inbox in a data folder, runs the receiver on a port, keeps the
 * request log, and is the one route every event takes: {@link CrashbellCore.ingest} stores it and reports,
 * through one typed emitter, what it did and what it raised. The receiver calls it for each verified hook; the
 * team relay calls it for each event it brings in. The app, headless mode and the e2e harness all build it
 * the same way, through `startEngine` (engine.ts).
 */
import { randomBytes } from 'node:crypto';
import type { DeliveryResult } from '../../shared/ipc';
import type { GroupMarks, GroupSummary, NormalizedEvent, NotificationRequest, RequestRecord } from '../../shared/events';
import type { Source } from '../../shared/settings';
import { boundedEvent } from './bounded-event';
import { type DataDirInUseError, ListenError, ReplayError, UnknownSourceError } from './errors';
import { type PostResponse, postRequest } from './http-post';
import { openInbox, type LocalInbox } from './inbox/index';
import type { IngestContext, IngestResult } from './inbox/types';
import { safeEqual } from './providers/helpers';
import { allSecretHeaders, getProvider } from './providers/index';
import { Receiver } from './receiver';
import { DEFAULT_REQUEST_LOG_SIZE, RequestLog } from './request-log';
import type { SettingsStore } from './settings-access';
import { localBaseUrl, webhookUrl } from './sources';

/** Everything the core reports, by event name. */
export interface CoreEventMap {
  /** Every request the receiver saw, accepted or rejected, as the inspector lists it. */
  request: RequestRecord;
  /** A request the receiver refused (any status outside 2xx). */
  rejected: RequestRecord;
  /** An event stored durably, with what the inbox did: group, newness, redelivery, decision. */
  received: { event: NormalizedEvent; result: IngestResult };
  /**
   * A notification to raise: the one an event raised (always right after that event's `received`), or a
   * digest that storm control's timer raised.
   */
  notification: NotificationRequest;
  /** A group changed (an event, a mark), for live views. */
  group: GroupSummary;
  /** A group left the history: the user deleted it. */
  removed: { groupId: string };
  /**
   * Many groups changed at once (the history was cleared, every group marked read): live views reload their
   * lists rather than hear of each group.
   */
  groups: { change: 'cleared' | 'all-read'; count: number };
  /** The receiver moved or stopped listening (a port change, a port that was taken). */
  receiver: ReceiverStatus;
  /** Plain words about something that went wrong but did not stop the core (a torn record skipped...). */
  warning: string;
}

export type CoreEventName = keyof CoreEventMap;
export type CoreListener<K extends CoreEventName> = (payload: CoreEventMap[K]) => void;
/** One listener per event name, at most. */
export type CoreListeners = { [K in CoreEventName]?: CoreListener<K> };

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
}

/**
 * A small typed event emitter. A listener that throws is reported as a `warning` and never breaks the
 * receiver or other listeners.
 */
export class CoreEvents {
  private readonly listeners = new Map<CoreEventName, Set<(payload: never) => void>>();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends CoreEventName>(name: K, listener: CoreListener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (payload: never) => void);
    return () => this.off(name, listener);
  }

  off<K extends CoreEventName>(name: K, listener: CoreListener<K>): void {
    this.listeners.get(name)?.delete(listener as (payload: never) => void);
  }

  /** Whether anyone listens to `name`, so work done only for listeners can be skipped. */
  has(name: CoreEventName): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }

  emit<K extends CoreEventName>(name: K, payload: CoreEventMap[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as CoreListener<K>)(payload);
      } catch (error) {
        if (name !== 'warning')
          this.emit('warning', `a "${name}" listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** Options for {@link CrashbellCore.open}. */
export interface CoreOptions {
  settings: SettingsStore;
  /**
   * Folder for the history (created if missing, private to this user). One process owns it: `open` throws
   * {@link DataDirInUseError} while another holds it.
   */
  dataDir: string;
  /** Which front end this is (`app`, `headless`), named in the data folder's lock file for the other's message. */
  owner?: string;
  /** Address to listen on; default 127.0.0.1 (the tunnel reaches it there). */
  host?: string;
  /** Overrides `settings.port`; 0 picks a free port. */
  port?: number;
  /**
   * When the port cannot be had, listen on a free one instead and report why in {@link CrashbellCore.receiver}
   * (the desktop app: the tunnel forwards to whatever port it has, so public URLs keep working). Off, `open`
   * throws the {@link ListenError} (headless mode: a server must not silently move).
   */
  fallbackToFreePort?: boolean;
  /** Plain-words warnings; also emitted as `warning`. */
  onWarning?: (message: string) => void;
  /**
   * Listeners subscribed before the inbox opens and the receiver listens, so nothing the core reports at
   * start-up is missed (a hook that arrives the moment the port opens). Others subscribe to `events` later.
   */
  listeners?: CoreListeners;
  /** How many requests the inspector keeps; default 200. */
  requestLogSize?: number;
  /** Body size limit in bytes; default 1 MiB. */
  maxBodyBytes?: number;
  /** Time to wait for an answer when posting a test event or a replay; default 15 s. */
  deliveryTimeoutMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * The header Crashbell's own test events carry: the core's per-run token, which only this process knows, so
 * no sender (even one holding a source's credentials) can have a real crash taken for a test and hidden from
 * the unread count. Masked in the inspector like the providers' secrets.
 */
export const TEST_EVENT_HEADER = 'x-crashbell-test';

function deliveryFrom(via: DeliveryResult['via'], response: PostResponse): DeliveryResult {
  let json: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = null;
  }
  const ok = response.status >= 200 && response.status < 300;
  const error = json && typeof json['error'] === 'string' ? json['error'] : null;
  const eventId = json && typeof json['event'] === 'string' ? json['event'] : null;
  const duplicate = json?.['duplicate'] === true;
  const reason = ok
    ? eventId
      ? duplicate
        ? 'recognised as a redelivery of a hook already recorded: nothing changed'
        : 'accepted'
      : 'acknowledged'
    : (error ?? (response.body.trim().slice(0, 300) || `HTTP ${response.status}`));
  return { via, status: response.status, reason, eventId, ...(duplicate ? { duplicate } : {}) };
}

/** The running engine. Create it with {@link CrashbellCore.open}. */
export class CrashbellCore {
  /** Subscribe here: `core.events.on('received', ...)`. */
  readonly events = new CoreEvents();
  readonly requestLog: RequestLog;
  private inboxOrNull: LocalInbox | null = null;
  private readonly settings: SettingsStore;
  private readonly receiverServer: Receiver;
  private readonly hostAddress: string;
  private readonly deliveryTimeoutMs: number;
  private status: ReceiverStatus;
  private stopping: Promise<void> | null = null;
  /** Marks Crashbell's own test events (see {@link TEST_EVENT_HEADER}); new each run, never stored. */
  private readonly testToken = randomBytes(24).toString('base64url');

  private constructor(options: CoreOptions) {
    this.settings = options.settings;
    this.hostAddress = options.host ?? '127.0.0.1';
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 15_000;
    this.status = { port: null, wanted: options.port ?? options.settings.get().port, error: null, code: null };
    if (options.onWarning) this.events.on('warning', options.onWarning);
    for (const [name, listener] of Object.entries(options.listeners ?? {}) as Array<[CoreEventName, CoreListener<CoreEventName>]>) {
      if (listener) this.events.on(name, listener);
    }
    this.requestLog = new RequestLog(options.requestLogSize ?? DEFAULT_REQUEST_LOG_SIZE, [...allSecretHeaders(), TEST_EVENT_HEADER]);
    this.receiverServer = new Receiver({
      // Looked up per request, so adding, removing or pausing a source takes effect at once.
      getSource: (id) => this.settings.get().sources.find((s) => s.id === id),
      onEvent: (event, source, rawJson) => this.ingest(event, source, rawJson),
      isTestEvent: (headers) => {
        const given = headers[TEST_EVENT_HEADER];
        return given !== undefined && safeEqual(given, this.testToken);
      },
      log: this.requestLog,
      onRecord: (record) => {
        this.events.emit('request', record);
        if (record.status < 200 || record.status >= 300) this.events.emit('rejected', record);
      },
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /**
   * Opens the inbox in `dataDir`, then starts the receiver. `stop()` closes both. When the port cannot be had
   * it either listens on a free one and says why in {@link receiver} (`fallbackToFreePort`), or closes the
   * inbox again and throws the {@link ListenError}, whose message says what is wrong.
   */
  static async open(options: CoreOptions): Promise<CrashbellCore> {
    const core = new CrashbellCore(options);
    core.inboxOrNull = await openInbox({
      dataDir: options.dataDir,
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
      getSettings: () => options.settings.get(),
      onTimerNotification: (n) => core.events.emit('notification', n),
      onWarning: (message) => core.events.emit('warning', message),
      ...(options.now ? { now: options.now } : {}),
    });
    try {
      await core.listenOn(core.status.wanted, options.fallbackToFreePort ?? false);
    } catch (error) {
      await core.inboxOrNull.close();
      throw error;
    }
    return core;
  }

  /** The inbox: grouping, durable history and the notification policy. */
  get inbox(): LocalInbox {
    if (this.inboxOrNull === null) throw new Error('the core is not open yet');
    return this.inboxOrNull;
  }

  /**
   * The one route every event takes into the history: it stores the event (durably: this resolves only once
   * it is on disk), then emits `received`, then the notification the event raised, if any, then `group`.
   * `source` is the event's source, looked up once by whoever received it; `rawJson` the body text the event
   * was parsed from, kept as it arrived; `relay` where in the team relay's stream it was read (a subscriber).
   * The event is bounded first (bounded-event.ts): what is stored and what listeners are told carry the same
   * capped fields, and `raw` stays the one full copy.
   */
  async ingest(unbounded: NormalizedEvent, source: Source | null, rawJson?: string, relay?: IngestContext['relay']): Promise<IngestResult> {
    const event = boundedEvent(unbounded);
    const context: IngestContext = { source };
    if (rawJson !== undefined) context.rawJson = rawJson;
    // Events the relay brought in came from the stream: only hooks this machine accepted go to the outbox.
    if (relay) context.relay = relay;
    else if (this.outbox) context.outbox = true;
    const result = await this.inbox.ingest(event, context);
    this.events.emit('received', { event, result });
    if (result.notification) this.events.emit('notification', result.notification);
    if (!result.duplicate) this.events.emit('group', result.group);
    return result;
  }

  /**
   * Whether accepted hooks are kept in the outbox for the team relay (a gateway: relay `publish` on). Set by
   * the engine from the settings.
   */
  outbox = false;

  /**
   * Sets a group's marks durably and tells `group` listeners; null when the group does not exist. `by` names
   * the team member behind a shared mark.
   */
  async mark(groupId: string, marks: GroupMarks, by?: string | null): Promise<GroupSummary | null> {
    const updated = await this.inbox.mark(groupId, marks, by ?? null);
    if (updated) this.events.emit('group', updated);
    return updated;
  }

  /** Removes a group from the history durably and tells `removed` listeners; false when it does not exist. */
  async deleteGroup(groupId: string): Promise<boolean> {
    const deleted = await this.inbox.delete(groupId);
    if (deleted) this.events.emit('removed', { groupId });
    return deleted;
  }

  /** Clears the whole history (durably, bodies gone from the disk) and tells `groups` listeners; answers how many went. */
  async clearHistory(): Promise<number> {
    const count = await this.inbox.clear();
    this.events.emit('groups', { change: 'cleared', count });
    return count;
  }

  /** Marks every group read durably and tells `groups` listeners; answers how many changed. */
  async markAllRead(): Promise<number> {
    const count = await this.inbox.markAllRead();
    if (count > 0) this.events.emit('groups', { change: 'all-read', count });
    return count;
  }

  /** The address the receiver listens on. */
  get host(): string {
    return this.hostAddress;
  }

  /** Where the receiver listens and, when it is not on the port it was asked for, why. */
  get receiver(): ReceiverStatus {
    return { ...this.status };
  }

  /** The port the receiver listens on, or null while it is not listening (moving to another port). */
  get port(): number | null {
    return this.receiverServer.port;
  }

  get listening(): boolean {
    return this.receiverServer.listening;
  }

  /** `http://127.0.0.1:<port>`, or null while the receiver is not listening. */
  get localBaseUrl(): string | null {
    const port = this.receiverServer.port;
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

  /** A configured source by id, or null (looked up in the current settings). */
  sourceById(sourceId: string): Source | null {
    return this.settings.get().sources.find((s) => s.id === sourceId) ?? null;
  }

  private source(sourceId: string): Source {
    const source = this.settings.get().sources.find((s) => s.id === sourceId);
    if (!source) throw new UnknownSourceError(sourceId);
    return source;
  }

  /**
   * "Send test event": posts the provider's realistic, correctly signed sample for the source through the
   * real receiver, locally or through `baseUrl` (the public tunnel URL) so the whole path is exercised.
   * Network failures come back as status 0 with the reason; an unknown source throws UnknownSourceError.
   */
  async deliverSample(sourceId: string, baseUrl?: string | null): Promise<DeliveryResult> {
    const source = this.source(sourceId);
    const provider = getProvider(source.provider);
    if (!provider) throw new UnknownSourceError(sourceId);
    const sample = provider.sample(source, Date.now());
    const headers = { ...sample.headers, [TEST_EVENT_HEADER]: this.testToken };
    const via: DeliveryResult['via'] = baseUrl ? 'tunnel' : 'local';
    const url = this.webhookUrl(sourceId, baseUrl);
    try {
      const response = await postRequest(url, { headers, body: sample.body }, this.deliveryTimeoutMs);
      return deliveryFrom(via, response);
    } catch (error) {
      return { via, status: 0, reason: `could not reach ${url}: ${error instanceof Error ? error.message : String(error)}`, eventId: null };
    }
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
    const url = `${base}${original.path}`;
    try {
      const response = await postRequest(
        url,
        { method: original.method, headers: original.headers, body: original.body },
        this.deliveryTimeoutMs,
      );
      return deliveryFrom('local', response);
    } catch (error) {
      return {
        via: 'local',
        status: 0,
        reason: `could not reach ${url}: ${error instanceof Error ? error.message : String(error)}`,
        eventId: null,
      };
    }
  }

  /**
   * Moves the receiver to another port (Settings changed it). When that port cannot be had it listens on a
   * free one instead and says why in {@link receiver}; resolves with the port it listens on.
   */
  async rebind(port: number): Promise<number> {
    await this.receiverServer.close();
    await this.listenOn(port, true);
    return this.receiverServer.requirePort();
  }

  private async listenOn(port: number, fallback: boolean): Promise<void> {
    try {
      const bound = await this.receiverServer.listen(port, this.hostAddress);
      this.setStatus({ port: bound, wanted: port, error: null, code: null });
    } catch (error) {
      if (!fallback || !(error instanceof ListenError)) {
        this.setStatus({ port: null, wanted: port, error: error instanceof Error ? error.message : String(error), code: null });
        throw error;
      }
      const bound = await this.receiverServer.listen(0, this.hostAddress);
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
    this.events.emit('receiver', { ...next });
  }

  /**
   * Stops the receiver (letting requests in progress finish), then closes the inbox so everything
   * acknowledged is flushed and a pending digest is raised. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.receiverServer.close();
      this.status = { ...this.status, port: null };
      await this.inboxOrNull?.close();
    })();
    return this.stopping;
  }
}
