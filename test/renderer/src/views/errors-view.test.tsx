// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { groupRow, type GroupSummary } from '../../../../shared/events';
import { groupUpdate } from '../../../../shared/group-filter';
import { ErrorsView } from '../../../../renderer/src/views/errors-view';
import { installFakeApi, makeGroup, makeSource, makeState } from '../../../helpers/fake-api';

// React's act() warns unless the environment says it supports it.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(cleanup);

function summary(id: string, at: string): GroupSummary {
  const { latestRaw: _raw, ...g } = makeGroup({ id, title: `error ${id}`, lastReceivedAt: at });
  return g;
}

describe('ErrorsView keyboard selection', () => {
  it('stays on the chosen group when a live update moves the rows, so M mutes what the user chose', async () => {
    const { api, push } = installFakeApi();
    const a = summary('ga', '2026-01-01T00:00:02.000Z');
    const b = summary('gb', '2026-01-01T00:00:01.000Z');
    api.listGroups.mockResolvedValue({ groups: [groupRow(a), groupRow(b)], nextCursor: null, total: 2 });
    render(
      <ErrorsView
        state={makeState({ sources: [makeSource()] })}
        openRequest={null}
        onOpenHandled={() => undefined}
        onGoToSetup={() => undefined}
      />,
    );
    const list = await screen.findByRole('listbox', { name: 'Recent errors' });
    await waitFor(() => expect(api.listGroups).toHaveBeenCalled());
    await screen.findByText('2 error groups');
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    await waitFor(() => expect(list.getAttribute('aria-activedescendant')).toBe('group-gb'));

    // A new group arrives on top: B is now the third row, and stays selected.
    act(() => push('group:updated', groupUpdate(summary('gc', '2026-01-01T00:00:03.000Z'))));
    await screen.findByText('3 error groups');
    expect(list.getAttribute('aria-activedescendant')).toBe('group-gb');
    fireEvent.keyDown(list, { key: 'm' });
    await waitFor(() => expect(api.markGroup).toHaveBeenCalled());
    expect(api.markGroup).toHaveBeenCalledWith('gb', { muted: true });
  });
});

function view(state = makeState({ sources: [makeSource()], groups: 2 })) {
  return render(<ErrorsView state={state} openRequest={null} onOpenHandled={() => undefined} onGoToSetup={() => undefined} />);
}

describe('ErrorsView search', () => {
  it('never shows "No errors yet" nor a stale count while a query runs or clears', async () => {
    const { api } = installFakeApi();
    const a = summary('ga', '2026-01-01T00:00:02.000Z');
    const b = summary('gb', '2026-01-01T00:00:01.000Z');
    let answer: (page: unknown) => void = () => undefined;
    api.listGroups.mockImplementation(async (q: { text?: string }) =>
      q.text === 'zzz' ? { groups: [], nextCursor: null, total: 0 } : new Promise((resolve) => (answer = resolve)),
    );
    view();
    answer({ groups: [groupRow(a), groupRow(b)], nextCursor: null, total: 6000 });
    await screen.findByText('6,000 error groups');

    const search = screen.getByRole('searchbox', { name: 'Search errors' });
    fireEvent.change(search, { target: { value: 'zzz' } });
    // Typed, not answered yet: no count of the old list.
    expect(screen.queryByText('6,000 error groups')).toBeNull();
    screen.getByText('Searching…');
    await screen.findByRole('heading', { name: 'Nothing matches' });

    // Cleared: the empty list answered "zzz", so until the full list is back it still says so.
    fireEvent.change(search, { target: { value: '' } });
    await waitFor(() => expect(api.listGroups).toHaveBeenCalledTimes(3));
    expect(screen.queryByRole('heading', { name: 'No errors yet' })).toBeNull();
    screen.getByRole('heading', { name: 'Nothing matches' });
    act(() => answer({ groups: [groupRow(a), groupRow(b)], nextCursor: null, total: 6000 }));
    await screen.findByText('6,000 error groups');
    expect(screen.queryByRole('heading', { name: 'No errors yet' })).toBeNull();
  });
});

describe('ErrorsView detail and history', () => {
  it('the open detail follows ↑ and ↓', async () => {
    const { api } = installFakeApi();
    const a = summary('ga', '2026-01-01T00:00:02.000Z');
    const b = summary('gb', '2026-01-01T00:00:01.000Z');
    api.listGroups.mockResolvedValue({ groups: [groupRow(a), groupRow(b)], nextCursor: null, total: 2 });
    api.getGroup.mockImplementation(async (id: string) => makeGroup({ ...(id === 'ga' ? a : b), latestRaw: {} }));
    // Opening marks it read: the answer is that same group, so it keeps its place in the list.
    api.markGroup.mockImplementation(async (id: string, marks: object) => ({ ...(id === 'ga' ? a : b), ...marks }));
    view();
    const list = await screen.findByRole('listbox', { name: 'Recent errors' });
    await screen.findByText('2 error groups');
    fireEvent.keyDown(list, { key: 'Home' });
    fireEvent.keyDown(list, { key: 'Enter' });
    await screen.findByRole('heading', { name: 'error ga', level: 2 });
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    await screen.findByRole('heading', { name: 'error gb', level: 2 });
    expect(api.getGroup).toHaveBeenLastCalledWith('gb');
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    await screen.findByRole('heading', { name: 'error ga', level: 2 });
  });

  it('drops a deleted group, and clears the history only once confirmed', async () => {
    const { api, push } = installFakeApi();
    const a = summary('ga', '2026-01-01T00:00:02.000Z');
    const b = summary('gb', '2026-01-01T00:00:01.000Z');
    api.listGroups.mockResolvedValue({ groups: [groupRow(a), groupRow(b)], nextCursor: null, total: 2 });
    view();
    await screen.findByText('2 error groups');
    act(() => push('group:removed', { groupId: 'ga' }));
    await screen.findByText('1 error group');
    expect(screen.queryByText('error ga')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Clear history…' }));
    expect(api.clearHistory).not.toHaveBeenCalled();
    const keep = screen.getByRole('button', { name: 'Keep it' });
    await waitFor(() => expect(document.activeElement).toBe(keep));
    fireEvent.click(keep);
    fireEvent.click(screen.getByRole('button', { name: 'Clear history…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Clear history' }));
    await waitFor(() => expect(api.clearHistory).toHaveBeenCalledTimes(1));

    fireEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(api.markAllRead).toHaveBeenCalledTimes(1));
    const calls = api.listGroups.mock.calls.length;
    act(() => push('groups:reset', { change: 'all-read' }));
    await waitFor(() => expect(api.listGroups.mock.calls.length).toBe(calls + 1));
  });
});

describe('ErrorsView requests and filters', () => {
  it('opens the group a notification click asked for, once', async () => {
    const { api } = installFakeApi();
    const b = summary('gb', '2026-01-01T00:00:01.000Z');
    api.listGroups.mockResolvedValue({ groups: [groupRow(b)], nextCursor: null, total: 1 });
    api.getGroup.mockResolvedValue(makeGroup({ ...b, read: true, latestRaw: {} }));
    const handled = vi.fn();
    const request = { groupId: 'gb', nonce: 1 };
    const props = { state: makeState({ sources: [makeSource()], groups: 1 }), onGoToSetup: () => undefined };
    const { rerender } = render(<ErrorsView {...props} openRequest={request} onOpenHandled={handled} />);
    await screen.findByRole('heading', { name: 'error gb', level: 2 });
    expect(handled).toHaveBeenCalledTimes(1);
    rerender(<ErrorsView {...props} openRequest={request} onOpenHandled={handled} />);
    await screen.findByText('1 error group');
    expect(handled).toHaveBeenCalledTimes(1);
  });

  it('filters by mark, says when nothing matches, and Clear filters empties the search and every filter', async () => {
    const { api } = installFakeApi();
    const a = summary('ga', '2026-01-01T00:00:02.000Z');
    api.listGroups.mockImplementation(async (q: { unread?: boolean }) =>
      q.unread ? { groups: [], nextCursor: null, total: 0 } : { groups: [groupRow(a)], nextCursor: null, total: 1 },
    );
    view();
    await screen.findByText('1 error group');
    const unread = screen.getByRole('button', { name: 'Unread' });
    fireEvent.click(unread);
    await screen.findByRole('heading', { name: 'Nothing matches' });
    expect(api.listGroups).toHaveBeenLastCalledWith({ limit: 500, cursor: null, unread: true });
    expect(unread.getAttribute('aria-pressed')).toBe('true');
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search errors' }), { target: { value: 'printf' } });
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await screen.findByText('1 error group');
    expect(api.listGroups).toHaveBeenLastCalledWith({ limit: 500, cursor: null });
    expect((screen.getByRole('searchbox', { name: 'Search errors' }) as HTMLInputElement).value).toBe('');
    expect(unread.getAttribute('aria-pressed')).toBe('false');
  });

  it('says why the list could not load, and Try again loads it', async () => {
    const { api } = installFakeApi();
    api.listGroups.mockRejectedValueOnce(new Error("Error invoking remote method 'groups:list': Error: disk on fire"));
    api.listGroups.mockResolvedValue({ groups: [groupRow(summary('ga', '2026-01-01T00:00:02.000Z'))], nextCursor: null, total: 1 });
    view();
    await screen.findByText('disk on fire');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('listbox', { name: 'Recent errors' });
  });

  it('R resolves the selected group through the action (the core decides provider or here) and says so', async () => {
    const { api, push } = installFakeApi();
    const a = summary('ga', '2026-01-01T00:00:02.000Z');
    api.listGroups.mockResolvedValue({ groups: [groupRow(a)], nextCursor: null, total: 1 });
    api.runAction.mockResolvedValueOnce({
      state: 'done',
      action: 'resolve',
      words: 'Resolved in Sentry',
      where: 'provider',
      code: null,
      status: null,
      retryAt: null,
    });
    view();
    const list = await screen.findByRole('listbox', { name: 'Recent errors' });
    fireEvent.keyDown(list, { key: 'r' });
    await screen.findByText('Resolved in Sentry: error ga');
    expect(api.runAction).toHaveBeenCalledWith('ga', { kind: 'resolve' });
    expect(api.markGroup).not.toHaveBeenCalled();
    expect(list.getAttribute('aria-activedescendant')).toBe('group-ga');
    // Resolved now (main's push): R reopens it.
    act(() => push('group:updated', groupUpdate({ ...a, resolved: true })));
    api.runAction.mockResolvedValueOnce({
      state: 'failed',
      action: 'unresolve',
      words: 'Sentry refused the token (401): it is wrong, expired or revoked',
      where: null,
      code: 'unauthorized',
      status: 401,
      retryAt: null,
    });
    fireEvent.keyDown(list, { key: 'R' });
    await screen.findByText('Not reopened: error ga. Sentry refused the token (401): it is wrong, expired or revoked');
    expect(api.runAction).toHaveBeenLastCalledWith('ga', { kind: 'unresolve' });
  });
});
