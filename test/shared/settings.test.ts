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
});
