import { describe, expect, it } from 'vitest';
import {
  getProvider,
  isKnownProvider,
  PROVIDERS,
  requireProvider,
  UnknownProviderError,
  unknownProviderMessage,
} from '../../../../main/core/providers/index';

/** WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Contrast of white text on `hex`. */
const contrastWithWhite = (hex: string) => 1.05 / (luminance(hex) + 0.05);

describe('the provider registry', () => {
  it('holds each provider once, by a URL- and settings-safe id', () => {
    const ids = PROVIDERS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9-]{0,63}$/);
    expect(new Set(PROVIDERS.map((p) => p.name)).size).toBe(ids.length);
  });

  it.each(PROVIDERS.map((p) => [p.id, p] as const))('gives %s a badge of its own that white text reads on at 4.5:1', (_id, p) => {
    expect(p.mark.text).toMatch(/^\S{1,2}$/u);
    expect(p.mark.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(contrastWithWhite(p.mark.color)).toBeGreaterThanOrEqual(4.5);
    expect(PROVIDERS.filter((o) => o.mark.text === p.mark.text)).toHaveLength(1);
  });

  it('names the providers it has when asked for one it has not', () => {
    const known = PROVIDERS.map((p) => p.id).join(', ');
    expect(unknownProviderMessage('pagerduty')).toBe(`Crashbell has no "pagerduty" provider: use one of ${known}`);
    expect(isKnownProvider('pagerduty')).toBe(false);
    expect(getProvider('pagerduty')).toBeUndefined();
    expect(() => requireProvider('pagerduty')).toThrow(UnknownProviderError);
    expect(() => requireProvider('pagerduty')).toThrow(`use one of ${known}`);
    for (const p of PROVIDERS) {
      expect(isKnownProvider(p.id)).toBe(true);
      expect(requireProvider(p.id)).toBe(p);
    }
  });
});
