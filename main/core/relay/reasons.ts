/**
 * NATS errors in plain words, for Setup, the tray and headless output: what went wrong and what to do. Pure
 * functions over the error objects the `@nats-io` clients raise (their shapes are in notes on 3.4.0 against
 * nats-server 2.9), so every reason is tested without a server.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import { errors, type PermissionViolationError } from '@nats-io/transport-node';

/** What kind of problem an error is: it decides the words and whether retrying can help. */
export type RelayProblem = 'auth' | 'permission' | 'unreachable' | 'tls' | 'jetstream' | 'config' | 'other';

/** An error put into words. */
export interface Explained {
  problem: RelayProblem;
  reason: string;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** The permission violation behind an error: the error itself, or the cause of a RequestError. */
export function permissionViolationOf(err: unknown): PermissionViolationError | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof errors.PermissionViolationError) return e;
  }
  // A server -ERR that reached us as text only.
  const parsed = errors.PermissionViolationError.parse(messageOf(err));
  return parsed;
}

/**
 * "NATS refused: permissions violation for subscribe to crashbell.events.>", the same words for the same refusal
 * however often it is retried (see {@link stableSubject}).
 */
export function permissionReason(v: { operation: string; subject: string }): string {
  const op = v.operation === 'subscription' ? 'subscribe' : v.operation;
  return `NATS refused: permissions violation for ${op} to ${stableSubject(v.subject)}`;
}

/** JetStream API verbs on consumers that take two tokens (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`). */
const TWO_TOKEN_VERBS = new Set(['MSG', 'DURABLE', 'LEADER']);

/**
 * A subject as a refusal names it: what is made anew for each attempt becomes "…", so a refusal retried reads the
 * same every time (Setup's reason and the log would otherwise change on each retry). That is a consumer's name
 * and what follows it (`$JS.API.CONSUMER.CREATE.CRASHBELL.oc_<random>_1.<filter>`, and MSG.NEXT, INFO, DELETE),
 * an inbox's tokens (`_INBOX.<random>`), a team mark's group and instance (`$KV.<bucket>.<member>.<group id>.<instance>`)
 * and an ack's or flow control's tokens. The stream or bucket, and a mark's member, stay: they are what a permission
 * names. Any other subject is kept whole.
 */
export function stableSubject(subject: string): string {
  const t = subject.split('.');
  if (t[0] === '$JS') {
    const api = t[1] === 'API' ? 1 : t[2] === 'API' ? 2 : -1;
    if (api > 0 && t[api + 1] === 'CONSUMER') {
      const verb = api + 2;
      const stream = verb + (TWO_TOKEN_VERBS.has(t[verb] ?? '') ? 2 : 1);
      return t.length > stream + 1 ? [...t.slice(0, stream + 1), '…'].join('.') : subject;
    }
    if ((t[1] === 'ACK' || t[1] === 'FC') && t.length > 3) return [...t.slice(0, 3), '…'].join('.');
    return subject;
  }
  if (t[0] === '_INBOX' && t.length > 1) return '_INBOX.…';
  if (t[0] === '$KV' && t.length > 3) return [...t.slice(0, 3), '…'].join('.');
  return subject;
}

/** Words for a failed connect (or a connection that closed for good), naming the servers tried. */
export function explainConnectError(err: unknown, servers: readonly string[]): Explained {
  const where = servers.join(', ');
  const message = messageOf(err).split('\n')[0]?.slice(0, 300) ?? '';
  if (err instanceof errors.AuthorizationError || /authorization violation/i.test(message)) {
    return {
      problem: 'auth',
      reason: `NATS refused the credentials (${message}): check the user and password, token or .creds file in the relay settings`,
    };
  }
  if (err instanceof errors.UserAuthenticationExpiredError) {
    return { problem: 'auth', reason: `NATS refused the credentials: they have expired (${message}); get new ones from your NATS admin` };
  }
  const violation = err instanceof errors.PermissionViolationError ? err : null;
  if (violation) return { problem: 'permission', reason: permissionReason(violation) };
  const code = codeOf(err);
  if (/CERT|SSL|TLS|UNABLE_TO_VERIFY|SELF_SIGNED|ERR_TLS|DEPTH_ZERO/.test(code) || /certificate|tls/i.test(message)) {
    if (/doesn't exist/.test(message)) return { problem: 'config', reason: `The relay's TLS CA file cannot be read: ${message}` };
    if (/does not support 'tls'/.test(message)) {
      return {
        problem: 'tls',
        reason: `TLS failure with ${where}: the server does not offer TLS; remove tls.ca or use the server's TLS port`,
      };
    }
    return {
      problem: 'tls',
      reason: `TLS failure with ${where}: ${message}. If the server uses a private CA, set tls.ca to its PEM file in the relay settings`,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { problem: 'unreachable', reason: `Cannot reach NATS at ${where}: the host name does not resolve (${message}). Retrying` };
  }
  if (err instanceof errors.ConnectionError || err instanceof errors.TimeoutError || code === 'ECONNREFUSED' || code === 'ECONNRESET') {
    return { problem: 'unreachable', reason: `Cannot reach NATS at ${where} (${message || 'no answer'}). Retrying` };
  }
  if (/unable to parse credentials|creds/i.test(message)) {
    return { problem: 'config', reason: `The relay's .creds file is not valid (${message}): download it again from your NATS service` };
  }
  return { problem: 'other', reason: `NATS failed: ${message}` };
}

/** Words for an error of a JetStream or KV call (stream checks, publish, consumer creation...). */
export function explainJetStreamError(err: unknown, what: string): Explained {
  const violation = permissionViolationOf(err);
  if (violation) return { problem: 'permission', reason: permissionReason(violation) };
  const message = messageOf(err).split('\n')[0]?.slice(0, 300) ?? '';
  if ((err as Error | null)?.name === 'JetStreamNotEnabled' || /jetstream (is )?not enabled/i.test(message)) {
    return {
      problem: 'jetstream',
      reason: `JetStream is not available (${message}) while trying to ${what}: enable JetStream on the server (a jetstream {} block) and for the account, or wait for the cluster to elect a leader`,
    };
  }
  if (err instanceof errors.TimeoutError)
    return { problem: 'unreachable', reason: `NATS did not answer in time while trying to ${what}. Retrying` };
  if (/subjects overlap with an existing stream/i.test(message)) {
    return {
      problem: 'config',
      reason: `Another stream already takes crashbell.events.> on this NATS account (${message}): a team has one relay stream; set its name as the relay's stream`,
    };
  }
  if (/insufficient storage resources/i.test(message)) {
    return {
      problem: 'config',
      reason: `NATS cannot reserve the space asked for while trying to ${what} (${message}): lower relay "maxBytes", or raise the server's jetstream max_file_store or the account's limit`,
    };
  }
  return { problem: 'other', reason: `Could not ${what}: ${message}` };
}

/** True for errors worth retrying at once (a failover, a timeout); false for refusals a person must fix. */
export function isTransient(err: unknown): boolean {
  if (permissionViolationOf(err)) return false;
  if (err instanceof errors.TimeoutError) return true;
  if ((err as Error | null)?.name === 'JetStreamNotEnabled') return true;
  if (err instanceof errors.RequestError) return true;
  if (err instanceof errors.ClosedConnectionError) return false;
  return false;
}

/** JetStream's "message size exceeds maximum allowed" (nats-server's JSStreamMessageExceedsMaximumErr). */
const MESSAGE_EXCEEDS_MAXIMUM = 10054;

/**
 * Words for a refusal of one message itself (its size, its subject), which no retry of that same message can
 * change; null for every other failure. The forwarder parks such an entry so the ones after it still go. Any
 * other failure (a timeout, a failover, a permission or a stream setting a person must fix) would refuse the
 * next entry as well, so it holds the queue and is retried.
 */
export function messageRefusal(err: unknown): string | null {
  const message = messageOf(err).split('\n')[0]?.slice(0, 300) ?? '';
  // The client checks the size against the server's max_payload before sending.
  if (err instanceof errors.InvalidArgumentError && /max_payload/i.test(message)) {
    return `NATS takes no message this large: it is over the server's max_payload (${message})`;
  }
  if (err instanceof errors.InvalidSubjectError) return `its subject is not one NATS accepts (${message})`;
  if (err instanceof JetStreamApiError && (err.code === MESSAGE_EXCEEDS_MAXIMUM || /message size exceeds maximum/i.test(message))) {
    return `the stream takes no message this large (${message}): its max_msg_size, or the server's max_payload, is lower`;
  }
  return null;
}
