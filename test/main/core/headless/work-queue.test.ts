import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../../main/core/headless/work-queue';

/** A task that runs until released (or aborted), recording how many run at once. */
function gate() {
  let running = 0;
  let most = 0;
  const releases: Array<() => void> = [];
  const aborted: number[] = [];
  let next = 0;
  const task = () => {
    const id = next++;
    return (signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        running += 1;
        most = Math.max(most, running);
        const done = () => {
          running -= 1;
          resolve();
        };
        releases.push(done);
        signal.addEventListener('abort', () => {
          aborted.push(id);
          done();
        });
      });
  };
  return { task, releases, aborted, most: () => most, running: () => running };
}

describe('WorkQueue', () => {
  it('runs at most `concurrency` tasks, queues up to `maxWaiting`, and refuses past that', async () => {
    const g = gate();
    const q = new WorkQueue({ concurrency: 2, maxWaiting: 1 });
    expect([q.push(g.task()), q.push(g.task()), q.push(g.task()), q.push(g.task())]).toEqual([true, true, true, false]);
    expect([q.active, q.queued]).toEqual([2, 1]);
    g.releases.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect([q.active, q.queued]).toEqual([2, 0]);
    for (const release of g.releases.splice(0)) release();
    await new Promise((r) => setImmediate(r));
    expect(g.most()).toBe(2);
    expect(await q.close(1_000)).toBe(0);
  });

  it('a task that throws or rejects frees its slot', async () => {
    const q = new WorkQueue({ concurrency: 1, maxWaiting: 5 });
    const ran: string[] = [];
    q.push(() => {
      throw new Error('sync');
    });
    q.push(async () => {
      throw new Error('async');
    });
    q.push(async () => void ran.push('third'));
    expect(await q.close(1_000)).toBe(0);
    expect(ran).toEqual(['third']);
  });

  it('close lets queued work finish within the grace, then aborts the rest and counts it', async () => {
    const g = gate();
    const q = new WorkQueue({ concurrency: 1, maxWaiting: 5 });
    q.push(g.task());
    q.push(g.task());
    const closing = q.close(50);
    expect(q.push(g.task())).toBe(false);
    expect(await closing).toBe(2);
    expect(g.aborted).toEqual([0]);
    expect(g.running()).toBe(0);
  });
});
