/** The inspector's Replay: sends a kept request to the receiver again, and what came of it. */
import { useState } from 'react';
import type { DeliveryResult } from '../../../shared/ipc';
import { errorMessage, replayRequest } from '../api';

/** A replay of one request: on its way, the receiver's answer, or why the call failed. */
export interface ReplayModel {
  replaying: boolean;
  /** The receiver's answer to the last replay. */
  result: DeliveryResult | null;
  /** Why the last replay call failed. */
  error: string | null;
  replay: () => void;
}

/** Replays request `requestId`. */
export function useReplay(requestId: string): ReplayModel {
  const [replaying, setReplaying] = useState(false);
  const [result, setResult] = useState<DeliveryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  return {
    replaying,
    result,
    error,
    replay: () => {
      setReplaying(true);
      setError(null);
      replayRequest(requestId).then(
        (r) => {
          setReplaying(false);
          setResult(r);
        },
        (err) => {
          setReplaying(false);
          setError(errorMessage(err));
        },
      );
    },
  };
}
