/** The ntfy outlet: the publish request it builds, and publishing to a local stand-in for ntfy. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearOnNtfy, headerValue, ntfyRequest, ntfySequenceId, publishToNtfy } from '../../../../main/core/headless/notify-ntfy';
import type { NotificationRequest } from '../../../../shared/events';
import { ntfySettingsSchema } from '../../../../shared/settings';
import { decodeHeader, NtfyStandIn } from '../../../helpers/ntfy-stand-in';

const one: NotificationRequest = {
  title: 'New error in Game client: exception in printf',
  body: 'printf ← my_fn ← main · my_app.exe',
  url: 'https://u.sp.backtrace.io/dashboard/my_universe/project/my_project/triage?fingerprint=8910',
  group: 'g1',
  digest: false,
};
const digest: NotificationRequest = {
  title: '14 new errors in Game client',
  body: 'fn_0, fn_1, fn_2, and 11 more.',
  url: null,
  group: null,
  digest: true,
  groups: ['a'],
};
const settings = (extra: Record<string, unknown> = {}) => ntfySettingsSchema.parse({ url: 'https://ntfy.sh/crashbell-test', ...extra });

describe('ntfyRequest', () => {
  it('puts the title, tags and click URL in headers and the message in the body', () => {
    const request = ntfyRequest(one, settings());
    expect(request.body).toBe(one.body);
    expect(request.headers).toEqual({
      'content-type': 'text/plain; charset=utf-8',
      title: one.title,
      tags: 'rotating_light',
      click: one.url,
      // The group is the notification's ntfy sequence: a later one about it updates it, a settled group clears it.
      'x-sequence-id': `crashbell-${one.group}`,
    });
  });

  it('a digest, or a group id that is no ntfy sequence id, goes without one', () => {
    expect(ntfyRequest(digest, settings()).headers['x-sequence-id']).toBeUndefined();
    expect(ntfySequenceId('Cw6wiGVEGFK2l8oEICgvYp')).toBe('crashbell-Cw6wiGVEGFK2l8oEICgvYp');
    expect(ntfySequenceId('a/b')).toBeNull();
    expect(ntfySequenceId('x'.repeat(60))).toBeNull();
    expect(ntfySequenceId(null)).toBeNull();
  });

  it('a digest gets the bell tag and no click; a token and priority go in when set', () => {
    const request = ntfyRequest(digest, settings({ token: 'tk_secret', priority: 4 }));
    expect(request.headers['tags']).toBe('bell');
    expect(request.headers['click']).toBeUndefined();
    expect(request.headers['authorization']).toBe('Bearer tk_secret');
    expect(request.headers['priority']).toBe('4');
  });

  it('text from the internet: a non-ASCII title is RFC 2047 encoded, control characters go, a javascript: link is not a click', () => {
    const request = ntfyRequest({ ...one, title: 'Ünïcode\r\nX-Evil: 1 ✓', url: 'javascript:alert(1)' }, settings());
    expect(decodeHeader(request.headers['title'])).toBe('Ünïcode X-Evil: 1 ✓');
    expect(request.headers['title']).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    expect(request.headers['click']).toBeUndefined();
    expect(headerValue('plain ascii')).toBe('plain ascii');
  });

  it('the title header carries no bidirectional controls, and the message no control characters', () => {
    const request = ntfyRequest(
      { ...one, title: 'crash in \u202egnp.exe\u202c \u2066x\u2069', body: 'line\u001b[2J one\nline\u202e two' },
      settings(),
    );
    expect(decodeHeader(request.headers['title'])).toBe('crash in gnp.exe x');
    expect(request.headers['title']).toBe('crash in gnp.exe x');
    expect(request.body).toBe('line[2J one\nline two');
  });

  it('a title that looks like an RFC 2047 encoded word is encoded, not passed through for ntfy to decode', () => {
    // Decoded by ntfy, this would put a right-to-left override (and anything else) into the title.
    const smuggled = `=?utf-8?b?${Buffer.from('\u202egnp.exe').toString('base64')}?=`;
    const request = ntfyRequest({ ...one, title: smuggled }, settings());
    expect(request.headers['title']).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    expect(decodeHeader(request.headers['title'])).toBe(smuggled);
    expect(headerValue('=?ISO-8859-1?Q?a?=')).not.toBe('=?ISO-8859-1?Q?a?=');
  });

  it('keeps the message under ntfy 4,096-byte limit without splitting a character, and never sends it empty', () => {
    const long = ntfyRequest({ ...one, body: 'é'.repeat(5000) }, settings());
    const bytes = Buffer.byteLength(long.body as string);
    expect(bytes).toBeLessThanOrEqual(4_000 + 3);
    expect(long.body).toMatch(/^é+…$/);
    expect(ntfyRequest({ ...one, body: '  ' }, settings()).body).toBe(one.title);
  });

  it('the config wants the URL of a topic', () => {
    expect(ntfySettingsSchema.safeParse({ url: 'https://ntfy.sh/' }).error?.issues[0]?.message).toBe(
      'the URL must name the topic: https://ntfy.sh/<topic>',
    );
    expect(ntfySettingsSchema.safeParse({ url: 'ntfy.sh/topic' }).success).toBe(false);
    expect(ntfySettingsSchema.safeParse({ url: 'ftp://ntfy.sh/topic' }).success).toBe(false);
    expect(settings()).toEqual({ url: 'https://ntfy.sh/crashbell-test', token: '', priority: null });
  });
});

describe('publishToNtfy (local stand-in)', () => {
  let ntfy: NtfyStandIn;
  beforeEach(async () => {
    ntfy = await NtfyStandIn.start();
  });
  afterEach(() => ntfy.close());

  it('POSTs the message to the topic URL with its headers', async () => {
    const config = ntfySettingsSchema.parse({
      url: ntfy.topicUrl('crashbell-alerts'),
      token: 'tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2',
      priority: 5,
    });
    expect(await publishToNtfy({ ...one, title: 'Nouvelle erreur dans Jeu: échec' }, config)).toBeNull();
    const [got] = ntfy.publishes;
    expect(got).toMatchObject({ method: 'POST', path: '/crashbell-alerts', body: one.body, title: 'Nouvelle erreur dans Jeu: échec' });
    expect(got?.headers).toMatchObject({
      authorization: 'Bearer tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2',
      priority: '5',
      tags: 'rotating_light',
      click: one.url,
      'content-type': 'text/plain; charset=utf-8',
    });
  });

  it("says what ntfy answered on a refusal, with ntfy's own words and a hint, never the token", async () => {
    ntfy.answer = {
      status: 403,
      body: JSON.stringify({ code: 40301, http: 403, error: 'forbidden', link: 'https://ntfy.sh/docs/publish/#authentication' }),
    };
    const config = ntfySettingsSchema.parse({ url: ntfy.topicUrl('locked'), token: 'tk_wrong' });
    const failure = await publishToNtfy(one, config);
    expect(failure).toBe(`${new URL(config.url).origin} answered 403: forbidden (check "token" and that it may publish to this topic)`);
    expect(failure).not.toContain('tk_wrong');
  });

  it('the stand-in, as ntfy documents it, takes the sequence id from the header and answers it back', async () => {
    const config = ntfySettingsSchema.parse({ url: ntfy.topicUrl('crashbell-alerts') });
    expect(await publishToNtfy(one, config)).toBeNull();
    expect(ntfy.publishes[0]?.sequenceId).toBe(`crashbell-${one.group}`);
  });

  it("clears a sequence with PUT <topic>/<sequence id>/clear, the token as for a publish, the topic URL's query kept", async () => {
    const config = ntfySettingsSchema.parse({ url: `${ntfy.topicUrl('crashbell-alerts')}?x=1`, token: 'tk_clear' });
    expect(await clearOnNtfy('crashbell-g1', config)).toEqual({ ok: true });
    expect(ntfy.changes).toMatchObject([{ kind: 'clear', topic: 'crashbell-alerts', sequenceId: 'crashbell-g1' }]);
    expect(ntfy.changes[0]?.headers['authorization']).toBe('Bearer tk_clear');
    ntfy.answer = { status: 403, body: JSON.stringify({ code: 40301, http: 403, error: 'forbidden' }) };
    expect(await clearOnNtfy('crashbell-g1', config)).toMatchObject({
      ok: false,
      unsupported: false,
      reason: expect.stringMatching(/403: forbidden/),
    });
  });

  it('an ntfy older than 2.16 has no clear route: 404, told apart as unsupported', async () => {
    const old = await NtfyStandIn.start('before-2.16');
    try {
      const outcome = await clearOnNtfy('crashbell-g1', ntfySettingsSchema.parse({ url: old.topicUrl('alerts') }));
      expect(outcome).toMatchObject({ ok: false, unsupported: true, reason: expect.stringMatching(/answered 404: page not found$/) });
    } finally {
      await old.close();
    }
  });

  it('says when ntfy cannot be reached', async () => {
    const url = ntfy.topicUrl('gone');
    await ntfy.close();
    const failure = await publishToNtfy(one, ntfySettingsSchema.parse({ url }));
    expect(failure).toMatch(/^could not reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    ntfy = await NtfyStandIn.start();
  });
});
