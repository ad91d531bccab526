import { errors } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { explainConnectError, explainJetStreamError, isTransient, permissionReason } from '../../../../main/core/relay/reasons';

const SERVERS = ['nats://nats.example.com:4222'];

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('NATS errors in plain words', () => {
  it('wrong credentials', () => {
    expect(explainConnectError(new errors.AuthorizationError('Authorization Violation'), SERVERS)).toEqual({
      problem: 'auth',
      reason:
        'NATS refused the credentials (Authorization Violation): check the user and password, token or .creds file in the relay settings',
    });
  });

  it('permission violations, from the error or from the cause of a request error', () => {
    const v = new errors.PermissionViolationError(
      'Permissions Violation for Subscription to "crashbell.events.>"',
      'subscription',
      'crashbell.events.>',
    );
    expect(permissionReason(v)).toBe('NATS refused: permissions violation for subscribe to crashbell.events.>');
    const publish = new errors.PermissionViolationError('x', 'publish', 'crashbell.events.abc');
    expect(explainJetStreamError(new errors.RequestError('x', { cause: publish }), 'forward')).toEqual({
      problem: 'permission',
      reason: 'NATS refused: permissions violation for publish to crashbell.events.abc',
    });
    expect(isTransient(new errors.RequestError('x', { cause: publish }))).toBe(false);
  });

  it('unreachable servers, unknown hosts and TLS failures', () => {
    expect(explainConnectError(new errors.ConnectionError('connection refused'), SERVERS).reason).toBe(
      'Cannot reach NATS at nats://nats.example.com:4222 (connection refused). Retrying',
    );
    expect(explainConnectError(withCode('getaddrinfo ENOTFOUND nats.example.com', 'ENOTFOUND'), SERVERS)).toMatchObject({
      problem: 'unreachable',
      reason: expect.stringMatching(/does not resolve/),
    });
    expect(explainConnectError(withCode('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), SERVERS)).toEqual({
      problem: 'tls',
      reason:
        'TLS failure with nats://nats.example.com:4222: unable to verify the first certificate. If the server uses a private CA, set tls.ca to its PEM file in the relay settings',
    });
    expect(explainConnectError(new errors.ConnectionError("server does not support 'tls'"), SERVERS).reason).toMatch(/does not offer TLS/);
    expect(explainConnectError(new errors.TimeoutError(), SERVERS).problem).toBe('unreachable');
  });

  it('JetStream missing, failovers and timeouts are transient; refusals are not', () => {
    const notEnabled = Object.assign(new Error('jetstream is not enabled'), { name: 'JetStreamNotEnabled' });
    expect(explainJetStreamError(notEnabled, 'create the stream CRASHBELL').reason).toMatch(/^JetStream is not available/);
    expect(isTransient(notEnabled)).toBe(true);
    expect(isTransient(new errors.TimeoutError())).toBe(true);
    expect(explainJetStreamError(new Error('insufficient storage resources available'), 'create the stream X').reason).toMatch(/maxBytes/);
  });
});
