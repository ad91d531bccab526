import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../../../main/core/providers/index';
import {
  availableProviders,
  NEUTRAL_MARK,
  namesOf,
  providerLook,
  providerNames,
  providersByCredentials,
  validateNewSource,
} from '../../../../renderer/src/lib/providers';
import { makeState, registryProviders } from '../../../helpers/fake-api';

describe('provider names and marks', () => {
  it('come from the registry main sends, in its order', () => {
    expect(availableProviders(makeState()).map((p) => p.id)).toEqual(PROVIDERS.map((p) => p.id));
    expect(availableProviders(makeState({ providers: [] }))).toEqual([]);
    const providers = registryProviders();
    for (const p of PROVIDERS) expect(providerLook(providers, p.id)).toEqual({ id: p.id, name: p.name, mark: p.mark });
  });

  it('show an id main does not describe as itself with a neutral mark', () => {
    expect(providerLook(registryProviders(), 'pagerduty')).toEqual({
      id: 'pagerduty',
      name: 'pagerduty',
      mark: { text: '?', color: '#6e7781' },
    });
    expect(providerLook([], 'backtrace')).toEqual({ id: 'backtrace', name: 'backtrace', mark: NEUTRAL_MARK });
  });

  it('never put anything but a hex colour into the badge style', () => {
    const [bt] = registryProviders();
    const odd = { ...bt!, mark: { text: 'Bt', color: 'red; background-image: url(https://x)' } };
    expect(providerLook([odd], 'backtrace').mark).toEqual({ text: 'Bt', color: NEUTRAL_MARK.color });
  });
});

describe('adding a source', () => {
  it("asks for nothing Errorception shows only once its webhook exists, nor for Backtrace's generated values", () => {
    const [bt, ec] = availableProviders(makeState());
    expect(validateNewSource(bt, 'Game', {})).toBeNull();
    expect(validateNewSource(ec, 'Site', {})).toBeNull();
    expect(validateNewSource(ec, 'Site', { secret: 'k' })).toBeNull();
    // A required field the provider shows up front is still asked for.
    const required = { ...ec!, fields: [{ ...ec!.fields[0]!, pasteLater: false }] };
    expect(validateNewSource(required, 'Site', { secret: '  ' })).toMatch(/secret key/);
    expect(validateNewSource(bt, '   ', {})).toMatch(/name/);
    expect(validateNewSource(undefined, 'x', {})).toMatch(/provider/);
  });
});

describe('naming the providers', () => {
  it('names every provider main offers, in its order, as one phrase', () => {
    const providers = ['Backtrace', 'Sentry', 'Generic JSON'].map((name, i) => ({
      ...availableProviders(makeState())[0]!,
      id: `p${i}` as 'backtrace',
      name,
    }));
    expect(providerNames(makeState({ providers }))).toBe('Backtrace, Sentry or Generic JSON');
    expect(providerNames(makeState({ providers }), 'and')).toBe('Backtrace, Sentry and Generic JSON');
    expect(providerNames(makeState({ providers: providers.slice(0, 1) }))).toBe('Backtrace');
    expect(providerNames(makeState())).toBe(namesOf(PROVIDERS, 'or'));
  });
});

describe('providers by credentials', () => {
  it('tells apart those that show a secret to paste, those Crashbell makes for, and those that show it only later', () => {
    const field = { key: 'secret', label: 'Secret', secret: true, help: '' };
    const base = registryProviders()[0]!;
    const asks = { ...base, id: 'a', fields: [{ ...field, required: true }] };
    const later = { ...base, id: 'l', fields: [{ ...field, required: true, pasteLater: true }] };
    const optional = { ...base, id: 'o', fields: [{ ...field, required: false }] };
    const none = { ...base, id: 'n', fields: [] };
    expect(providersByCredentials([asks, later, optional, none])).toEqual({
      asking: [asks, later],
      making: [optional, none],
      later: [later],
    });
  });
});
