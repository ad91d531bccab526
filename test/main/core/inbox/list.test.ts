import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { groupRow, type GroupRow } from '../../../../shared/events';
import type { Settings } from '../../../../shared/settings';
import { openInbox, type LocalInbox } from '../../../helpers/inbox';
import { backtraceEvent, errorceptionEvent, testSettings } from '../../../helpers/make-event';
import { groupsOf, keysOf } from '../../../helpers/inbox-pages';
import { tmpDataDir } from '../../../helpers/tmp-dir';

const T0 = Date.parse('2026-11-24T02:00:00Z');
const DAY = 86_400_000;

async function seeded(n: number, dir = tmpDataDir(), settings: () => Settings = () => testSettings()): Promise<LocalInbox> {
  let t = T0;
  const inbox = await openInbox({ dataDir: dir, getSettings: settings, now: () => t });
  for (let i = 0; i < n; i++) {
    t = T0 + i * 1000;
    await inbox.ingest(backtraceEvent({ at: t, body: { fingerprint: `fp${i}`, callstack: ['libc', `fn_${i}`, 'main'] } }));
  }
  return inbox;
}

describe('list, search and paging', () => {
  it('pages newest first with an opaque cursor and a total', async () => {
    const inbox = await seeded(25);
    const seen: GroupRow[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p = inbox.list({ limit: 10, cursor });
      expect(p.total).toBe(25);
      seen.push(...p.groups);
      cursor = p.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(keysOf(inbox, { groups: seen, nextCursor: null, total: 25 })).toEqual(Array.from({ length: 25 }, (_, i) => `fp${24 - i}`));
    // A row is the whole group's row, read from memory.
    expect(seen).toEqual(seen.map((r) => groupRow(inbox.get(r.id)!)));
    expect(inbox.latest(3)).toEqual(seen.slice(0, 3));
    await inbox.close();
  });

  it('a cursor stays valid while new groups arrive', async () => {
    const inbox = await seeded(10);
    const first = inbox.list({ limit: 4 });
    await inbox.ingest(backtraceEvent({ at: T0 + 99_000, body: { fingerprint: 'newer' } }));
    const second = inbox.list({ limit: 4, cursor: first.nextCursor });
    expect(keysOf(inbox, second)).toEqual(['fp5', 'fp4', 'fp3', 'fp2']);
    expect(inbox.list({ cursor: 'garbage!' }).groups).toHaveLength(11);
    await inbox.close();
  });

  it('searches title, application, project, callstack and page, case-insensitively', async () => {
    const inbox = await seeded(3);
    await inbox.ingest(errorceptionEvent({ at: T0 + 10_000 }));
    expect(keysOf(inbox, inbox.list({ text: 'FN_1' }))).toEqual(['fp1']);
    expect(inbox.list({ text: 'libc' }).total).toBe(3);
    expect(inbox.list({ text: 'MY_APP' }).total).toBe(3);
    expect(inbox.list({ text: 'my_project' }).total).toBe(3);
    expect(inbox.list({ text: 'example.com/checkout' }).groups.map((g) => g.provider)).toEqual(['errorception']);
    expect(inbox.list({ text: 'cannot read property' }).total).toBe(1);
    expect(inbox.list({ text: 'nothing like this' })).toEqual({ groups: [], nextCursor: null, total: 0 });
    await inbox.close();
  });

  it('filters by source, provider and marks', async () => {
    const inbox = await seeded(4);
    await inbox.ingest(errorceptionEvent({ at: T0 + 10_000 }));
    const [g0, g1] = inbox.list({ provider: 'backtrace' }).groups;
    await inbox.mark(g0!.id, { read: true, muted: true });
    await inbox.mark(g1!.id, { resolved: true });
    expect(inbox.list({ sourceId: 'ec-source-0000000001' }).total).toBe(1);
    expect(inbox.list({ provider: 'backtrace' }).total).toBe(4);
    expect(inbox.list({ unread: true }).total).toBe(4);
    expect(inbox.list({ unread: false }).groups.map((g) => g.id)).toEqual([g0!.id]);
    expect(inbox.list({ muted: true }).total).toBe(1);
    expect(inbox.list({ resolved: true }).groups.map((g) => g.id)).toEqual([g1!.id]);
    expect(inbox.list({ resolved: false, provider: 'backtrace', text: 'fn_' }).total).toBe(3);
    expect(inbox.counts()).toEqual({ groups: 5, unread: 4 });
    await inbox.close();
  });
});

describe('rows', () => {
  /** Rewrites the log as an older Crashbell wrote it: group records whose index carries no row. */
  function dropRowIndexes(dir: string): void {
    const file = join(dir, 'inbox.log');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const out = lines.map((line) => {
      const [index, ...parts] = line.slice(9).split('\t');
      const rec = JSON.parse(index!) as { k: string; r?: unknown };
      if (rec.k === 'g') expect(rec.r).toBeDefined();
      delete rec.r;
      const body = [JSON.stringify(rec), ...parts].join('\t');
      return `${crc32(Buffer.from(body, 'utf8')).toString(16).padStart(8, '0')} ${body}`;
    });
    writeFileSync(file, `${out.join('\n')}\n`);
  }

  it('come from memory, and say what the stored group says, through marks and new hooks', async () => {
    const inbox = await seeded(5);
    const [first] = inbox.list({ limit: 1 }).groups;
    await inbox.mark(first!.id, { read: true, resolved: true });
    await inbox.ingest(backtraceEvent({ at: T0 + 60_000, body: { fingerprint: 'fp2', occurrences: 99, object_id: 'again' } }));
    const page = inbox.list({});
    expect(page.groups).toEqual(groupsOf(inbox, page).map(groupRow));
    expect(page.groups[0]).toMatchObject({ occurrences: 99, lastReceivedAt: new Date(T0 + 60_000).toISOString() });
    await inbox.close();
  });

  it('of a history written before rows were indexed are read from the summaries, the same rows', async () => {
    const dir = tmpDataDir();
    const a = await seeded(4, dir);
    await a.mark(a.list({ limit: 1 }).groups[0]!.id, { muted: true });
    const before = a.list({});
    await a.close();
    dropRowIndexes(dir);
    const b = await openInbox({ dataDir: dir, getSettings: () => testSettings(), onWarning: (w) => expect.fail(w) });
    expect(b.list({})).toEqual(before);
    expect(b.list({ muted: true, text: 'fn_3' }).groups).toEqual([before.groups[0]]);
    await b.close();
  });
});

describe('marks', () => {
  it('are durable across reopen, and a new hook makes a read group unread', async () => {
    const dir = tmpDataDir();
    const a = await seeded(2, dir);
    const id = a.latest(1)[0]!.id;
    expect(await a.mark(id, { read: true, muted: true, resolved: true })).toMatchObject({ read: true, muted: true, resolved: true });
    expect(await a.mark('no-such-group', { read: true })).toBeNull();
    await a.close();

    let t = T0 + 60_000;
    const b = await openInbox({ dataDir: dir, getSettings: () => testSettings(), now: () => t });
    expect(b.get(id)).toMatchObject({ read: true, muted: true, resolved: true });
    expect(b.counts()).toEqual({ groups: 2, unread: 1 });
    // A hook for the muted, resolved group: recorded, un-resolved, unread, and still silent.
    t += 1000;
    const r = await b.ingest(backtraceEvent({ at: t, body: { fingerprint: 'fp1', occurrences: 36, object_id: 'n' } }));
    expect(r.group).toMatchObject({ read: false, muted: true, resolved: false });
    expect(r.decision).toMatchObject({ notify: false, code: 'muted' });
    expect((await b.mark(id, { read: true }))?.read).toBe(true);
    await b.close();
  });

  it('a claim past its end is not held: not in the row, the summary nor the group, and nothing is written for it', async () => {
    const dir = tmpDataDir();
    let t = T0;
    const a = await openInbox({ dataDir: dir, getSettings: () => testSettings(), now: () => t });
    await a.ingest(backtraceEvent({ at: t, body: { fingerprint: 'claimed' } }));
    const id = a.latest(1)[0]!.id;
    const until = new Date(T0 + 3_600_000).toISOString();
    expect(await a.mark(id, { claimedBy: 'ana', claimedUntil: until })).toMatchObject({ claimedBy: 'ana', claimedUntil: until });
    t = T0 + 3_599_999;
    expect(a.list({}).groups[0]).toMatchObject({ claimedBy: 'ana', claimedUntil: until });
    expect(a.summary(id)).toMatchObject({ claimedBy: 'ana' });
    const appends = a.history.stats().appends;
    t = T0 + 3_600_000;
    expect(a.list({}).groups[0]).toMatchObject({ claimedBy: null, claimedUntil: null });
    expect(a.latest(1)[0]).toMatchObject({ claimedBy: null });
    // (A summary leaves out what no mark set: absent reads as none.)
    expect(a.summary(id)?.claimedBy ?? null).toBeNull();
    expect(a.get(id)?.claimedUntil ?? null).toBeNull();
    expect(a.list({}).groups[0]).toEqual(groupRow(a.get(id)!));
    expect(a.history.stats().appends).toBe(appends);
    await a.close();
    // Read back later, it has lapsed all the same; a new claim holds again.
    const b = await openInbox({ dataDir: dir, getSettings: () => testSettings(), now: () => t });
    expect(b.summary(id)?.claimedBy ?? null).toBeNull();
    expect(await b.mark(id, { claimedBy: 'bo', claimedUntil: new Date(t + 60_000).toISOString() })).toMatchObject({ claimedBy: 'bo' });
    expect(b.list({}).groups[0]?.claimedBy).toBe('bo');
    await b.close();
  });

  it('a provider "resolved" hook marks the group resolved, durably', async () => {
    const dir = tmpDataDir();
    const a = await seeded(1, dir);
    const r = await a.ingest(backtraceEvent({ lifecycle: 'resolved', body: { fingerprint: 'fp0', object_id: 'r1' } }));
    expect(r.group.resolved).toBe(true);
    expect(r.decision).toMatchObject({ notify: false, code: 'provider-resolved' });
    await a.close();
    const b = await openInbox({ dataDir: dir, getSettings: () => testSettings() });
    expect(b.get(r.group.id)).toMatchObject({ resolved: true, lastDecision: { code: 'provider-resolved' } });
    await b.close();
  });
});

describe('retention', () => {
  it('keeps at most maxGroups, pruning the oldest by last received, durably', async () => {
    const dir = tmpDataDir();
    const settings = (): Settings => ({ ...testSettings(), retention: { maxGroups: 10, maxDays: 90 } });
    const inbox = await seeded(15, dir, settings);
    expect(inbox.counts().groups).toBe(10);
    expect(keysOf(inbox, inbox.list({})).at(-1)).toBe('fp5');
    // A hook refreshes an old group: it is now among the newest and survives the next prune.
    await inbox.ingest(backtraceEvent({ at: T0 + 100_000, body: { fingerprint: 'fp5', occurrences: 40, object_id: 'again' } }));
    await inbox.ingest(backtraceEvent({ at: T0 + 101_000, body: { fingerprint: 'fresh' } }));
    expect(keysOf(inbox, inbox.list({}))).toContain('fp5');
    expect(keysOf(inbox, inbox.list({}))).not.toContain('fp6');
    await inbox.close();
    const again = await openInbox({ dataDir: dir, getSettings: settings, now: () => T0 + 200_000 });
    expect(again.counts().groups).toBe(10);
    await again.close();
  });

  it('drops groups older than maxDays, on open and as time passes', async () => {
    const dir = tmpDataDir();
    const settings = (): Settings => ({ ...testSettings(), retention: { maxGroups: 5000, maxDays: 30 } });
    const inbox = await seeded(3, dir, settings);
    await inbox.close();
    // Reopen 40 days later: everything is past 30 days, nothing is left.
    const later = await openInbox({ dataDir: dir, getSettings: settings, now: () => T0 + 40 * DAY });
    expect(later.counts().groups).toBe(0);
    await later.close();

    let t = T0;
    const b = await openInbox({ dataDir: tmpDataDir(), getSettings: settings, now: () => t });
    await b.ingest(backtraceEvent({ at: t, body: { fingerprint: 'old' } }));
    t = T0 + 20 * DAY;
    await b.ingest(backtraceEvent({ at: t, body: { fingerprint: 'mid' } }));
    t = T0 + 31 * DAY;
    expect(await b.enforceRetention()).toBe(1);
    expect(keysOf(b, b.list({}))).toEqual(['mid']);
    await b.close();
  });
});

describe('big histories', () => {
  it('pages 2,400 groups (more than the in-memory cache of 2,048) with marks, read back from the log', async () => {
    const dir = tmpDataDir();
    const t = T0;
    let inbox = await openInbox({ dataDir: dir, getSettings: () => testSettings(), now: () => t });
    const batch: Array<Promise<unknown>> = [];
    for (let i = 0; i < 2400; i++) {
      batch.push(inbox.ingest(backtraceEvent({ at: T0 + i * 1000, body: { fingerprint: `big${i}`, callstack: ['a', `f_${i}`] } })));
    }
    await Promise.all(batch);
    // Reopen first, so every summary comes from the log rather than from memory.
    await inbox.close();
    inbox = await openInbox({ dataDir: dir, getSettings: () => testSettings(), now: () => t });
    const keys: string[] = [];
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const p = inbox.list({ limit: 300, cursor });
      keys.push(...keysOf(inbox, p));
      ids.push(...p.groups.map((g) => g.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(keys).toHaveLength(2400);
    expect(keys[0]).toBe('big2399');
    expect(keys.at(-1)).toBe('big0');
    expect(new Set(keys).size).toBe(2400);
    const oldest = { id: ids.at(-1)! };
    await inbox.mark(oldest.id, { read: true });
    expect(inbox.get(oldest.id)).toMatchObject({ read: true, title: 'f_0', callstack: ['a', 'f_0'] });
    const expected = Array.from({ length: 2400 }, (_, i) => i)
      .filter((i) => `f_${i}`.startsWith('f_17'))
      .map((i) => `big${i}`);
    expect(keysOf(inbox, inbox.list({ text: 'F_17', limit: 1000 })).sort()).toEqual(expected.sort());
    expect(inbox.counts()).toEqual({ groups: 2400, unread: 2399 });
    await inbox.close();
  });
});
