import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { headlessOutput, LineOutput } from '../../../../main/core/headless/output';

/** A reader that takes what it is given only when told to: `release()` lets everything queued through. */
class SlowReader extends Writable {
  readonly got: string[] = [];
  private waiting: Array<() => void> = [];
  constructor() {
    super({ highWaterMark: 1024, decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.got.push(chunk);
    this.waiting.push(() => done());
  }
  release(): void {
    for (const done of this.waiting.splice(0)) done();
  }
}

/** A reader that closed its end: every write fails with EPIPE. */
class ClosedReader extends Writable {
  override _write(_chunk: unknown, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  }
}

/** A reader that reads everything at once. */
class Collector extends Writable {
  readonly got: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.got.push(chunk.toString());
    done();
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('headless output', () => {
  it('a stalled reader costs a bounded queue: past it lines are dropped, counted, and reported once it reads again', async () => {
    const stdout = new SlowReader();
    const stderr = new Collector();
    const out = headlessOutput(stdout, stderr, 10_000);
    const line = 'x'.repeat(999);
    for (let i = 0; i < 100; i++) out.say(line);
    // About 10 kB of the 100 kB said is queued; the rest was dropped, with one notice.
    expect(stdout.writableLength).toBeLessThanOrEqual(10_000);
    expect(out.stdout.dropped).toBeGreaterThanOrEqual(89);
    expect(stderr.got).toEqual(['crashbell: stdout is not being read: output lines are dropped until it is\n']);
    const dropped = out.stdout.dropped;
    // The reader catches up: the queue drains and the count is said.
    for (let i = 0; i < 20 && stdout.writableLength > 0; i++) {
      stdout.release();
      await tick();
    }
    expect(stderr.got.at(-1)).toBe(`crashbell: dropped ${dropped} output lines: stdout is not being read\n`);
    expect(stdout.got.length + dropped).toBe(100);
    // Writing works again.
    out.say('after');
    stdout.release();
    await tick();
    expect(stdout.got.at(-1)).toBe('after\n');
  });

  it('a closed stdout (EPIPE) is said once on stderr; the writer stays quiet and never throws', async () => {
    const stdout = new ClosedReader();
    const stderr = new Collector();
    const out = headlessOutput(stdout, stderr);
    out.say('first');
    await tick();
    for (let i = 0; i < 5; i++) out.say(`line ${i}`);
    await tick();
    expect(out.stdout.closed).toBe(true);
    expect(stderr.got).toEqual(['crashbell: stdout was closed (EPIPE): Crashbell keeps serving, and prints nothing more there\n']);
    await out.flush(100);
  });

  it('flush waits for a slow reader, but not forever', async () => {
    const stdout = new SlowReader();
    const out = new LineOutput(stdout, { name: 'stdout' });
    out.line('a'.repeat(5000));
    const t0 = Date.now();
    await out.flush(50);
    expect(Date.now() - t0).toBeLessThan(2_000);
    const flushed = out.flush(5_000);
    stdout.release();
    await flushed;
    expect(stdout.writableLength).toBe(0);
  });
});
