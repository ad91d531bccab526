/** The notifier fans each notification out to the command and ntfy outlets, each bounded, failures reported. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeliveryFailure, HeadlessNotifier, MAX_WAITING } from '../../../../main/core/headless/notify';
import type { GroupStateChange, NotificationRequest } from '../../../../shared/events';
import { headlessNotifySchema } from '../../../../shared/settings';
import { NtfyStandIn } from '../../../helpers/ntfy-stand-in';

let dir: string;
let ntfy: NtfyStandIn;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crashbell-notify-'));
  ntfy = await NtfyStandIn.start();
});
afterEach(async () => {
  await ntfy.close();
  rmSync(dir, { recursive: true, force: true });
});

const note = (i: number): NotificationRequest => ({
  title: `New error in Game: e${i}`,
  body: `body ${i}`,
  url: null,
  group: `g${i}`,
  digest: false,
});
/** A command that writes its stdin to a file of its own in `dir`. */
const saveStdin = () => [
  process.execPath,
  '-e',
  "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(require('path').join(process.argv[1],process.pid+'.json'),s))",
  dir,
];

describe('HeadlessNotifier', () => {
  it('sends each notification to both outlets: the command gets the notification line as JSON on stdin', async () => {
    const failures: DeliveryFailure[] = [];
    const notifier = new HeadlessNotifier({
      settings: headlessNotifySchema.parse({ command: { argv: saveStdin() }, ntfy: { url: ntfy.topicUrl('alerts') } }),
      onFailure: (f) => failures.push(f),
    });
    expect(notifier.names).toEqual(['command', 'ntfy']);
    notifier.notify(note(1));
    notifier.notify({ ...note(2), digest: true, group: null, groups: ['g1', 'g2'] });
    expect(await notifier.close(10_000)).toBe(0);
    expect(failures).toEqual([]);
    const got = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);
    expect(got.map((g) => g['title']).sort()).toEqual(['New error in Game: e1', 'New error in Game: e2']);
    expect(got.find((g) => g['digest'] === true)).toEqual({
      type: 'notification',
      title: 'New error in Game: e2',
      body: 'body 2',
      url: null,
      group: null,
      digest: true,
      groups: ['g1', 'g2'],
    });
    expect(ntfy.publishes.map((p) => p.title).sort()).toEqual(['New error in Game: e1', 'New error in Game: e2']);
  });

  it('reports a failing outlet with the notification, and the other outlet still delivers', async () => {
    const failures: DeliveryFailure[] = [];
    const notifier = new HeadlessNotifier({
      settings: headlessNotifySchema.parse({
        command: { argv: [process.execPath, '-e', 'process.exit(7)'] },
        ntfy: { url: ntfy.topicUrl('alerts') },
      }),
      onFailure: (f) => failures.push(f),
    });
    notifier.notify(note(1));
    await notifier.close(10_000);
    expect(failures).toEqual([{ via: 'command', notification: note(1), reason: 'exited with code 7' }]);
    expect(ntfy.publishes).toHaveLength(1);
  });

  it('a stuck command never holds anything up: past its bounded queue, notifications are refused and said so', async () => {
    const failures: DeliveryFailure[] = [];
    const notifier = new HeadlessNotifier({
      settings: headlessNotifySchema.parse({ command: { argv: [process.execPath, '-e', 'setInterval(()=>{},1000)'], concurrency: 1 } }),
      onFailure: (f) => failures.push(f),
    });
    const total = MAX_WAITING + 3;
    for (let i = 0; i < total; i++) notifier.notify(note(i));
    // notify() returned at once for every one; the refused ones are reported right away.
    expect(failures.map((f) => f.notification?.group)).toEqual([`g${total - 2}`, `g${total - 1}`]);
    expect(failures[0]?.reason).toBe(`not sent: 1 running and ${MAX_WAITING} waiting already (the outlet is too slow or stuck)`);
    // Stopping cuts the rest short (the stuck one is killed) and counts them.
    expect(await notifier.close(100)).toBe(MAX_WAITING + 1);
    expect(failures.some((f) => f.reason === 'stopped because headless mode is stopping')).toBe(true);
  }, 20_000);

  it('tells the command of group-state changes too: the group-state line on stdin, told apart by its type', async () => {
    const failures: DeliveryFailure[] = [];
    const notifier = new HeadlessNotifier({
      settings: headlessNotifySchema.parse({ command: { argv: saveStdin(), concurrency: 1 } }),
      onFailure: (f) => failures.push(f),
    });
    notifier.notify(note(1));
    notifier.groupState({ group: 'g1', status: 'resolved', by: 'ana', via: 'crashbell', inProvider: 'Sentry' });
    notifier.groupState({ group: 'g1', status: 'reopened', by: null, via: 'provider' });
    expect(await notifier.close(10_000)).toBe(0);
    expect(failures).toEqual([]);
    const got = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);
    expect(got.map((g) => g['type']).sort()).toEqual(['group-state', 'group-state', 'notification']);
    expect(got).toContainEqual({ type: 'group-state', group: 'g1', status: 'resolved', by: 'ana', via: 'crashbell', inProvider: 'Sentry' });
    expect(got).toContainEqual({ type: 'group-state', group: 'g1', status: 'reopened', by: null, via: 'provider' });
  });

  it('reports a group-state change the command failed on, with the change', async () => {
    const failures: DeliveryFailure[] = [];
    const notifier = new HeadlessNotifier({
      settings: headlessNotifySchema.parse({ command: { argv: [process.execPath, '-e', 'process.exit(3)'] } }),
      onFailure: (f) => failures.push(f),
    });
    const change: GroupStateChange = { group: 'g9', status: 'ignored', by: null, via: 'provider' };
    notifier.groupState(change);
    await notifier.close(10_000);
    expect(failures).toEqual([{ via: 'command', change, reason: 'exited with code 3' }]);
  });

  it('with nothing configured there is nothing to do', async () => {
    const notifier = new HeadlessNotifier({ settings: headlessNotifySchema.parse({}), onFailure: () => undefined });
    expect(notifier.names).toEqual([]);
    notifier.notify(note(1));
    expect(await notifier.close(10)).toBe(0);
  });
});

/** Whether a process runs (on Linux a zombie waiting for PID 1 to reap it runs nothing). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe.skipIf(process.platform !== 'linux')('HeadlessNotifier: a command is its whole process group', () => {
  it('concurrency holds for processes: the next run starts only once what the previous one left running is gone', async () => {
    const log = join(dir, 'log');
    // Each run notes its start, leaves a child that notes its end a moment later, and exits 0 at once.
    const argv = [
      process.execPath,
      '-e',
      "const fs=require('fs');fs.appendFileSync(process.argv[1],'start\\n');" +
        "require('child_process').spawn('sh',['-c','sleep 0.3; echo end >> '+process.argv[1]],{stdio:'ignore'});process.exit(0)",
      log,
    ];
    const failures: DeliveryFailure[] = [];
    const notifier = new HeadlessNotifier({
      settings: headlessNotifySchema.parse({ command: { argv, concurrency: 1 } }),
      onFailure: (f) => failures.push(f),
    });
    notifier.notify(note(1));
    notifier.notify(note(2));
    expect(await notifier.close(10_000)).toBe(0);
    expect(failures).toEqual([]);
    // Today's code freed the slot when the program exited: start, start, end, end.
    expect(readFileSync(log, 'utf8')).toBe('start\nend\nstart\nend\n');
  });

  it('stopping headless mode stops what running commands started, not only the commands', async () => {
    const pids = join(dir, 'pids');
    const argv = [
      process.execPath,
      '-e',
      "const c=require('child_process').spawn('sleep',['30'],{stdio:'ignore'});" +
        "require('fs').writeFileSync(process.argv[1],String(c.pid));setInterval(()=>{},1000)",
      pids,
    ];
    const notifier = new HeadlessNotifier({ settings: headlessNotifySchema.parse({ command: { argv } }), onFailure: () => undefined });
    notifier.notify(note(1));
    for (let i = 0; i < 200 && !existsSync(pids); i++) await new Promise((r) => setTimeout(r, 25));
    const sleeper = Number(readFileSync(pids, 'utf8'));
    expect(running(sleeper)).toBe(true);
    expect(await notifier.close(100)).toBe(1);
    expect(running(sleeper)).toBe(false);
  });
});

describe('HeadlessNotifier: ntfy notifications follow their group (ntfy 2.16 sequence ids)', () => {
  const settled = (group: string, status: GroupStateChange['status']): GroupStateChange => ({ group, status, by: null, via: 'crashbell' });

  it("publishes a group's notifications as one sequence and clears it once the group settles; a reopen clears nothing", async () => {
    const failures: DeliveryFailure[] = [];
    const notifier = new HeadlessNotifier({
      settings: headlessNotifySchema.parse({ ntfy: { url: ntfy.topicUrl('alerts'), token: 'tk_standin' } }),
      onFailure: (f) => failures.push(f),
    });
    notifier.notify(note(1));
    notifier.notify({ ...note(2), digest: true, group: null, groups: ['g1', 'g2'] });
    // A status that leaves the group asking for attention clears nothing; one that settles it clears it, once.
    notifier.groupState(settled('g1', 'reopened'));
    notifier.groupState(settled('g1', 'resolved'));
    notifier.groupState(settled('g1', 'muted'));
    // A group this run never published for has nothing on the phone.
    notifier.groupState(settled('g7', 'resolved'));
    expect(await notifier.close(10_000)).toBe(0);
    expect(failures).toEqual([]);
    expect(ntfy.publishes.map((p) => p.sequenceId)).toEqual(['crashbell-g1', undefined]);
    expect(ntfy.changes.map(({ kind, topic, sequenceId }) => ({ kind, topic, sequenceId }))).toEqual([
      { kind: 'clear', topic: 'alerts', sequenceId: 'crashbell-g1' },
    ]);
    expect(ntfy.changes[0]?.headers['authorization']).toBe('Bearer tk_standin');
  });

  it("a clear waits for its group's publish still under way, so it never overtakes it", async () => {
    const notifier = new HeadlessNotifier({
      settings: headlessNotifySchema.parse({ ntfy: { url: ntfy.topicUrl('alerts') } }),
      onFailure: () => undefined,
    });
    notifier.notify(note(1));
    notifier.groupState(settled('g1', 'snoozed'));
    await notifier.close(10_000);
    expect(ntfy.publishes).toHaveLength(1);
    expect(ntfy.changes).toHaveLength(1);
  });

  it('an ntfy older than 2.16 answers the clear 404: said once, and not asked again', async () => {
    const old = await NtfyStandIn.start('before-2.16');
    try {
      const failures: DeliveryFailure[] = [];
      const notifier = new HeadlessNotifier({
        settings: headlessNotifySchema.parse({ ntfy: { url: old.topicUrl('alerts') } }),
        onFailure: (f) => failures.push(f),
      });
      notifier.notify(note(1));
      notifier.notify(note(2));
      await old.waitFor(2);
      notifier.groupState(settled('g1', 'resolved'));
      notifier.groupState(settled('g2', 'resolved'));
      await notifier.close(10_000);
      // The publishes went through as plain messages.
      expect(old.publishes.map((p) => p.sequenceId)).toEqual([undefined, undefined]);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ via: 'ntfy', change: { group: 'g1', status: 'resolved' } });
      expect(failures[0]?.reason).toMatch(
        /answered 404: page not found: this ntfy server does not clear notifications \(ntfy 2\.16 and later do\)/,
      );
    } finally {
      await old.close();
    }
  });
});
