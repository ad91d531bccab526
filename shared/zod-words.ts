/**
 * One way to turn a failed zod check into words a person can act on, for every place that validates input
 * (webhook bodies, settings, config files, IPC arguments): the first issue, where it is, and what is wrong.
 */
import type { z } from 'zod';

/** The first problem of a failed check. */
export interface ZodProblem {
  /** Dotted path of the offending value (`sources.0.credentials.secret`), or '' for the whole input. */
  field: string;
  /** True when the value is absent rather than wrong (known only when the checked input is given). */
  missing: boolean;
  /** zod's own message for the issue. */
  message: string;
  /** The whole sentence: `missing required field "x"`, `field "x" is not valid: ...`, or the message. */
  words: string;
}

/** Renders a zod path as `attributes.version.0`; empty for the root. */
export function pathWords(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.');
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Words for a failed check. Pass `input` (the value that was checked) so a missing field can be told from a
 * wrong one; without it zod's message decides.
 */
export function explainZodError(error: z.ZodError, ...checked: [input?: unknown]): ZodProblem {
  const issue = error.issues[0];
  if (!issue) return { field: '', missing: false, message: 'not valid', words: 'the input is not valid' };
  const field = pathWords(issue.path);
  const missing = checked.length > 0 ? valueAt(checked[0], issue.path) === undefined : /received undefined/.test(issue.message);
  const words =
    field === '' ? issue.message : missing ? `missing required field "${field}"` : `field "${field}" is not valid: ${issue.message}`;
  return { field, missing, message: issue.message, words };
}
