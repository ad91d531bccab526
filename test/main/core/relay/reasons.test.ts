import { errors } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { JetStreamApiError } from '@nats-io/jetstream';
import {
  explainConnectError,
  explainJetStreamError,
  isTransient,
  messageRefusal,
  permissionReason,
} from '../../../../main/core/relay/reasons';

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

  it('a refusal retried reads the same each time: consumer names, inbox tokens and mark keys are left out', () => {
    const reason = (operation: string, subject: string) => permissionReason({ operation, subject });
    // What the relay's retries are refused on, each time with a consumer name the client makes anew.
    const create = (name: string) => reason('publish', `$JS.API.CONSUMER.CREATE.KV_AUTH-marks.${name}.$KV.AUTH-marks.>`);
    expect(create('oc_St7gWK20ERPCxWffX1gpIQ_1')).toBe(create('oc_Yq1LwQ0pCq2hXbfmWkY0sl_2'));
    expect(create('oc_St7gWK20ERPCxWffX1gpIQ_1')).toBe(
      'NATS refused: permissions violation for publish to $JS.API.CONSUMER.CREATE.KV_AUTH-marks.…',
    );
    expect(reason('publish', '$JS.API.CONSUMER.MSG.NEXT.CRASHBELL.oc_abc_3')).toBe(
      'NATS refused: permissions violation for publish to $JS.API.CONSUMER.MSG.NEXT.CRASHBELL.…',
    );
    expect(reason('publish', '$JS.hub.API.CONSUMER.INFO.CRASHBELL.oc_abc_3')).toBe(
      'NATS refused: permissions violation for publish to $JS.hub.API.CONSUMER.INFO.CRASHBELL.…',
    );
    expect(reason('subscription', '_INBOX.Ab3dEf9.12')).toBe('NATS refused: permissions violation for subscribe to _INBOX.…');
    // A mark's key is <member>.<group>.<instance>: the member is what the permission names, so it stays.
    expect(reason('publish', '$KV.CRASHBELL-marks.ana.kZ3q9.inst-1')).toBe(
      'NATS refused: permissions violation for publish to $KV.CRASHBELL-marks.ana.…',
    );
    // What names no generated part stays whole: the stream, the source's subject.
    expect(reason('publish', '$JS.API.STREAM.INFO.CRASHBELL')).toBe(
      'NATS refused: permissions violation for publish to $JS.API.STREAM.INFO.CRASHBELL',
    );
    expect(reason('publish', '$JS.API.CONSUMER.CREATE.CRASHBELL')).toBe(
      'NATS refused: permissions violation for publish to $JS.API.CONSUMER.CREATE.CRASHBELL',
    );
    expect(reason('publish', 'crashbell.events.teamBacktraceSourceAAAA')).toBe(
      'NATS refused: permissions violation for publish to crashbell.events.teamBacktraceSourceAAAA',
    );
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

  it('tells a refusal of one message (parked: retrying it cannot help) from a failure that would refuse the next one too', () => {
    expect(messageRefusal(errors.InvalidArgumentError.format('payload', 'max_payload size exceeded'))).toBe(
      "NATS takes no message this large: it is over the server's max_payload ('payload' max_payload size exceeded)",
    );
    const tooLarge = new JetStreamApiError({ code: 400, err_code: 10054, description: 'message size exceeds maximum allowed' });
    expect(messageRefusal(tooLarge)).toBe(
      "the stream takes no message this large (message size exceeds maximum allowed): its max_msg_size, or the server's max_payload, is lower",
    );
    expect(messageRefusal(new errors.InvalidSubjectError('crashbell.events.a b'))).toMatch(/^its subject is not one NATS accepts/);
    // Everything else holds the queue and is retried: it would refuse the next entry just the same.
    expect(messageRefusal(new errors.TimeoutError())).toBeNull();
    expect(messageRefusal(new errors.PermissionViolationError('Permissions Violation', 'publish', 'crashbell.events.x'))).toBeNull();
    expect(messageRefusal(new JetStreamApiError({ code: 400, err_code: 10060, description: 'expected stream does not match' }))).toBeNull();
    expect(messageRefusal(errors.InvalidArgumentError.format('timeout', 'must be greater than 0'))).toBeNull();
  });
});
