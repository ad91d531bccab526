/**
 * The shell's one line per step on stdout, `[crashbell] …` (the start-up smoke test reads these lines), and
 * the words for what failed.
 */

/** Writes one line of what the shell did. */
export function log(message: string): void {
  process.stdout.write(`[crashbell] ${message}\n`);
}

import { errorText } from './core/errors';

export { errorText };

/** A rejection handler that logs `what` failed, for calls nobody awaits (menu clicks, notification buttons). */
export function reportTo(what: string): (err: unknown) => void {
  return (err) => log(`${what}: ${errorText(err)}`);
}
