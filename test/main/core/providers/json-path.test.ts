import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonPath, readJsonPath } from '../../../../main/core/providers/json-path';

const body = {
  error: { id: 42, message: 'boom', frames: [{ fn: 'a' }, { fn: 'b' }], 'key with space': 'yes', 'a.b': 'dotted' },
  items: ['x', 'y'],
};

describe('json path', () => {
  it('reads dotted, bracketed and indexed paths, with or without $', () => {
    expect(readJsonPath(body, '$.error.message')).toEqual({ ok: true, value: 'boom' });
    expect(readJsonPath(body, 'error.id')).toEqual({ ok: true, value: 42 });
    expect(readJsonPath(body, '$.error.frames[1].fn')).toEqual({ ok: true, value: 'b' });
    expect(readJsonPath(body, '$.error.frames[-1].fn')).toEqual({ ok: true, value: 'b' });
    expect(readJsonPath(body, "$.error['key with space']")).toEqual({ ok: true, value: 'yes' });
    expect(readJsonPath(body, '$.error["a.b"]')).toEqual({ ok: true, value: 'dotted' });
    expect(readJsonPath(body, 'items.0')).toEqual({ ok: true, value: 'x' });
    expect(readJsonPath(body, '$')).toEqual({ ok: true, value: body });
  });

  it('finds nothing (undefined) for absent paths and inherited properties', () => {
    expect(readJsonPath(body, '$.error.nope')).toEqual({ ok: true, value: undefined });
    expect(readJsonPath(body, '$.items[5]')).toEqual({ ok: true, value: undefined });
    expect(readJsonPath(body, '$.error.message.length')).toEqual({ ok: true, value: undefined });
    expect(readJsonPath(body, '$.__proto__')).toEqual({ ok: true, value: undefined });
    expect(readJsonPath(body, '$.error.constructor')).toEqual({ ok: true, value: undefined });
  });

  it('says what is wrong with a bad path', () => {
    for (const bad of ['', '$.', '$[', "$['open", '$[*]', '$..a', 'a b', '$.a[?(@.x)]']) {
      const parsed = parseJsonPath(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.error.length).toBeGreaterThan(0);
    }
  });

  it('never throws, whatever the path and the value', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.jsonValue(), (path, value) => {
        expect(() => readJsonPath(value, path)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
