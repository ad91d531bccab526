/** A request posted through the real receiver (Setup's test event) in words. */
import type { DeliveryResult } from '../../../shared/ipc';
import type { FormOutcome } from './form-outcome';

/** What came of a test event: delivered (watch for the notification), or refused and why. */
export function deliveryOutcome(r: DeliveryResult): FormOutcome {
  const via = r.via === 'tunnel' ? 'through the tunnel' : 'to the local receiver';
  if (r.status >= 200 && r.status < 300)
    return { ok: true, text: `Delivered ${via}: ${r.status} ${r.reason}. Watch for the notification.` };
  return { ok: false, text: `Sent ${via}, refused with ${r.status}: ${r.reason}` };
}
