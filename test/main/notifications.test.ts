import { describe, expect, it, vi } from 'vitest';
import type { ActionResult } from '../../shared/actions';
import type { GroupStatus, NotificationRequest } from '../../shared/events';
import {
  actionFailedNotification,
  MAX_NOTIFICATION_BODY,
  MAX_NOTIFICATION_TITLE,
  Notifier,
  notificationText,
  notificationOptions,
  urlChangedNotification,
  urlChangeToAnnounce,
  type NativeNotification,
  type NotificationOptions,
} from '../../main/notifications';

class FakeNotification implements NativeNotification {
  readonly handlers = new Map<string, (...a: unknown[]) => void>();
  shown = false;
  closed = false;
  constructor(readonly options: NotificationOptions) {}
  on(event: string, listener: (...a: unknown[]) => void): void {
    this.handlers.set(event, listener);
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
  }
}

function setup(supported = true, platform = 'linux', opens = true, refusal = "example.com is not one of Backtrace's hosts") {
  const created: FakeNotification[] = [];
  const deps = {
    platform,
    act: vi.fn(),
    createNotification: (o: NotificationOptions) => {
      const n = new FakeNotification(o);
      created.push(n);
      return n;
    },
    isSupported: () => supported,
    icon: '/app/build/icon.png',
    // The app service's openGroup: it applies the group's link rule; here it opens what the test says.
    openGroup: vi.fn(async (_groupId: string) => ({ opened: opens, reason: opens ? null : refusal })),
    showWindow: vi.fn(),
    navigate: vi.fn(),
    markRead: vi.fn(),
    log: vi.fn(),
  };
  return { notifier: new Notifier(deps), created, deps };
}

const single: NotificationRequest = {
  title: 'New error in my_project',
  body: 'TypeError: x is undefined\n  at my_fn (app.js:10)',
  url: 'https://acme.sp.backtrace.io/p/my_project/triage?fingerprint=abc',
  group: 'g1',
  digest: false,
};
const flush = () => new Promise<void>((r) => setImmediate(r));

describe('Notifier', () => {
  it('raises a notification with title, body and the app icon; on Linux a click shows the error in the window', async () => {
    const { notifier, created, deps } = setup();
    expect(notifier.show(single)).toBe(true);
    expect(created[0]!.options).toEqual({ title: single.title, body: single.body, icon: '/app/build/icon.png' });
    expect(created[0]!.shown).toBe(true);
    created[0]!.handlers.get('click')!();
    await flush();
    // Linux shows no buttons: the window is where the actions are.
    expect(deps.showWindow).toHaveBeenCalled();
    expect(deps.navigate).toHaveBeenCalledWith('errors', 'g1');
    expect(deps.openGroup).not.toHaveBeenCalled();
    expect(deps.markRead).toHaveBeenCalledWith('g1');
  });

  it('where there are buttons, a click opens the group through the app service', async () => {
    const { notifier, created, deps } = setup(true, 'darwin');
    expect(notifier.show(single)).toBe(true);
    expect(created[0]!.shown).toBe(true);
    created[0]!.handlers.get('click')!();
    await flush();
    expect(deps.openGroup).toHaveBeenCalledWith('g1');
    expect(deps.showWindow).not.toHaveBeenCalled();
    // Clicking it means the user has seen it.
    expect(deps.markRead).toHaveBeenCalledWith('g1');
  });

  it('a click the link rule refuses is recorded and opens the window on the error instead', async () => {
    const { notifier, created, deps } = setup(true, 'win32', false);
    const refused: unknown[] = [];
    notifier.onRefused((r) => refused.push(r));
    const url = 'http://127.0.0.1:631/admin';
    notifier.show({ ...single, url });
    created[0]!.handlers.get('click')!();
    await flush();
    expect(deps.openGroup).toHaveBeenCalledWith('g1');
    expect(deps.showWindow).toHaveBeenCalled();
    expect(deps.navigate).toHaveBeenCalledWith('errors', 'g1');
    expect(refused).toHaveLength(1);
    expect(notifier.refusedLinks()[0]).toMatchObject({ url, groupId: 'g1', reason: expect.stringMatching(/not one of/) });
    expect(deps.log).toHaveBeenCalledWith(expect.stringMatching(/^links: refused/));
  });

  it('a group gone from the history (openGroup throws) is a refusal, not a crash', async () => {
    const { notifier, created, deps } = setup(true, 'darwin');
    deps.openGroup.mockRejectedValueOnce(new Error('no error group with id "g1"'));
    notifier.show(single);
    created[0]!.handlers.get('click')!();
    await flush();
    expect(deps.navigate).toHaveBeenCalledWith('errors', 'g1');
    expect(notifier.refusedLinks()[0]?.reason).toMatch(/no error group/);
  });

  it.each(['darwin', 'win32'])(
    'on %s, a group’s notification has Open, Resolve and Snooze 1 h buttons that do what they say',
    async (platform) => {
      const { notifier, created, deps } = setup(true, platform);
      notifier.show(single);
      expect(created[0]!.options.actions).toEqual([
        { type: 'button', text: 'Open' },
        { type: 'button', text: 'Resolve' },
        { type: 'button', text: 'Snooze 1 h' },
      ]);
      // Electron passes the details (with actionIndex) first, and the deprecated index after.
      created[0]!.handlers.get('action')!({ actionIndex: 1 }, 1);
      expect(deps.act).toHaveBeenCalledWith('g1', { kind: 'resolve' }, single.title);
      notifier.show(single);
      created[1]!.handlers.get('action')!({ actionIndex: 2 });
      expect(deps.act).toHaveBeenLastCalledWith('g1', { kind: 'snooze', minutes: 60 }, single.title);
      expect(deps.openGroup).not.toHaveBeenCalled();
      notifier.show(single);
      created[2]!.handlers.get('action')!({}, 0);
      await flush();
      expect(deps.openGroup).toHaveBeenCalledWith('g1');
      expect(deps.act).toHaveBeenCalledTimes(2);
      // A pressed button took each off the screen: none is left to withdraw.
      expect(notifier.onScreen('g1')).toBe(0);
    },
  );

  it('on Linux (libnotify shows no buttons through Electron) and for digests there are no buttons', () => {
    expect(notificationOptions(single, 'linux').actions).toBeUndefined();
    const digest = { title: '3 new errors', body: 'x', url: null, group: null, digest: true };
    expect(notificationOptions(digest, 'darwin').actions).toBeUndefined();
  });

  it('plays the source’s sound: silent everywhere, a named sound on macOS only', () => {
    expect(notificationOptions({ ...single, sound: 'silent' }, 'linux')).toMatchObject({ silent: true });
    expect(notificationOptions({ ...single, sound: 'Glass' }, 'darwin')).toMatchObject({ sound: 'Glass' });
    expect(notificationOptions({ ...single, sound: 'Glass' }, 'win32')).not.toHaveProperty('sound');
    expect(notificationOptions(single, 'darwin')).not.toHaveProperty('silent');
  });

  it('a digest says a click shows them all, and the click opens the window on the list', async () => {
    const { notifier, created, deps } = setup();
    notifier.show({
      title: '14 new errors in Game and 2 more',
      body: 'fn_0, fn_1, fn_2, and 13 more.',
      url: null,
      group: null,
      digest: true,
      groups: ['a', 'b'],
    });
    expect(created[0]!.options.body).toBe('fn_0, fn_1, fn_2, and 13 more. Click to see them all.');
    created[0]!.handlers.get('click')!();
    await flush();
    expect(deps.showWindow).toHaveBeenCalled();
    expect(deps.navigate).toHaveBeenCalledWith('errors', undefined);
    expect(deps.openGroup).not.toHaveBeenCalled();
  });

  it('withdraws a group’s notifications once it settles, whatever settled it, and leaves the others', () => {
    const { notifier, created, deps } = setup(true, 'darwin');
    notifier.show(single);
    notifier.show({ ...single, title: 'again' });
    notifier.show({ ...single, group: 'g2' });
    notifier.show({ title: '3 new errors', body: 'x', url: null, group: null, digest: true });
    expect(notifier.onScreen('g1')).toBe(2);
    // Reopened, unmuted, released, assigned: the notification still has something to ask.
    for (const status of ['reopened', 'unsnoozed', 'unmuted', 'released', 'assigned'] as GroupStatus[]) {
      notifier.followState({ group: 'g1', status, by: null, via: 'provider' });
    }
    expect(created.map((n) => n.closed)).toEqual([false, false, false, false]);
    notifier.followState({ group: 'g1', status: 'resolved', by: 'ana', via: 'team' });
    expect(created.map((n) => n.closed)).toEqual([true, true, false, false]);
    expect(notifier.onScreen('g1')).toBe(0);
    expect(deps.log).toHaveBeenCalledWith('notifications: withdrew 2 about a group now resolved (team)');
    for (const status of ['ignored', 'snoozed', 'muted', 'claimed'] as GroupStatus[]) {
      notifier.show({ ...single, group: 'g3' });
      notifier.followState({ group: 'g3', status, by: null, via: 'crashbell' });
      expect(created.at(-1)!.closed).toBe(true);
    }
    // One the user closed is not closed again.
    notifier.show({ ...single, group: 'g4' });
    created.at(-1)!.handlers.get('close')!();
    expect(notifier.withdraw('g4')).toBe(0);
    expect(created.at(-1)!.closed).toBe(false);
  });

  it('a platform that refuses to close one is logged, and the rest are still closed', () => {
    const { notifier, created, deps } = setup(true, 'linux');
    notifier.show(single);
    notifier.show(single);
    created[0]!.close = () => {
      throw new Error('gone already');
    };
    expect(notifier.withdraw('g1')).toBe(1);
    expect(created[1]!.closed).toBe(true);
    expect(deps.log).toHaveBeenCalledWith('notifications: could not withdraw one: gone already');
  });

  it('says a failed action in a notification with the provider’s words; its click shows the error in the window', () => {
    const { notifier, created, deps } = setup(true, 'linux');
    const result: ActionResult = {
      state: 'failed',
      action: 'snooze',
      words: 'Rollbar refused the token (403): it lacks the write scope. Rollbar said: "<no write>"',
      where: null,
      code: 'forbidden',
      status: 403,
      retryAt: null,
    };
    expect(notifier.showActionFailure('g1', 'TypeError <b>x</b>', result)).toBe(true);
    expect(created[0]!.options.title).toBe('Not snoozed: TypeError <b>x</b>');
    // Text, escaped for Linux daemons that read markup in the body.
    expect(created[0]!.options.body).toBe(
      'Rollbar refused the token (403): it lacks the write scope. Rollbar said: &quot;&lt;no write&gt;&quot;. Click to see the error in Crashbell.',
    );
    created[0]!.handlers.get('click')!();
    expect(deps.showWindow).toHaveBeenCalled();
    expect(deps.navigate).toHaveBeenCalledWith('errors', 'g1');
    expect(actionFailedNotification('x', { ...result, action: 'resolve', words: 'Offline.' }).body).toBe(
      'Offline. Click to see the error in Crashbell.',
    );
    expect(setup(false).notifier.showActionFailure('g1', 'x', result)).toBe(false);
  });

  it('says so when the desktop cannot show notifications', () => {
    const { notifier, created, deps } = setup(false);
    expect(notifier.show(single)).toBe(false);
    expect(created).toHaveLength(0);
    expect(deps.log).toHaveBeenCalledWith(expect.stringMatching(/not supported/));
  });

  it('the URL-changed notification names each source with its new URL', () => {
    const n = urlChangedNotification('https://new.ngrok.app', [
      { name: 'Backtrace', webhookUrl: 'https://new.ngrok.app/hooks/a' },
      { name: 'Site', webhookUrl: 'https://new.ngrok.app/hooks/b' },
    ]);
    expect(n.title).toBe('Crashbell has a new public URL');
    expect(n.body).toContain('Backtrace: https://new.ngrok.app/hooks/a');
    expect(n.body).toContain('Site: https://new.ngrok.app/hooks/b');
  });

  it('announces a changed public URL once, only when the user had copied another one', () => {
    const online = (url: string) => ({ status: 'online' as const, url });
    expect(urlChangeToAnnounce(online('https://new.ngrok.app'), 'https://old.ngrok.app/hooks/a', 1, null)).toBe('https://new.ngrok.app');
    expect(urlChangeToAnnounce(online('https://new.ngrok.app'), 'https://old.ngrok.app', 1, 'https://new.ngrok.app')).toBeNull();
    expect(urlChangeToAnnounce(online('https://same.ngrok.app'), 'https://same.ngrok.app/hooks/a', 1, null)).toBeNull();
    expect(urlChangeToAnnounce(online('https://new.ngrok.app'), null, 1, null)).toBeNull();
    expect(urlChangeToAnnounce(online('https://new.ngrok.app'), 'https://old.ngrok.app', 0, null)).toBeNull();
    expect(urlChangeToAnnounce({ status: 'connecting', attempt: 1 }, 'https://old.ngrok.app', 1, null)).toBeNull();
  });
});

describe('notification text is text', () => {
  const hostile = '<b>SIGSEGV</b> in std::vector<int>::_M_range_check';

  it('on Linux the body is escaped, so a markup-rendering daemon shows exactly the text; the title is plain text', () => {
    const t = notificationText(hostile, `${hostile} & "more"`, 'linux');
    expect(t.title).toBe(hostile);
    expect(t.body).toBe('&lt;b&gt;SIGSEGV&lt;/b&gt; in std::vector&lt;int&gt;::_M_range_check &amp; &quot;more&quot;');
    // What a daemon shows after reading the markup is the text itself.
    const rendered = t.body
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
    expect(rendered).toBe(`${hostile} & "more"`);
  });

  it('elsewhere the text is shown as it is', () => {
    for (const platform of ['darwin', 'win32'])
      expect(notificationText(hostile, hostile, platform)).toEqual({ title: hostile, body: hostile });
  });

  it('strips control characters and bidirectional overrides, keeps line breaks in the body only', () => {
    const t = notificationText('crash\u0007 in\tmain\n(\u202Egnp.exe)', 'line one\r\nline\u0000 two\u001b[31m\ud800', 'darwin');
    expect(t.title).toBe('crash in main (gnp.exe)');
    expect(t.body).toBe('line one\nline two[31m');
  });

  it('caps the lengths', () => {
    const t = notificationText('t'.repeat(10_000), 'b'.repeat(100_000), 'linux');
    expect(t.title).toHaveLength(MAX_NOTIFICATION_TITLE);
    expect(t.body).toHaveLength(MAX_NOTIFICATION_BODY);
    // Escaping comes after the cut, so an entity is never cut in half.
    const amp = notificationText('x', '&'.repeat(5_000), 'linux').body;
    expect(amp.endsWith('&amp;…')).toBe(true);
  });

  it('the Notifier raises what notificationText makes of the request, on the platform it is given', () => {
    const { notifier, created } = setup(true, 'linux');
    notifier.show({ title: hostile, body: hostile, url: null, group: 'g1', digest: false });
    expect(created[0]!.options).toMatchObject({ title: hostile, body: notificationText(hostile, hostile, 'linux').body });
    const mac = setup(true, 'darwin');
    mac.notifier.show({ title: hostile, body: hostile, url: null, group: 'g1', digest: false });
    expect(mac.created[0]!.options).toMatchObject({ title: hostile, body: hostile });
  });
});
