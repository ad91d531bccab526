import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { redeliveryDigest } from '../../../../main/core/bounded-event';
import { applyEvent, groupIdFor } from '../../../../main/core/inbox/grouping';
import {
  isRedelivery,
  keyCount,
  keyDigest,
  keysFrom,
  REDELIVERY_KEYS_PER_GROUP,
  rememberKey,
} from '../../../../main/core/inbox/redelivery-keys';
import type { LocalInboxOptions } from '../../../helpers/inbox';
import { backtraceEvent, errorceptionEvent, testSettings } from '../../../helpers/make-event';
import { tmpDataDir } from '../../../helpers/tmp-dir';
import { openRecordingInbox } from '../../../helpers/recording-inbox';

const T0 = Date.parse('2026-11-24T02:00:00Z');
const MIN = 60_000;

function clock(start = T0): { now: () => number; set: (t: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v) };
}

async function open(dir = tmpDataDir(), over: Partial<LocalInboxOptions> = {}) {
  const c = clock();
  const { inbox, notes } = await openRecordingInbox({ dataDir: dir, getSettings: () => testSettings(), now: c.now, ...over });
  return { inbox, notes, clock: c, dir };
}

describe('group ids', () => {
  it('are stable, URL-safe and differ by source and key', () => {
    const a = groupIdFor('src-a', 'fp');
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(groupIdFor('src-a', 'fp')).toBe(a);
    expect(groupIdFor('src-b', 'fp')).not.toBe(a);
    // The separator keeps ("ab","c") and ("a","bc") apart.
    expect(groupIdFor('ab', 'c')).not.toBe(groupIdFor('a', 'bc'));
  });

  it('keep the values stored histories already hold (sha256 of source, NUL, key as UTF-8)', () => {
    expect(groupIdFor('src-a', 'fp')).toBe('2hB36Ly6rrCBYBZK3TUO9S');
    expect(groupIdFor('bt-source-0000000001', 'крэш 🔥 fp')).toBe('d5OtIjZ0I4uhxDbE4hIJB2');
  });
});

describe('raw body kept as received', () => {
  it('stores the body text the receiver passes, with its tabs and line breaks turned into spaces', async () => {
    const dir = tmpDataDir();
    const a = await open(dir);
    const compact = backtraceEvent({ body: { fingerprint: 'compact', object_id: 'c1' } });
    const pretty = backtraceEvent({ body: { fingerprint: 'pretty', object_id: 'p1' } });
    const one = await a.inbox.ingest(compact, { source: null, rawJson: ` ${JSON.stringify(compact.raw)}\r ` });
    // Pretty-printed JSON has newlines and tabs, which separate a log record's parts: they become spaces.
    const two = await a.inbox.ingest(pretty, { source: null, rawJson: JSON.stringify(pretty.raw, null, '\t') });
    await a.inbox.close();
    const b = await open(dir);
    expect(b.inbox.counts().groups).toBe(2);
    expect(b.inbox.get(one.group.id)?.latestRaw).toEqual(compact.raw);
    expect(b.inbox.get(two.group.id)?.latestRaw).toEqual(pretty.raw);
    await b.inbox.close();
  });

  it('keeps a valid body nested deeper than JSON.stringify can go, even with line breaks', async () => {
    const dir = tmpDataDir();
    const a = await open(dir);
    const depth = 20_000;
    const text = `{"fingerprint":"deep",\n"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const deep = backtraceEvent({ body: { fingerprint: 'deep', object_id: 'd1' } });
    deep.raw = JSON.parse(text) as unknown;
    const r = await a.inbox.ingest(deep, { source: null, rawJson: text });
    expect(r.isNew).toBe(true);
    await a.inbox.close();
    const b = await open(dir);
    const raw = b.inbox.get(r.group.id)?.latestRaw as { fingerprint: string; extra: unknown[] };
    expect(raw.fingerprint).toBe('deep');
    expect(Array.isArray(raw.extra)).toBe(true);
    await b.inbox.close();
  });
});

describe('grouping', () => {
  it('folds Backtrace hooks of one fingerprint into one group, following the provider counts', async () => {
    const { inbox } = await open();
    const first = await inbox.ingest(backtraceEvent({ at: T0 }));
    expect(first.isNew).toBe(true);
    const second = await inbox.ingest(
      backtraceEvent({ at: T0 + 5000, body: { occurrences: 40, object_id: '2f0', hosts: 6, callstack: ['abort', 'my_fn', 'main'] } }),
    );
    expect(second).toMatchObject({ isNew: false, duplicate: false });
    expect(second.group.id).toBe(first.group.id);
    const g = inbox.get(first.group.id);
    expect(g).toMatchObject({
      occurrences: 40,
      hosts: 6,
      hooks: 2,
      latestObjectId: '2f0',
      lastReceivedAt: new Date(T0 + 5000).toISOString(),
    });
    expect(g?.callstack).toEqual(['abort', 'my_fn', 'main']);
    expect((g!.latestRaw as { object_id: string }).object_id).toBe('2f0');
    expect(inbox.counts()).toEqual({ groups: 1, unread: 1 });
    await inbox.close();
  });

  it('never counts occurrences backwards when hooks arrive out of order', async () => {
    const { inbox } = await open();
    await inbox.ingest(backtraceEvent({ body: { occurrences: 50, object_id: 'a' } }));
    const r = await inbox.ingest(backtraceEvent({ body: { occurrences: 45, object_id: 'b' } }));
    expect(r.group.occurrences).toBe(50);
    await inbox.close();
  });

  it('keeps different fingerprints and different sources apart', async () => {
    const { inbox } = await open();
    await inbox.ingest(backtraceEvent({ body: { fingerprint: 'aaa' } }));
    await inbox.ingest(backtraceEvent({ body: { fingerprint: 'bbb' } }));
    await inbox.ingest(backtraceEvent({ body: { fingerprint: 'aaa' }, sourceId: 'bt-source-0000000002' }));
    expect(inbox.counts().groups).toBe(3);
    await inbox.close();
  });

  it('counts Errorception hooks as occurrences', async () => {
    const { inbox, clock: c } = await open();
    for (let i = 0; i < 3; i++) {
      c.set(T0 + i * MIN);
      await inbox.ingest(errorceptionEvent({ at: T0 + i * MIN, body: { date: new Date(T0 + i * MIN).toISOString() } }));
    }
    const g = inbox.get(inbox.latest(1)[0]!.id);
    expect(g).toMatchObject({ occurrences: 3, hooks: 3, provider: 'errorception', page: 'https://example.com/checkout' });
    await inbox.close();
  });

  it('a provider\'s "resolved" hook marks the group resolved without counting as an occurrence', async () => {
    const { inbox, clock: c } = await open();
    for (let i = 0; i < 9; i++) {
      c.set(T0 + i * MIN);
      await inbox.ingest(errorceptionEvent({ at: T0 + i * MIN, body: { date: new Date(T0 + i * MIN).toISOString() } }));
    }
    const before = inbox.latest(1)[0]!;
    c.set(T0 + 20 * MIN);
    const resolved = errorceptionEvent({ at: T0 + 20 * MIN, lifecycle: 'resolved', lastSeen: null, firstSeen: null });
    const r = await inbox.ingest(resolved);
    expect(r.group).toMatchObject({ occurrences: 9, resolved: true, lastSeen: before.lastSeen });
    // The next real occurrence is the tenth: it regresses the resolved group.
    c.set(T0 + 21 * MIN);
    const again = await inbox.ingest(errorceptionEvent({ at: T0 + 21 * MIN, body: { date: new Date(T0 + 21 * MIN).toISOString() } }));
    expect(again.group.occurrences).toBe(10);
    expect(again.decision.notify).toBe(true);
    await inbox.close();
  });

  it("a provider's resolved or ignored hook settles the group, so it stops counting as unread; a crash makes it news again", async () => {
    const { inbox } = await open();
    await inbox.ingest(errorceptionEvent({ at: T0 }));
    expect(inbox.counts()).toEqual({ groups: 1, unread: 1 });
    const state = (lifecycle: 'resolved' | 'ignored', at: number) =>
      errorceptionEvent({ at, lifecycle, lastSeen: null, firstSeen: null, body: { date: new Date(at).toISOString(), state: lifecycle } });
    await inbox.ingest(state('resolved', T0 + MIN));
    expect(inbox.counts()).toEqual({ groups: 1, unread: 0 });
    await inbox.ingest(errorceptionEvent({ at: T0 + 2 * MIN, body: { date: new Date(T0 + 2 * MIN).toISOString() } }));
    expect(inbox.counts()).toEqual({ groups: 1, unread: 1 });
    await inbox.ingest(state('ignored', T0 + 3 * MIN));
    expect(inbox.counts()).toEqual({ groups: 1, unread: 0 });
    await inbox.ingest(errorceptionEvent({ at: T0 + 4 * MIN, body: { date: new Date(T0 + 4 * MIN).toISOString() } }));
    expect(inbox.counts()).toEqual({ groups: 1, unread: 1 });
    await inbox.close();
  });
});

describe('redelivery', () => {
  it('a Backtrace hook with the same object_id and occurrences changes nothing and raises nothing', async () => {
    const { inbox, notes } = await open();
    const first = await inbox.ingest(backtraceEvent());
    const again = await inbox.ingest(backtraceEvent());
    expect(again.duplicate).toBe(true);
    expect(again.decision).toMatchObject({ notify: false, code: 'duplicate' });
    expect(again.group).toEqual(first.group);
    expect(inbox.get(first.group.id)?.hooks).toBe(1);
    expect(notes).toHaveLength(1);
    await inbox.close();
  });

  it('is still recognised for Backtrace after a restart', async () => {
    const dir = tmpDataDir();
    const a = await open(dir);
    await a.inbox.ingest(backtraceEvent());
    await a.inbox.close();
    const b = await open(dir);
    b.clock.set(T0 + 7 * 24 * 60 * MIN);
    const again = await b.inbox.ingest(backtraceEvent({ at: T0 + 7 * 24 * 60 * MIN }));
    expect(again.duplicate).toBe(true);
    expect(b.notes).toHaveLength(0);
    await b.inbox.close();
  });

  it('an identical Errorception body within 10 minutes is a redelivery; after 10 minutes it is a new hook', async () => {
    const { inbox, clock: c } = await open();
    const first = await inbox.ingest(errorceptionEvent());
    c.set(T0 + 9 * MIN);
    expect((await inbox.ingest(errorceptionEvent({ at: T0 + 9 * MIN }))).duplicate).toBe(true);
    c.set(T0 + 11 * MIN);
    const later = await inbox.ingest(errorceptionEvent({ at: T0 + 11 * MIN }));
    expect(later.duplicate).toBe(false);
    expect(inbox.get(first.group.id)?.hooks).toBe(2);
    await inbox.close();
  });

  it('concurrent redeliveries are answered only once the original is on disk', async () => {
    const { inbox } = await open();
    const results = await Promise.all([inbox.ingest(backtraceEvent()), inbox.ingest(backtraceEvent())]);
    expect(results.map((r) => r.duplicate)).toEqual([false, true]);
    await inbox.close();
  });

  it('keeps a bounded set of keys per group', () => {
    let keys = rememberKey('', backtraceEvent({ body: { object_id: 'first' } }), T0);
    for (let i = 0; i < REDELIVERY_KEYS_PER_GROUP + 10; i++) keys = rememberKey(keys, backtraceEvent({ body: { object_id: `o${i}` } }), T0);
    expect(keyCount(keys)).toBe(REDELIVERY_KEYS_PER_GROUP);
    expect(isRedelivery(keys, backtraceEvent({ body: { object_id: 'first' } }), T0)).toBe(false);
    expect(isRedelivery(keys, backtraceEvent({ body: { object_id: `o${REDELIVERY_KEYS_PER_GROUP + 9}` } }), T0)).toBe(true);
  });

  it('keeps keys as fixed-size digests, however long the object id', () => {
    const objectId = 'o'.repeat(900_000);
    const keys = rememberKey('', backtraceEvent({ body: { object_id: objectId } }), T0);
    expect(keys).toMatch(new RegExp(`^[A-Za-z0-9_-]{22}:${T0.toString(36)}$`));
    expect(isRedelivery(keys, backtraceEvent({ body: { object_id: objectId } }), T0)).toBe(true);
    expect(isRedelivery(keys, backtraceEvent({ body: { object_id: `${objectId}x` } }), T0)).toBe(false);
  });

  it('keys stored by older versions (whole keys, then full digests, as pairs) still match, in the compact form', () => {
    const legacy = keysFrom([
      ['2e6:35', T0],
      [redeliveryDigest('body:abc'), T0 - MIN],
    ]);
    const event = backtraceEvent();
    expect(event.redelivery.key).toBe('2e6:35');
    expect(isRedelivery(legacy, event, T0)).toBe(true);
    expect(isRedelivery(legacy, { ...event, redelivery: { key: 'body:abc', windowMs: null } }, T0)).toBe(true);
    expect(isRedelivery(legacy, backtraceEvent({ body: { occurrences: 36 } }), T0)).toBe(false);
    const next = rememberKey(legacy, backtraceEvent({ body: { occurrences: 36 } }), T0);
    // Pairs were kept oldest first: the last pair is the newest key.
    expect(next.split(' ').map((e) => e.split(':')[0])).toEqual([keyDigest('2e6:36'), keyDigest('body:abc'), keyDigest('2e6:35')]);
    expect(isRedelivery(next, event, T0)).toBe(true);
  });

  it('a key remembered again moves to the front with its new time, and the window counts from then', () => {
    let keys = rememberKey('', backtraceEvent(), T0);
    keys = rememberKey(keys, backtraceEvent({ body: { occurrences: 36 } }), T0 + 1);
    keys = rememberKey(keys, backtraceEvent(), T0 + 2);
    expect(keyCount(keys)).toBe(2);
    expect(keys.startsWith(`${keyDigest('2e6:35')}:${(T0 + 2).toString(36)} `)).toBe(true);
    const windowed = { ...backtraceEvent(), redelivery: { key: '2e6:35', windowMs: 10 } };
    expect(isRedelivery(keys, windowed, T0 + 12)).toBe(true);
    expect(isRedelivery(keys, windowed, T0 + 13)).toBe(false);
  });

  it('an old log holding whole keys loads, and its redeliveries are still recognised', async () => {
    const dir = tmpDataDir();
    const first = await open(dir);
    const original = await first.inbox.ingest(backtraceEvent());
    await first.inbox.close();
    // Rewrite the stored keys the way a version before digests wrote them: whole.
    const log = join(dir, 'inbox.log');
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const rewritten = lines.map((line) => {
      const [, ...rest] = line.split(' ');
      const parts = rest.join(' ').split('\t');
      const state = JSON.parse(parts[1]!) as { dk: unknown };
      state.dk = [['2e6:35', T0]];
      parts[1] = JSON.stringify(state);
      const body = parts.join('\t');
      return `${crc32(Buffer.from(body)).toString(16).padStart(8, '0')} ${body}`;
    });
    writeFileSync(log, `${rewritten.join('\n')}\n`);
    const again = await open(dir);
    const redelivered = await again.inbox.ingest(backtraceEvent());
    expect(redelivered).toMatchObject({ duplicate: true, group: { id: original.group.id, hooks: 1 } });
    await again.inbox.close();
  });
});

describe('folding what providers really send', () => {
  const fold = (events: ReturnType<typeof backtraceEvent>[]) => {
    let g = applyEvent(null, events[0]!, 'g');
    for (const e of events.slice(1)) g = applyEvent(g, e, 'g');
    return g;
  };

  it('a regression whose provider count starts again (Rollbar reactivation, 127 → 1) restarts the count there', () => {
    const g = fold([
      backtraceEvent({ occurrences: 127, lifecycle: 'regressed' }),
      backtraceEvent({ occurrences: 1, lifecycle: 'regressed' }),
      backtraceEvent({ occurrences: 12, lifecycle: 'recurring' }),
    ]);
    expect(g.occurrences).toBe(12);
    // Out of order without a regression, the count never goes backwards.
    expect(fold([backtraceEvent({ occurrences: 50 }), backtraceEvent({ occurrences: 40 })]).occurrences).toBe(50);
  });

  it("a resolve keeps the group's title and project (a Honeybadger resolve carries no project and maybe a bare fault)", () => {
    const g = fold([
      backtraceEvent({ title: 'RuntimeError: oops', project: 'Crywolf' }),
      backtraceEvent({ title: 'oops', project: null, lifecycle: 'resolved' }),
    ]);
    expect(g).toMatchObject({ title: 'RuntimeError: oops', project: 'Crywolf' });
    // A group a resolve starts takes what it has, and a hook without a title is named by its key.
    expect(applyEvent(null, backtraceEvent({ title: '', groupKey: '61726306', lifecycle: 'resolved' }), 'g').title).toBe('61726306');
  });

  it('keeps the link and how Crashbell built it until a hook brings another', () => {
    const g = fold([
      backtraceEvent({ url: 'https://acme.sentry.io/issues/1/', urlDerivation: "built from the issue id and this source's web app URL" }),
      backtraceEvent({ url: null }),
    ]);
    expect(g).toMatchObject({
      url: 'https://acme.sentry.io/issues/1/',
      urlDerivation: "built from the issue id and this source's web app URL",
    });
    expect(applyEvent(g, backtraceEvent({ url: 'https://acme.sentry.io/issues/1/?x' }), 'g').urlDerivation).toBeNull();
  });
});
