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
});
