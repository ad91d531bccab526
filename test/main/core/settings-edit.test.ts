import { describe, expect, it } from 'vitest';
import { applySettingsPatch, InvalidSettingsError, settingsView, validSettings } from '../../../main/core/settings-edit';
import { defaultSettings } from '../../../shared/settings';

describe('settings edits', () => {
  it('apply a patch, merging nested groups and normalizing the tunnel fields', () => {
    const next = applySettingsPatch(defaultSettings(), {
      policy: { quietHours: 12 },
      dnd: { quietWindow: { enabled: true, start: '22:00', end: '08:00' } },
      tunnel: { domain: 'https://My.ngrok.app/', authtoken: '  tok  ' },
    });
    expect(next.policy).toMatchObject({ quietHours: 12, notifyNewGroups: true });
    expect(next.dnd.quietWindow).toEqual({ enabled: true, start: '22:00', end: '08:00' });
    expect(next.tunnel).toMatchObject({ domain: 'my.ngrok.app', authtoken: 'tok', enabled: true });
  });

  it('name the bad field of a patch', () => {
    expect(() => applySettingsPatch(defaultSettings(), { retention: { maxGroups: 0 } })).toThrow(InvalidSettingsError);
    expect(() => applySettingsPatch(defaultSettings(), { retention: { maxGroups: 0 } })).toThrow(/retention\.maxGroups/);
    expect(() => validSettings({ port: 'seven' })).toThrow(/^port: /);
  });

  it('show the window whether there is an authtoken, never the token', () => {
    const view = settingsView({ ...defaultSettings(), tunnel: { ...defaultSettings().tunnel, authtoken: 'secret-token' } });
    expect(view.tunnel).toEqual({ enabled: true, domain: '', hasAuthtoken: true });
    expect(JSON.stringify(view)).not.toContain('secret-token');
  });

  it('edit the relay: servers, roles and member; a password or token left out keeps the saved one; never shown', () => {
    let s = applySettingsPatch(defaultSettings(), {
      relay: {
        servers: [' nats://a.example.com:4222 ', ''],
        publish: true,
        member: 'ana',
        auth: { kind: 'user', user: 'ana', pass: 'pw-1' },
      },
    });
    expect(s.relay).toMatchObject({
      servers: ['nats://a.example.com:4222'],
      publish: true,
      subscribe: true,
      member: 'ana',
      auth: { user: 'ana', pass: 'pw-1' },
    });
    s = applySettingsPatch(s, { relay: { auth: { kind: 'user', user: 'ana2' } } });
    expect(s.relay.auth).toEqual({ user: 'ana2', pass: 'pw-1' });
    s = applySettingsPatch(s, { relay: { auth: { kind: 'token', token: 'tok-9' }, tlsCa: ' /etc/ca.pem ' } });
    expect(s.relay.auth).toEqual({ token: 'tok-9' });
    expect(s.relay.tls.ca).toBe('/etc/ca.pem');
    expect(settingsView(s).relay).toEqual({
      servers: ['nats://a.example.com:4222'],
      publish: true,
      subscribe: true,
      stream: 'CRASHBELL',
      member: 'ana',
      shareMarks: true,
      tlsCa: '/etc/ca.pem',
      auth: { kind: 'token', user: '', credsFile: '', hasSecret: true },
    });
    expect(JSON.stringify(settingsView(s))).not.toContain('tok-9');
    s = applySettingsPatch(s, { relay: { auth: { kind: 'creds', credsFile: '/home/ana/team.creds' } } });
    expect(settingsView(s).relay.auth).toEqual({ kind: 'creds', user: '', credsFile: '/home/ana/team.creds', hasSecret: false });
    expect(applySettingsPatch(s, { relay: { auth: { kind: 'none' } } }).relay.auth).toBeNull();
    expect(() => applySettingsPatch(s, { relay: { servers: ['not a server url'] } })).toThrow(/relay\.servers\.0/);
    expect(() => applySettingsPatch(s, { relay: { stream: 'has space' } })).toThrow(/relay\.stream/);
  });
});
