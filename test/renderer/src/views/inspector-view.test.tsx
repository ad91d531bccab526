// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../../shared/events';
import { InspectorView } from '../../../../renderer/src/views/inspector-view';
import { installFakeApi, makeSource, makeState } from '../../../helpers/fake-api';

afterEach(cleanup);

function record(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'r1',
    time: new Date().toISOString(),
    method: 'POST',
    path: '/hooks/src-aaaaaaaaaaaaaaaa',
    sourceId: 'src-aaaaaaaaaaaaaaaa',
    provider: 'backtrace',
    status: 401,
    reason: 'wrong Basic credentials',
    headers: { authorization: 'Basic ••••••', 'content-type': 'application/json' },
    body: '{"fingerprint":"abc","html":"<b>bold</b>"}',
    bodyBytes: 42,
    bodyTruncated: false,
    eventId: null,
    replayable: true,
    ...over,
  };
}

describe('InspectorView', () => {
  it('lists requests, adds pushed ones on top, shows masked headers and the body as text, and replays', async () => {
    const { api, push } = installFakeApi();
    api.listRequests.mockResolvedValue([record()]);
    render(<InspectorView state={makeState({ sources: [makeSource()] })} />);
    const list = await screen.findByRole('listbox', { name: 'Received requests' });
    act(() => push('request:recorded', record({ id: 'r2', status: 200, reason: 'accepted' })));
    await waitFor(() => expect(within(list).getAllByRole('option')).toHaveLength(2));
    expect(within(list).getAllByRole('option')[0]!.textContent).toContain('accepted');
    fireEvent.click(within(list).getByText('wrong Basic credentials'));
    const detail = screen.getByRole('region', { name: 'Request detail' });
    expect(within(detail).getByText('Basic ••••••')).toBeTruthy();
    expect(within(detail).getByLabelText('Request body').textContent).toContain('"html": "<b>bold</b>"');
    expect(detail.querySelector('b')).toBeNull();
    fireEvent.click(within(detail).getByRole('button', { name: 'Replay' }));
    await within(detail).findByText('Replayed: 200 accepted');
    expect(api.replayRequest).toHaveBeenCalledWith('r1');
  });
});
