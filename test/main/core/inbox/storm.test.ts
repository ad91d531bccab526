import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NotificationRequest } from '../../../../shared/events';
import { digestFor, MAX_HELD_BYTES, StormControl } from '../../../../main/core/inbox/storm';
import { defaultSettings } from '../../../../shared/settings';
import { backtraceEvent, testSettings } from '../../../helpers/make-event';
import { tmpDataDir } from '../../../helpers/tmp-dir';
import { openRecordingInbox } from '../../../helpers/recording-inbox';

const T0 = Date.parse('2026-11-24T02:00:00Z');

afterEach(() => {
  vi.useRealTimers();
});

describe('storm control', () => {
  it('200 distinct groups in 10 s: at most 5 notifications, then one digest per window naming the rest', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
    const { inbox, notes } = await openRecordingInbox({ dataDir: tmpDataDir(), getSettings: () => testSettings() });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      vi.setSystemTime(T0 + i * 50); // 200 hooks over 10 s
      const r = await inbox.ingest(backtraceEvent({ at: Date.now(), body: { fingerprint: `fp-${i}`, callstack: ['x', `fn_${i}`] } }));
      ids.push(r.group.id);
    }
    const single = notes.filter((n) => !n.digest);
    expect(single).toHaveLength(5);
    expect(notes.filter((n) => n.digest)).toHaveLength(0);
    // Every held group explains itself.
    expect(inbox.get(ids[199]!)?.lastDecision).toMatchObject({ notify: false, code: 'storm', digested: true });
    expect(inbox.get(ids[0]!)?.lastDecision).toMatchObject({ notify: true, code: 'new-group' });

    await vi.advanceTimersByTimeAsync(60_000);
    const digests = notes.filter((n) => n.digest);
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({ title: '195 new errors in Backtrace', url: null, group: null, digest: true });
    expect(digests[0]?.groups).toHaveLength(195);
    expect(new Set(digests[0]?.groups)).toEqual(new Set(ids.slice(5)));

    // Nothing more to say: no further digests.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(notes.filter((n) => n.digest)).toHaveLength(1);
    await inbox.close();
  });

  it('a long storm gives one digest per window, never more', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
    const notes: Array<NotificationRequest & { at: number }> = [];
    const { inbox } = await openRecordingInbox({ dataDir: tmpDataDir(), getSettings: () => testSettings() }, (n) =>
      notes.push({ ...n, at: Date.now() }),
    );
    for (let i = 0; i < 300; i++) {
      await vi.advanceTimersByTimeAsync(1000); // one new group a second for 5 minutes
      await inbox.ingest(backtraceEvent({ at: Date.now(), body: { fingerprint: `long-${i}` } }));
    }
    await vi.advanceTimersByTimeAsync(120_000);
    const digests = notes.filter((n) => n.digest);
    expect(digests.length).toBeGreaterThan(1);
    for (let i = 1; i < digests.length; i++) expect(digests[i]!.at - digests[i - 1]!.at).toBeGreaterThanOrEqual(60_000);
    // Never more than 5 single notifications in any 60 s.
    const singles = notes.filter((n) => !n.digest).map((n) => n.at);
    for (const t of singles) expect(singles.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(5);
    // Digests count too: never more than 5 notifications of any kind in any 60 s.
    const all = notes.map((n) => n.at);
    for (const t of all) expect(all.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(5);
    // Once the first digest is out, the storm stays in digests: no burst of singles each time the window frees up.
    const lastHook = T0 + 300_000;
    expect(singles.filter((t) => t >= digests[0]!.at && t <= lastHook)).toEqual([]);
    // Every group was either notified alone or named in a digest.
    const covered = new Set<string>([...notes.filter((n) => !n.digest).map((n) => n.group!), ...digests.flatMap((d) => d.groups ?? [])]);
    expect(covered.size).toBe(300);
    // After the storm (a quiet window past the last digest), a new group notifies on its own again.
    await vi.advanceTimersByTimeAsync(60_000);
    const after = await inbox.ingest(backtraceEvent({ at: Date.now(), body: { fingerprint: 'after-the-storm' } }));
    expect(after.decision).toMatchObject({ notify: true, code: 'new-group' });
    await inbox.close();
  });

  it('flushDigest raises the digest at once when forced', async () => {
    let t = T0;
    const { inbox, notes } = await openRecordingInbox({ dataDir: tmpDataDir(), getSettings: () => testSettings(), now: () => t });
    for (let i = 0; i < 8; i++) {
      t += 10;
      await inbox.ingest(backtraceEvent({ at: t, body: { fingerprint: `f${i}` } }));
    }
    expect(inbox.flushDigest(t)).toBeNull(); // not due yet
    const d = inbox.flushDigest(t, true);
    expect(d).toMatchObject({ title: '3 new errors in Backtrace', digest: true });
    expect(notes.at(-1)).toEqual(d);
    await inbox.close();
  });

  it('close raises the pending digest once, and nothing after', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
    const { inbox, notes } = await openRecordingInbox({ dataDir: tmpDataDir(), getSettings: () => testSettings() });
    for (let i = 0; i < 7; i++) await inbox.ingest(backtraceEvent({ at: Date.now(), body: { fingerprint: `z${i}` } }));
    await inbox.close();
    expect(notes.filter((n) => n.digest).map((n) => n.title)).toEqual(['2 new errors in Backtrace']);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(notes).toHaveLength(6);
  });
});

describe('digest wording', () => {
  it('"14 new errors in Game client and 2 more": the facts, with no call to action (each front end adds its own)', () => {
    const items = [
      ...Array.from({ length: 14 }, (_, i) => ({ groupId: `a${i}`, title: `fn_${i}`, place: 'Game client', isNew: true })),
      { groupId: 'b1', title: 'other', place: 'shop', isNew: true },
      { groupId: 'b2', title: 'other2', place: 'api', isNew: true },
    ];
    const d = digestFor(items);
    expect(d.title).toBe('14 new errors in Game client and 2 more');
    expect(d.body).toBe('fn_0, fn_1, fn_2, and 13 more.');
    const same = digestFor(Array.from({ length: 4 }, (_, i) => ({ groupId: `s${i}`, title: 'abort', place: 'p', isNew: true })));
    expect(same.body).toBe('abort ×4.');
    expect(d).toMatchObject({ url: null, group: null, digest: true });
    expect(digestFor([{ groupId: 'x', title: 't', place: 'p', isNew: false }]).title).toBe('1 error in p');
  });
});

describe('held groups', () => {
  it('are bounded in bytes: past the budget a storm is counted, and the digest still counts every group', () => {
    const emitted: NotificationRequest[] = [];
    const storm = new StormControl({ now: () => T0, getPolicy: () => defaultSettings().policy, emit: (n) => emitted.push(n) });
    const title = 't'.repeat(500);
    const count = Math.ceil((2 * MAX_HELD_BYTES) / (2 * 500)) + 100;
    for (let i = 0; i < count; i++) storm.hold({ groupId: `g${i}`, title, place: 'my_project', isNew: true });
    const held = storm.pending();
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(count);
    const bytes = held.reduce((n, it) => n + 2 * (it.groupId.length + it.title.length + it.place.length), 0);
    expect(bytes).toBeLessThanOrEqual(MAX_HELD_BYTES);
    expect(storm.active(T0)).toBe(true);
    const digest = storm.flushDigest(T0, true);
    expect(digest?.title).toBe(`${held.length} new errors in my_project and ${count - held.length} more`);
    expect(digest?.body).toBe(`${title} ×${held.length}, and ${count - held.length} more.`);
    expect(storm.pending()).toEqual([]);
    storm.close();
  });
});
