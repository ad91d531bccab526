// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type GroupRow, groupRow } from '../../../../shared/events';
import type { GroupDetail } from '../../../../shared/ipc';
import { useGroupDetail } from '../../../../renderer/src/lib/use-group-detail';
import { installFakeApi, makeGroupDetail } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

/** The hook for `groupId`, re-rendered with other ids or pushed rows through `rerender`. */
function detailOf(groupId = 'g1', live: GroupRow | null = null) {
  const onChanged = vi.fn();
  const onGone = vi.fn();
  const hook = renderHook(
    (props: { groupId: string; live: GroupRow | null }) => useGroupDetail(props.groupId, props.live, { onChanged, onGone }),
    {
      initialProps: { groupId, live },
    },
  );
  return { ...hook, onChanged, onGone };
}

describe('useGroupDetail loading', () => {
  it('loads the group and marks it read when it opens unread, telling the list', async () => {
    const { api } = installFakeApi();
    const { result, onChanged } = detailOf();
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    expect(result.current.group?.title).toBe('exception in printf');
    expect(api.markGroup).toHaveBeenCalledWith('g1', { read: true });
    await waitFor(() => expect(onChanged).toHaveBeenCalledWith(expect.objectContaining({ id: 'g1', read: true })));
  });

  it('keeps the previous group until the next arrives, and drops an answer for a group no longer asked for', async () => {
    const { api } = installFakeApi();
    const answers = new Map<string, (g: GroupDetail) => void>();
    api.getGroup.mockImplementation((id: string) => new Promise((resolve) => answers.set(id, resolve)));
    const { result, rerender } = detailOf('g1');
    act(() => answers.get('g1')!(makeGroupDetail({ id: 'g1', title: 'one', read: true })));
    await waitFor(() => expect(result.current.group?.title).toBe('one'));
    rerender({ groupId: 'g2', live: null });
    rerender({ groupId: 'g3', live: null });
    expect(result.current).toMatchObject({ phase: 'loading', group: { title: 'one' } });
    await act(async () => answers.get('g2')!(makeGroupDetail({ id: 'g2', title: 'two', read: true })));
    expect(result.current).toMatchObject({ phase: 'loading', group: { title: 'one' } });
    await act(async () => answers.get('g3')!(makeGroupDetail({ id: 'g3', title: 'three', read: true })));
    expect(result.current).toMatchObject({ phase: 'ready', group: { title: 'three' } });
  });

  it('says why loading failed, and loads again on reload', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockRejectedValueOnce(new Error("Error invoking remote method 'groups:get': Error: disk on fire"));
    const { result } = detailOf();
    await waitFor(() => expect(result.current).toMatchObject({ phase: 'error', error: 'disk on fire' }));
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.phase).toBe('ready'));
  });
});

describe('useGroupDetail pushed rows', () => {
  it('shows a new read mark at once; a teammate’s mark or a newer hook fetches the group again', async () => {
    const { api } = installFakeApi();
    const g = makeGroupDetail({ read: true });
    api.getGroup.mockResolvedValue(g);
    const { result, rerender } = detailOf('g1');
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    rerender({ groupId: 'g1', live: groupRow({ ...g, read: false }) });
    expect(result.current.group?.read).toBe(false);
    expect(api.getGroup).toHaveBeenCalledTimes(1);

    api.getGroup.mockResolvedValue(makeGroupDetail({ read: false, resolved: true, resolvedBy: 'ana' }));
    rerender({ groupId: 'g1', live: groupRow({ ...g, read: false, resolved: true }) });
    await waitFor(() => expect(result.current.group?.resolvedBy).toBe('ana'));
    expect(api.getGroup).toHaveBeenCalledTimes(2);

    const newer = makeGroupDetail({ read: false, resolved: true, lastReceivedAt: '2026-02-01T00:00:00.000Z', occurrences: 99 });
    api.getGroup.mockResolvedValue(newer);
    rerender({ groupId: 'g1', live: groupRow(newer) });
    await waitFor(() => expect(result.current.group?.occurrences).toBe(99));
    expect(api.getGroup).toHaveBeenCalledTimes(3);
  });
});

describe('useGroupDetail actions', () => {
  it('marks through main, tells the list, and says so; a failure is said in words and changes nothing', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(makeGroupDetail({ read: true }));
    const { result, onChanged } = detailOf();
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    act(() => result.current.mark({ muted: true }, 'Muted: it will not notify'));
    await waitFor(() => expect(result.current.notice).toBe('Muted: it will not notify'));
    expect(result.current.group).toMatchObject({ muted: true, latestRaw: { fingerprint: 'fp1' } });
    expect(onChanged).toHaveBeenCalledWith(expect.objectContaining({ id: 'g1', muted: true }));
    api.markGroup.mockRejectedValueOnce(new Error("Error invoking remote method 'groups:mark': Error: the group is gone"));
    act(() => result.current.mark({ resolved: true }, 'Marked resolved'));
    await waitFor(() => expect(result.current.notice).toBe('the group is gone'));
    expect(result.current.group?.resolved).toBe(false);
  });

  it('opens at the provider through main’s link rule and says what came of it; copies text', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(makeGroupDetail({ read: true }));
    const { result } = detailOf();
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    act(() => result.current.openInProvider('Backtrace'));
    await waitFor(() => expect(result.current.notice).toBe('Opened in Backtrace'));
    api.openGroup.mockResolvedValueOnce({ opened: false, reason: 'not the provider’s host' });
    act(() => result.current.openInProvider('Backtrace'));
    await waitFor(() => expect(result.current.notice).toBe('Not opened: not the provider’s host'));
    act(() => result.current.copyText('https://x.example/', 'Link copied'));
    await waitFor(() => expect(result.current.notice).toBe('Link copied'));
    expect(api.copy).toHaveBeenCalledWith('https://x.example/', {});
  });

  it('deletes only once confirmed and closes; a group already gone is said so', async () => {
    const { api } = installFakeApi();
    api.getGroup.mockResolvedValue(makeGroupDetail({ read: true }));
    const { result, onGone } = detailOf();
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    act(() => result.current.askToDelete());
    expect(result.current.confirmingDelete).toBe(true);
    act(() => result.current.keep());
    expect(result.current.confirmingDelete).toBe(false);
    expect(api.deleteGroup).not.toHaveBeenCalled();
    act(() => result.current.remove());
    await waitFor(() => expect(onGone).toHaveBeenCalledTimes(1));
    expect(api.deleteGroup).toHaveBeenCalledWith('g1');
    api.deleteGroup.mockResolvedValueOnce(false);
    act(() => result.current.remove());
    await waitFor(() => expect(result.current.notice).toBe('It was already gone from the history'));
    expect(onGone).toHaveBeenCalledTimes(1);
  });
});
