// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayState } from '../../../../shared/events';
import { RelayCard } from '../../../../renderer/src/components/relay-card';
import { SetupView } from '../../../../renderer/src/views/setup-view';
import { installFakeApi, makeState, settingsView } from '../../../helpers/fake-api';

afterEach(cleanup);

function relayState(over: Partial<RelayState> = {}): RelayState {
  return {
    status: 'connected',
    reason: null,
    servers: ['nats://nats.example.com:4222'],
    server: 'nats.example.com:4222',
    retryAt: null,
    member: 'ana',
    stream: 'CRASHBELL',
    publish: false,
    subscribe: true,
    gateway: null,
    subscriber: { ingested: 40, newest: 43, lag: 3, caughtUp: false, lastEventAt: new Date(Date.now() - 120_000).toISOString() },
    test: null,
    ...over,
  };
}

describe('Team relay card', () => {
  it('shows the state, the lag and the last event, and a plain reason when it fails', () => {
    installFakeApi();
    const { rerender } = render(
      <RelayCard state={makeState({ relay: relayState() })} settings={settingsView()} onSettings={() => undefined} />,
    );
    expect(screen.getByRole('status', { name: 'Team relay Connected' })).toBeTruthy();
    expect(screen.getByText('3 events behind (read 40 of 43)')).toBeTruthy();
    expect(screen.getByText(/2 min ago/)).toBeTruthy();
    rerender(
      <RelayCard
        state={makeState({
          relay: relayState({ status: 'error', reason: 'NATS refused: permissions violation for subscribe to crashbell.events.>' }),
        })}
        settings={settingsView()}
        onSettings={() => undefined}
      />,
    );
    expect(screen.getByText('NATS refused: permissions violation for subscribe to crashbell.events.>.')).toBeTruthy();
  });

  it('a gateway says how many hooks were already in the stream, and names a hook it set aside with why', () => {
    installFakeApi();
    const gateway: NonNullable<RelayState['gateway']> = {
      pending: 0,
      forwarded: 12,
      lastForwardedAt: null,
      duplicates: 2,
      parked: 3,
      lastParked: {
        seq: 9,
        title: 'exception in render',
        reason: 'its event alone is 40000 bytes, over the 16384 bytes NATS takes per message',
        at: '2026-01-01T00:00:00.000Z',
      },
    };
    render(
      <RelayCard
        state={makeState({ relay: relayState({ publish: true, gateway }) })}
        settings={settingsView()}
        onSettings={() => undefined}
      />,
    );
    expect(screen.getByText('12 forwarded, 0 waiting; 2 already in the stream (sent again)')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe(
      'Not forwarded: 3 hooks cannot be sent to the team, the last “exception in render”: its event alone is 40000 bytes, over the 16384 bytes NATS takes per message. The hooks after them were forwarded.',
    );
  });

  it('saves servers, credentials and the member name; a saved password is never shown and kept when left empty', async () => {
    const { api } = installFakeApi();
    const saved = settingsView();
    saved.relay = { ...saved.relay, servers: ['nats://old:4222'], auth: { kind: 'user', user: 'ana', credsFile: '', hasSecret: true } };
    render(<RelayCard state={makeState({ relay: relayState() })} settings={saved} onSettings={() => undefined} />);
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Password') as HTMLInputElement).placeholder).toMatch(/Saved/);
    fireEvent.change(screen.getByLabelText(/NATS servers/), { target: { value: 'nats://a:4222\nnats://b:4222' } });
    fireEvent.change(screen.getByLabelText(/Your name for the team/), { target: { value: ' ana ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save relay settings' }));
    await waitFor(() =>
      expect(api.updateSettings).toHaveBeenCalledWith({
        relay: {
          servers: ['nats://a:4222', 'nats://b:4222'],
          member: 'ana',
          stream: 'CRASHBELL',
          tlsCa: '',
          auth: { kind: 'user', user: 'ana' },
        },
      }),
    );
    fireEvent.change(screen.getByRole('combobox', { name: 'Credentials' }), { target: { value: 'creds' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save relay settings' }));
    await screen.findByText('Give the path of the .creds file.');
  });

  it('Test relay shows when the message came back, or why not', async () => {
    const { api } = installFakeApi();
    render(<RelayCard state={makeState({ relay: relayState() })} settings={settingsView()} onSettings={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Test relay' }));
    await screen.findByText('Test relay: Came back through the stream in 40 ms (stream sequence 7).');
    api.testRelay.mockResolvedValueOnce({
      ok: false,
      sentAt: '2026-01-01T00:00:00.000Z',
      seq: null,
      cameBackAt: null,
      roundTripMs: null,
      reason: 'The test message was refused: NATS refused: permissions violation for publish to crashbell.events.~test',
    });
    fireEvent.click(screen.getByRole('button', { name: 'Test relay' }));
    await screen.findByText(/permissions violation for publish to crashbell\.events\.~test\./);
  });

  it('the first-run guide asks "just me" or "my team" and shows the steps for each', async () => {
    installFakeApi();
    render(<SetupView state={makeState({ onboarded: false })} settings={settingsView()} onSettings={() => undefined} />);
    expect(screen.getByText(/Paste your ngrok authtoken below/)).toBeTruthy();
    fireEvent.click(screen.getByRole('radio', { name: /My team \(relay\)/ }));
    expect(screen.getByText(/Get the relay’s address and credentials/)).toBeTruthy();
    expect(screen.queryByText(/Paste your ngrok authtoken below/)).toBeNull();
    expect(screen.getByRole('heading', { name: 'Team relay' })).toBeTruthy();
  });
});
