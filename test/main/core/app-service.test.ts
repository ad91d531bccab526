/**
 * The app service over the real engine: receiver on loopback, inbox on disk, tunnel state machine, settings
 * in memory. Every call of the IPC contract is exercised as the window makes it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { searchText } from '../../../shared/group-filter';
import type { EventChannels } from '../../../shared/ipc';
import { createAppService, UnknownGroupError } from '../../../main/core/app-service';
import { postRequest } from '../../../main/core/http-post';
import { startStack, type Stack } from '../../helpers/stack';

let stack: Stack;

beforeEach(async () => {
  stack = await startStack({ onboarded: true });
});
afterEach(async () => {
  await stack.close();
});

function collect<C extends keyof EventChannels>(channel: C): Array<EventChannels[C]> {
  const seen: Array<EventChannels[C]> = [];
  stack.service.subscribe(channel, (p) => seen.push(p));
  return seen;
}

describe('sources', () => {
  it('adds a Backtrace source with generated Basic credentials and lists exactly what to paste', async () => {
    const view = await stack.service.addSource({ provider: 'backtrace', name: 'Game client' });
    expect(view.id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(view.setup.map((f) => f.label)).toEqual(['Webhook URL', 'Username', 'Password']);
    expect(view.setup[0]!.value).toBe(`${stack.core.localBaseUrl}/hooks/${view.id}`);
    expect(view.setup[2]!.secret).toBe(true);
    expect(view.credentials['password']!.length).toBeGreaterThanOrEqual(22);
    expect(view.publicUrl).toBeNull();
    expect(stack.settings.get().sources).toHaveLength(1);
  });

  it('adds an Errorception source before its secret, shows it waiting, and takes the secret later', async () => {
    const waiting = await stack.service.addSource({ provider: 'errorception', name: 'Site' });
    // Its URL exists at once, to paste into Errorception, which then shows the secret.
    expect(waiting.webhookUrl).toMatch(new RegExp(`/hooks/${waiting.id}$`));
    expect(waiting.waitingFor).toEqual(['Secret key']);
    const pasted = await stack.service.updateSource(waiting.id, { credentials: { secret: 's3cret' } });
    expect(pasted.waitingFor).toEqual([]);
    // Nothing was replaced, so nothing stays accepted beside it.
    expect(pasted.previousUntil).toBeNull();
    // The secret came from Errorception: it is not something to paste back, so only the URL is listed.
    expect(pasted.setup.map((f) => f.label)).toEqual(['Webhook URL']);
  });

  it('renames, pauses and removes; unknown ids get a clear error', async () => {
    const view = await stack.service.addSource({ provider: 'backtrace', name: 'A' });
    const renamed = await stack.service.updateSource(view.id, { name: '  Server  ', paused: true });
    expect(renamed.name).toBe('Server');
    expect(renamed.paused).toBe(true);
    await expect(stack.service.updateSource(view.id, { name: '' })).rejects.toThrow(/name/);
    await stack.service.removeSource(view.id);
    expect(stack.settings.get().sources).toEqual([]);
    await expect(stack.service.removeSource(view.id)).rejects.toThrow(/no source with id/);
    await expect(stack.service.sendTestEvent('nope-nope-nope-nope')).rejects.toThrow(/no source with id/);
  });

  it('offers every registered provider with the fields the user must type', async () => {
    const state = await stack.service.getState();
    const ec = state.providers!.find((p) => p.id === 'errorception')!;
    expect(ec.fields.map((f) => f.key)).toEqual(['secret']);
    expect(ec.fields[0]!.pasteLater).toBe(true);
    expect(state.providers!.find((p) => p.id === 'backtrace')).toMatchObject({ fields: [], regenerable: true });
    expect(state.providers!.find((p) => p.id === 'sentry-legacy')).toMatchObject({ name: 'Sentry (legacy WebHooks plugin)', fields: [] });
  });

  it('regenerates generated credentials, shows until when the old ones count, and follows the overlap setting', async () => {
    const view = await stack.service.addSource({ provider: 'backtrace', name: 'Game' });
    expect((await stack.service.getSettings()).credentialOverlapHours).toBe(24);
    const fresh = await stack.service.updateSource(view.id, { regenerate: true });
    expect(fresh.credentials['password']).not.toBe(view.credentials['password']);
    expect(Date.parse(fresh.previousUntil!) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(fresh.webhookUrl).toBe(view.webhookUrl);
    const state = await stack.service.getState();
    expect(state.sources[0]!.previousUntil).toBe(fresh.previousUntil);
    await stack.service.updateSettings({ credentialOverlapHours: 0 });
    const again = await stack.service.updateSource(view.id, { regenerate: true });
    expect(again.previousUntil).toBeNull();
    await expect(stack.service.updateSettings({ credentialOverlapHours: -1 })).rejects.toThrow(/credentialOverlapHours/);
  });
});

describe('test events, groups and pushes', () => {
  it('sends a signed sample through the real receiver; the group, request and state pushes follow', async () => {
    const groups = collect('group:updated');
    const requests = collect('request:recorded');
    const notes = collect('notification:raised');
    const view = await stack.service.addSource({ provider: 'backtrace', name: 'Game' });
    const result = await stack.service.sendTestEvent(view.id);
    expect(result).toMatchObject({ via: 'local', status: 200 });
    expect(result.eventId).toBeTruthy();
    expect(groups).toHaveLength(1);
    expect(requests.map((r) => r.status)).toEqual([200]);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.title).toMatch(/^Test event: /);
    const state = await stack.service.getState();
    expect(state.groups).toBe(1);
    // Crashbell's own sample is listed with its test mark and is not an unread error.
    expect(state.unread).toBe(0);
    const page = await stack.service.listGroups({ limit: 10 });
    expect(page.groups[0]!.title).toContain('printf');
    expect(page.groups[0]!.test).toBe(true);
    expect(page.groups[0]!.read).toBe(false);
    const group = await stack.service.getGroup(page.groups[0]!.id);
    expect(group?.callstack).toEqual(['printf', 'my_fn', 'main']);
    // The push is the group's lean row, as the page lists it, with the text a search looks through.
    const { latestRaw: _raw, ...summary } = group!;
    expect(groups[0]).toEqual({ row: page.groups[0], text: searchText(summary) });
    expect(groups[0]!.row).not.toHaveProperty('callstack');
  });

  it('goes through the tunnel when it is online', async () => {
    const view = await stack.service.addSource({ provider: 'errorception', name: 'Site', credentials: { secret: 'k' } });
    await stack.setTunnel(true);
    const state = await stack.service.getState();
    expect(state.tunnel.status).toBe('online');
    expect(state.sources[0]!.webhookUrl.startsWith(state.publicBaseUrl!)).toBe(true);
    const result = await stack.service.sendTestEvent(view.id);
    expect(result).toMatchObject({ via: 'tunnel', status: 200 });
  });

  it('marks groups, opens only http(s) links, and says so for unknown groups', async () => {
    const view = await stack.service.addSource({ provider: 'backtrace', name: 'Game' });
    await stack.service.sendTestEvent(view.id);
    const [g] = (await stack.service.listGroups({})).groups;
    const muted = await stack.service.markGroup(g!.id, { muted: true });
    expect(muted?.muted).toBe(true);
    expect(await stack.service.markGroup('missing', { muted: true })).toBeNull();
    const opened = await stack.service.openGroup(g!.id);
    expect(opened).toEqual({ opened: true, reason: null });
    expect(stack.shell.opened[0]).toMatch(/^https:\/\/u\.sp\.backtrace\.io\//);
    expect((await stack.service.getGroup(g!.id))?.read).toBe(true);
    await expect(stack.service.openGroup('missing')).rejects.toBeInstanceOf(UnknownGroupError);
    expect(await stack.service.openLink('javascript:alert(1)')).toMatchObject({ opened: false });
    expect(await stack.service.openLink('file:///etc/passwd')).toMatchObject({ opened: false });
    // The window links only to the providers' documentation.
    expect(await stack.service.openLink('http://127.0.0.1:631/admin')).toMatchObject({ opened: false });
    expect(await stack.service.openLink('https://docs.rollbar.com/docs/webhooks')).toEqual({ opened: true, reason: null });
    expect(stack.shell.opened).toHaveLength(2);
  });

  it("opens an error's link only on its provider's hosts or the source's web app URL, and the detail says why not", async () => {
    const view = await stack.service.addSource({
      provider: 'generic',
      name: 'Internal',
      config: { titlePath: '$.title', groupKeyPath: '$.id', urlPath: '$.url' },
    });
    const post = (url: string, id: string) =>
      postRequest(`${stack.core.localBaseUrl}/hooks/${view.id}`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, title: 'boom', url }),
      });
    await post('http://127.0.0.1:631/admin', 'cups');
    await post('http://0x7f.1/', 'hex');
    const groups = await Promise.all((await stack.service.listGroups({})).groups.map((g) => stack.service.getGroup(g.id)));
    for (const detail of groups) {
      const g = detail!;
      expect(detail?.link).toMatchObject({ opens: false, derived: null, reason: expect.stringMatching(/is an address on a network/) });
      expect(await stack.service.openGroup(g.id)).toMatchObject({ opened: false, reason: detail?.link?.reason });
    }
    expect(stack.shell.opened).toEqual([]);
    // The user names the server their links go to: then those links open, and only those.
    await stack.service.updateSource(view.id, { webUrl: 'http://127.0.0.1:631/' });
    const cups = groups.find((g) => g?.groupKey === 'cups')!;
    expect((await stack.service.getGroup(cups.id))?.link).toMatchObject({ opens: true, reason: null });
    expect(await stack.service.openGroup(cups.id)).toEqual({ opened: true, reason: null });
    expect(stack.shell.opened).toEqual(['http://127.0.0.1:631/admin']);
    expect((await stack.service.openGroup(groups.find((g) => g?.groupKey === 'hex')!.id)).opened).toBe(false);
  });

  it('deletes a group, marks all read and clears the history; the list and state pushes follow', async () => {
    const removed = collect('group:removed');
    const resets = collect('groups:reset');
    const states = collect('state:changed');
    const view = await stack.service.addSource({ provider: 'backtrace', name: 'Game' });
    for (let i = 0; i < 3; i++) await stack.service.sendTestEvent(view.id);
    const [a, b] = (await stack.service.listGroups({})).groups;
    expect(await stack.service.deleteGroup(a!.id)).toBe(true);
    expect(removed).toEqual([{ groupId: a!.id }]);
    expect((await stack.service.getState()).groups).toBe(2);
    expect(await stack.service.markAllRead()).toBe(2);
    expect((await stack.service.getGroup(b!.id))?.read).toBe(true);
    expect(await stack.service.clearHistory()).toBe(2);
    expect(resets).toEqual([{ change: 'all-read' }, { change: 'cleared' }]);
    const last = states.at(-1)!;
    expect(last).toMatchObject({ groups: 0, unread: 0, latest: [] });
  });

  it('records rejected requests and replays a recorded one', async () => {
    const view = await stack.service.addSource({ provider: 'backtrace', name: 'Game' });
    const res = await postRequest(`${stack.core.localBaseUrl}/hooks/${view.id}`, {
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    await stack.service.sendTestEvent(view.id);
    const list = await stack.service.listRequests();
    expect(list.map((r) => r.status)).toEqual([200, 401]);
    expect(list[0]!.headers['authorization']).toMatch(/^Basic •+$/);
    const replay = await stack.service.replayRequest(list[0]!.id);
    expect(replay.via).toBe('local');
    // The same hook again is a redelivery: accepted, and the group does not grow.
    expect(replay.status).toBe(200);
    expect((await stack.service.getState()).groups).toBe(1);
  });
});

describe('settings, DND and the copied URL', () => {
  it('applies a patch and refuses bad values naming the field', async () => {
    const view = await stack.service.updateSettings({ policy: { stormLimit: 3 }, theme: 'dark', tunnel: { authtoken: ' tok ' } });
    expect(view.policy.stormLimit).toBe(3);
    expect(view.theme).toBe('dark');
    expect(view.tunnel.hasAuthtoken).toBe(true);
    expect(stack.settings.get().tunnel.authtoken).toBe('tok');
    await expect(stack.service.updateSettings({ policy: { quietHours: -1 } })).rejects.toThrow(/policy\.quietHours/);
    await expect(stack.service.updateSettings({ dnd: { quietWindow: { enabled: true, start: '25:00', end: '08:00' } } })).rejects.toThrow(
      /dnd\.quietWindow\.start/,
    );
    expect(stack.settings.get().policy.quietHours).toBe(24);
  });

  it('turns start at login on through the shell', async () => {
    await stack.service.updateSettings({ startAtLogin: true });
    await stack.service.updateSettings({ theme: 'light' });
    expect(stack.shell.startAtLogin).toEqual([true]);
  });

  it('keeps start at login off when the system refuses it', async () => {
    const service = createAppService({
      core: stack.core,
      settings: stack.settings,
      tunnel: stack.tunnel,
      shell: {
        copyText: () => undefined,
        openExternal: () => undefined,
        setStartAtLogin: () => {
          throw new Error('no autostart folder');
        },
      },
      secretStorage: { available: true, note: null },
      version: 'x',
      platform: 'linux',
    });
    await expect(service.updateSettings({ startAtLogin: true, theme: 'dark' })).rejects.toThrow(/no autostart folder/);
    expect(stack.settings.get().startAtLogin).toBe(false);
    expect(stack.settings.get().theme).toBe('dark');
    service.close();
  });

  it('sets Do Not Disturb for an hour, until the morning, and off', async () => {
    const hour = await stack.service.setDnd('1h');
    expect(hour.dnd.active).toBe(true);
    const until = Date.parse(hour.dnd.until!);
    expect(until - Date.now()).toBeGreaterThan(59 * 60_000);
    const tomorrow = await stack.service.setDnd('tomorrow');
    expect(new Date(tomorrow.dnd.until!).getHours()).toBe(8);
    const off = await stack.service.setDnd('off');
    expect(off.dnd).toEqual({ active: false, until: null, reason: null });
  });

  it('turns Do Not Disturb off during quiet hours too (the window comes back the next night)', async () => {
    const hhmm = (ms: number) => {
      const d = new Date(ms);
      return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    };
    const start = hhmm(Date.now() - 60_000);
    const end = hhmm(Date.now() + 2 * 60 * 60_000);
    await stack.service.updateSettings({ dnd: { quietWindow: { enabled: true, start, end } } });
    expect((await stack.service.getState()).dnd.active).toBe(true);
    const off = await stack.service.setDnd('off');
    expect(off.dnd.active).toBe(false);
    expect(stack.settings.get().dnd.quietWindow.enabled).toBe(true);
    expect(Date.parse(stack.settings.get().dnd.quietSkippedUntil!)).toBeGreaterThan(Date.now());
  });

  it('warns when the public URL differs from the one last copied, until the new one is copied', async () => {
    const states = collect('state:changed');
    const view = await stack.service.addSource({ provider: 'backtrace', name: 'Game' });
    await stack.service.copy(`http://old.example.ngrok.app/hooks/${view.id}`, { sourceId: view.id, webhookUrl: true });
    expect(stack.shell.copied).toHaveLength(1);
    await stack.setTunnel(true);
    const changed = await stack.service.getState();
    expect(changed.urlChanged).toBe(true);
    expect(states.at(-1)?.urlChanged).toBe(true);
    await stack.service.copy(changed.sources[0]!.webhookUrl, { sourceId: view.id, webhookUrl: true });
    expect((await stack.service.getState()).urlChanged).toBe(false);
    // Copying anything else does not touch the remembered URL.
    await stack.service.copy('hello', {});
    expect(stack.settings.get().tunnel.lastCopiedUrl).toBe(changed.publicBaseUrl);
  });

  it('navigates the window on request', () => {
    const seen = collect('navigate');
    stack.service.navigate('errors', 'g1');
    stack.service.navigate('setup');
    expect(seen).toEqual([{ view: 'errors', groupId: 'g1' }, { view: 'setup' }]);
  });
});

describe('a tunnel that stopped answering', () => {
  it('falls back to the local receiver and says why', async () => {
    const view = await stack.service.addSource({ provider: 'backtrace', name: 'Game' });
    await stack.setTunnel(true);
    // The public URL stops answering (ngrok's edge dropped the session): the core reports status 0.
    const real = stack.core.deliverSample.bind(stack.core);
    stack.core.deliverSample = async (id, base) =>
      base ? { via: 'tunnel', status: 0, reason: 'could not reach the public URL: ECONNREFUSED', eventId: null } : real(id);
    const result = await stack.service.sendTestEvent(view.id);
    expect(result.via).toBe('local');
    expect(result.status).toBe(200);
    expect(result.reason).toMatch(/tunnel did not answer: could not reach the public URL/);
  });
});

describe('mapping preview', () => {
  it('runs a generic mapping on the last body received, the saved one or a trial one', async () => {
    const config = { titlePath: '$.error.message', groupKeyPath: '$.error.id', verification: 'none' };
    const view = await stack.service.addSource({ provider: 'generic', name: 'Any JSON', config });
    const none = await stack.service.previewMapping(view.id, null);
    expect(none.ok).toBe(false);
    expect(none.errors.join(' ')).toMatch(/no body/);
    const body = JSON.stringify({ error: { message: 'TypeError: x is undefined', id: 'err-7', count: 3 } });
    const res = await postRequest(`${stack.core.localBaseUrl}/hooks/${view.id}`, { headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    const saved = await stack.service.previewMapping(view.id, null);
    expect(saved).toMatchObject({ ok: true, fields: { title: 'TypeError: x is undefined', groupKey: 'err-7' } });
    const trial = await stack.service.previewMapping(view.id, { ...config, occurrencesPath: '$.error.count', titlePath: '$.nope' });
    expect(trial.ok).toBe(false);
    expect(trial.fields['occurrences']).toBe(3);
    await expect(stack.service.previewMapping('missing-missing-missing', null)).rejects.toThrow(/no source/);
  });
});

describe('building the service', () => {
  it('takes the core itself, the shell hooks, and no tunnel', async () => {
    const copied: string[] = [];
    const service = createAppService({
      core: stack.core,
      settings: stack.settings,
      shell: { copyText: (t) => void copied.push(t), openExternal: () => undefined, setStartAtLogin: () => undefined },
    });
    const view = await service.addSource({ provider: 'backtrace', name: 'Game' });
    const state = await service.getState();
    expect(state.receiver).toMatchObject({ listening: true, port: stack.core.port });
    expect(state.tunnel.status).toBe('off');
    expect(state.secretStorage.available).toBe(false);
    expect((await service.sendTestEvent(view.id)).status).toBe(200);
    await service.copy(view.webhookUrl, { sourceId: view.id, webhookUrl: true });
    expect(copied).toEqual([view.webhookUrl]);
    expect(await service.reconnectTunnel()).toMatchObject({ status: 'off' });
    service.close();
  });
});
