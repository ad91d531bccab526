import { describe, expect, it } from 'vitest';
import { defaultSettings, parseSettings } from '../../shared/settings';

describe('settings schema', () => {
  it('fills every default from an empty document', () => {
    const s = defaultSettings();
    expect(s.port).toBe(7317);
    expect(s.retention).toEqual({ maxGroups: 5000, maxDays: 90 });
    expect(s.policy.milestones).toEqual([10, 100, 1000, 10000]);
    expect(s.policy.stormLimit).toBe(5);
    expect(s.startAtLogin).toBe(false);
  });
  it('names the bad field', () => {
    expect(() => parseSettings({ port: 'x' })).toThrow(/port/);
  });
  it("takes any provider id (the core's registry checks it) but not an empty one", () => {
    const source = { id: 'src-1', name: 'A source' };
    expect(parseSettings({ sources: [{ ...source, provider: 'a-provider-of-tomorrow' }] }).sources[0]!.provider).toBe(
      'a-provider-of-tomorrow',
    );
    expect(() => parseSettings({ sources: [{ ...source, provider: '' }] })).toThrow(/a provider id/);
    expect(() => parseSettings({ sources: [{ ...source, provider: 7 }] })).toThrow(/provider/);
  });
  it('leaves naming a source without a name to the core, which knows the providers', () => {
    expect(() => parseSettings({ sources: [{ id: 'src-1', provider: 'backtrace' }] })).toThrow(/name/);
  });
});
