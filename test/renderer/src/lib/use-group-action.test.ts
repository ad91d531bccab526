// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROGRESS_POLL_MS, useGroupAction } from '../../../../renderer/src/lib/use-group-action';
import type { ActionResult } from '../../../../shared/actions';
import type { GroupDetail } from '../../../../shared/ipc';
import { installFakeApi, makeGroupDetail } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function hookFor(group: GroupDetail) {
  const onRefreshed = vi.fn();
  const hook = renderHook((props: { group: GroupDetail }) => useGroupAction(props.group, onRefreshed), { initialProps: { group } });
  return { ...hook, onRefreshed };
}

const failed: ActionResult = {
  state: 'failed',
  action: 'ignore',
  words: 'Rollbar refused the token (403): it lacks the write scope',
  where: null,
  code: 'forbidden',
  status: 403,
  retryAt: null,
};

describe('useGroupAction', () => {
  it('says an action pending at once, then done in main’s words, and fetches the group again', async () => {
    const { api } = installFakeApi();
    let answer: (r: ActionResult) => void = () => undefined;
    api.runAction.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const after = makeGroupDetail({ resolved: true });
    api.getGroup.mockResolvedValue(after);
    const { result, onRefreshed } = hookFor(makeGroupDetail({ read: true }));
    expect(result.current.status).toBeNull();
    act(() => void result.current.run({ kind: 'resolve' }, 'Resolving in Sentry…'));
    expect(result.current.status).toMatchObject({ state: 'pending', words: 'Resolving in Sentry…', action: 'resolve' });
    expect(result.current.busy).toBe(true);
    expect(api.runAction).toHaveBeenCalledWith('g1', { kind: 'resolve' });
    await act(async () =>
      answer({ state: 'done', action: 'resolve', words: 'Resolved in Sentry', where: 'provider', code: null, status: null, retryAt: null }),
    );
    expect(result.current.status).toMatchObject({ state: 'done', words: 'Resolved in Sentry' });
    expect(result.current.busy).toBe(false);
    await waitFor(() => expect(onRefreshed).toHaveBeenCalledWith(after));
  });

  it('says a refusal in the provider’s words; a call main refused itself is said too', async () => {
    const { api } = installFakeApi();
    api.runAction.mockResolvedValueOnce(failed);
    const { result } = hookFor(makeGroupDetail());
    await act(() => result.current.run({ kind: 'ignore' }, 'Ignoring in Rollbar…'));
    expect(result.current.status).toMatchObject({ state: 'failed', words: failed.words });
    api.runAction.mockRejectedValueOnce(
      new Error("Error invoking remote method 'groups:action': Error: Invalid arguments for groups:action"),
    );
    await act(() => result.current.run({ kind: 'snooze', minutes: 60 }, 'Snoozing…'));
    expect(result.current.status).toMatchObject({ state: 'failed', action: 'snooze', words: 'Invalid arguments for groups:action' });
  });

  it('follows main’s progress while its own action runs (a rate limit’s retry), and stops once it ended', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { api } = installFakeApi();
    let answer: (r: ActionResult) => void = () => undefined;
    api.runAction.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const waiting = makeGroupDetail({
      action: {
        action: 'resolve',
        state: 'pending',
        words: 'Sentry is limiting requests: retrying at 10:00:30',
        at: new Date(Date.now() + 1_000).toISOString(),
        retryAt: new Date(Date.now() + 30_000).toISOString(),
        by: 'ana',
      },
    });
    api.getGroup.mockResolvedValue(waiting);
    const { result, onRefreshed, rerender } = hookFor(makeGroupDetail());
    act(() => void result.current.run({ kind: 'resolve' }, 'Resolving in Sentry…'));
    await act(async () => vi.advanceTimersByTime(PROGRESS_POLL_MS));
    await waitFor(() => expect(onRefreshed).toHaveBeenCalledWith(waiting));
    rerender({ group: waiting });
    expect(result.current.status).toMatchObject({ state: 'pending', words: 'Sentry is limiting requests: retrying at 10:00:30' });
    await act(async () =>
      answer({ ...failed, action: 'resolve', code: 'rate-limited', words: 'Sentry is limiting how often it is asked (429)' }),
    );
    const calls = api.getGroup.mock.calls.length;
    rerender({ group: makeGroupDetail() });
    await act(async () => vi.advanceTimersByTime(5 * PROGRESS_POLL_MS));
    // One fetch after the end, none from the timer.
    expect(api.getGroup.mock.calls.length).toBeLessThanOrEqual(calls + 1);
    expect(result.current.status).toMatchObject({ state: 'failed', words: 'Sentry is limiting how often it is asked (429)' });
  });

  it('follows an action pending from elsewhere (the tray, the command line) until it ends', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { api } = installFakeApi();
    const pending = makeGroupDetail({
      action: {
        action: 'snooze',
        state: 'pending',
        words: 'Snoozing for 1 hour in Sentry…',
        at: new Date().toISOString(),
        retryAt: null,
        by: 'ana',
      },
    });
    const { result, onRefreshed } = hookFor(pending);
    expect(result.current.status).toMatchObject({ state: 'pending', words: 'Snoozing for 1 hour in Sentry…' });
    expect(result.current.busy).toBe(false);
    await act(async () => vi.advanceTimersByTime(PROGRESS_POLL_MS));
    await waitFor(() => expect(api.getGroup).toHaveBeenCalledWith('g1'));
    await waitFor(() => expect(onRefreshed).toHaveBeenCalled());
  });
});
