/**
 * A small, safe JSON path reader for the generic provider's field mapping.
 *
 * Supported: an optional leading `$`, dotted names (`$.error.message`, `error.message`), bracketed names with
 * quotes (`$['key with spaces']`, `$["a.b"]`) and array indexes (`$.frames[0]`, `$.frames[-1]` for the last;
 * `items.0` also indexes an array). No filters, wildcards or script expressions: a mapping names exactly one
 * value, and nothing in a path is ever evaluated as code. Only own properties are read, so `__proto__` or
 * `constructor` find nothing.
 */

/** One step of a path: an object key or an array index. */
export type PathSegment = { key: string } | { index: number };

export type PathParse = { ok: true; segments: PathSegment[] } | { ok: false; error: string };

/** Longest path accepted; a mapping is typed by a person. */
const MAX_PATH = 500;

const NAME_CHAR = /[^.[\]\s]/;

/** Parses a path into segments, or says what is wrong with it. */
export function parseJsonPath(path: string): PathParse {
  if (typeof path !== 'string') return { ok: false, error: 'the path is not text' };
  const text = path.trim();
  if (text === '') return { ok: false, error: 'the path is empty' };
  if (text.length > MAX_PATH) return { ok: false, error: `the path is longer than ${MAX_PATH} characters` };
  const segments: PathSegment[] = [];
  let i = 0;
  if (text[0] === '$') {
    i = 1;
  } else {
    // A bare first name: "error.message" reads as "$.error.message".
    const end = scanName(text, 0);
    if (end === 0) return { ok: false, error: `unexpected "${text[0]}" at the start` };
    segments.push(nameSegment(text.slice(0, end)));
    i = end;
  }
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      const end = scanName(text, i + 1);
      if (end === i + 1) return { ok: false, error: `expected a name after "." at position ${i + 1}` };
      segments.push(nameSegment(text.slice(i + 1, end)));
      i = end;
    } else if (c === '[') {
      const q = text[i + 1];
      if (q === "'" || q === '"') {
        let j = i + 2;
        let name = '';
        while (j < text.length && text[j] !== q) {
          if (text[j] === '\\' && j + 1 < text.length) {
            name += text[j + 1];
            j += 2;
          } else {
            name += text[j];
            j += 1;
          }
        }
        if (j >= text.length) return { ok: false, error: `unclosed quote starting at position ${i + 1}` };
        if (text[j + 1] !== ']') return { ok: false, error: `expected "]" after the quoted name at position ${j + 1}` };
        segments.push({ key: name });
        i = j + 2;
      } else {
        const close = text.indexOf(']', i);
        if (close < 0) return { ok: false, error: `unclosed "[" at position ${i}` };
        const inner = text.slice(i + 1, close).trim();
        if (!/^-?\d{1,9}$/.test(inner)) {
          return { ok: false, error: `"[${inner}]" is not an array index; quote names as ['name']` };
        }
        segments.push({ index: Number(inner) });
        i = close + 1;
      }
    } else {
      return { ok: false, error: `unexpected "${c}" at position ${i}` };
    }
  }
  return { ok: true, segments };
}

function scanName(text: string, start: number): number {
  let j = start;
  while (j < text.length && NAME_CHAR.test(text[j]!)) j += 1;
  return j;
}

function nameSegment(name: string): PathSegment {
  return { key: name };
}

function hasOwn(object: object, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** Follows parsed segments through a JSON value; `undefined` when any step finds nothing. */
export function readSegments(value: unknown, segments: readonly PathSegment[]): unknown {
  let current: unknown = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if ('index' in segment) {
      if (!Array.isArray(current)) return undefined;
      const at = segment.index < 0 ? current.length + segment.index : segment.index;
      current = at >= 0 && at < current.length ? current[at] : undefined;
    } else if (Array.isArray(current)) {
      // "items.0": a numeric name indexes an array.
      if (!/^\d{1,9}$/.test(segment.key)) return undefined;
      const at = Number(segment.key);
      current = at < current.length ? current[at] : undefined;
    } else {
      current = hasOwn(current, segment.key) ? (current as Record<string, unknown>)[segment.key] : undefined;
    }
  }
  return current;
}

/** Reads one path from a JSON value: the value (possibly `undefined` when absent), or the path's error. */
export function readJsonPath(value: unknown, path: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const parsed = parseJsonPath(path);
  if (!parsed.ok) return parsed;
  return { ok: true, value: readSegments(value, parsed.segments) };
}
