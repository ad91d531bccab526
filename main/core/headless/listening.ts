/**
 * The `listening` line, headless mode's first on stdout once it serves: where the receiver listens and each
 * source's webhook URL. A member-only Crashbell (a relay member with no sources) opens no receiver: its line has
 * `"port": null` and `"sources": []`, so a program that waits for `listening` before it goes on works the same
 * for both.
 */
import type { SourceUrl } from './lines';

/** `{"type":"listening","port","sources","groups","notify"}`; `port` null when no receiver is open. */
export function listeningLine(
  port: number | null,
  sources: readonly SourceUrl[],
  groups: number,
  notify: readonly string[],
): Record<string, unknown> {
  return { type: 'listening', port, sources, groups, notify };
}
