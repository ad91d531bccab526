import { describe, expect, it } from 'vitest';
import { deliveryOutcome } from '../../../../renderer/src/lib/delivery';

describe('deliveryOutcome', () => {
  it('says a 2xx was delivered and to watch for the notification, and a refusal with its status and reason', () => {
    expect(deliveryOutcome({ via: 'local', status: 200, reason: 'accepted', eventId: 'e1' })).toEqual({
      ok: true,
      text: 'Delivered to the local receiver: 200 accepted. Watch for the notification.',
    });
    expect(deliveryOutcome({ via: 'tunnel', status: 202, reason: 'queued', eventId: 'e1' }).text).toMatch(
      /^Delivered through the tunnel: 202/,
    );
    expect(deliveryOutcome({ via: 'tunnel', status: 401, reason: 'wrong Basic credentials', eventId: null })).toEqual({
      ok: false,
      text: 'Sent through the tunnel, refused with 401: wrong Basic credentials',
    });
    expect(deliveryOutcome({ via: 'local', status: 300, reason: 'moved', eventId: null }).ok).toBe(false);
  });
});
