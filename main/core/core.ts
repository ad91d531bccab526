/**
 * CrashbellCore: the engine every front end drives the same way (the Electron shell, the app service,
 * headless mode, the renderer's end-to-end harness). It runs the receiver on a port, looks sources up live in
 * the settings, hands each verified event to the inbox, keeps the request log, and tells subscribers what
 * happened through one typed event emitter.
 */
import type { DeliveryResult } from '../../shared/ipc';
import type { GroupSummary, NormalizedEvent, NotificationRequest, RequestRecord } from '../../shared/events';
import type { Source } from '../../shared/settings';
import { ReplayError, UnknownSourceError } from './errors';
import { postRequest, type PostResponse } from './http-post';
import { groupIdFor, openInbox } from './inbox/index';
import type { Inbox, IngestResult } from './inbox/types';
import { allSecretHeaders, getProvider } from './providers/index';
import { Receiver } from './receiver';
import { DEFAULT_REQUEST_LOG_SIZE, RequestLog } from './request-log';
import type { SettingsStore } from './settings-store';
import { localBaseUrl, webhookUrl } from './sources';

/** Everything the core reports, by event name. */
export interface CoreEventMap {
  /** Every request the receiver saw, accepted or rejected, as the inspector lists it. */
  request: RequestRecord;
  /** An event the inbox accepted (durably), with what it did: group, newness, duplicate, decision. */
  received: { event: NormalizedEvent; result: IngestResult };
  /** A request the receiver refused (any status outside 2xx). */
  rejected: RequestRecord;
  /**
   * A notification the policy raised, digests included: wired by `open`; with `start`, wire the inbox's
   * `onNotification` to `events.raiseNotification` of the emitter you pass in.
   */
  notification: NotificationRequest;
  /** A group changed (ingest, marks), for live UI updates (only when the core opened the inbox). */
  group: GroupSummary;
  /** Plain words about something that went wrong but did not stop the core (a torn record skipped...). */
  warning: string;
}

export type CoreEventName = keyof CoreEventMap;
export type CoreListener<K extends CoreEventName> = (payload: CoreEventMap[K]) => void;

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

  private readonly ingesting = new Map<string, number>();
  private readonly held = new Map<string, NotificationRequest[]>();

  /**
   * Raises a notification from the inbox's `onNotification`. The inbox decides during ingest, so a
   * notification for a group whose event is still being ingested is held and emitted right after that
   * event's `received`: subscribers (and headless output) see the event first, then what it raised.
   */
  raiseNotification(n: NotificationRequest): void {
    if (n.group !== null && this.ingesting.has(n.group)) {
      const list = this.held.get(n.group) ?? [];
      list.push(n);
      this.held.set(n.group, list);
      return;
    }
    this.emit('notification', n);
  }

  /** Marks an ingest for a group as started (see {@link raiseNotification}). */
  beginIngest(groupId: string): void {
    this.ingesting.set(groupId, (this.ingesting.get(groupId) ?? 0) + 1);
  }

  /** Marks it finished; when no other ingest of the group is in flight, emits what was held for it. */
  endIngest(groupId: string): void {
    const left = (this.ingesting.get(groupId) ?? 1) - 1;
    if (left > 0) {
      this.ingesting.set(groupId, left);
      return;
    }
    this.ingesting.delete(groupId);
    const held = this.held.get(groupId);
    if (!held) return;
    this.held.delete(groupId);
    for (const n of held) this.emit('notification', n);
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

/** Options for {@link CrashbellCore.start}. */
export interface CoreOptions {
  settings: SettingsStore;
  /** The inbox, opened by the caller (who also wires its notifications). */
  inbox: Inbox;
  /** Address to listen on; default 127.0.0.1 (the tunnel reaches it there). */
  host?: string;
  /** Overrides `settings.port`; 0 picks a free port. */
  port?: number;
  /** Plain-words warnings, also emitted as `warning`. */
  onWarning?: (message: string) => void;
  /** An emitter to use, when the caller wired the inbox's callbacks into it before the core existed. */
  events?: CoreEvents;
  /** How many requests the inspector keeps; default 200. */
  requestLogSize?: number;
  /** Body size limit in bytes; default 1 MiB. */
  maxBodyBytes?: number;
  /** Time to wait for an answer when posting a test event or a replay; default 15 s. */
  deliveryTimeoutMs?: number;
  /** When true, `stop()` also closes the inbox (set by {@link CrashbellCore.open}). */
  ownsInbox?: boolean;
}

/** Options for {@link CrashbellCore.open}: as for `start`, but the core opens the inbox in `dataDir`. */
export interface OpenCoreOptions extends Omit<CoreOptions, 'inbox' | 'events' | 'ownsInbox'> {
  dataDir: string;
  /** Clock for the inbox, for tests. */
  now?: () => number;
}

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
  const reason = ok
    ? eventId
      ? 'accepted'
      : 'acknowledged'
    : (error ?? (response.body.trim().slice(0, 300) || `HTTP ${response.status}`));
  return { via, status: response.status, reason, eventId };
}

/** The running engine. Create with {@link CrashbellCore.start} or {@link CrashbellCore.open}. */
export class CrashbellCore {
  /** Subscribe here: `core.events.on('received', ...)`. */
  readonly events: CoreEvents;
  readonly inbox: Inbox;
  readonly requestLog: RequestLog;
  private readonly settings: SettingsStore;
  private readonly receiver: Receiver;
  private readonly host: string;
  private readonly ownsInbox: boolean;
  private readonly deliveryTimeoutMs: number;
  private stopping: Promise<void> | null = null;

  private constructor(options: CoreOptions) {
    this.settings = options.settings;
    this.inbox = options.inbox;
    this.events = options.events ?? new CoreEvents();
    this.host = options.host ?? '127.0.0.1';
    this.ownsInbox = options.ownsInbox ?? false;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 15_000;
    if (options.onWarning) this.events.on('warning', options.onWarning);
    this.requestLog = new RequestLog(options.requestLogSize ?? DEFAULT_REQUEST_LOG_SIZE, allSecretHeaders());
    this.receiver = new Receiver({
      // Looked up per request, so adding, removing or pausing a source takes effect at once.
      getSource: (id) => this.settings.get().sources.find((s) => s.id === id),
      onEvent: async (event, _source, rawJson) => {
        const groupId = groupIdFor(event.sourceId, event.groupKey);
        this.events.beginIngest(groupId);
        try {
          const result = await this.inbox.ingest(event, rawJson);
          this.events.emit('received', { event, result });
        } finally {
          this.events.endIngest(groupId);
        }
      },
      log: this.requestLog,
      onRecord: (record) => {
        this.events.emit('request', record);
        if (record.status < 200 || record.status >= 300) this.events.emit('rejected', record);
      },
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    });
  }

  /**
   * Starts the receiver over an inbox the caller opened. Throws PortInUseError (or PortNotAllowedError)
   * with a message saying how to fix it.
   */
  static async start(options: CoreOptions): Promise<CrashbellCore> {
    const core = new CrashbellCore(options);
    await core.receiver.listen(options.port ?? options.settings.get().port, core.host);
    return core;
  }

  /**
   * Opens the inbox in `dataDir` with its notifications, group changes and warnings wired to the core's
   * events, then starts the receiver. `stop()` closes both. If the port cannot be bound the inbox is closed
   * again and the error thrown.
   */
  static async open(options: OpenCoreOptions): Promise<CrashbellCore> {
    const { dataDir, now, ...rest } = options;
    const events = new CoreEvents();
    if (options.onWarning) events.on('warning', options.onWarning);
    const inbox = await openInbox({
      dataDir,
      getSettings: () => options.settings.get(),
      onNotification: (n) => events.raiseNotification(n),
      onGroupChanged: (g) => events.emit('group', g),
      onWarning: (message) => events.emit('warning', message),
      ...(now ? { now } : {}),
    });
    try {
      return await CrashbellCore.start({ ...rest, onWarning: undefined, inbox, events, ownsInbox: true });
    } catch (error) {
      await inbox.close();
      throw error;
    }
  }

  /** The port the receiver listens on (the real one when 0 was asked for). */
  get port(): number {
    return this.receiver.requirePort();
  }

  get listening(): boolean {
    return this.receiver.listening;
  }

  /** `http://127.0.0.1:<port>`. */
  get localBaseUrl(): string {
    return localBaseUrl(this.host, this.port);
  }

  /** A source's webhook URL under `baseUrl` (the public tunnel URL), or the local one. */
  webhookUrl(sourceId: string, baseUrl?: string | null): string {
    return webhookUrl(baseUrl ?? this.localBaseUrl, sourceId);
  }

  /** The requests the inspector lists, newest first. */
  requests(): RequestRecord[] {
    return this.requestLog.list();
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
    const via: DeliveryResult['via'] = baseUrl ? 'tunnel' : 'local';
    const url = this.webhookUrl(sourceId, baseUrl);
    try {
      const response = await postRequest(url, { headers: sample.headers, body: sample.body }, this.deliveryTimeoutMs);
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
    const url = `${this.localBaseUrl}${original.path}`;
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
   * Moves the receiver to another port (Settings changed it). On failure (PortInUseError...) the receiver
   * is left stopped and the error thrown; call again with another port.
   */
  async rebind(port: number): Promise<number> {
    await this.receiver.close();
    return this.receiver.listen(port, this.host);
  }

  /**
   * Stops the receiver (letting requests in progress finish) and, when the core opened it, closes the inbox
   * so everything acknowledged is flushed. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.receiver.close();
      if (this.ownsInbox) await this.inbox.close();
    })();
    return this.stopping;
  }
}
