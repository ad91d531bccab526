import { describe, expect, it } from 'vitest';
import { soundChoices, soundLabel } from '../../../../renderer/src/lib/sounds';

describe('sound choices', () => {
  it('offers macOS its system sounds, and elsewhere the default or silence (keeping a choice made on a Mac)', () => {
    expect(soundChoices('darwin', 'default')).toContain('Glass');
    expect(soundChoices('linux', 'default')).toEqual(['default', 'silent']);
    expect(soundChoices('linux', 'silent')).toEqual(['default', 'silent']);
    expect(soundChoices('win32', 'Glass')).toEqual(['default', 'silent', 'Glass']);
  });

  it('names each sound, saying where a named one plays', () => {
    expect(soundLabel('Glass', 'linux')).toMatch(/macOS/);
    expect(soundLabel('Glass', 'darwin')).toBe('Glass');
    expect(soundLabel('silent', 'darwin')).toBe('Silent');
    expect(soundLabel('default', 'linux')).toBe('System default');
  });
});
