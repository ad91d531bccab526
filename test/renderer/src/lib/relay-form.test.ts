import { describe, expect, it } from 'vitest';
import type { RelaySettingsView } from '../../../../shared/ipc';
import {
  authPatch,
  failedTest,
  hasSavedSecret,
  INITIAL_RELAY_FORM,
  parseServers,
  relayFields,
  relayFormProblem,
  relayFormReducer,
  relaySubmission,
} from '../../../../renderer/src/lib/relay-form';

const SAVED: RelaySettingsView = {
  servers: ['nats://a:4222', 'nats://b:4222'],
  publish: false,
  subscribe: true,
  stream: 'TEAM',
  member: 'ana',
  shareMarks: true,
  tlsCa: '/ca.pem',
  auth: { kind: 'user', user: 'ana', credsFile: '', hasSecret: true },
};

describe('relayFields', () => {
  it('shows what was typed over the saved settings, field by field, an emptied field staying empty', () => {
    expect(relayFields({}, SAVED)).toEqual({
      servers: 'nats://a:4222\nnats://b:4222',
      kind: 'user',
      user: 'ana',
      credsFile: '',
      tlsCa: '/ca.pem',
      member: 'ana',
      stream: 'TEAM',
    });
    expect(relayFields({ servers: '', kind: 'token' }, SAVED)).toMatchObject({ servers: '', kind: 'token', user: 'ana' });
  });

  it('shows the defaults before settings have loaded', () => {
    expect(relayFields({}, null)).toEqual({
      servers: '',
      kind: 'none',
      user: '',
      credsFile: '',
      tlsCa: '',
      member: '',
      stream: 'CRASHBELL',
    });
  });

  it('knows a secret is saved only for the credentials kind it was saved with', () => {
    expect(hasSavedSecret(SAVED, 'user')).toBe(true);
    expect(hasSavedSecret(SAVED, 'token')).toBe(false);
    expect(hasSavedSecret(null, 'user')).toBe(false);
    expect(hasSavedSecret({ ...SAVED, auth: { ...SAVED.auth, hasSecret: false } }, 'user')).toBe(false);
  });
});

describe('the relay form’s parts', () => {
  it('reads servers one per line or separated by commas', () => {
    expect(parseServers(' nats://a:4222\n\nnats://b:4222 , tls://c:4222,')).toEqual(['nats://a:4222', 'nats://b:4222', 'tls://c:4222']);
    expect(parseServers('  \n ')).toEqual([]);
  });

  it('keeps a saved password or token when the field is left empty', () => {
    expect(authPatch('user', ' ana ', '', '')).toEqual({ kind: 'user', user: 'ana' });
    expect(authPatch('user', 'ana', ' s3cret ', '')).toEqual({ kind: 'user', user: 'ana', pass: ' s3cret ' });
    expect(authPatch('token', '', '', '')).toEqual({ kind: 'token' });
    expect(authPatch('token', '', ' t0k ', '')).toEqual({ kind: 'token', token: 't0k' });
    expect(authPatch('creds', 'x', 'y', ' /me.creds ')).toEqual({ kind: 'creds', credsFile: '/me.creds' });
    expect(authPatch('none', 'x', 'y', 'z')).toEqual({ kind: 'none' });
  });

  it('names what is missing before anything is sent', () => {
    expect(relayFormProblem([], 'user', '  ', '')).toBe('A user name is needed with a password.');
    expect(relayFormProblem([], 'creds', '', ' ')).toBe('Give the path of the .creds file.');
    expect(
      relayFormProblem(
        Array.from({ length: 17 }, (_, i) => `nats://h${i}:4222`),
        'none',
        '',
        '',
      ),
    ).toBe('At most 16 servers.');
    expect(relayFormProblem(['nats://a:4222'], 'none', '', '')).toBeNull();
  });
});

describe('relaySubmission', () => {
  it('sends the form trimmed, and says whether the relay connects or is off', () => {
    const fields = { ...relayFields({}, SAVED), member: ' ana ', stream: ' TEAM ', tlsCa: ' ' };
    expect(relaySubmission(fields, '')).toEqual({
      ok: true,
      patch: { servers: ['nats://a:4222', 'nats://b:4222'], member: 'ana', stream: 'TEAM', tlsCa: '', auth: { kind: 'user', user: 'ana' } },
      done: 'Saved. The relay connects with the new settings.',
    });
    expect(relaySubmission({ ...fields, servers: ' ' }, 'pw')).toMatchObject({
      ok: true,
      patch: { servers: [], auth: { kind: 'user', user: 'ana', pass: 'pw' } },
      done: 'Saved. The team relay is off (no server).',
    });
  });

  it('sends nothing when a field is missing', () => {
    expect(relaySubmission({ ...relayFields({}, SAVED), kind: 'creds' }, '')).toEqual({
      ok: false,
      problem: 'Give the path of the .creds file.',
    });
  });
});

describe('relayFormReducer', () => {
  it('a save forgets what was typed (the secret too) and says what it came to; a failed one keeps it', () => {
    let s = relayFormReducer(INITIAL_RELAY_FORM, { type: 'edited', fields: { servers: 'nats://x:4222' } });
    s = relayFormReducer(s, { type: 'edited', fields: { member: 'bo' } });
    s = relayFormReducer(s, { type: 'secretTyped', secret: 'pw' });
    expect(s.edits).toEqual({ servers: 'nats://x:4222', member: 'bo' });
    s = relayFormReducer(s, { type: 'refused', problem: 'At most 16 servers.' });
    expect(s.message).toEqual({ ok: false, text: 'At most 16 servers.' });
    s = relayFormReducer(s, { type: 'saving' });
    expect(s).toMatchObject({ saving: true, message: null });
    const failed = relayFormReducer(s, { type: 'saveFailed', error: 'relay.stream: too long' });
    expect(failed).toMatchObject({ saving: false, secret: 'pw', message: { ok: false, text: 'relay.stream: too long' } });
    expect(failed.edits).toEqual(s.edits);
    expect(relayFormReducer(s, { type: 'saved', done: 'Saved.' })).toEqual({
      ...INITIAL_RELAY_FORM,
      message: { ok: true, text: 'Saved.' },
    });
  });

  it('a test run forgets the previous answer until the new one comes', () => {
    const answer = failedTest('NATS is down', new Date('2026-01-01T00:00:00.000Z'));
    let s = relayFormReducer(INITIAL_RELAY_FORM, { type: 'tested', result: answer });
    s = relayFormReducer(s, { type: 'testing' });
    expect(s).toMatchObject({ testing: true, test: null });
    s = relayFormReducer(s, { type: 'tested', result: answer });
    expect(s).toMatchObject({ testing: false, test: answer });
  });

  it('tells a failed test call as a result', () => {
    expect(failedTest('NATS is down', new Date('2026-01-01T00:00:00.000Z'))).toEqual({
      ok: false,
      sentAt: '2026-01-01T00:00:00.000Z',
      seq: null,
      cameBackAt: null,
      roundTripMs: null,
      reason: 'NATS is down',
    });
  });
});
