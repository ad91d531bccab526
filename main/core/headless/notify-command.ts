/**
 * Headless mode's command outlet: runs the configured program once per notification, without a shell, with
 * the notification as one JSON document on its stdin. Each run is bounded in time (SIGTERM, then SIGKILL),
 * runs are bounded in number (a {@link WorkQueue}), and a failure is reported, never thrown: the receiver only
 * enqueues and never waits for a command.
 *
 * A run is its whole process group, not only the program: on POSIX systems each command starts in a group of its
 * own (a new session), so what it starts (a `sleep`, a `curl` put in the background) belongs to the run too. The
 * time limit and a stop apply to the group (SIGTERM to all of it, then SIGKILL), and a run is over only when no
 * process of its group is left, so `concurrency` holds for processes, not just for the programs headless started;
 * if headless exits before a group is gone, the group gets SIGKILL on the way out. A program that leaves its group
 * on purpose (`setsid`, a daemon's double fork) is beyond this. On Windows, which has no process groups, only the
 * program itself is stopped.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** How long a stopped command gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2_000;
/**
 * How often a group whose program has exited is looked at again, until none of it is left: soon at first (most
 * leftovers are gone in a moment), then less and less often, since each look may read /proc.
 */
const GROUP_POLL_MS = 25;
const GROUP_POLL_MAX_MS = 500;
/**
 * How long a group may take to go after SIGKILL (a process stuck in uninterruptible I/O) before the run is given up
 * on and its slot freed anyway, saying so: an unkillable process must not hold the outlet forever.
 */
const GONE_AFTER_KILL_MS = 5_000;
/** How much of a command's output is kept for the failure message (its tail). */
const OUTPUT_TAIL_BYTES = 1_024;

const GROUPS = process.platform !== 'win32';

/** How one run ended: null when it exited 0, else plain words. */
export type RunFailure = string | null;

/** The last `OUTPUT_TAIL_BYTES` of what a command wrote, as one line of text. */
function tail(chunks: Buffer[]): string {
  const all = Buffer.concat(chunks);
  const text = all.subarray(Math.max(0, all.length - OUTPUT_TAIL_BYTES)).toString('utf8');
  return text.replace(/\s+/g, ' ').trim();
}

/** Process groups of runs not over yet: killed if this process exits first, so none outlives headless. */
const runningGroups = new Set<number>();
let exitHook = false;

function trackGroup(pgid: number): void {
  runningGroups.add(pgid);
  if (exitHook) return;
  exitHook = true;
  // Synchronous, as an 'exit' listener must be: whatever way headless ends (a second SIGINT exits at once).
  process.on('exit', () => {
    for (const group of runningGroups) signalGroup(group, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    // EPERM: a member runs as another user (a setuid program): it exists, but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a process of group `pgid` is still running. The kernel answers for the group; on Linux a "yes" is checked
 * in /proc, because the zombies of a command's orphaned children stay in the group until PID 1 reaps them, and in a
 * container PID 1 may never do so: a zombie runs nothing.
 */
export function groupRunning(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const name of entries) {
    const first = name.charCodeAt(0);
    if (first < 0x30 || first > 0x39) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/**
 * Runs `argv` once with `input` on its stdin, in a process group of its own. Resolves once the program has exited
 * and no process of its group is left: with null when the program exited 0, or why the run failed (could not
 * start, exit code or signal with the tail of its output, too slow, aborted). Never rejects.
 */
export function runCommand(argv: readonly string[], input: string, timeoutMs: number, signal?: AbortSignal): Promise<RunFailure> {
  const [program, ...args] = argv;
  if (!program) return Promise.resolve('no program to run');
  return new Promise<RunFailure>((resolve) => {
    let settled = false;
    let why: string | null = null;
    let exited: { code: number | null; killedBy: NodeJS.Signals | null } | null = null;
    let killedAt: number | null = null;
    const output: Buffer[] = [];
    let kept = 0;
    const keep = (chunk: Buffer): void => {
      output.push(chunk);
      kept += chunk.length;
      // Only the tail is reported: drop whole chunks from the front once well past it.
      while (kept - (output[0]?.length ?? 0) >= OUTPUT_TAIL_BYTES && output.length > 1) kept -= output.shift()?.length ?? 0;
    };
    // stdout is read and kept too: inheriting it would put the command's words between headless's JSON lines.
    // detached: a new session and process group (POSIX), led by the program.
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true, detached: GROUPS });
    const pgid = GROUPS && child.pid !== undefined ? child.pid : null;
    if (pgid !== null) trackGroup(pgid);
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let pollMs = GROUP_POLL_MS;

    const finish = (failure: RunFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(pollTimer);
      signal?.removeEventListener('abort', onAbort);
      if (pgid !== null) runningGroups.delete(pgid);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(failure);
    };
    const send = (sig: NodeJS.Signals): void => {
      if (pgid !== null) signalGroup(pgid, sig);
      else child.kill(sig);
    };
    const stop = (reason: string): void => {
      if (why !== null || settled) return;
      why = reason;
      send('SIGTERM');
      killTimer = setTimeout(() => {
        killedAt = Date.now();
        send('SIGKILL');
      }, KILL_GRACE_MS);
      killTimer.unref();
    };
    /** The run is over once the program has exited and its group is gone. */
    const settleWhenGone = (): void => {
      if (settled || exited === null) return;
      const lingering = pgid !== null && groupRunning(pgid);
      if (lingering && (killedAt === null || Date.now() - killedAt < GONE_AFTER_KILL_MS)) {
        pollTimer = setTimeout(settleWhenGone, pollMs);
        pollTimer.unref();
        pollMs = Math.min(pollMs * 2, GROUP_POLL_MAX_MS);
        return;
      }
      const said = tail(output);
      const words = said ? `: ${said}` : '';
      const stuck = lingering ? ` (process group ${pgid} was still there after SIGKILL)` : '';
      if (why !== null) finish(`${why}${stuck}${words}`);
      else if (exited.code === 0) finish(null);
      else finish(`${exited.code !== null ? `exited with code ${exited.code}` : `was killed by ${exited.killedBy}`}${words}`);
    };
    const timer = setTimeout(
      () =>
        stop(
          exited === null
            ? `did not finish within ${timeoutMs / 1000} s, so it was stopped`
            : `exited, but processes it started were still running after ${timeoutMs / 1000} s, so they were stopped`,
        ),
      timeoutMs,
    );
    timer.unref();
    const onAbort = (): void => stop('stopped because headless mode is stopping');
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // A command that does not read its stdin closes it early; that is its business, not a failure.
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only a program that never started has no exit to wait for.
      if (exited !== null || child.pid !== undefined) return;
      const detail = error.code === 'ENOENT' ? 'no such program' : error.code === 'EACCES' ? 'permission denied' : error.message;
      finish(`could not start ${program}: ${detail}`);
    });
    // 'exit', not 'close': a process the program left behind may hold its output open; the group decides instead.
    child.on('exit', (code, killedBy) => {
      exited = { code, killedBy };
      settleWhenGone();
    });
    child.stdin.end(input);
  });
}
