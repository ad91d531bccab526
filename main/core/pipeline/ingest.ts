/**
 * The ingest pipeline: the one route every event takes into the history, whoever brought it.
 *
 *   event ─► bounded once (bounded-event.ts) ─► inbox.fold: group, redelivery, policy ─► the group record
 *         ─► extensions add their parts ─► one durable append ─► the outcome
 *
 * Hooks of one group are folded one after another, each on the last one's durable outcome: folded
 * concurrently, a failed write could leave memory holding a state that never reached the disk (and a retry
 * answered as a redelivery). Different groups still share each group commit. The core reports the outcome.
 */
import type { NormalizedEvent } from '../../../shared/events';
import { type BoundedEvent, boundedEvent } from '../bounded-event';
import type { History } from '../history/history';
import type { RecordAddition } from '../history/ledger';
import type { Fold } from '../inbox/fold';
import type { ProviderEcho } from '../inbox/policy';
import { groupIdFor } from '../inbox/grouping';
import type { GroupDraft, Inbox } from '../inbox/inbox';
import type { Contribution, IngestContext, IngestContributor } from './extension';

/** What one ingest came to: the event as stored and what the inbox made of it. */
export interface Ingested {
  event: BoundedEvent;
  fold: Fold;
}

/** Folds, lets extensions contribute, commits. */
export class IngestPipeline {
  /** The last ingest of each group still under way, so the next event of that group waits for its outcome. */
  private readonly ingesting = new Map<string, Promise<void>>();

  constructor(
    private readonly history: History,
    private readonly inbox: Inbox,
    private readonly contributors: readonly IngestContributor[],
  ) {}

  /** Bounds, folds and stores one event; resolves once it is on disk (or was a redelivery of one that is). */
  ingest(unbounded: NormalizedEvent, context: IngestContext): Promise<Ingested> {
    const event = boundedEvent(unbounded);
    const id = groupIdFor(event.sourceId, event.groupKey);
    const previous = this.ingesting.get(id);
    const run = previous ? previous.then(() => this.ingestNow(event, id, context)) : this.ingestNow(event, id, context);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.ingesting.set(id, settled);
    void settled.then(() => {
      if (this.ingesting.get(id) === settled) this.ingesting.delete(id);
    });
    return run;
  }

  private async ingestNow(event: BoundedEvent, id: string, context: IngestContext): Promise<Ingested> {
    const echoes = this.echoesFor(id, event);
    const draft = this.inbox.fold(event, {
      source: context.source,
      rawJson: context.rawJson,
      rawBytes: context.rawBytes,
      hold: holdOf(context),
      ...(echoes ? { echoes } : {}),
    });
    const contributions = this.contributionsTo(draft.fold, event, context);
    if (draft.record === null) {
      await this.commitOwnRecords(contributions, true);
      return { event, fold: draft.fold };
    }
    await this.commitGroup(draft, contributions);
    await draft.committed();
    return { event, fold: draft.fold };
  }

  private echoesFor(id: string, event: BoundedEvent): ProviderEcho[] | null {
    let out: ProviderEcho[] | null = null;
    for (const c of this.contributors) {
      const echoes = c.hints?.(id, event)?.echoes;
      if (echoes?.length) out = out ? [...out, ...echoes] : echoes;
    }
    return out;
  }

  private contributionsTo(fold: Fold, event: BoundedEvent, context: IngestContext): Contribution[] {
    const out: Contribution[] = [];
    for (const c of this.contributors) {
      const given = c.contribute(fold, event, context);
      if (given) out.push(given);
    }
    return out;
  }

  /** Appends the group record with what extensions add to it (one line), and records of their own after it. */
  private async commitGroup(draft: GroupDraft, contributions: Contribution[]): Promise<void> {
    const record = draft.record!;
    const additions: RecordAddition[] = [];
    for (const c of contributions) if (c.addition) additions.push(c.addition);
    const { refs, done } = this.history.append(record.index, record.parts, additions);
    draft.placed(refs);
    for (const c of contributions) c.placed?.(refs);
    try {
      await Promise.all([done, this.commitOwnRecords(contributions, false)]);
    } catch (error) {
      draft.failed();
      for (const c of contributions) c.failed?.();
      throw error;
    }
    for (const c of contributions) c.committed?.();
  }

  /**
   * Appends the extensions' own records. For a redelivery nothing else is written, yet the answer must wait
   * until the first delivery is on disk (it may still be in flight): a record appended now lands after it, and
   * with none, a barrier.
   */
  private async commitOwnRecords(contributions: Contribution[], alone: boolean): Promise<void> {
    const writes: Array<Promise<void>> = [];
    for (const c of contributions) if (c.record !== undefined) writes.push(this.history.append(c.record).done);
    if (writes.length === 0) {
      if (alone) await this.history.barrier();
      return;
    }
    if (!alone) {
      await Promise.all(writes);
      return;
    }
    try {
      await Promise.all(writes);
    } catch (error) {
      for (const c of contributions) c.failed?.();
      throw error;
    }
    for (const c of contributions) c.committed?.();
  }
}

function holdOf(context: IngestContext): boolean {
  return context.origin.kind === 'relay' && context.origin.hold;
}
