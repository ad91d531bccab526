import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openInbox, type LocalInboxOptions } from '../../../helpers/inbox';
import { LogStore } from '../../../../main/core/history/store';
import { crc32 } from 'node:zlib';
import { backtraceEvent, errorceptionEvent, testSettings } from '../../../helpers/make-event';
import { groupsOf, keysOf } from '../../../helpers/inbox-pages';
import { tmpDataDir } from '../../../helpers/tmp-dir';

const T0 = Date.parse('2026-11-24T02:00:00Z');

function opts(dir: string, over: Partial<LocalInboxOptions> = {}): LocalInboxOptions {
  let t = T0;
  return { dataDir: dir, getSettings: () => testSettings(), now: () => (t += 1), ...over };
}

describe('durable store', () => {
  it('creates the data dir and keeps groups, decisions and raw bodies across reopen', async () => {
    const dir = join(tmpDataDir(), 'nested', 'data');
    const a = await openInbox(opts(dir));
    const r = await a.ingest(backtraceEvent());
    await a.ingest(errorceptionEvent());
    await a.close();
    const b = await openInbox(opts(dir));
    expect(b.counts()).toEqual({ groups: 2, unread: 2 });
    const g = b.get(r.group.id);
    expect(g?.lastDecision).toMatchObject({ notify: true, code: 'new-group' });
    expect(g?.notifiedAt).not.toBeNull();
    expect(g?.latestRaw).toEqual(backtraceEvent().raw);
    expect(b.latest(2).map((x) => x.provider)).toEqual(['errorception', 'backtrace']);
    await b.close();
  });

  it('a torn last record loads with a warning, and appends after it land on a clean line', async () => {
    const dir = tmpDataDir();
    const a = await openInbox(opts(dir));
    await a.ingest(backtraceEvent({ body: { fingerprint: 'one' } }));
    await a.ingest(backtraceEvent({ body: { fingerprint: 'two' } }));
    await a.close();
    const file = join(dir, 'inbox.log');
    // A crash in the middle of writing the second record.
    const size = statSync(file).size;
    truncateSync(file, size - 40);

    const warnings: string[] = [];
    const b = await openInbox(opts(dir, { onWarning: (w) => warnings.push(w) }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/torn/);
    expect(b.counts().groups).toBe(1);
    await b.ingest(backtraceEvent({ body: { fingerprint: 'three' } }));
    await b.close();

    const again: string[] = [];
    const c = await openInbox(opts(dir, { onWarning: (w) => again.push(w) }));
    expect(again).toEqual([]);
    expect(keysOf(c, c.list({}))).toEqual(['three', 'one']);
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    await c.close();
  });

  it('a corrupt last line (garbage after a crash) is cut; a corrupt line between good ones is skipped', async () => {
    const dir = tmpDataDir();
    const a = await openInbox(opts(dir));
    await a.ingest(backtraceEvent({ body: { fingerprint: 'one' } }));
    await a.close();
    const file = join(dir, 'inbox.log');
    appendFileSync(file, '{"k":"g","g":{"id":\n');
    appendFileSync(file, Buffer.alloc(64)); // zero-filled tail
    const warnings: string[] = [];
    const b = await openInbox(opts(dir, { onWarning: (w) => warnings.push(w) }));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(b.counts().groups).toBe(1);
    await b.ingest(backtraceEvent({ body: { fingerprint: 'two' } }));
    await b.close();

    // Corrupt a record in the middle: the others still load.
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(1, 0, 'not json at all');
    writeFileSync(file, lines.join('\n'));
    const w2: string[] = [];
    const c = await openInbox(opts(dir, { onWarning: (w) => w2.push(w) }));
    expect(w2).toHaveLength(1);
    expect(c.counts().groups).toBe(2);
    await c.close();
  });

  it('a last record damaged inside (valid length and newline, wrong bytes) fails its checksum and is cut', async () => {
    const dir = tmpDataDir();
    const a = await openInbox(opts(dir));
    await a.ingest(backtraceEvent({ body: { fingerprint: 'one' } }));
    await a.ingest(backtraceEvent({ body: { fingerprint: 'two', application: 'my_app.exe' } }));
    await a.close();
    const file = join(dir, 'inbox.log');
    const bytes = readFileSync(file);
    // Change one letter of the raw body near the end of the last line: still valid JSON, wrong content.
    const at = bytes.lastIndexOf(Buffer.from('my_app.exe'));
    bytes[at] = 'M'.charCodeAt(0);
    writeFileSync(file, bytes);
    const warnings: string[] = [];
    const b = await openInbox(opts(dir, { onWarning: (w) => warnings.push(w) }));
    expect(warnings).toHaveLength(1);
    expect(keysOf(b, b.list({}))).toEqual(['one']);
    await b.close();
  });

  it('group commit: many concurrent ingests share far fewer writes and syncs, and all read back', async () => {
    const dir = tmpDataDir();
    const inbox = await openInbox(opts(dir));
    const before = inbox.stats().syncs;
    await Promise.all(Array.from({ length: 200 }, (_, i) => inbox.ingest(backtraceEvent({ body: { fingerprint: `c${i}` } }))));
    const s = inbox.stats();
    expect(s.groups).toBe(200);
    expect(s.syncs - before).toBeLessThanOrEqual(5);
    expect(s.writes).toBeLessThanOrEqual(5);
    const before2 = inbox.list({ limit: 1000 });
    const wholeBefore = groupsOf(inbox, before2);
    await inbox.close();
    const again = await openInbox(opts(dir));
    expect(again.list({ limit: 1000 })).toEqual(before2);
    expect(groupsOf(again, before2)).toEqual(wholeBefore);
    expect(again.get(before2.groups[137]!.id)?.latestRaw).toMatchObject({ fingerprint: wholeBefore[137]!.groupKey });
    await again.close();
  });

  it('each ingest resolves only after its record was synced', async () => {
    const inbox = await openInbox(opts(tmpDataDir()));
    const r = inbox.ingest(backtraceEvent());
    expect(inbox.stats().syncs).toBe(0);
    await r;
    expect(inbox.stats().syncs).toBe(1);
    await inbox.close();
  });

  it('appends one record per event: the log grows by about one event, never rewrites history', async () => {
    const dir = tmpDataDir();
    const inbox = await openInbox(opts(dir));
    for (let i = 0; i < 50; i++) await inbox.ingest(backtraceEvent({ body: { fingerprint: `g${i}` } }));
    const size50 = statSync(join(dir, 'inbox.log')).size;
    await inbox.ingest(backtraceEvent({ body: { fingerprint: 'last' } }));
    const grew = statSync(join(dir, 'inbox.log')).size - size50;
    expect(grew).toBeGreaterThan(0);
    expect(grew).toBeLessThan((size50 / 50) * 1.5);
    await inbox.close();
  });

  it('compacts a log full of superseded records, keeping every group, mark and raw body', async () => {
    const dir = tmpDataDir();
    const inbox = await openInbox(opts(dir, { compaction: { minBytes: 64 * 1024, ratio: 3 } }));
    let last = 0;
    for (let i = 1; i <= 400; i++) {
      // Five busy groups, each hook superseding the previous record.
      await inbox.ingest(backtraceEvent({ body: { fingerprint: `busy${i % 5}`, occurrences: i, object_id: `o${i}` } }));
      last = i;
    }
    const id = inbox.latest(1)[0]!.id;
    await inbox.mark(id, { muted: true });
    await inbox.ingest(backtraceEvent({ body: { fingerprint: 'after', occurrences: 1, object_id: 'z' } }));
    expect(inbox.stats().compactions).toBeGreaterThan(0);
    expect(statSync(join(dir, 'inbox.log')).size).toBeLessThan(64 * 1024 * 2);
    expect((inbox.get(id)!.latestRaw as { object_id: string }).object_id).toBe(`o${last}`);
    await inbox.close();

    const again = await openInbox(opts(dir));
    expect(again.counts().groups).toBe(6);
    expect(again.get(id)).toMatchObject({ muted: true, latestObjectId: `o${last}`, occurrences: last });
    expect((again.get(id)!.latestRaw as { object_id: string }).object_id).toBe(`o${last}`);
    await again.close();
  });

  it('ignores a compaction copy left by a crash before its rename', async () => {
    const dir = tmpDataDir();
    const a = await openInbox(opts(dir));
    await a.ingest(backtraceEvent());
    await a.close();
    writeFileSync(join(dir, 'inbox.log.compact'), '{"k":"g","g":{"id":"half');
    const b = await openInbox(opts(dir));
    expect(b.counts().groups).toBe(1);
    await b.close();
  });

  it('loads records longer than the read buffer', async () => {
    const dir = tmpDataDir();
    const big = 'x'.repeat(5 * 1024 * 1024);
    const a = await openInbox(opts(dir));
    const r = await a.ingest(backtraceEvent({ raw: { big } }));
    await a.ingest(backtraceEvent({ body: { fingerprint: 'small' } }));
    await a.close();
    const b = await openInbox(opts(dir));
    expect(b.counts().groups).toBe(2);
    expect((b.get(r.group.id)!.latestRaw as { big: string }).big.length).toBe(big.length);
    await b.close();
  });

  it('keeps non-ASCII text and bodies exact (offsets are bytes), through reopen and compaction', async () => {
    const dir = tmpDataDir();
    const title = 'Ошибка в «корзине» — 💥 naïve\tcafé';
    const raw = { message: title, emoji: '🦀🔥', nested: { tab: 'a\tb', nl: 'c\nd' } };
    const a = await openInbox(opts(dir, { compaction: { minBytes: 1, ratio: 1.01 } }));
    const r = await a.ingest(errorceptionEvent({ title, raw }));
    for (let i = 0; i < 5; i++)
      await a.ingest(errorceptionEvent({ title, raw: { ...raw, i }, redelivery: { key: `k${i}`, windowMs: 1000 } }));
    expect(a.stats().compactions).toBeGreaterThan(0);
    expect(a.get(r.group.id)?.latestRaw).toEqual({ ...raw, i: 4 });
    await a.close();
    const b = await openInbox(opts(dir));
    expect(b.get(r.group.id)).toMatchObject({ title, latestRaw: { ...raw, i: 4 }, hooks: 6 });
    expect(b.list({ text: 'КОРЗИНЕ' }).total).toBe(1);
    await b.close();
  });

  it('stores parts by offset and reads them back while pending and after the write', async () => {
    const dir = tmpDataDir();
    const seen: Array<{ index: unknown; parts: number }> = [];
    const store = await LogStore.open({ dataDir: dir }, () => undefined);
    const { refs, done } = store.append('{"k":"x","n":1}', ['{"a":"é"}', '"second"']);
    expect(store.readPart(refs[0])).toBe('{"a":"é"}'); // pending: from memory
    await done;
    expect(refs[0]!.text).toBeNull();
    expect(store.readPart(refs[0])).toBe('{"a":"é"}'); // from disk
    expect(store.readPart(refs[1])).toBe('"second"');
    await store.close();
    const again = await LogStore.open({ dataDir: dir }, (index, parts) => seen.push({ index, parts: parts.length }));
    expect(seen).toEqual([{ index: { k: 'x', n: 1 }, parts: 2 }]);
    await again.close();
  });

  it('finishes a short write from where it stopped', async () => {
    const dir = tmpDataDir();
    const store = await LogStore.open({ dataDir: dir }, () => undefined);
    const seam = store as unknown as { writeOut: (fd: number, buffers: Buffer[]) => number };
    const writeOut = seam.writeOut.bind(store);
    let calls = 0;
    // The first write takes only 7 bytes, as a write interrupted by a signal may.
    seam.writeOut = (fd, buffers) => (calls++ === 0 ? writeOut(fd, [Buffer.concat(buffers).subarray(0, 7)]) : writeOut(fd, buffers));
    const a = store.append('{"k":"x","n":1}', ['"first"']);
    const b = store.append('{"k":"x","n":2}', ['"second"']);
    await Promise.all([a.done, b.done]);
    expect(calls).toBeGreaterThan(1);
    expect(store.readPart(b.refs[0])).toBe('"second"');
    await store.close();
    const seen: unknown[] = [];
    const again = await LogStore.open({ dataDir: dir, onWarning: (w) => expect.fail(w) }, (index) => seen.push(index));
    expect(seen).toEqual([
      { k: 'x', n: 1 },
      { k: 'x', n: 2 },
    ]);
    await again.close();
  });

  it('a failed write (disk full) rejects the ingest and rolls the group back, so a retry is not a redelivery', async () => {
    const dir = tmpDataDir();
    const inbox = await openInbox(opts(dir));
    await inbox.ingest(backtraceEvent({ body: { fingerprint: 'kept' } }));
    // Reach the open file and make its next write fail the way a full disk does.
    const store = (inbox.history as unknown as { store: { writeOut: (...a: unknown[]) => number } }).store;
    const writeOut = store.writeOut;
    store.writeOut = () => {
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    };
    await expect(inbox.ingest(backtraceEvent({ body: { fingerprint: 'lost' } }))).rejects.toThrow(/no space/);
    expect(inbox.counts().groups).toBe(1);
    store.writeOut = writeOut;
    const retry = await inbox.ingest(backtraceEvent({ body: { fingerprint: 'lost' } }));
    expect(retry).toMatchObject({ duplicate: false, isNew: true });
    await inbox.close();
    const again = await openInbox(opts(dir));
    expect(again.counts().groups).toBe(2);
    await again.close();
  });

  it('two hooks of one group failing together leave nothing behind: the retry is stored, not taken for a redelivery', async () => {
    const dir = tmpDataDir();
    const inbox = await openInbox(opts(dir));
    const store = (inbox.history as unknown as { store: { writeOut: (...a: unknown[]) => number } }).store;
    const writeOut = store.writeOut;
    store.writeOut = () => {
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    };
    const first = backtraceEvent({ body: { fingerprint: 'g', object_id: 'o1', occurrences: 1 } });
    const second = backtraceEvent({ body: { fingerprint: 'g', object_id: 'o2', occurrences: 2 } });
    const results = await Promise.allSettled([inbox.ingest(first), inbox.ingest(second)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(inbox.counts().groups).toBe(0);
    store.writeOut = writeOut;
    const retry = await inbox.ingest(backtraceEvent({ body: { fingerprint: 'g', object_id: 'o1', occurrences: 1 } }));
    expect(retry).toMatchObject({ duplicate: false, isNew: true });
    await inbox.close();
    const again = await openInbox(opts(dir));
    expect(again.counts().groups).toBe(1);
    await again.close();
  });

  it('a failed sync (I/O error) rejects what it covered and cuts it from the log', async () => {
    const dir = tmpDataDir();
    const inbox = await openInbox(opts(dir));
    await inbox.ingest(backtraceEvent({ body: { fingerprint: 'kept' } }));
    const handle = (inbox.history as unknown as { store: { handle: { datasync: () => Promise<void> } } }).store.handle;
    const datasync = handle.datasync.bind(handle);
    handle.datasync = () => Promise.reject(Object.assign(new Error('input/output error'), { code: 'EIO' }));
    const failed = await Promise.allSettled([1, 2, 3].map((n) => inbox.ingest(backtraceEvent({ body: { fingerprint: `io${n}` } }))));
    expect(failed.every((r) => r.status === 'rejected')).toBe(true);
    expect(inbox.counts().groups).toBe(1);
    handle.datasync = datasync;
    await inbox.ingest(backtraceEvent({ body: { fingerprint: 'after' } }));
    await inbox.close();
    const again = await openInbox(opts(dir, { onWarning: (w) => expect.fail(w) }));
    expect(keysOf(again, again.list({}))).toEqual(['after', 'kept']);
    await again.close();
  });

  it('after close, ingest and append reject instead of hanging', async () => {
    const dir = tmpDataDir();
    const inbox = await openInbox(opts(dir));
    await inbox.close();
    await expect(inbox.ingest(backtraceEvent())).rejects.toThrow(/closed/);
    const store = await LogStore.open({ dataDir: dir }, () => undefined);
    const { done } = store.append('{"k":"m","id":"x","m":{},"at":"now"}');
    await done;
    await store.close();
    await expect(store.append('{}').done).rejects.toThrow(/closed/);
  });

  it.skipIf(process.platform === 'win32')('an inbox.log planted as a link is refused, and the file it points to is untouched', async () => {
    const dir = tmpDataDir();
    const target = join(tmpDataDir(), 'precious');
    writeFileSync(target, 'do not touch\n');
    chmodSync(target, 0o644);
    symlinkSync(target, join(dir, 'inbox.log'));
    await expect(openInbox(opts(dir))).rejects.toThrow(`${join(dir, 'inbox.log')} is a symbolic link`);
    // Today's code cut the target back to its last good record (nothing) and made it 0600.
    expect(readFileSync(target, 'utf8')).toBe('do not touch\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });

  it.skipIf(process.platform === 'win32')("a link planted as the compaction's temporary file is not written through", async () => {
    const dir = tmpDataDir();
    const target = join(tmpDataDir(), 'precious');
    writeFileSync(target, 'do not touch\n');
    chmodSync(target, 0o644);
    const inbox = await openInbox(opts(dir));
    for (let i = 0; i < 20; i++) await inbox.ingest(backtraceEvent({ body: { fingerprint: 'same' } }));
    // Planted while it runs (its leftover is removed at open), as another user could in a folder they may write.
    symlinkSync(target, join(dir, 'inbox.log.compact'));
    await inbox.clear();
    await inbox.close();
    expect(readFileSync(target, 'utf8')).toBe('do not touch\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(existsSync(join(dir, 'inbox.log.compact'))).toBe(false);
    const again = await openInbox(opts(dir));
    expect(again.counts().groups).toBe(0);
    await again.close();
  });

  it('skips an over-long corrupt line in bounded memory and loads the records around it', async () => {
    const dir = tmpDataDir();
    const file = join(dir, 'inbox.log');
    const record = (index: Record<string, unknown>): string => {
      const text = JSON.stringify(index);
      return `${crc32(Buffer.from(text)).toString(16).padStart(8, '0')} ${text}\n`;
    };
    // 64 MiB of damage with no newline inside (the shape of the 304 MiB line the issue found), between two records.
    const fd = openSync(file, 'w', 0o600);
    writeSync(fd, record({ k: 'x', n: 1 }));
    const junk = Buffer.alloc(4 * 1024 * 1024, 0x41);
    for (let i = 0; i < 16; i++) writeSync(fd, junk);
    writeSync(fd, '\n');
    writeSync(fd, record({ k: 'x', n: 2 }));
    closeSync(fd);

    const seen: unknown[] = [];
    const warnings: string[] = [];
    const limit = 1024 * 1024;
    const store = await LogStore.open({ dataDir: dir, maxRecordBytes: limit, onWarning: (w) => warnings.push(w) }, (index) =>
      seen.push(index),
    );
    expect(seen).toEqual([
      { k: 'x', n: 1 },
      { k: 'x', n: 2 },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^History: skipped record 2 at byte \d+: 67108865 bytes, longer than any record Crashbell writes/);
    // The read buffer never grew past the limit (before, it doubled until the whole line fitted: 128 MiB here).
    expect(store.stats().loadBufferBytes).toBeLessThanOrEqual(limit);
    expect(store.stats().skipped).toBe(1);
    // A damaged record between good ones stays where it is; nothing after the last good record is lost.
    expect(statSync(file).size).toBe(
      Buffer.byteLength(record({ k: 'x', n: 1 })) + 64 * 1024 * 1024 + 1 + Buffer.byteLength(record({ k: 'x', n: 2 })),
    );
    await store.close();
  });

  it('an over-long torn last line is cut, read past in bounded memory', async () => {
    const dir = tmpDataDir();
    const file = join(dir, 'inbox.log');
    const good = `${crc32(Buffer.from('{"k":"x"}')).toString(16).padStart(8, '0')} {"k":"x"}\n`;
    writeFileSync(file, good + 'B'.repeat(3 * 1024 * 1024), { mode: 0o600 });
    const warnings: string[] = [];
    const store = await LogStore.open({ dataDir: dir, maxRecordBytes: 256 * 1024, onWarning: (w) => warnings.push(w) }, () => undefined);
    expect(warnings).toEqual([expect.stringMatching(/^History: the last record \(3145728 bytes at byte 19\) was torn/)]);
    expect(store.stats().loadBufferBytes).toBeLessThanOrEqual(256 * 1024);
    expect(statSync(file).size).toBe(good.length);
    await store.close();
  });
});
