import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openInbox, type LocalInboxOptions } from '../../../helpers/inbox';
import { backtraceEvent, testSettings } from '../../../helpers/make-event';
import { tmpDataDir } from '../../../helpers/tmp-dir';

const T0 = Date.parse('2026-11-24T02:00:00Z');

function opts(dir: string, over: Partial<LocalInboxOptions> = {}): LocalInboxOptions {
  let t = T0;
  return { dataDir: dir, getSettings: () => testSettings(), now: () => (t += 1), ...over };
}

const SOURCE = testSettings().sources[0]!;
const event = (fingerprint: string, occurrences = 1) =>
  backtraceEvent({ body: { fingerprint, occurrences, object_id: `${fingerprint}-${occurrences}` } });

describe('the gateway outbox in the inbox log', () => {
  it('keeps every accepted event in order, in the same record as its group, until it is forwarded', async () => {
    const dir = tmpDataDir();
    const a = await openInbox(opts(dir));
    await a.ingest(event('one'), { source: SOURCE, outbox: true });
    await a.ingest(event('one', 2), { source: SOURCE, outbox: true });
    await a.ingest(event('two'), { source: SOURCE, outbox: true });
    // Not kept without the outbox flag (a subscriber's relayed events, a gateway with publish off).
    await a.ingest(event('three'), { source: SOURCE });
    // A redelivery is not a new entry: the first delivery's entry stands for it.
    await a.ingest(event('two'), { source: SOURCE, outbox: true });
    const entries = a.outbox.next(10);
    expect(entries.map((e) => [e.seq, e.event.groupKey, e.event.occurrences])).toEqual([
      [1, 'one', 1],
      [2, 'one', 2],
      [3, 'two', 1],
    ]);
    expect(entries[0]?.source).toEqual({ id: SOURCE.id, provider: 'backtrace', name: 'Backtrace prod' });
    expect(JSON.parse(entries[0]!.rawJson)).toMatchObject({ fingerprint: 'one' });
    expect(entries[0]!.event).not.toHaveProperty('raw');
    await a.outbox.forwarded(1);
    expect(a.outbox.stats()).toEqual({ pending: 2, forwarded: 1, last: 3 });
    await a.close();

    // After a restart (or a SIGKILL: every record is fsync'd) it resumes after what JetStream acknowledged.
    const b = await openInbox(opts(dir));
    expect(b.outbox.next(10).map((e) => e.seq)).toEqual([2, 3]);
    await b.ingest(event('four'), { source: SOURCE, outbox: true });
    expect(b.outbox.next(10).map((e) => e.seq)).toEqual([2, 3, 4]);
    await b.outbox.forwarded(4);
    expect(b.outbox.next(10)).toEqual([]);
    await b.close();
    const c = await openInbox(opts(dir));
    expect(c.outbox.stats()).toEqual({ pending: 0, forwarded: 4, last: 4 });
    await c.ingest(event('five'), { source: SOURCE, outbox: true });
    expect(c.outbox.next(10).map((e) => e.seq)).toEqual([5]);
    await c.close();
  });

  it('keeps unforwarded entries of superseded group states through a compaction', async () => {
    const dir = tmpDataDir();
    const a = await openInbox(opts(dir, { compaction: { minBytes: 1, ratio: 1.01 } }));
    for (let i = 1; i <= 40; i++) await a.ingest(event('same', i), { source: SOURCE, outbox: true });
    await a.outbox.forwarded(10);
    for (let i = 41; i <= 60; i++) await a.ingest(event('same', i), { source: SOURCE, outbox: true });
    await new Promise((r) => setTimeout(r, 50));
    expect(a.stats().compactions).toBeGreaterThan(0);
    expect(a.outbox.next(100).map((e) => e.event.occurrences)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    await a.close();
    const b = await openInbox(opts(dir));
    const after = b.outbox.next(100);
    expect(after.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(JSON.parse(after[49]!.rawJson)).toMatchObject({ occurrences: 60 });
    expect(b.counts().groups).toBe(1);
    await b.close();
  });

  it('a parked entry leaves the queue at once, keeps its reason, and stays parked across restart and compaction', async () => {
    const dir = tmpDataDir();
    const compacting = { compaction: { minBytes: 1, ratio: 1.01 } };
    const a = await openInbox(opts(dir));
    for (const fp of ['one', 'two', 'three', 'four']) await a.ingest(event(fp), { source: SOURCE, outbox: true });
    await a.outbox.park(2, 'NATS takes no message this large', 'exception in two');
    // The entries after it go on.
    expect(a.outbox.next(10).map((e) => e.seq)).toEqual([1, 3, 4]);
    await a.outbox.forwarded(3);
    expect(a.outbox.stats()).toEqual({ pending: 1, forwarded: 3, last: 4 });
    expect(a.outbox.parked()).toEqual({
      count: 1,
      last: { seq: 2, title: 'exception in two', reason: 'NATS takes no message this large', at: expect.any(String) },
    });
    await a.close();

    // After a restart (it was parked after its group record: the park record takes it out again).
    const b = await openInbox(opts(dir, compacting));
    expect(b.outbox.next(10).map((e) => e.seq)).toEqual([4]);
    expect(b.outbox.parked()).toMatchObject({ count: 1, last: { seq: 2, reason: 'NATS takes no message this large' } });
    await b.outbox.park(4, 'its subject is not one NATS accepts', null);
    // Enough writes for a compaction, which rewrites the parked entries with their parts.
    for (let i = 2; i <= 40; i++) await b.ingest(event('one', i), { source: SOURCE });
    await new Promise((r) => setTimeout(r, 50));
    expect(b.stats().compactions).toBeGreaterThan(0);
    await b.close();
    const log = readFileSync(join(dir, 'inbox.log'), 'utf8');
    const parks = log.split('\n').filter((l) => l.includes('"k":"pk"'));
    // Rewritten with their parts (the event, the body), not only the reason.
    expect(parks).toHaveLength(2);
    expect(parks.every((l) => l.split('\t').length === 3)).toBe(true);

    const c = await openInbox(opts(dir));
    expect(c.outbox.next(10)).toEqual([]);
    expect(c.outbox.stats()).toMatchObject({ pending: 0, forwarded: 3, last: 4 });
    expect(c.outbox.parked()).toMatchObject({ count: 2, last: { seq: 4, title: null, reason: 'its subject is not one NATS accepts' } });
    // New entries still get new sequences, after the parked ones.
    await c.ingest(event('five'), { source: SOURCE, outbox: true });
    expect(c.outbox.next(10).map((e) => e.seq)).toEqual([5]);
    await c.close();
  });

  it('reads logs written before the relay existed, and skips a record kind it does not know with a warning', async () => {
    const dir = tmpDataDir();
    const a = await openInbox(opts(dir));
    await a.ingest(event('old'), { source: SOURCE });
    await a.close();
    const b = await openInbox(opts(dir));
    expect(b.outbox.stats()).toEqual({ pending: 0, forwarded: 0, last: 0 });
    expect(b.cursor.cursor()).toEqual({ stream: null, seq: 0 });
    await b.close();
    expect(readFileSync(join(dir, 'inbox.log'), 'utf8')).not.toMatch(/"q":/);
    appendFileSync(join(dir, 'inbox.log'), '00000000 {"k":"zz"}\n');
    const warnings: string[] = [];
    const c = await openInbox(opts(dir, { onWarning: (w) => warnings.push(w) }));
    expect(c.counts().groups).toBe(1);
    expect(warnings.length).toBe(1);
    await c.close();
  });
});

describe("the subscriber's cursor and away summary in the inbox log", () => {
  it('stores the stream sequence with the event, holds notifications for the summary, and keeps both across restart and compaction', async () => {
    const dir = tmpDataDir();
    const a = await openInbox(opts(dir, { compaction: { minBytes: 1, ratio: 1.01 } }));
    await a.cursor.moveTo('CRASHBELL@2026-11-24T00:00:00Z', 0);
    const live = await a.ingest(event('live'), { source: SOURCE, relay: { seq: 1, hold: false } });
    expect(live.notification).not.toBeNull();
    const held = await a.ingest(event('held'), { source: SOURCE, relay: { seq: 2, hold: true } });
    expect(held.notification).toBeNull();
    expect(held.decision).toMatchObject({ notify: false, code: 'away', digested: true });
    await a.ingest(event('held-too'), { source: SOURCE, relay: { seq: 3, hold: true } });
    // A redelivery moves the cursor too.
    await a.ingest(event('held-too'), { source: SOURCE, relay: { seq: 4, hold: true } });
    expect(a.cursor.cursor()).toEqual({ stream: 'CRASHBELL@2026-11-24T00:00:00Z', seq: 4 });
    expect(a.cursor.awayTally()).toMatchObject({ held: 2, places: ['Backtrace prod'], regressions: 0 });
    await a.close();

    const b = await openInbox(opts(dir, { compaction: { minBytes: 1, ratio: 1.01 } }));
    expect(b.cursor.cursor()).toEqual({ stream: 'CRASHBELL@2026-11-24T00:00:00Z', seq: 4 });
    expect(b.cursor.awayTally().held).toBe(2);
    // Enough writes to compact: the cursor and the tally survive it.
    for (let i = 5; i <= 30; i++) await b.cursor.moveTo('CRASHBELL@2026-11-24T00:00:00Z', i);
    await b.ingest(event('held', 2), { source: SOURCE, relay: { seq: 31, hold: true } });
    await new Promise((r) => setTimeout(r, 50));
    await b.close();
    const c = await openInbox(opts(dir));
    expect(c.cursor.cursor().seq).toBe(31);
    expect(c.cursor.awayTally().held).toBe(2);
    const tally = await c.cursor.takeAway();
    // Both held notifications have the same title: named once, counted twice, across the restart and compaction.
    expect(tally.titles).toHaveLength(1);
    expect(tally.titleCounts).toEqual([2]);
    expect(c.cursor.awayTally().held).toBe(0);
    await c.close();
    const d = await openInbox(opts(dir));
    expect(d.cursor.awayTally().held).toBe(0);
    expect(d.cursor.cursor().seq).toBe(31);
    await d.close();
  });

  it('a team mark names who set it; a new hook after a team resolve is a regression that names them', async () => {
    const dir = tmpDataDir();
    const a = await openInbox(opts(dir));
    const r = await a.ingest(event('marked'), { source: SOURCE });
    const marked = await a.mark(r.group.id, { resolved: true }, 'ana');
    expect(marked).toMatchObject({ resolved: true, resolvedBy: 'ana' });
    await a.close();
    const b = await openInbox(opts(dir));
    expect(b.get(r.group.id)).toMatchObject({ resolved: true, resolvedBy: 'ana' });
    const again = await b.ingest(event('marked', 2), { source: SOURCE });
    expect(again.decision).toMatchObject({ notify: true, code: 'regressed-after-resolve' });
    expect(again.decision.reason).toMatch(/by ana/);
    expect(again.group).toMatchObject({ resolved: false });
    expect(again.group.resolvedBy).toBeUndefined();
    const local = await b.mark(r.group.id, { resolved: true });
    expect(local?.resolvedBy).toBeUndefined();
    await b.close();
  });
});
