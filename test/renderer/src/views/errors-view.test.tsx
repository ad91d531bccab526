// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
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
