/** Where the tests find the repository and its fixtures, whatever folder a suite sits in. */
import { join } from 'node:path';

/** The repository's root folder. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** `test/fixtures`: real payloads, one folder per provider, named for where they came from. */
export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** A fixture's path: `fixturePath('backtrace', 'group-notification.json')`. */
export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}
