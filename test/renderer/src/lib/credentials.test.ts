import { describe, expect, it } from 'vitest';
import type { ProviderFieldInfo } from '../../../../shared/ipc';
import { overlapNote, regeneratedNames, typedCredentials, untilText } from '../../../../renderer/src/lib/credentials';

const FIELDS: ProviderFieldInfo[] = [
  { key: 'secret', label: 'Secret key', secret: true, required: true, help: '' },
  { key: 'token', label: 'Token', secret: true, required: false, help: '' },
];

describe('credentials in words', () => {
  it('sends only the provider’s fields that were filled in, trimmed', () => {
    expect(typedCredentials(FIELDS, { secret: ' abc ', token: '   ', other: 'x' })).toEqual({ secret: 'abc' });
    expect(typedCredentials(FIELDS, {})).toEqual({});
  });

  it('says how long a replaced value stays accepted', () => {
    expect(overlapNote(24, 'Errorception')).toBe(
      'The value it replaces stays accepted for 24 h, so you can update Errorception without losing hooks.',
    );
    expect(overlapNote(0, 'Errorception')).toMatch(/stops being accepted at once/);
  });

  it('says until when the previous credentials count, or the text as given when it is no date', () => {
    const at = '2026-01-02T08:00:00.000Z';
    expect(untilText(at)).toBe(
      new Date(at).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }),
    );
    expect(untilText('soon')).toBe('soon');
  });

  it('names what Regenerate makes anew, never the webhook URL', () => {
    const setup = [
      { label: 'Webhook URL', value: 'http://x/hooks/s', secret: false },
      { label: 'Username', value: 'u', secret: false },
      { label: 'Password', value: 'p', secret: true },
    ];
    expect(regeneratedNames(setup)).toBe('username and password');
    expect(regeneratedNames(setup.slice(0, 1))).toBe('credentials');
  });
});
