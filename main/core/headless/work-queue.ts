/**
 * A bounded queue of background work for headless mode's notification outlets: at most `concurrency` tasks
 * run at once and at most `maxWaiting` wait; past that a new task is refused (and said so), so a storm of
 * notifications or a stuck outlet can never grow memory or hold up the receiver, which only ever enqueues.
 */

export interface WorkQueueOptions {
  concurrency: number;
  maxWaiting: number;
}

/** A task: given a signal that aborts when the queue closes, resolves when done (its failures are its own). */
export type Task = (signal: AbortSignal) => Promise<void>;

export class WorkQueue {
  private readonly waiting: Task[] = [];
  private running = 0;
  private closed = false;
  private readonly abort = new AbortController();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: WorkQueueOptions) {}

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a free slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs the task now or later; false (and nothing runs) when the queue is full or closed. */
  push(task: Task): boolean {
    if (this.closed) return false;
    if (this.running >= this.options.concurrency) {
      if (this.waiting.length >= this.options.maxWaiting) return false;
      this.waiting.push(task);
      return true;
    }
    this.start(task);
    return true;
  }

  /**
   * Takes no more work, lets what was queued finish for up to `graceMs`, then aborts the rest. Resolves with
   * the number of tasks that were aborted or never started.
   */
  async close(graceMs: number): Promise<number> {
    this.closed = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<boolean>((resolve) => {
      if (this.running === 0 && this.waiting.length === 0) resolve(true);
      else this.idleWaiters.push(() => resolve(true));
    });
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const done = await Promise.race([idle, late]);
    clearTimeout(timer);
    if (done) return 0;
    const left = this.running + this.waiting.length;
    this.waiting.length = 0;
    this.abort.abort();
    // Aborted tasks settle promptly (their own kill and request timeouts bound them); a command's task settles only
    // once its whole process group is gone, so a slot is never free while something of its run still runs.
    await idle;
    return left;
  }

  private start(task: Task): void {
    this.running += 1;
    let work: Promise<void>;
    try {
      work = task(this.abort.signal);
    } catch (error) {
      work = Promise.reject(error);
    }
    void work
      .catch(() => undefined)
      .finally(() => {
        this.running -= 1;
        const next = this.waiting.shift();
        if (next) this.start(next);
        else if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }
}
