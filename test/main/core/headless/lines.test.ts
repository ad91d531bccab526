import { describe, expect, it } from 'vitest';
import {
  caughtUpLine,
  deliveryFailureLine,
  deliveryFailureText,
  groupStateLine,
  groupStateText,
  jsonLine,
  notificationText,
  receivedLine,
  receivedText,
  rejectedText,
  relayLine,
  relayText,
  tunnelLine,
  tunnelText,
} from '../../../../main/core/headless/lines';
import type { IngestResult } from '../../../../main/core/core';
import type { GroupSummary } from '../../../../shared/events';
import { backtraceEvent } from '../../../helpers/make-event';

const event = backtraceEvent({ sourceId: 'src-0000000000000001' });
const result: IngestResult = {
  group: { id: 'g1', occurrences: 42 } as GroupSummary,
  isNew: false,
  duplicate: false,
  decision: { notify: true, code: 'milestone', reason: 'Crossed 10 occurrences', at: event.receivedAt },
  notification: null,
};
const names = (id: string | null) => (id === 'src-0000000000000001' ? 'Game client' : null);

describe('headless output lines', () => {
  it('the received line says each fact once, without the raw body', () => {
    const line = receivedLine(event, result);
    expect(line).toMatchObject({ type: 'received', source: event.sourceId, group: 'g1', occurrences: 42, isNew: false, duplicate: false });
    for (const gone of ['raw', 'sourceId', 'groupId', 'eventOccurrences', 'redelivery']) expect(line).not.toHaveProperty(gone);
    expect(line['groupKey']).toBe(event.groupKey);
    expect(line['decision']).toEqual(result.decision);
  });

  it('human lines name sources by name, falling back to the id or provider', () => {
    expect(receivedText(event, result, names)).toMatch(/^received {2}\[Game client\] /);
    expect(receivedText({ ...event, sourceId: 'gone' }, result, names)).toMatch(/^received {2}\[backtrace\] /);
    const record = { status: 401, method: 'POST', path: '/hooks/x', sourceId: 'src-0000000000000001', reason: 'wrong password' };
    expect(rejectedText(record as never, names)).toBe('rejected  401 POST /hooks/x [Game client]: wrong password');
    expect(notificationText({ title: 'T', body: 'B', url: null, group: null, digest: true })).toBe('notify    [digest] T: B');
  });
});

describe('headless tunnel lines', () => {
  const urls = [{ id: 's1', provider: 'backtrace', url: 'https://x.ngrok.app/hooks/s1' }];
  it('the JSON line is the state, with the public webhook URLs while online', () => {
    expect(tunnelLine({ status: 'online', url: 'https://x.ngrok.app' }, urls)).toEqual({
      type: 'tunnel',
      status: 'online',
      url: 'https://x.ngrok.app',
      sources: urls,
    });
    expect(tunnelLine({ status: 'connecting', attempt: 2 }, [])).toEqual({ type: 'tunnel', status: 'connecting', attempt: 2 });
  });

  it('human lines say what is happening and what comes next', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(tunnelText({ status: 'connecting', attempt: 1 }, [], null)).toEqual(['tunnel    connecting to ngrok']);
    expect(tunnelText({ status: 'connecting', attempt: 3 }, [], null)).toEqual(['tunnel    connecting to ngrok (attempt 3)']);
    expect(
      tunnelText(
        { status: 'online', url: 'https://x.ngrok.app' },
        [{ label: 'Backtrace "Game"', url: 'https://x.ngrok.app/hooks/s1' }],
        null,
      ),
    ).toEqual([
      'tunnel    online at https://x.ngrok.app; paste these into the providers:',
      '  Backtrace "Game": https://x.ngrok.app/hooks/s1',
    ]);
    const retrying = { status: 'error', reason: 'No network. It keeps retrying', code: null, retryAt: '2026-12-01T10:00:04Z' } as const;
    expect(tunnelText(retrying, [], null, now)).toEqual(['tunnel    error: No network. It keeps retrying. Next try in 4 s.']);
    const final = { status: 'error', reason: 'The ngrok authtoken is not valid', code: 'ERR_NGROK_105', retryAt: null } as const;
    expect(tunnelText(final, [], 'fix it', now)).toEqual(['tunnel    error: The ngrok authtoken is not valid. It does not retry: fix it.']);
    expect(tunnelText({ status: 'off', reason: 'No ngrok authtoken' }, [], 'Set one')).toEqual([
      'tunnel    off: No ngrok authtoken. Set one',
    ]);
  });
});

describe('relay lines', () => {
  const state = {
    status: 'error' as const,
    reason: 'NATS refused: permissions violation for subscribe to crashbell.events.>',
    servers: ['nats://a:4222'],
    server: 'a:4222',
    retryAt: null,
    member: 'ana',
    stream: 'CRASHBELL',
    publish: false,
    subscribe: true,
    gateway: null,
    subscriber: { ingested: 3, newest: 5, lag: 2, caughtUp: false, lastEventAt: null },
    test: null,
  };
  it('prints connected, disconnected and error with the reason and servers, and nothing for connecting or off', () => {
    expect(relayLine(state)).toEqual({
      type: 'relay',
      status: 'error',
      reason: 'NATS refused: permissions violation for subscribe to crashbell.events.>',
      servers: ['nats://a:4222'],
    });
    expect(relayLine({ ...state, status: 'connected', reason: null })).toEqual({
      type: 'relay',
      status: 'connected',
      servers: ['nats://a:4222'],
    });
    expect(relayLine({ ...state, status: 'connecting' })).toBeNull();
    expect(relayText({ ...state, status: 'connected', reason: null })).toBe('relay     connected to a:4222 (subscriber)');
    expect(caughtUpLine(14)).toEqual({ type: 'caught-up', events: 14 });
  });
});

describe('text from the internet in headless output', () => {
  /** ESC/OSC (retitles the terminal, rings it), CSI (clears the screen), C1 CSI, backspace, a bidi override, a fake line. */
  const hostile = 'pwned\u001b]0;owned\u0007\u001b[2J\u009b1m\b\b\u202egnp.exe\ncrashbell: warning: forged';
  const clean = 'pwned]0;owned[2J1mgnp.exe crashbell: warning: forged';
  /** Whether a text holds a C0 or C1 control, DEL, a bidirectional control or a line or paragraph separator. */
  const hasControls = (text: string) =>
    [...text].some((ch) => {
      const c = ch.charCodeAt(0);
      return (
        c < 0x20 ||
        (c >= 0x7f && c <= 0x9f) ||
        [0x061c, 0x200e, 0x200f, 0x2028, 0x2029].includes(c) ||
        (c >= 0x202a && c <= 0x202e) ||
        (c >= 0x2066 && c <= 0x2069)
      );
    });

  it('human lines print it without control or bidirectional characters, on one line', () => {
    const bad = { ...event, title: hostile, description: `at \u2066main\u2069\r\nstack` };
    const received = receivedText(bad, result, names);
    expect(received).toBe(`received  [Game client] ${clean} — at main stack (42 occurrences; notify: Crossed 10 occurrences)`);
    const record = { status: 400, method: 'POST', path: '/hooks/x\u001b[2J', sourceId: null, reason: `malformed JSON: ${hostile}` };
    expect(rejectedText(record as never, names)).toBe(`rejected  400 POST /hooks/x[2J: malformed JSON: ${clean}`);
    const n = { title: hostile, body: `body\u0007\n${hostile}`, url: 'https://x.test/\u202e', group: 'g', digest: false };
    expect(notificationText(n)).toBe(`notify    ${clean}: body ${clean} <https://x.test/>`);
    expect(relayText({ status: 'error', reason: hostile, servers: [], server: null, publish: true, subscribe: false } as never)).toBe(
      `relay     error: ${clean}`,
    );
    expect(tunnelText({ status: 'off', reason: hostile } as never, [], null)).toEqual([`tunnel    off: ${clean}`]);
    for (const line of [received, notificationText(n)]) expect(hasControls(line)).toBe(false);
  });

  it("a failed delivery's stderr line quotes the title and the command's output as text", () => {
    const line = deliveryFailureText({
      via: 'command',
      notification: { title: hostile, body: '', url: null, group: 'g', digest: false },
      reason: `exited with code 3: \u001b]52;c;cGF5bG9hZA==\u0007 done`,
    });
    expect(line).toBe(`crashbell: warning: command could not deliver "${clean}": exited with code 3: ]52;c;cGF5bG9hZA== done`);
    expect(hasControls(line)).toBe(false);
  });

  it('the group-state line: group, status, by, via, and inProvider only when the provider made it too', () => {
    expect(groupStateLine({ group: 'g1', status: 'resolved', by: 'ana', via: 'crashbell', inProvider: 'Sentry' })).toEqual({
      type: 'group-state',
      group: 'g1',
      status: 'resolved',
      by: 'ana',
      via: 'crashbell',
      inProvider: 'Sentry',
    });
    expect(groupStateLine({ group: 'g1', status: 'ignored', by: null, via: 'provider', inProvider: null })).toEqual({
      type: 'group-state',
      group: 'g1',
      status: 'ignored',
      by: null,
      via: 'provider',
    });
  });

  it('the human group-state line says who and where, provider text as text', () => {
    expect(groupStateText({ group: 'g1', status: 'resolved', by: 'ana', via: 'crashbell', inProvider: 'Sentry' }, 'TypeError: x')).toBe(
      'state     resolved: TypeError: x (g1) in Sentry by ana',
    );
    expect(groupStateText({ group: 'g1', status: 'snoozed', by: 'root', via: 'crashbell' }, null)).toBe(
      'state     snoozed: g1 here by root',
    );
    expect(groupStateText({ group: 'g1', status: 'ignored', by: null, via: 'provider' }, hostile)).toBe(
      `state     ignored: ${clean} (g1) by the provider's own state hook`,
    );
    const team = groupStateText({ group: 'g1', status: 'claimed', by: `bo\u202eb\nx`, via: 'team' }, hostile);
    expect(team).toBe(`state     claimed: ${clean} (g1) by bob x (team relay)`);
    expect(hasControls(team)).toBe(false);
  });

  it('a group-state change an outlet failed on: the stderr line and the notify-failed line name the change', () => {
    const change = { group: 'g1', status: 'resolved' as const, by: null, via: 'provider' as const };
    expect(deliveryFailureText({ via: 'ntfy', change, reason: 'answered 500' })).toBe(
      'crashbell: warning: ntfy could not deliver the group-state change resolved of g1: answered 500',
    );
    expect(deliveryFailureLine({ via: 'ntfy', change, reason: 'answered 500' })).toEqual({
      type: 'notify-failed',
      via: 'ntfy',
      group: 'g1',
      status: 'resolved',
      reason: 'answered 500',
    });
  });

  it('JSON lines escape what JSON.stringify leaves raw, and read back to the same value', () => {
    const value = { type: 'notification', title: hostile, body: 'a\u0085b\u2028c\u061cd\u00a0é' };
    const line = jsonLine(value);
    expect(hasControls(line)).toBe(false);
    expect(line).toContain('\\u202e');
    expect(line).toContain('\\u009b');
    // Other text stays as it is.
    expect(line).toContain('\u00a0é');
    expect(JSON.parse(line)).toEqual(value);
  });
});
