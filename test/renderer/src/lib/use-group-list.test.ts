// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type GroupPage, groupRow, type GroupSummary } from '../../../../shared/events';
import { groupUpdate } from '../../../../shared/group-filter';
import { PAGE_SIZE, SEARCH_PAUSE_MS, useGroupList } from '../../../../renderer/src/lib/use-group-list';
import { installFakeApi, makeGroup } from '../../../helpers/fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function summary(id: string, at: string, over: Partial<GroupSummary> = {}): GroupSummary {
  const { latestRaw: _raw, ...g } = makeGroup({ id, title: `error ${id}`, lastReceivedAt: at, ...over });
  return g;
}

const A = summary('ga', '2026-01-01T00:00:02.000Z');
const B = summary('gb', '2026-01-01T00:00:01.000Z');

function page(groups: GroupSummary[], total = groups.length, nextCursor: string | null = null): GroupPage {
  return { groups: groups.map(groupRow), total, nextCursor };
}

/** The hook over a fake api whose first page is A and B. */
async function listOfTwo() {
  const fake = installFakeApi();
  fake.api.listGroups.mockResolvedValue(page([A, B]));
  // Main answers a mark with the group as it now is.
  fake.api.markGroup.mockImplementation(async (id: string, marks: object) => ({ ...(id === 'ga' ? A : B), ...marks }));
  const hook = renderHook(() => useGroupList([]));
  await waitFor(() => expect(hook.result.current.phase).toBe('ready'));
  return { ...fake, hook };
}

/** Lets pending promise callbacks run inside act. */
async function settle(): Promise<void> {
  await act(async () => undefined);
}

describe('useGroupList loading', () => {
  it('loads the first page, then one request per pause in typing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { api } = installFakeApi();
    api.listGroups.mockResolvedValue(page([A, B]));
    const { result } = renderHook(() => useGroupList([]));
    await settle();
    expect(api.listGroups).toHaveBeenCalledExactlyOnceWith({ limit: PAGE_SIZE, cursor: null });
    expect(result.current).toMatchObject({ phase: 'ready', total: 2, selected: 0, searching: false });

    for (const text of ['p', 'pr', 'printf']) act(() => result.current.setSearchText(text));
    expect(result.current.searching).toBe(true);
    act(() => vi.advanceTimersByTime(SEARCH_PAUSE_MS - 1));
    expect(api.listGroups).toHaveBeenCalledTimes(1);
    act(() => vi.advanceTimersByTime(1));
    await settle();
    expect(api.listGroups).toHaveBeenCalledTimes(2);
    expect(api.listGroups).toHaveBeenLastCalledWith({ limit: PAGE_SIZE, cursor: null, text: 'printf' });
    expect(result.current).toMatchObject({ searching: false, filtered: true });
  });

  it('drops the answer to an earlier search that arrives after a later one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { api } = installFakeApi();
    const answers = new Map<string, (p: GroupPage) => void>();
    api.listGroups.mockImplementation((q: { text?: string }) => new Promise((resolve) => answers.set(q.text ?? '', resolve)));
    const { result } = renderHook(() => useGroupList([]));
    for (const text of ['ga', 'gb']) {
      act(() => result.current.setSearchText(text));
      act(() => vi.advanceTimersByTime(SEARCH_PAUSE_MS));
    }
    act(() => answers.get('gb')!(page([B])));
    await settle();
    act(() => answers.get('ga')!(page([A])));
    act(() => answers.get('')!(page([A, B])));
    await settle();
    expect(result.current.rows.map((r) => r.id)).toEqual(['gb']);
    expect(result.current.filters.text).toBe('gb');
  });

  it('says why the first page failed, in words, and loads again on reload', async () => {
    const { api } = installFakeApi();
    api.listGroups.mockRejectedValueOnce(new Error("Error invoking remote method 'groups:list': Error: disk on fire"));
    api.listGroups.mockResolvedValue(page([A]));
    const { result } = renderHook(() => useGroupList([]));
    await waitFor(() => expect(result.current.phase).toBe('error'));
    expect(result.current.error).toBe('disk on fire');
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    expect(result.current.rows.map((r) => r.id)).toEqual(['ga']);
  });

  it('loads the next page once at a time, with the filters of the list shown', async () => {
    const { api } = installFakeApi();
    api.listGroups.mockResolvedValueOnce(page([A], 2, 'c1'));
    let more: (p: GroupPage) => void = () => undefined;
    api.listGroups.mockImplementationOnce(() => new Promise((resolve) => (more = resolve)));
    const { result } = renderHook(() => useGroupList([]));
    await waitFor(() => expect(result.current.cursor).toBe('c1'));
    act(() => result.current.loadMore());
    act(() => result.current.loadMore());
    expect(api.listGroups).toHaveBeenCalledTimes(2);
    expect(api.listGroups).toHaveBeenLastCalledWith({ limit: PAGE_SIZE, cursor: 'c1' });
    expect(result.current.loadingMore).toBe(true);
    act(() => more(page([B], 2)));
    await waitFor(() => expect(result.current.rows.map((r) => r.id)).toEqual(['ga', 'gb']));
    expect(result.current).toMatchObject({ cursor: null, loadingMore: false });
    act(() => result.current.loadMore());
    expect(api.listGroups).toHaveBeenCalledTimes(2);
  });
});

describe('useGroupList keys and marks', () => {
  it('moves the selection, opens with Enter, and the open detail follows ↑ and ↓', async () => {
    const { hook } = await listOfTwo();
    const { result } = hook;
    const answers: Array<number | null> = [];
    act(() => void answers.push(result.current.act('down')));
    act(() => void answers.push(result.current.act('open')));
    expect(answers).toEqual([1, null]);
    expect(result.current).toMatchObject({ selected: 1, openId: 'gb', liveOpen: null });
    act(() => void result.current.act('up'));
    expect(result.current).toMatchObject({ selected: 0, openId: 'ga' });
    act(() => result.current.close());
    act(() => void result.current.act('end'));
    expect(result.current).toMatchObject({ selected: 1, openId: null });
  });

  it('M and U toggle the selected group’s marks through main, R resolves it through runAction, and each says what it came to', async () => {
    const { api, hook } = await listOfTwo();
    const { result } = hook;
    act(() => void result.current.act('end'));
    act(() => void result.current.act('mute'));
    expect(api.markGroup).toHaveBeenCalledWith('gb', { muted: true });
    await waitFor(() => expect(result.current.note).toBe('Muted: error gb'));
    // The answer is placed at once, without waiting for main's push.
    expect(result.current.rows[1]!.muted).toBe(true);
    act(() => void result.current.act('resolve'));
    expect(result.current.note).toBe('Resolving: error gb…');
    await waitFor(() => expect(result.current.note).toBe('Resolved here: error gb'));
    expect(api.runAction).toHaveBeenCalledWith('gb', { kind: 'resolve' });
    api.markGroup.mockRejectedValueOnce(new Error("Error invoking remote method 'groups:mark': Error: the group is gone"));
    act(() => void result.current.act('read'));
    await waitFor(() => expect(result.current.note).toBe('the group is gone'));
  });

  it('clears the search box and every filter at once', async () => {
    const { api, hook } = await listOfTwo();
    const { result } = hook;
    act(() => result.current.setFilters({ ...result.current.filters, unread: true }));
    await waitFor(() => expect(api.listGroups).toHaveBeenLastCalledWith({ limit: PAGE_SIZE, cursor: null, unread: true }));
    act(() => result.current.setSearchText('printf'));
    act(() => result.current.clearFilters());
    expect(result.current.searchText).toBe('');
    await waitFor(() => expect(api.listGroups).toHaveBeenLastCalledWith({ limit: PAGE_SIZE, cursor: null }));
  });
});

describe('useGroupList pushes', () => {
  it('places a pushed group, drops a deleted one, and loads again when the history is reset', async () => {
    const { api, push, hook } = await listOfTwo();
    const { result } = hook;
    act(() => void result.current.act('end'));
    act(() => push('group:updated', groupUpdate(summary('gc', '2026-01-01T00:00:03.000Z'))));
    expect(result.current.rows.map((r) => r.id)).toEqual(['gc', 'ga', 'gb']);
    expect(result.current).toMatchObject({ total: 3, selected: 2 });
    act(() => push('group:removed', { groupId: 'gc' }));
    expect(result.current).toMatchObject({ total: 2, selected: 1 });
    act(() => result.current.open('gb'));
    act(() => push('groups:reset', { change: 'cleared' }));
    expect(result.current.openId).toBeNull();
    await waitFor(() => expect(api.listGroups).toHaveBeenCalledTimes(2));
  });

  it('matches a pushed group against the search by the sources’ names it was given', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { api, push } = installFakeApi();
    api.listGroups.mockResolvedValue(page([]));
    const sources = [{ id: A.sourceId, name: 'Marketing site' }];
    const { result } = renderHook(() => useGroupList(sources));
    act(() => result.current.setSearchText('marketing'));
    act(() => vi.advanceTimersByTime(SEARCH_PAUSE_MS));
    await settle();
    act(() => push('group:updated', groupUpdate(A)));
    expect(result.current.rows.map((r) => r.id)).toEqual(['ga']);
  });

  it('stops listening once unmounted', async () => {
    const { api, push, hook } = await listOfTwo();
    hook.unmount();
    act(() => push('groups:reset', { change: 'all-read' }));
    await settle();
    expect(api.listGroups).toHaveBeenCalledTimes(1);
  });
});
