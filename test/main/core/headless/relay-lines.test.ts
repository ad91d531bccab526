/**
 * Headless mode says each relay state and each relay log line once: retries that fail the same way (a refused pull
 * names a consumer the NATS client names afresh each time) are one line.
 */
import { describe, expect, it } from 'vitest';
import { RelayLogFilter, relayLineKey, stableText } from '../../../../main/core/headless/relay-lines';
import type { RelayState } from '../../../../shared/events';

function state(over: Partial<RelayState>): RelayState {
  return {
    status: 'connected',
    reason: null,
    servers: ['nats://127.0.0.1:4222'],
    server: '127.0.0.1:4222',
    retryAt: null,
    member: 'ana',
    stream: 'CRASHBELL',
    publish: false,
    subscribe: true,
    gateway: null,
    subscriber: null,
    test: null,
    ...over,
  };
}

// Two retries of the same refused pull, as nats-server 2.9 and @nats-io/jetstream 3.4 reported them.
const FIRST = 'Subscriber: NATS refused: permissions violation for publish to $JS.API.CONSUMER.CREATE.CRASHBELL.JxRSdVMbUAwHPIBYvCeRE2_1';
const RETRY = 'Subscriber: NATS refused: permissions violation for publish to $JS.API.CONSUMER.CREATE.CRASHBELL.JxRSdVMbUAwHPIBYvCeRJo_1';

describe('relay lines', () => {
  it('a retry that fails the same way is the same line, whatever names NATS generated', () => {
    expect(stableText(FIRST)).toBe(stableText(RETRY));
    expect(stableText(FIRST)).toBe('Subscriber: NATS refused: permissions violation for publish to $JS.API.CONSUMER.CREATE.CRASHBELL.…');
    expect(relayLineKey(state({ status: 'error', reason: FIRST }))).toBe(relayLineKey(state({ status: 'error', reason: RETRY })));
    expect(stableText('permissions violation for subscribe to _INBOX.JxRSdVMbUAwHPIBYvCeRE2.*')).toBe(
      'permissions violation for subscribe to _INBOX.…',
    );
    // A source's subject is not generated: two sources refused are two reasons.
    expect(stableText('permissions violation for publish to crashbell.events.q3Jx9wQe1lT0c2VbV7e0Zg')).toBe(
      'permissions violation for publish to crashbell.events.q3Jx9wQe1lT0c2VbV7e0Zg',
    );
    expect(stableText('Permissions Violation for Publish to "$JS.API.CONSUMER.MSG.NEXT.CRASHBELL.abc_1"')).toBe(
      'Permissions Violation for Publish to "$JS.API.CONSUMER.MSG.NEXT.CRASHBELL.…"',
    );
  });

  it('a new status or another reason is another line; a state that prints nothing has no key', () => {
    const error = relayLineKey(state({ status: 'error', reason: FIRST }));
    expect(relayLineKey(state({ status: 'connected' }))).not.toBe(error);
    expect(relayLineKey(state({ status: 'disconnected', reason: 'Lost the connection to NATS (127.0.0.1:4222); reconnecting' }))).not.toBe(
      relayLineKey(state({ status: 'connected' })),
    );
    expect(relayLineKey(state({ status: 'error', reason: 'NATS refused the credentials (Authorization Violation)' }))).not.toBe(error);
    expect(relayLineKey(state({ status: 'connecting' }))).toBeNull();
    expect(relayLineKey(state({ status: 'off', reason: 'No NATS server configured: the team relay is off' }))).toBeNull();
  });

  it('the log filter lets a line through once per relay state', () => {
    const filter = new RelayLogFilter();
    const refused = 'relay: NATS refused the credentials (Authorization Violation): check the user and password';
    expect(filter.admit(refused)).toBe(true);
    expect(filter.admit(refused)).toBe(false);
    expect(filter.admit(`relay: reading the stream failed (${FIRST}); retrying`)).toBe(true);
    expect(filter.admit(`relay: reading the stream failed (${RETRY}); retrying`)).toBe(false);
    filter.reset();
    expect(filter.admit(refused)).toBe(true);
  });
});
