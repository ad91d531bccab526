/**
 * Under `npm run headless` the process tree is npm → sh → node, and a SIGKILL to npm (a supervisor's or a
 * test's) would leave this server orphaned, still holding the port and the data dir. On Linux, watch the
 * shell's parent: when npm dies the shell is re-parented, and headless mode stops cleanly as if sent SIGTERM.
 */
import { existsSync, readFileSync } from 'node:fs';

/**
 * Calls `onGone` once when the npm process that started us is gone. Returns a function that stops watching.
 * Does nothing when not started by `npm run headless` or without /proc.
 */
export function watchLauncher(onGone: () => void, intervalMs = 250): () => void {
  if (process.env['npm_lifecycle_event'] !== 'headless' || !existsSync('/proc/self/stat')) return () => undefined;
  const parentOf = (pid: number): number | null => {
    try {
      // The command name (field 2) may hold spaces and parentheses; the parent pid follows its closing ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[1]);
    } catch {
      return null;
    }
  };
  const shell = process.ppid;
  const launcher = parentOf(shell);
  if (launcher === null) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid !== shell || parentOf(shell) !== launcher) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
