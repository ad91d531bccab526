/**
 * An inbox as the inbox suites use it: the history, the groups ledger, the relay's two ledgers and the ingest
 * pipeline, wired the way the core wires them, without a receiver or events. `ingest` takes the event and what
 * its caller knows (its source, its body text, whether it came from the relay), and answers what the pipeline
 * made of it; the relay's ledgers are there to look at.
 */
import type { GroupSummary, NormalizedEvent, NotificationRequest, Decision } from '../../shared/events';
import type { Settings, Source } from '../../shared/settings';
import { History } from '../../main/core/history/history';
import { Inbox } from '../../main/core/inbox/inbox';
import type { IngestOrigin } from '../../main/core/pipeline/extension';
import { IngestPipeline } from '../../main/core/pipeline/ingest';
import { StreamCursor } from '../../main/core/relay/cursor';
import { Outbox } from '../../main/core/relay/outbox';

/** How an inbox suite opens one. */
export interface LocalInboxOptions {
  dataDir: string;
  getSettings: () => Settings;
  onTimerNotification?: (n: NotificationRequest) => void;
  onWarning?: (message: string) => void;
  owner?: string;
  now?: () => number;
  compaction?: { minBytes?: number; ratio?: number };
}

/** What the caller of `ingest` knows of an event. */
export interface TestIngestContext {
  source?: Source | null;
  rawJson?: string;
  /** A gateway keeps the hook in the relay's outbox. */
  outbox?: boolean;
  /** Read from the relay's stream at `seq` (held for the away summary with `hold`). */
  relay?: { seq: number; hold: boolean };
}

/** What one ingest came to. */
export interface TestIngestResult {
  group: GroupSummary;
  isNew: boolean;
  duplicate: boolean;
  decision: Decision;
  notification: NotificationRequest | null;
}

/** The inbox and the ledgers beside it. */
export type LocalInbox = Omit<Inbox, 'close'> & {
  ingest(event: NormalizedEvent, context?: TestIngestContext): Promise<TestIngestResult>;
  outbox: Outbox;
  cursor: StreamCursor;
  history: History;
  close(): Promise<void>;
};

/** Opens an inbox in `dataDir` as the core does (lock, load, retention). */
export async function openInbox(options: LocalInboxOptions): Promise<LocalInbox> {
  const history = new History({
    dataDir: options.dataDir,
    ...(options.owner ? { owner: options.owner } : {}),
    ...(options.compaction ? { compaction: options.compaction } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const inbox = new Inbox({
    history,
    getSettings: options.getSettings,
    ...(options.onTimerNotification ? { onTimerNotification: options.onTimerNotification } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const outbox = new Outbox(options.onWarning);
  const cursor = new StreamCursor();
  await history.open([outbox, cursor, inbox]);
  await inbox.start();
  const pipeline = new IngestPipeline(history, inbox, [outbox, cursor]);
  const local = inbox as unknown as LocalInbox;
  const closeInbox = inbox.close.bind(inbox);
  local.ingest = async (event, context = {}) => {
    const origin: IngestOrigin = context.relay ? { kind: 'relay', ...context.relay } : { kind: 'hook' };
    outbox.enabled = context.outbox === true;
    const { fold } = await pipeline.ingest(event, { source: context.source ?? null, rawJson: context.rawJson, origin });
    return { group: fold.group, isNew: fold.isNew, duplicate: fold.duplicate, decision: fold.decision, notification: fold.notification };
  };
  local.outbox = outbox;
  local.cursor = cursor;
  local.history = history;
  local.close = async () => {
    closeInbox();
    await outbox.close();
    await history.close();
  };
  return local;
}
