import { describe, expect, it } from 'vitest';
import type { ProviderFieldInfo } from '../../../../shared/ipc';
import {
  DEFAULT_OVERLAP_HOURS,
  MAX_OVERLAP_HOURS,
  overlapNote,
  overlapSaved,
  parseOverlapHours,
  regeneratedNames,
  typedCredentials,
  untilText,
} from '../../../../renderer/src/lib/credentials';
import { DEFAULT_CREDENTIAL_OVERLAP_HOURS, MAX_CREDENTIAL_OVERLAP_HOURS } from '../../../../shared/settings';

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

describe('the overlap setting', () => {
  it('takes hours from 0 to the schema’s maximum, and names the range otherwise', () => {
    expect(parseOverlapHours('48')).toEqual({ ok: true, hours: 48 });
    expect(parseOverlapHours('0')).toEqual({ ok: true, hours: 0 });
    expect(parseOverlapHours('720')).toEqual({ ok: true, hours: 720 });
    for (const bad of ['-3', '721', '', ' ', 'soon']) {
      expect(parseOverlapHours(bad)).toEqual({ ok: false, problem: 'Give a number of hours from 0 to 720.' });
    }
  });

  it('says what a saved overlap means', () => {
    expect(overlapSaved(0)).toBe('Replaced credentials now stop working at once.');
    expect(overlapSaved(48)).toBe('Replaced credentials stay accepted for 48 h.');
  });

  it('keeps the settings schema’s default and maximum (the page does not load the schema)', () => {
    expect(DEFAULT_OVERLAP_HOURS).toBe(DEFAULT_CREDENTIAL_OVERLAP_HOURS);
    expect(MAX_OVERLAP_HOURS).toBe(MAX_CREDENTIAL_OVERLAP_HOURS);
  });
});
