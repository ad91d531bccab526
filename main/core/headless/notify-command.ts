/**
 * Headless mode's command outlet: runs the configured program once per notification, without a shell, with
 * the notification as one JSON document on its stdin. Each run is bounded in time (SIGTERM, then SIGKILL),
 * runs are bounded in number (a {@link WorkQueue}), and a failure is reported, never thrown: the receiver only
 * enqueues and never waits for a command.
 */
import { spawn } from 'node:child_process';

/** How long a stopped command gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2_000;
/** How much of a command's output is kept for the failure message (its tail). */
const OUTPUT_TAIL_BYTES = 1_024;

/** How one run ended: null when it exited 0, else plain words. */
export type RunFailure = string | null;

/** The last `OUTPUT_TAIL_BYTES` of what a command wrote, as one line of text. */
function tail(chunks: Buffer[]): string {
  const all = Buffer.concat(chunks);
  const text = all.subarray(Math.max(0, all.length - OUTPUT_TAIL_BYTES)).toString('utf8');
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Runs `argv` once with `input` on its stdin. Resolves with null when it exited 0, or why it failed (could not
 * start, exit code or signal with the tail of its output, too slow, aborted). Never rejects.
 */
export function runCommand(argv: readonly string[], input: string, timeoutMs: number, signal?: AbortSignal): Promise<RunFailure> {
  const [program, ...args] = argv;
  if (!program) return Promise.resolve('no program to run');
  return new Promise<RunFailure>((resolve) => {
    let settled = false;
    let why: string | null = null;
    const output: Buffer[] = [];
    let kept = 0;
    const keep = (chunk: Buffer): void => {
      output.push(chunk);
      kept += chunk.length;
      // Only the tail is reported: drop whole chunks from the front once well past it.
      while (kept - (output[0]?.length ?? 0) >= OUTPUT_TAIL_BYTES && output.length > 1) kept -= output.shift()?.length ?? 0;
    };
    // stdout is read and kept too: inheriting it would put the command's words between headless's JSON lines.
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true });
    const finish = (failure: RunFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      resolve(failure);
    };
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const stop = (reason: string): void => {
      if (why !== null) return;
      why = reason;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const timer = setTimeout(() => stop(`did not finish within ${timeoutMs / 1000} s, so it was stopped`), timeoutMs);
    timer.unref();
    const onAbort = (): void => stop('stopped because headless mode is stopping');
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // A command that does not read its stdin closes it early; that is its business, not a failure.
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      const detail = error.code === 'ENOENT' ? 'no such program' : error.code === 'EACCES' ? 'permission denied' : error.message;
      finish(`could not start ${program}: ${detail}`);
    });
    // 'exit', not 'close': a program that leaves a child holding its output open has still finished.
    child.on('exit', (code, killedBy) => {
      const said = tail(output);
      const words = said ? `: ${said}` : '';
      if (why !== null) finish(`${why}${words}`);
      else if (code === 0) finish(null);
      else finish(`${code !== null ? `exited with code ${code}` : `was killed by ${killedBy}`}${words}`);
      child.stdout.destroy();
      child.stderr.destroy();
    });
    child.stdin.end(input);
  });
}
