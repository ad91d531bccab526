/**
 * Headless mode says each relay state, and each relay log line, once. The relay retries a refused pull or a
 * refused login on a backoff, and every retry reports again: a permission error names a subject holding a name
 * the NATS client generates afresh each time (an ordered consumer's, an inbox's), so even the "same" reason
 * differs from retry to retry. Lines are compared with those generated names taken out.
 */
import type { RelayState } from '../../../shared/events';
import { relayLine } from './lines';

/**
 * Subjects whose tail the NATS client generates per request: a consumer's name after the stream's in the JetStream
 * consumer API, and a reply inbox. A source id in `crashbell.events.<id>` is not generated and stays.
 */
const GENERATED = [/(\$JS\.API\.CONSUMER\.(?:MSG\.NEXT|DURABLE\.CREATE|CREATE|INFO|DELETE)\.[^.\s"]+)\.[^\s"]+/g, /(_INBOX)\.[^\s"]+/g];

/** The text with the names NATS generates per retry taken out: equal for the same problem on every retry. */
export function stableText(text: string): string {
  return GENERATED.reduce((t, re) => t.replace(re, '$1.…'), text);
}

/** What makes two relay states the same line: status, reason (stable) and servers; null when none is printed. */
export function relayLineKey(state: RelayState): string | null {
  const line = relayLine(state);
  if (!line) return null;
  return JSON.stringify([line['status'], stableText(String(line['reason'] ?? '')), line['servers']]);
}

/** At most this many distinct log lines are remembered per relay state. */
const MAX_REMEMBERED = 200;

/**
 * Lets each relay log line through once while the relay stays in one state: a retry that fails the same way
 * again says nothing new; once the state changes (it connected, then failed again), it may be said again.
 */
export class RelayLogFilter {
  private readonly said = new Set<string>();

  /** True the first time this line (stable) comes while the state stays the same. */
  admit(message: string): boolean {
    const key = stableText(message);
    if (this.said.has(key)) return false;
    if (this.said.size >= MAX_REMEMBERED) this.said.clear();
    this.said.add(key);
    return true;
  }

  /** The relay's state changed: what it says next is news again. */
  reset(): void {
    this.said.clear();
  }
}
