import { describe, expect, it } from 'vitest';
import {
  INITIAL_TUNNEL_FORM,
  reconnectBlocker,
  reconnectOutcome,
  tunnelFormReducer,
  tunnelPatch,
} from '../../../../renderer/src/lib/tunnel-form';

describe('the tunnel form’s parts', () => {
  it('sends a new authtoken and an edited domain, trimmed, and nothing when nothing changed', () => {
    expect(tunnelPatch(' tok ', null)).toEqual({ authtoken: 'tok' });
    expect(tunnelPatch('', ' my.ngrok.app ')).toEqual({ domain: 'my.ngrok.app' });
    expect(tunnelPatch('  ', '')).toEqual({ domain: '' });
    expect(tunnelPatch(' ', null)).toBeNull();
  });

  it('says why Reconnect cannot run: no authtoken first, then the switch off', () => {
    expect(reconnectBlocker(false, false)).toMatch(/needs an ngrok authtoken/);
    expect(reconnectBlocker(true, false)).toMatch(/turn on “Use the tunnel”/);
    expect(reconnectBlocker(true, true)).toBeNull();
  });

  it('tells a reconnect’s answer by the tunnel’s new state, an error as a failure', () => {
    expect(reconnectOutcome({ status: 'online', url: 'https://a.ngrok.app' }, null)).toEqual({ ok: true, text: 'Tunnel: Online' });
    expect(reconnectOutcome({ status: 'error', reason: 'bad token', code: null, retryAt: null }, null)).toEqual({
      ok: false,
      text: 'Tunnel: Error',
    });
    expect(reconnectOutcome({ status: 'off', reason: 'no authtoken' }, { enabled: true, hasAuthtoken: true })).toEqual({
      ok: true,
      text: 'Tunnel: Starting…',
    });
  });
});

describe('tunnelFormReducer', () => {
  it('a save forgets what was typed and says so; a failure keeps it', () => {
    let s = tunnelFormReducer(INITIAL_TUNNEL_FORM, { type: 'tokenTyped', token: 'tok' });
    s = tunnelFormReducer(s, { type: 'domainTyped', domain: 'd.ngrok.app' });
    s = tunnelFormReducer(s, { type: 'answered', outcome: { ok: true, text: 'Tunnel: Online' } });
    s = tunnelFormReducer(s, { type: 'saving' });
    expect(s).toEqual({ token: 'tok', domain: 'd.ngrok.app', busy: true, message: null });
    expect(tunnelFormReducer(s, { type: 'answered', outcome: { ok: false, text: 'tunnel.domain: not a host name' } })).toEqual({
      token: 'tok',
      domain: 'd.ngrok.app',
      busy: false,
      message: { ok: false, text: 'tunnel.domain: not a host name' },
    });
    expect(tunnelFormReducer(s, { type: 'saved', done: 'Tunnel on.' })).toEqual({
      ...INITIAL_TUNNEL_FORM,
      message: { ok: true, text: 'Tunnel on.' },
    });
  });

  it('a reconnect keeps what the last save said until it answers', () => {
    const saved = tunnelFormReducer(INITIAL_TUNNEL_FORM, { type: 'saved', done: 'Saved.' });
    const reconnecting = tunnelFormReducer(saved, { type: 'reconnecting' });
    expect(reconnecting).toEqual({ ...saved, busy: true });
    expect(tunnelFormReducer(reconnecting, { type: 'answered', outcome: { ok: true, text: 'Tunnel: Online' } })).toMatchObject({
      busy: false,
      message: { ok: true, text: 'Tunnel: Online' },
    });
  });
});
