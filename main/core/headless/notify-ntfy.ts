/**
 * Headless mode's ntfy outlet: publishes each notification to an ntfy topic with ntfy's HTTP publish API (a
 * POST of the message to the topic URL, the title, tags, priority and click URL as headers, an access token as
 * `Authorization: Bearer`), so a server install reaches a phone. See https://docs.ntfy.sh/publish/.
 *
 * A group's notification carries the group as its sequence id (`X-Sequence-ID`, "Updating + deleting
 * notifications", https://docs.ntfy.sh/publish/#updating-deleting-notifications, ntfy 2.16 and later): a later
 * notification about the group updates the one on the phone, and once the group is resolved, ignored, snoozed, muted
 * or claimed, `PUT <topic>/<sequence id>/clear` clears it (marks it read and dismisses it). An older server ignores
 * the header and has no such route: it answers the clear 404, and its notifications stay.
 */
import { errorText } from '../errors';
import type { NotificationRequest } from '../../../shared/events';
import type { NtfySettings } from '../../../shared/settings';
import { type OutgoingRequest, postRequest } from '../http-post';
import { checkExternalUrl } from '../links';
import { oneLine, withoutControls } from '../plain-text';
import type { RunFailure } from './notify-command';

/** ntfy turns a longer message into an attachment; stay under its 4,096 bytes. */
const MAX_MESSAGE_BYTES = 4_000;
/** Longest title sent (the desktop notifier keeps the same). */
const MAX_TITLE_CHARS = 200;
/** A publish that gets no answer within this long has failed. */
export const NTFY_TIMEOUT_MS = 10_000;

/**
 * Text from the internet made fit for one header line: no control or bidirectional characters (the same rule as
 * every other text Crashbell shows, plain-text.ts), on one line, trimmed, bounded.
 */
function headerText(text: string, max: number): string {
  return oneLine(text.slice(0, 4 * max))
    .trim()
    .slice(0, max);
}

/**
 * A header value as ntfy reads it: plain when it is printable ASCII, else an RFC 2047 encoded word (Node's
 * HTTP client sends only Latin-1 in headers, and ntfy decodes `=?UTF-8?B?...?=`). A text that holds `=?` is
 * encoded too, even in plain ASCII: passed through, ntfy would decode what looks like an encoded word inside it,
 * and a sender could smuggle in whatever the decoding yields (control and bidirectional characters included).
 */
export function headerValue(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) && !text.includes('=?') ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** At most `max` bytes of UTF-8, cut on a character boundary. */
function utf8Prefix(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  let end = max;
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return `${bytes.subarray(0, end).toString('utf8')}…`;
}

/** ntfy's sequence ids, as its topic names: letters, digits, `_` and `-`, at most 64. */
const SEQUENCE_ID = /^[-_A-Za-z0-9]{1,64}$/;

/** The ntfy sequence id of a group's notifications (`crashbell-<group id>`), or null for a group id that cannot be one. */
export function ntfySequenceId(groupId: string | null): string | null {
  const id = groupId === null ? null : `crashbell-${groupId}`;
  return id !== null && SEQUENCE_ID.test(id) ? id : null;
}

/** The publish request for one notification (pure: headers and body); a single group's carries its sequence id. */
export function ntfyRequest(n: NotificationRequest, settings: NtfySettings): OutgoingRequest {
  const title = headerText(n.title, MAX_TITLE_CHARS);
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    title: headerValue(title),
    // ntfy shows these short codes as emoji: 🚨 for an error, 🔔 for a digest of several.
    tags: n.digest ? 'bell' : 'rotating_light',
  };
  if (settings.priority !== null) headers['priority'] = String(settings.priority);
  // The error's page came from the internet: the same http(s) guard as the desktop's click.
  const link = n.url ? checkExternalUrl(n.url) : null;
  if (link?.ok) headers['click'] = link.url;
  if (settings.token !== '') headers['authorization'] = `Bearer ${settings.token}`;
  const sequence = n.digest ? null : ntfySequenceId(n.group);
  if (sequence !== null) headers['x-sequence-id'] = sequence;
  // An empty message would read as "triggered" on the phone.
  const message = withoutControls(n.body);
  const body = utf8Prefix(message.trim() === '' ? title : message, MAX_MESSAGE_BYTES);
  return { headers, body };
}

/** ntfy's own words from an error answer (`{"code":40301,"http":403,"error":"forbidden",...}`), or the start of the body. */
function ntfyError(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string' && parsed.error !== '') return parsed.error;
  } catch {
    // Not JSON: a proxy's page, say.
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Why a request to ntfy failed, in words (never the token). */
function failureWords(origin: string, status: number, body: string): string {
  const said = ntfyError(body);
  const hint = status === 401 || status === 403 ? ' (check "token" and that it may publish to this topic)' : '';
  return `${origin} answered ${status}${said ? `: ${said}` : ''}${hint}`;
}

/** How a clear went: done, refused with why, or not a route of this server (older than ntfy 2.16). */
export type ClearOutcome = { ok: true } | { ok: false; unsupported: boolean; reason: string };

/**
 * Clears the notification of a sequence (`PUT <topic URL>/<sequence id>/clear`: marked read and dismissed on the
 * subscribers' devices). Never rejects.
 */
export async function clearOnNtfy(
  sequenceId: string,
  settings: NtfySettings,
  signal?: AbortSignal,
  timeoutMs = NTFY_TIMEOUT_MS,
): Promise<ClearOutcome> {
  // The topic URL with the sequence's clear path appended, whatever else it holds (an `?auth=` query, say).
  const target = new URL(settings.url);
  target.pathname = `${target.pathname.replace(/\/+$/, '')}/${sequenceId}/clear`;
  const origin = target.origin;
  const headers: Record<string, string> = {};
  if (settings.token !== '') headers['authorization'] = `Bearer ${settings.token}`;
  try {
    const response = await postRequest(target.href, { method: 'PUT', headers, body: '' }, timeoutMs, signal);
    if (response.status >= 200 && response.status < 300) return { ok: true };
    return { ok: false, unsupported: response.status === 404, reason: failureWords(origin, response.status, response.body) };
  } catch (error) {
    if (signal?.aborted) return { ok: false, unsupported: false, reason: 'not sent: headless mode is stopping' };
    return {
      ok: false,
      unsupported: false,
      reason: `could not reach ${origin}: ${errorText(error)}`,
    };
  }
}

/** Publishes one notification. Resolves with null when ntfy took it, else why not (never the token). Never rejects. */
export async function publishToNtfy(
  n: NotificationRequest,
  settings: NtfySettings,
  signal?: AbortSignal,
  timeoutMs = NTFY_TIMEOUT_MS,
): Promise<RunFailure> {
  const origin = new URL(settings.url).origin;
  try {
    const response = await postRequest(settings.url, ntfyRequest(n, settings), timeoutMs, signal);
    if (response.status >= 200 && response.status < 300) return null;
    return failureWords(origin, response.status, response.body);
  } catch (error) {
    if (signal?.aborted) return 'not sent: headless mode is stopping';
    return `could not reach ${origin}: ${errorText(error)}`;
  }
}
