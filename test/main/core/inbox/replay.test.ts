import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupRow } from '../../../../shared/events';
import type { Settings } from '../../../../shared/settings';
import { openInbox } from '../../../helpers/inbox';
import { backtraceEvent, errorceptionEvent, testSettings } from '../../../helpers/make-event';
import { groupsOf } from '../../../helpers/inbox-pages';
import { tmpDataDir } from '../../../helpers/tmp-dir';

const T0 = Date.parse('2026-11-24T02:00:00Z');

type Op =
  | { kind: 'bt'; group: number; occurrences: number }
  | { kind: 'ec'; group: number }
  | { kind: 'mark'; pick: number; read?: boolean; muted?: boolean; resolved?: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('bt' as const), group: fc.nat(12), occurrences: fc.integer({ min: 1, max: 20_000 }) }),
  fc.record({ kind: fc.constant('ec' as const), group: fc.nat(6) }),
  fc.record(
    { kind: fc.constant('mark' as const), pick: fc.nat(30), read: fc.boolean(), muted: fc.boolean(), resolved: fc.boolean() },
    { requiredKeys: ['kind', 'pick'] },
  ),
);

describe('the log replays to the same state', () => {
  it('any sequence of hooks, redeliveries, marks, retention and compaction reads back identically after reopen', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 3, max: 30 }),
        fc.boolean(),
        async (ops, maxGroups, compact) => {
          const dir = tmpDataDir();
          const settings = (): Settings => ({ ...testSettings(), retention: { maxGroups, maxDays: 90 } });
          let t = T0;
          const options = {
            dataDir: dir,
            getSettings: settings,
            now: () => t,
            ...(compact ? { compaction: { minBytes: 1, ratio: 1.5 } } : {}),
          };
          const a = await openInbox(options);
          for (const o of ops) {
            t += 1000;
            if (o.kind === 'bt') {
              await a.ingest(
                backtraceEvent({ at: t, body: { fingerprint: `g${o.group}`, occurrences: o.occurrences, object_id: `o${o.occurrences}` } }),
              );
            } else if (o.kind === 'ec') {
              await a.ingest(
                errorceptionEvent({ at: t, body: { webUrl: `https://errorception.com/e/${o.group}`, date: new Date(T0).toISOString() } }),
              );
            } else {
              const groups = a.list({ limit: 1000 }).groups;
              const g = groups[o.pick % Math.max(1, groups.length)];
              if (g) await a.mark(g.id, { read: o.read, muted: o.muted, resolved: o.resolved });
            }
          }
          const before = a.list({ limit: 1000 });
          const counts = a.counts();
          const whole = groupsOf(a, before);
          // The rows held in memory say what the stored groups say.
          expect(before.groups).toEqual(whole.map(groupRow));
          await a.close();
          const b = await openInbox(options);
          expect(b.counts()).toEqual(counts);
          expect(b.list({ limit: 1000 })).toEqual(before);
          expect(groupsOf(b, before)).toEqual(whole);
          expect(counts.groups).toBeLessThanOrEqual(maxGroups);
          await b.close();
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('compaction under concurrent load', () => {
  it('hooks and marks in flight while the log compacts all read back after reopen', async () => {
    const dir = tmpDataDir();
    let t = T0;
    const options = { dataDir: dir, getSettings: () => testSettings(), now: () => (t += 7), compaction: { minBytes: 20_000, ratio: 1.5 } };
    const a = await openInbox(options);
    for (let round = 0; round < 20; round++) {
      const jobs: Array<Promise<unknown>> = [];
      for (let i = 0; i < 25; i++) {
        const n = round * 25 + i;
        jobs.push(a.ingest(backtraceEvent({ at: T0 + n, body: { fingerprint: `c${n % 30}`, occurrences: n + 1, object_id: `x${n}` } })));
      }
      const some = a.latest(3);
      for (const g of some) jobs.push(a.mark(g.id, { read: round % 2 === 0, muted: round % 3 === 0 }));
      await Promise.all(jobs);
    }
    expect(a.stats().compactions).toBeGreaterThan(1);
    const before = a.list({ limit: 1000 });
    const whole = groupsOf(a, before);
    const counts = a.counts();
    await a.close();
    const b = await openInbox(options);
    expect(b.counts()).toEqual(counts);
    expect(b.list({ limit: 1000 })).toEqual(before);
    expect(groupsOf(b, before)).toEqual(whole);
    expect(whole.reduce((n, g) => n + g.hooks, 0)).toBe(500);
    await b.close();
  });
});

describe('background compaction', () => {
  it('keeps taking hooks while a large compaction runs, and loses none of them in the switch', async () => {
    const dir = tmpDataDir();
    let t = T0;
    const options = {
      dataDir: dir,
      getSettings: () => testSettings(),
      now: () => (t += 3),
      compaction: { minBytes: 1024 * 1024, ratio: 2 },
    };
    const a = await openInbox(options);
    const hooks = new Map<string, number>();
    let n = 0;
    const send = (group: number): Promise<unknown> => {
      const k = n++;
      hooks.set(`bg${group}`, (hooks.get(`bg${group}`) ?? 0) + 1);
      return a.ingest(
        backtraceEvent({
          at: T0 + k,
          body: { fingerprint: `bg${group}`, occurrences: k + 1, object_id: `b${k}`, callstack: ['x', `fn${group}`] },
        }),
      );
    };
    // Rounds of 100 concurrent hooks over 800 groups: the log passes 2x its live size and compacts while
    // later rounds are being written.
    for (let round = 0; round < 40; round++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => send((round * 100 + i) % 800)));
    }
    expect(a.stats().compactions).toBeGreaterThan(0);
    // Hooks were written while a compaction ran, and carried into the new file.
    expect(a.stats().tailBytes).toBeGreaterThan(0);
    const before = a.list({ limit: 1000 });
    const whole = groupsOf(a, before);
    await a.close();
    const b = await openInbox({ ...options, onWarning: (w) => expect.fail(w) });
    const after = b.list({ limit: 1000 });
    expect(after).toEqual(before);
    expect(after.total).toBe(800);
    const groups = groupsOf(b, after);
    expect(groups).toEqual(whole);
    expect(after.groups).toEqual(groups.map(groupRow));
    for (const g of groups) expect(g.hooks).toBe(hooks.get(g.groupKey));
    const one = groups[17]!;
    expect((b.get(one.id)!.latestRaw as { object_id: string }).object_id).toBe(one.latestObjectId);
    await b.close();
  });
});

describe('records of a kind this version does not know', () => {
  /** A record as the store writes it: the CRC-32 of the rest of the line, a space, the index, then tab-separated parts. */
  const line = (index: unknown, ...parts: unknown[]): string => {
    const body = [JSON.stringify(index), ...parts.map((p) => JSON.stringify(p))].join('\t');
    return `${crc32(Buffer.from(body)).toString(16).padStart(8, '0')} ${body}\n`;
  };

  it('are kept, with a warning naming the kind, through compaction and the next load (a newer version wrote them)', async () => {
    const dir = tmpDataDir();
    let t = T0;
    const warnings: string[] = [];
    const options = {
      dataDir: dir,
      getSettings: () => testSettings(),
      now: () => (t += 5),
      onWarning: (m: string) => warnings.push(m),
      // Compacts whenever the writer is idle.
      compaction: { minBytes: 0, ratio: 0 },
    };
    const a = await openInbox(options);
    await a.ingest(backtraceEvent({ at: T0, body: { fingerprint: 'before' } }));
    await a.close();
    const future = line({ k: 'z', id: 'from-the-future', v: 7 }, { note: 'a newer version of Crashbell wrote this' });
    appendFileSync(join(dir, 'inbox.log'), future);

    const b = await openInbox(options);
    expect(warnings).toEqual([expect.stringContaining('1 record of the kind "z" that this version of Crashbell does not know')]);
    expect(b.counts().groups).toBe(1);
    for (let i = 0; i < 5; i++) await b.ingest(backtraceEvent({ at: T0 + i, body: { fingerprint: `after-${i}` } }));
    expect(b.stats().compactions).toBeGreaterThan(0);
    await b.close();
    // The record came through the compaction exactly as it was, checksum and part included.
    const lines = readFileSync(join(dir, 'inbox.log'), 'utf8').split('\n');
    expect(lines.filter((l) => l.includes('"k":"z"'))).toEqual([future.trimEnd()]);

    warnings.length = 0;
    const c = await openInbox(options);
    expect(warnings).toEqual([expect.stringContaining('"z"')]);
    expect(c.counts().groups).toBe(6);
    await c.close();
  });
});
