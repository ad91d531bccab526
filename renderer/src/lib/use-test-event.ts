/** Setup's "Send test event" for one source: a signed sample through the real receiver, and what came of it. */
import { useState } from 'react';
import { errorMessage, sendTestEvent } from '../api';
import type { FormOutcome } from './form-outcome';
import { deliveryOutcome } from './delivery';

/** A source's test event: on its way, and what the last one came to. */
export interface TestEventModel {
  sending: boolean;
  /** What the last test event came to; null before the first, and while one is on its way. */
  result: FormOutcome | null;
  send: () => void;
}

/** The test event of source `sourceId`. */
export function useTestEvent(sourceId: string): TestEventModel {
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<FormOutcome | null>(null);
  return {
    sending,
    result,
    send: () => {
      setSending(true);
      setResult(null);
      sendTestEvent(sourceId).then(
        (r) => {
          setSending(false);
          setResult(deliveryOutcome(r));
        },
        (err) => {
          setSending(false);
          setResult({ ok: false, text: errorMessage(err) });
        },
      );
    },
  };
}
