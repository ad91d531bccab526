/**
 * When headless mode stops: SIGINT, SIGTERM, an embedder's abort signal, or the npm process that started it going
 * away. Installed before anything is printed (a supervisor may stop it the moment it reads `listening`), a signal
 * during start-up is kept until the stop can run. Ctrl+C in a terminal signals npm and node, and npm forwards it
 * again; `timeout` signals node, then its whole process group: one stop asked twice, so a second signal soon after
 * the first is that same stop. A further one, or one long after, means "do not wait".
 */
import { watchLauncher } from './launcher';

/** A second stop signal this soon after the first is the same stop asked again. */
const REPEAT_SIGNAL_MS = 2_000;

/** Listens for the ways headless mode is asked to stop. */
export class StopSignals {
  private pending: NodeJS.Signals | null = null;
  private onStop: ((signal: NodeJS.Signals) => void) | null = null;
  private stopAskedAt = 0;
  private repeats = 0;
  private readonly handler = (signal: NodeJS.Signals): void => this.signal(signal);
  private readonly onAbort = (): void => this.signal('SIGTERM');
  private readonly unwatch: () => void;

  /**
   * @param warn where "the npm process is gone" and "again, exiting" are said
   * @param forceExit what a repeated signal does (exit at once)
   */
  constructor(
    private readonly warn: (line: string) => void,
    private readonly forceExit: () => void,
    private readonly abort?: AbortSignal,
  ) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
    abort?.addEventListener('abort', this.onAbort, { once: true });
    // Watched from before start-up: npm may be killed the moment it has printed `listening`.
    this.unwatch = watchLauncher(() => {
      warn('crashbell: the npm process that started headless mode is gone: stopping');
      this.signal('SIGTERM');
    });
  }

  /** Runs `stop` on the first stop asked for (at once, if one came during start-up). */
  whenStopped(stop: (signal: NodeJS.Signals) => void): void {
    this.onStop = stop;
    if (this.pending) this.signal(this.pending);
  }

  private signal(signal: NodeJS.Signals): void {
    if (!this.onStop) {
      this.pending ??= signal;
      return;
    }
    if (this.stopAskedAt > 0) {
      this.repeats += 1;
      if (this.repeats === 1 && Date.now() - this.stopAskedAt < REPEAT_SIGNAL_MS) return;
      this.warn(`crashbell: ${signal} again, exiting without waiting`);
      this.forceExit();
      return;
    }
    this.stopAskedAt = Date.now();
    this.onStop(signal);
  }

  /** Stops listening. */
  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
    this.abort?.removeEventListener('abort', this.onAbort);
    this.unwatch();
  }
}
