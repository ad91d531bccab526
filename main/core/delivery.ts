/**
 * Crashbell's own requests to its receiver: "Send test event" (a provider's signed sample, locally or through
 * the public tunnel URL, so the whole path is exercised) and the inspector's replay of a recorded request. Both
 * answer in words what the receiver said.
 */
import type { DeliveryResult } from '../../shared/ipc';
import { errorText } from './errors';
import { type OutgoingRequest, type PostResponse, postRequest } from './http-post';

/** The answer of the receiver, in words. */
export function deliveryFrom(via: DeliveryResult['via'], response: PostResponse): DeliveryResult {
  let json: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = null;
  }
  const ok = response.status >= 200 && response.status < 300;
  const error = json && typeof json['error'] === 'string' ? json['error'] : null;
  const eventId = json && typeof json['event'] === 'string' ? json['event'] : null;
  const duplicate = json?.['duplicate'] === true;
  const reason = ok
    ? eventId
      ? duplicate
        ? 'recognised as a redelivery of a hook already recorded: nothing changed'
        : 'accepted'
      : 'acknowledged'
    : (error ?? (response.body.trim().slice(0, 300) || `HTTP ${response.status}`));
  return { via, status: response.status, reason, eventId, ...(duplicate ? { duplicate } : {}) };
}

/** Posts `request` to `url`; a network failure comes back as status 0 with the reason, never a throw. */
export async function deliver(
  via: DeliveryResult['via'],
  url: string,
  request: OutgoingRequest,
  timeoutMs: number,
): Promise<DeliveryResult> {
  try {
    return deliveryFrom(via, await postRequest(url, request, timeoutMs));
  } catch (error) {
    return { via, status: 0, reason: `could not reach ${url}: ${errorText(error)}`, eventId: null };
  }
}
