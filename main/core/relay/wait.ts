/** Small waiting helpers for the relay's loops: every wait ends when its loop is told to stop. */

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A wake-up call: `wait()` resolves on the next `wake()`, after `ms`, or when `signal` aborts. */
export class Waker {
  private waiters: Array<() => void> = [];
  private pending = false;

  wake(): void {
    this.pending = true;
    for (const w of this.waiters.splice(0)) w();
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
