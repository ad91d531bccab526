/**
 * Reading a body: streamed in, each chunk counted against the size limit and the memory budgets before it is
 * kept, so a refusal stops reading at once.
 */
import type http from 'node:http';
import type { BodyBudget } from './body-budget';
import { busyOutcome, type Outcome } from './outcome';
import type { RequestState } from './request';

/** Streams the body in; calls `done` once: with an outcome when it must stop (too large, over budget, aborted). */
export function readBody(
  req: http.IncomingMessage,
  state: RequestState,
  limits: { maxBodyBytes: number; budget: BodyBudget },
  done: (stopped: Outcome | null) => void,
): void {
  let settled = false;
  const finish = (outcome: Outcome | null): void => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    req.off('aborted', onAborted);
    done(outcome);
  };
  const onData = (chunk: Buffer): void => {
    state.bytes += chunk.length;
    if (state.bytes > limits.maxBodyBytes) {
      // Keep what was read for the log (the log keeps only its first 64 KiB) and stop reading.
      req.pause();
      finish({ status: 413, reason: `body is over the ${limits.maxBodyBytes}-byte limit`, close: true });
      return;
    }
    const busy = limits.budget.over(state, chunk.length);
    if (busy !== null) {
      req.pause();
      finish(busyOutcome(busy));
      return;
    }
    limits.budget.hold(state, chunk.length);
    state.chunks.push(chunk);
  };
  const onEnd = (): void => {
    state.complete = true;
    finish(null);
  };
  const onAborted = (): void => {
    finish(
      state.timedOut
        ? { status: 408, reason: 'the request took too long to arrive', close: true }
        : { status: 400, reason: 'the sender closed the connection before the body was complete', close: true },
    );
  };
  const onError = (error: Error): void => {
    if (state.timedOut) onAborted();
    else finish({ status: 400, reason: `the request body could not be read: ${error.message}`, close: true });
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
  req.on('aborted', onAborted);
}
