import { describe, expect, it } from 'vitest';
import {
  apiForm,
  apiFormChanged,
  apiPatch,
  localOnlyWords,
  tokenPlaceholder,
  tokenTestOutcome,
} from '../../../../renderer/src/lib/api-settings';

const saved = { api: { url: 'https://sentry.example.com', assignee: 'ana', resolveInProvider: false, hasToken: true } };

describe('a source’s API settings', () => {
  it('starts the form from what main shows, the token field empty (never shown back), resolving in the provider on by default', () => {
    expect(apiForm(saved)).toEqual({ token: '', url: 'https://sentry.example.com', assignee: 'ana', resolveInProvider: false });
    expect(apiForm({})).toEqual({ token: '', url: '', assignee: '', resolveInProvider: true });
    expect(tokenPlaceholder(true)).toBe('Saved — paste a new one to replace it');
    expect(tokenPlaceholder(false)).toBe('Not set: actions stay in Crashbell');
  });

  it('sends a token only when one was typed, so a save keeps the saved one', () => {
    const form = { ...apiForm(saved), assignee: ' bo ' };
    expect(apiPatch(form)).toEqual({ url: 'https://sentry.example.com', assignee: 'bo', resolveInProvider: false });
    expect(apiPatch({ ...form, token: ' sntrys_abc ' })).toEqual({
      token: 'sntrys_abc',
      url: 'https://sentry.example.com',
      assignee: 'bo',
      resolveInProvider: false,
    });
    expect(apiFormChanged(apiForm(saved), saved)).toBe(false);
    expect(apiFormChanged(form, saved)).toBe(true);
    expect(apiFormChanged({ ...apiForm(saved), token: 'x' }, saved)).toBe(true);
    expect(apiFormChanged({ ...apiForm(saved), resolveInProvider: true }, saved)).toBe(true);
  });

  it('says what Test token found in the provider’s words', () => {
    const base = { provider: 'Sentry', status: null, retryAt: null } as const;
    expect(tokenTestOutcome({ ...base, ok: true, words: 'The token can read issue 1170820242 in Sentry.', code: null })).toEqual({
      ok: true,
      text: 'The token can read issue 1170820242 in Sentry.',
    });
    expect(
      tokenTestOutcome({ ...base, ok: false, words: 'Sentry refused the token (403): it lacks the event:read scope', code: 'forbidden' }),
    ).toEqual({
      ok: false,
      text: 'Sentry refused the token (403): it lacks the event:read scope',
    });
  });

  it('says why a provider without a write API keeps actions here', () => {
    expect(localOnlyWords('Errorception', 'Errorception has no API for changing an error, so Crashbell changes it here only')).toBe(
      'Errorception: actions stay in Crashbell because Errorception has no API for changing an error, so Crashbell changes it here only.',
    );
    expect(localOnlyWords('Generic JSON', 'A generic JSON source has no provider API Crashbell knows')).toBe(
      'Generic JSON: actions stay in Crashbell because a generic JSON source has no provider API Crashbell knows.',
    );
  });
});
