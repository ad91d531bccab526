import { describe, expect, it } from 'vitest';
import { parseSettings, type Source } from '../../shared/settings';
import { sourceById } from '../../main/core/source-lookup';

function sources(...names: string[]): Source[] {
  return parseSettings({
    sources: names.map((name, i) => ({ id: `source-id-${name}-0000000000${i}`, provider: 'errorception', name, credentials: { secret: `s${i}` } })),
  }).sources;
}

describe('sourceById', () => {
  it('finds what find would, and nothing for an unknown or inherited id', () => {
    const list = sources('a', 'b', 'c');
    for (const s of list) expect(sourceById(list, s.id)).toBe(s);
    expect(sourceById(list, 'nope')).toBeUndefined();
    expect(sourceById(list, 'toString')).toBeUndefined();
    expect(sourceById(list, '__proto__')).toBeUndefined();
  });

  it('answers from the list it is given: a replaced list is indexed afresh', () => {
    const before = sources('a', 'b');
    const removed = before[1]!;
    expect(sourceById(before, removed.id)).toBe(removed);
    const after = before.filter((s) => s !== removed);
    expect(sourceById(after, removed.id)).toBeUndefined();
    expect(sourceById(before, removed.id)).toBe(removed);
  });

  it('keeps the first of two sources with the same id, as a scan would', () => {
    const [a, b] = sources('a', 'b');
    const twin: Source = { ...b!, id: a!.id };
    expect(sourceById([a!, twin], a!.id)).toBe(a);
  });
});
