import { describe, expect, it } from 'vitest';
import { availableProviders, validateNewSource } from '../../../../renderer/src/lib/providers';
import { parseMilestones } from '../../../../renderer/src/views/settings-view';
import { makeState } from '../../../helpers/fake-api';

describe('adding a source', () => {
  it('falls back to the founding providers when main sends no list', () => {
    expect(availableProviders(makeState()).map((p) => p.id)).toEqual(['backtrace', 'errorception']);
  });

  it('asks Errorception for its secret and Backtrace for nothing', () => {
    const [bt, ec] = availableProviders(makeState());
    expect(validateNewSource(bt, 'Game', {})).toBeNull();
    expect(validateNewSource(ec, 'Site', {})).toMatch(/secret key/);
    expect(validateNewSource(ec, 'Site', { secret: '  ' })).toMatch(/secret key/);
    expect(validateNewSource(ec, 'Site', { secret: 'k' })).toBeNull();
    expect(validateNewSource(bt, '   ', {})).toMatch(/name/);
    expect(validateNewSource(undefined, 'x', {})).toMatch(/provider/);
  });
});

describe('milestones field', () => {
  it('parses, sorts and de-duplicates, and names a bad entry', () => {
    expect(parseMilestones('100, 10 1000,10')).toEqual({ ok: true, value: [10, 100, 1000] });
    expect(parseMilestones('10, ten')).toEqual({ ok: false, error: '“ten” is not a positive whole number' });
    expect(parseMilestones('0')).toMatchObject({ ok: false });
  });
});
