/**
 * Headless mode started by `npm run headless`. The script is `exec node ...`, so the process tree is npm →
 * node: npm forwards SIGINT and SIGTERM straight to us (a shell in between would swallow SIGINT while it waits
 * for its child, and a supervisor's SIGINT to npm would do nothing). A SIGKILL to npm cannot be forwarded and
 * would leave this server orphaned, still holding the port and the data dir; on Linux we watch for it and stop
 * cleanly as if sent SIGTERM. npm also prints its "> crashbell@0.1.0 headless" banner on stdout unless told
 * to be silent, which `--json` readers need to know.
 */
import { existsSync, readFileSync } from 'node:fs';

/** True when this process was started by `npm run headless` (with or without `--silent`). */
export function startedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['npm_lifecycle_event'] === 'headless';
}

/**
 * True when npm wrote its run-script banner to our stdout before we started: npm prints it unless its log level
 * is silent (`npm run --silent`, `-s`) or its own `--json` sends it to stderr. npm exports both settings to the
 * script's environment.
 */
export function npmBannerOnStdout(env: NodeJS.ProcessEnv = process.env): boolean {
  return startedByNpm(env) && env['npm_config_loglevel'] !== 'silent' && env['npm_config_json'] !== 'true';
}

/** Shells that may sit between npm and us (a script-shell that does not honour `exec` would leave one). */
const SHELLS = new Set(['sh', 'dash', 'bash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox', 'fish']);

/** A process's parent pid and command name from /proc, or null when it is gone. */
function statOf(pid: number): { ppid: number; name: string } | null {
  try {
    // The command name (field 2) may hold spaces and parentheses; the parent pid follows its closing ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return { ppid: Number(fields[1]), name: stat.slice(stat.indexOf('(') + 1, close) };
  } catch {
    return null;
  }
}

/**
 * Calls `onGone` once when the npm process that started us is gone. Returns a function that stops watching.
 * Does nothing when not started by `npm run headless` or without /proc.
 */
export function watchLauncher(onGone: () => void, intervalMs = 250): () => void {
  if (!startedByNpm() || !existsSync('/proc/self/stat')) return () => undefined;
  const parent = process.ppid;
  const parentStat = statOf(parent);
  if (parentStat === null) return () => undefined;
  // With a shell in between, npm is its parent: the shell outlives a killed npm (it is re-parented), so the
  // watch follows the shell's parent too.
  const shell = SHELLS.has(parentStat.name) ? parent : null;
  const npm = shell === null ? parent : parentStat.ppid;
  const timer = setInterval(() => {
    const gone = process.ppid !== parent || (shell !== null && statOf(shell)?.ppid !== npm);
    if (gone) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
