/**
 * Headless mode's stdout and stderr, written so that whoever reads them can never crash or balloon the server.
 *
 * - A closed stdout (`--json | head -c 50`, a log shipper that went away) is not fatal: the server keeps serving
 *   and acknowledging hooks (the history is what must not be lost, not the log lines), says once on stderr that
 *   stdout is gone, and prints nothing more there. Node ignores SIGPIPE, so a closed pipe shows up as an EPIPE
 *   `error` event; unhandled, that event killed the process.
 * - A stalled reader costs bounded memory: a pipe nobody reads makes Node queue every write in memory (it grew a
 *   server from 53 MB to 1.1 GB). Past {@link MAX_QUEUED_BYTES} queued, lines are dropped and counted, and once the
 *   reader catches up stderr says "dropped N output lines: stdout is not being read".
 *
 * stderr gets the same bounds, silently (it has nowhere to complain to).
 */

/** Bytes a stream may hold queued for a slow reader before lines are dropped. */
export const MAX_QUEUED_BYTES = 1024 * 1024;

/** How long a clean stop waits for queued lines to reach a slow reader. */
export const FLUSH_TIMEOUT_MS = 2_000;

/** The part of a writable stream used (process.stdout, a pipe, a test's PassThrough). */
export interface OutputStream {
  write(chunk: string | Buffer, callback?: (error?: Error | null) => void): boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'drain', listener: () => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
  off?(event: 'drain', listener: () => void): unknown;
  /** Bytes queued and not yet handed to the OS (Node's writables have it). */
  readonly writableLength?: number;
}

/** Options for {@link LineOutput}. */
export interface LineOutputOptions {
  /** Names the stream in notices: `stdout`. */
  name: string;
  /** Where notices about this stream go (stderr's writer); none for stderr itself. */
  notice?: (message: string) => void;
  maxQueuedBytes?: number;
}

/** Writes whole lines to one stream within the bounds above. */
export class LineOutput {
  private readonly stream: OutputStream;
  private readonly opts: LineOutputOptions;
  private readonly max: number;
  private closedBy: string | null = null;
  private droppedLines = 0;
  private droppedTotal = 0;
  private stalled = false;

  constructor(stream: OutputStream, options: LineOutputOptions) {
    this.stream = stream;
    this.opts = options;
    this.max = options.maxQueuedBytes ?? MAX_QUEUED_BYTES;
    stream.on('error', (error) => this.onError(error));
    stream.on('drain', () => this.onDrain());
  }

  /** Whether the stream is gone (its reader closed it): lines are no longer written. */
  get closed(): boolean {
    return this.closedBy !== null;
  }

  /** Lines dropped since start because the reader was not keeping up. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Writes one line (the newline is added). Never throws. */
  line(text: string): void {
    this.send(`${text}\n`, text.length + 1);
  }

  /** Writes one line given as bytes, its newline included (encoded once by the caller). Never throws. */
  bytes(line: Buffer): void {
    this.send(line, line.length);
  }

  private send(chunk: string | Buffer, size: number): void {
    if (this.closedBy !== null) return;
    const queued = this.stream.writableLength ?? 0;
    if (queued > 0 && queued + size > this.max) {
      if (!this.stalled) {
        this.stalled = true;
        this.opts.notice?.(`${this.opts.name} is not being read: output lines are dropped until it is`);
      }
      this.droppedLines++;
      this.droppedTotal++;
      return;
    }
    try {
      // The callback sees a write that failed after it was queued (EPIPE); `error` is emitted too.
      this.stream.write(chunk, (error) => {
        if (error) this.onError(error);
      });
    } catch (error) {
      this.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Resolves once what is queued has been handed to the OS, the stream is closed, or `timeoutMs` has passed (a
   * reader that never reads must not keep a stopping server alive). Reports lines dropped and not yet reported.
   */
  async flush(timeoutMs = FLUSH_TIMEOUT_MS): Promise<void> {
    if (this.closedBy === null && (this.stream.writableLength ?? 0) > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        timer.unref?.();
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.stream.once('drain', done);
      });
    }
    this.reportDropped();
  }

  private onDrain(): void {
    this.stalled = false;
    this.reportDropped();
  }

  private reportDropped(): void {
    if (this.droppedLines === 0) return;
    const n = this.droppedLines;
    this.droppedLines = 0;
    this.opts.notice?.(`dropped ${n} output line${n === 1 ? '' : 's'}: ${this.opts.name} is not being read`);
  }

  private onError(error: Error): void {
    if (this.closedBy !== null) return;
    this.closedBy = (error as NodeJS.ErrnoException).code ?? error.message;
    this.opts.notice?.(`${this.opts.name} was closed (${this.closedBy}): Crashbell keeps serving, and prints nothing more there`);
  }
}

/** stdout and stderr as headless mode writes them. */
export interface HeadlessOutput {
  /** A line on stdout (a JSON object in --json mode, words otherwise). */
  say(line: string): void;
  /** A line on stderr. */
  warn(line: string): void;
  /** Waits (bounded) for queued lines to be written, and reports drops. */
  flush(timeoutMs?: number): Promise<void>;
  readonly stdout: LineOutput;
  readonly stderr: LineOutput;
}

/** Wraps the two streams. */
export function headlessOutput(out: OutputStream, err: OutputStream, maxQueuedBytes = MAX_QUEUED_BYTES): HeadlessOutput {
  const stderr = new LineOutput(err, { name: 'stderr', maxQueuedBytes });
  const stdout = new LineOutput(out, { name: 'stdout', notice: (m) => stderr.line(`crashbell: ${m}`), maxQueuedBytes });
  return {
    say: (line) => stdout.line(line),
    warn: (line) => stderr.line(line),
    async flush(timeoutMs = FLUSH_TIMEOUT_MS) {
      await stdout.flush(timeoutMs);
      await stderr.flush(timeoutMs);
    },
    stdout,
    stderr,
  };
}
