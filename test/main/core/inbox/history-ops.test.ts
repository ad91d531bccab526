import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openInbox, type LocalInbox } from '../../../helpers/inbox';
import { backtraceEvent, testSettings } from '../../../helpers/make-event';
import { tmpDataDir } from '../../../helpers/tmp-dir';

const T0 = Date.parse('2026-11-24T02:00:00Z');

async function open(dir: string): Promise<LocalInbox> {
  let t = T0;
  return openInbox({ dataDir: dir, getSettings: () => testSettings(), now: () => (t += 1000) });
}

async function seed(inbox: LocalInbox, n: number, test = false): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await inbox.ingest(
      backtraceEvent({ at: T0 + i * 1000, test, body: { fingerprint: `${test ? 'test' : 'fp'}${i}`, object_id: `o${i}` } }),
    );
    ids.push(r.group.id);
  }
  return ids;
}

/** Makes the store's next writes fail as a full disk would. */
function failWrites(inbox: LocalInbox): () => void {
  const store = (inbox.history as unknown as { store: { writeOut: (...a: unknown[]) => number } }).store;
  const writeOut = store.writeOut;
  store.writeOut = () => {
    throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  };
  return () => {
    store.writeOut = writeOut;
  };
}

/** A log line as the store writes it (the CRC of the rest, a space, the index). */
function line(index: object): string {
  const body = JSON.stringify(index);
  return `${(crc32(Buffer.from(body)) >>> 0).toString(16).padStart(8, '0')} ${body}\n`;
}

describe('delete, clear and mark all read', () => {
  it('deletes one group durably; a later hook starts it afresh', async () => {
    const dir = tmpDataDir();
    const inbox = await open(dir);
    const [a, b] = await seed(inbox, 2);
    expect(await inbox.delete(a!)).toBe(true);
    expect(await inbox.delete(a!)).toBe(false);
    expect(inbox.get(a!)).toBeNull();
    expect(inbox.counts()).toEqual({ groups: 1, unread: 1 });
    await inbox.close();

    const again = await open(dir);
    expect(again.get(a!)).toBeNull();
    expect(again.get(b!)).not.toBeNull();
    const back = await again.ingest(backtraceEvent({ at: T0 + 60_000, body: { fingerprint: 'fp0', object_id: 'later' } }));
    expect(back.isNew).toBe(true);
    expect(back.group.hooks).toBe(1);
    await again.close();
  });

  it('marks every group read with one record, and it holds after a restart', async () => {
    const dir = tmpDataDir();
    const inbox = await open(dir);
    const ids = await seed(inbox, 30);
    await inbox.mark(ids[0]!, { read: true });
    const before = readFileSync(join(dir, 'inbox.log'), 'utf8').split('\n').length;
    expect(await inbox.markAllRead()).toBe(29);
    expect(readFileSync(join(dir, 'inbox.log'), 'utf8').split('\n').length).toBe(before + 1);
    expect(inbox.counts().unread).toBe(0);
    expect(await inbox.markAllRead()).toBe(0);
    // A hook after it is unread again, and stays so after the restart.
    await inbox.ingest(backtraceEvent({ at: T0 + 99_000, body: { fingerprint: 'fp3', object_id: 'again' } }));
    await inbox.close();

    const again = await open(dir);
    expect(again.counts()).toEqual({ groups: 30, unread: 1 });
    expect(again.list({ unread: true }).groups.map((g) => g.id)).toEqual([ids[3]]);
    await again.close();
  });

  it('clears the history durably and rewrites the log, so the bodies leave the disk', async () => {
    const dir = tmpDataDir();
    const inbox = await open(dir);
    await seed(inbox, 20);
    const log = join(dir, 'inbox.log');
    expect(readFileSync(log, 'utf8')).toContain('my_fn');
    expect(await inbox.clear()).toBe(20);
    expect(inbox.counts()).toEqual({ groups: 0, unread: 0 });
    expect(inbox.list({}).total).toBe(0);
    expect(inbox.latest(5)).toEqual([]);
    expect(readFileSync(log, 'utf8')).not.toContain('my_fn');
    // The history goes on after it.
    await inbox.ingest(backtraceEvent({ at: T0 + 99_000, body: { fingerprint: 'after' } }));
    await inbox.close();

    const again = await open(dir);
    expect(again.counts()).toEqual({ groups: 1, unread: 1 });
    await again.close();
  });

  it('puts things back as they were when the record cannot be written', async () => {
    const inbox = await open(tmpDataDir());
    const ids = await seed(inbox, 3);
    const restore = failWrites(inbox);
    await expect(inbox.delete(ids[1]!)).rejects.toThrow(/ENOSPC/);
    await expect(inbox.markAllRead()).rejects.toThrow(/ENOSPC/);
    await expect(inbox.clear()).rejects.toThrow(/ENOSPC/);
    restore();
    expect(inbox.counts()).toEqual({ groups: 3, unread: 3 });
    expect(inbox.list({}).groups.map((g) => g.id)).toEqual([...ids].reverse());
    await inbox.close();
  });

  it('loads a log written before these records existed, and one that holds them, the same', async () => {
    const dir = tmpDataDir();
    const inbox = await open(dir);
    const ids = await seed(inbox, 3);
    await inbox.close();
    // The records as this version writes them, appended by hand after an older version's history.
    writeFileSync(
      join(dir, 'inbox.log'),
      readFileSync(join(dir, 'inbox.log'), 'utf8') +
        line({ k: 'a', m: { read: true }, at: '2026-11-24T03:00:00.000Z' }) +
        line({ k: 'p', ids: [ids[0]], why: 'deleted' }),
    );
    const warnings: string[] = [];
    const again = await openInbox({ dataDir: dir, getSettings: () => testSettings(), onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(again.counts()).toEqual({ groups: 2, unread: 0 });
    expect(again.get(ids[0]!)).toBeNull();
    await again.close();
  });
});

describe('test events', () => {
  it('are listed with their mark and never counted unread; a real hook makes the group real', async () => {
    const dir = tmpDataDir();
    const inbox = await open(dir);
    const [t] = await seed(inbox, 1, true);
    await seed(inbox, 1);
    expect(inbox.counts()).toEqual({ groups: 2, unread: 1 });
    const row = inbox.list({}).groups.find((g) => g.id === t)!;
    expect(row).toMatchObject({ test: true, read: false });
    expect(inbox.get(t!)?.test).toBe(true);
    // Reading and unreading a test group leaves the count alone.
    await inbox.mark(t!, { read: true });
    await inbox.mark(t!, { read: false });
    expect(inbox.counts().unread).toBe(1);
    await inbox.close();

    const again = await open(dir);
    expect(again.counts()).toEqual({ groups: 2, unread: 1 });
    // A real crash in the same group is news: it counts from now on.
    const real = await again.ingest(backtraceEvent({ at: T0 + 50_000, body: { fingerprint: 'test0', object_id: 'real' } }));
    expect(real.group.test).toBe(false);
    expect(again.counts().unread).toBe(2);
    await again.close();
  });
});
