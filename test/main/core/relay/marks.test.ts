import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import {
  encodeMarkValue,
  fieldsFor,
  type KeyedMarks,
  latestMarks,
  type LatestMark,
  MARK_MAX_VALUE_BYTES,
  MarkIdentityError,
  markChange,
  markIdentity,
  markKey,
  parseMarkKey,
  parseMarkValue,
} from '../../../../main/core/relay/marks';
import { awaySummary } from '../../../../main/core/relay/away';
import { tmpDataDir } from '../../../helpers/tmp-dir';
import { type AwayTally, emptyAway } from '../../../../main/core/relay/cursor';

const T = (s: string): number => Date.parse(s);
const NOW = T('2026-01-02T12:00:00.000Z');
const latest = (to: unknown, at = '2026-01-02T00:00:00.000Z', member = 'ana'): LatestMark => ({
  member,
  instance: 'instance-a',
  field: { to, at },
  atMs: T(at),
});
const local = (over: Record<string, unknown> = {}) => ({
  resolved: false,
  muted: false,
  lastReceivedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('team marks by event time', () => {
  it('a resolve made after the group’s latest hook applies; one older than it is stale (the error came back)', () => {
    expect(markChange(local(), 'resolved', latest(true), NOW)).toEqual({ resolved: true });
    expect(markChange(local({ lastReceivedAt: '2026-01-03T00:00:00.000Z' }), 'resolved', latest(true), NOW)).toEqual({});
  });

  it('waits for a group not here yet; nothing to do for one already marked so by the same member', () => {
    expect(markChange(null, 'resolved', latest(true), NOW)).toBeNull();
    expect(markChange(local({ resolved: true, resolvedBy: 'ana' }), 'resolved', latest(true), NOW)).toEqual({});
    // Resolved here already, but by someone else: it now shows who resolved it for the team.
    expect(markChange(local({ resolved: true }), 'resolved', latest(true), NOW)).toEqual({ resolved: true });
  });

  it('mute and reopen are not a matter of time', () => {
    const late = local({ lastReceivedAt: '2026-02-01T00:00:00.000Z' });
    expect(markChange(late, 'muted', latest(true), NOW)).toEqual({ muted: true });
    expect(markChange(local({ resolved: true }), 'resolved', latest(false), NOW)).toEqual({ resolved: false });
  });

  it('a claim shows with its holder until its end; one already over, or a snooze already over, changes nothing', () => {
    expect(markChange(local(), 'claim', latest('2026-01-02T16:00:00.000Z'), NOW)).toEqual({
      claimedBy: 'ana',
      claimedUntil: '2026-01-02T16:00:00.000Z',
    });
    expect(markChange(local(), 'claim', latest('2026-01-02T11:59:59.000Z'), NOW)).toEqual({});
    expect(markChange(local({ claimedBy: 'bo', claimedUntil: '2026-01-02T13:00:00.000Z' }), 'claim', latest(null), NOW)).toEqual({
      claimedBy: null,
    });
    expect(markChange(local(), 'claim', latest(null), NOW)).toEqual({});
    expect(markChange(local(), 'snoozedUntil', latest('2026-01-02T11:00:00.000Z'), NOW)).toEqual({});
    expect(markChange(local(), 'snoozedUntil', latest('2026-01-02T14:00:00.000Z'), NOW)).toEqual({
      snoozedUntil: '2026-01-02T14:00:00.000Z',
    });
    expect(markChange(local({ ignored: true }), 'ignored', latest(true), NOW)).toEqual({});
    expect(markChange(local(), 'assignee', latest('ana@example.com'), NOW)).toEqual({ assignee: 'ana@example.com' });
  });
});

describe('what a change shares', () => {
  const at = '2026-01-02T10:00:00.000Z';

  it('every triage mark an action sets, with the provider it was also made in; read marks stay local', () => {
    expect(fieldsFor({ read: true }, at, null)).toBeNull();
    expect(fieldsFor({ ignored: true, read: true }, at, 'Sentry')).toEqual({ ignored: { to: true, at, in: 'Sentry' } });
    expect(fieldsFor({ snoozedUntil: '2026-01-02T14:00:00.000Z' }, at, null)).toEqual({
      snoozedUntil: { to: '2026-01-02T14:00:00.000Z', at },
    });
    expect(fieldsFor({ snoozeCount: 120 }, at, null)).toEqual({ snoozeCount: { to: 120, at } });
    expect(fieldsFor({ assignee: 'ana@example.com' }, at, null)).toEqual({ assignee: { to: 'ana@example.com', at } });
    // A claim is its end; whose it is, the key says.
    expect(fieldsFor({ claimedBy: 'ana', claimedUntil: '2026-01-02T14:00:00.000Z' }, at, null)).toEqual({
      claim: { to: '2026-01-02T14:00:00.000Z', at },
    });
    expect(fieldsFor({ claimedBy: null }, at, null)).toEqual({ claim: { to: null, at } });
  });

  it('a resolve also ends a snooze and a claim, and a reopen an ignore, as they do in the history', () => {
    expect(fieldsFor({ resolved: true, read: true }, at, 'Sentry')).toEqual({
      resolved: { to: true, at, in: 'Sentry' },
      snoozedUntil: { to: null, at, in: 'Sentry' },
      snoozeCount: { to: null, at, in: 'Sentry' },
      claim: { to: null, at, in: 'Sentry' },
    });
    expect(fieldsFor({ resolved: false, ignored: false }, at, null)).toMatchObject({ resolved: { to: false }, ignored: { to: false } });
    expect(fieldsFor({ resolved: false }, at, null)).toMatchObject({ ignored: { to: false } });
  });
});

describe('reading the bucket', () => {
  it('keys are <member>.<group id>.<instance>; anything else is not a team mark', () => {
    expect(markKey('ana', 'Ab3_-x', 'inst-0123456789')).toBe('ana.Ab3_-x.inst-0123456789');
    expect(parseMarkKey('ana.Ab3_-x.inst-0123456789')).toEqual({ member: 'ana', groupId: 'Ab3_-x', instance: 'inst-0123456789' });
    // An earlier Crashbell's key (the group id alone), a key without its instance, one token too many.
    expect(parseMarkKey('Ab3_-x')).toBeNull();
    expect(parseMarkKey('ana.Ab3_-x')).toBeNull();
    expect(parseMarkKey('ana.bo.Ab3_-x.inst-0123456789')).toBeNull();
    expect(parseMarkKey('a=b.Ab3_-x.inst-0123456789')).toBeNull();
    expect(parseMarkKey('ana.Ab3_-x.short')).toBeNull();
  });

  it('reads only well-formed values of its format, and says why it cannot read the others', () => {
    const fields = {
      resolved: { to: true, at: '2026-01-02T00:00:00.000Z', in: 'Sentry' },
      claim: { to: null, at: '2026-01-02T00:00:00.000Z' },
    };
    expect(parseMarkValue(bytes(encodeMarkValue(fields)))).toEqual({ ok: true, fields });
    expect(parseMarkValue(bytes('nope'))).toEqual({ ok: false, reason: 'its value is not JSON' });
    expect(parseMarkValue(bytes({ v: 1, resolved: true, by: 'ana', at: '2026-01-02T00:00:00.000Z', origin: 'o' }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/earlier Crashbell/),
    });
    expect(parseMarkValue(bytes({ v: 3 }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/newer Crashbell .*update Crashbell/),
    });
    expect(parseMarkValue(bytes({ v: 2, resolved: { to: 'yes', at: '2026-01-02T00:00:00.000Z' } }))).toMatchObject({ ok: false });
    expect(parseMarkValue(bytes({ v: 2, claim: { to: 'not a time', at: '2026-01-02T00:00:00.000Z' } }))).toMatchObject({ ok: false });
    const big = bytes({ v: 2, assignee: { to: 'x'.repeat(100), at: '2026-01-02T00:00:00.000Z' }, pad: 'y'.repeat(MARK_MAX_VALUE_BYTES) });
    expect(parseMarkValue(big)).toEqual({ ok: false, reason: `its value is ${big.length} bytes, over ${MARK_MAX_VALUE_BYTES}` });
  });

  it('takes the latest mark of each kind over every member, and who made it from the key', () => {
    const keys: KeyedMarks[] = [
      {
        member: 'ana',
        instance: 'laptop-0001',
        fields: { resolved: { to: true, at: '2026-01-02T09:00:00.000Z' }, muted: { to: true, at: '2026-01-02T08:00:00.000Z' } },
        storedMs: T('2026-01-02T09:00:00.000Z'),
      },
      {
        member: 'bo',
        instance: 'desktop-001',
        fields: {
          resolved: { to: false, at: '2026-01-02T10:00:00.000Z' },
          claim: { to: '2026-01-02T14:00:00.000Z', at: '2026-01-02T10:00:00.000Z' },
        },
        storedMs: T('2026-01-02T10:00:00.000Z'),
      },
    ];
    const got = latestMarks(keys);
    expect(got.get('resolved')).toMatchObject({ member: 'bo', field: { to: false } });
    // ana's mute stays ana's, though bo wrote after it.
    expect(got.get('muted')).toMatchObject({ member: 'ana', field: { to: true } });
    expect(got.get('claim')).toMatchObject({ member: 'bo' });
  });

  it('a time later than the server stored the value is not believed: no mark can be pinned in the future', () => {
    const keys: KeyedMarks[] = [
      {
        member: 'mallory',
        instance: 'm-00000001',
        fields: { muted: { to: false, at: '2099-01-01T00:00:00.000Z' } },
        storedMs: T('2026-01-02T09:00:00.000Z'),
      },
      {
        member: 'ana',
        instance: 'laptop-0001',
        fields: { muted: { to: true, at: '2026-01-02T10:00:00.000Z' } },
        storedMs: T('2026-01-02T10:00:00.000Z'),
      },
    ];
    expect(latestMarks(keys).get('muted')).toMatchObject({ member: 'ana', field: { to: true } });
  });
});

describe('whose marks these are', () => {
  it('the NATS user name, which the server’s permissions name; one a key cannot hold is refused in words', async () => {
    expect(await markIdentity({ user: 'ana', pass: 'x' }, 'Ana López')).toEqual({ member: 'ana', enforced: true });
    await expect(markIdentity({ user: 'ana.lopez@example.com', pass: 'x' }, 'ana')).rejects.toThrow(MarkIdentityError);
    await expect(markIdentity({ user: 'ana.lopez@example.com', pass: 'x' }, 'ana')).rejects.toThrow(
      /The NATS user name "ana\.lopez@example\.com" cannot name team marks .*letters, digits, - and _/,
    );
  });

  it('with a token or no authentication the server cannot tell members apart: the member name stands in', async () => {
    expect(await markIdentity({ token: 't' }, 'Ana López')).toEqual({ member: 'Ana_L_pez', enforced: false });
    expect(await markIdentity(null, 'bo')).toEqual({ member: 'bo', enforced: false });
    expect(await markIdentity(null, '...')).toEqual({ member: 'member', enforced: false });
  });

  it('a .creds file: the name its JWT carries (what a scoped signing key’s {{name()}} template expands to)', async () => {
    const user = nkeys.createUser();
    const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    // Laid out as nsc writes a user's .creds file; only the claims are read here (the server verifies the JWT).
    const creds = (claims: Record<string, unknown>): string => {
      const jwt = `${part({ typ: 'JWT', alg: 'ed25519-nkey' })}.${part({ sub: user.getPublicKey(), nats: { type: 'user' }, ...claims })}.c2ln`;
      const file = join(tmpDataDir(), 'user.creds');
      writeFileSync(
        file,
        `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n************************* IMPORTANT *************************\n\n-----BEGIN USER NKEY SEED-----\n${new TextDecoder().decode(user.getSeed())}\n------END USER NKEY SEED------\n`,
      );
      return file;
    };
    expect(await markIdentity({ credsFile: creds({ name: 'ana' }) }, 'someone')).toEqual({ member: 'ana', enforced: true });
    // Without a name, the template (and this) fall back to the user's public key.
    expect(await markIdentity({ credsFile: creds({}) }, 'someone')).toEqual({ member: user.getPublicKey(), enforced: true });
    await expect(markIdentity({ credsFile: join(tmpDataDir(), 'missing.creds') }, 'x')).rejects.toThrow(/does not name a user/);
  });
});

describe('the "while you were away" summary', () => {
  const tally = (over: Partial<AwayTally>): AwayTally => ({ ...emptyAway(), ...over });

  it('counts new errors, places and regressions in one notification that opens the list', () => {
    expect(
      awaySummary(
        tally({
          held: 15,
          places: ['web', 'api', 'game'],
          regressions: 1,
          titles: ['TypeError in checkout', 'KeyError in cart'],
          titleCounts: [3, 1],
          regressionTitles: ['Regressed in web: crash in login'],
          regressionCounts: [1],
          groups: ['g1', 'g2'],
        }),
      ),
    ).toEqual({
      title: 'While you were away: 14 new errors in 3 projects; 1 regression: Regressed in web: crash in login',
      // A few titles, regressions first, with their counts, and how many more: as the storm digests say it.
      body: 'Regressed in web: crash in login, TypeError in checkout ×3, KeyError in cart, and 10 more.',
      url: null,
      group: null,
      digest: true,
      groups: ['g1', 'g2'],
    });
  });

  it('says "and N more" only when there are more, and nothing when no title was kept', () => {
    const two = awaySummary(tally({ held: 2, places: ['web'], titles: ['a', 'b'], titleCounts: [1, 1] }));
    expect(two.body).toBe('a, b.');
    const many = awaySummary(tally({ held: 40, places: ['web'], titles: ['a', 'b', 'c'], titleCounts: [1, 1, 1] }));
    expect(many.title).toBe('While you were away: 40 new errors in web');
    expect(many.body).toBe('a, b, c, and 37 more.');
    expect(awaySummary(tally({ held: 5, places: ['web'] })).body).toBe('');
  });

  it('names the one error when there is only one, and regressions alone', () => {
    expect(
      awaySummary(tally({ held: 1, places: ['web'], titles: ['New error in web: boom'], titleCounts: [1], groups: ['g'] })).title,
    ).toBe('While you were away: New error in web: boom');
    expect(
      awaySummary(
        tally({
          held: 2,
          places: ['web'],
          regressions: 2,
          regressionTitles: ['Regressed in web: a', 'Regressed in web: b'],
          regressionCounts: [1, 1],
        }),
      ).title,
    ).toBe('While you were away: 2 regressions in web: Regressed in web: a');
  });
});
