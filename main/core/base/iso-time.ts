/**
 * ISO 8601 times, as the history and the lines write them, made cheaply: formatting a date is costly in V8 (a
 * printf underneath), and one hook asks for the same few instants several times (when it arrived, its decision,
 * its notification; a provider's epoch seconds repeated across a burst), so the latest few are remembered. And
 * comparing two times Crashbell wrote needs no parsing: canonical UTC text (`2026-12-07T01:12:34.567Z`) sorts as the
 * instants do.
 */

const SIZE = 8;
const msRing: number[] = new Array<number>(SIZE).fill(Number.NaN);
const isoRing: string[] = new Array<string>(SIZE).fill('');
let next = 0;

/** `new Date(ms).toISOString()`, remembering the latest few. Throws like it for a time out of range. */
export function isoOf(ms: number): string {
  for (let i = 0; i < SIZE; i++) if (msRing[i] === ms) return isoRing[i]!;
  const iso = new Date(ms).toISOString();
  msRing[next] = ms;
  isoRing[next] = iso;
  next = (next + 1) % SIZE;
  return iso;
}

/** True for `YYYY-MM-DDTHH:mm:ss.sssZ`, the form `toISOString` writes (for years 0 to 9999). */
function canonical(s: string): boolean {
  return s.length === 24 && s.charCodeAt(23) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(19) === 46 /* . */;
}

/**
 * Compares two ISO 8601 times: negative when `a` is earlier, positive when later, 0 when the same. Both in the
 * canonical form: compared as text; otherwise parsed (an unparsable time compares as NaN: neither earlier nor later).
 */
export function compareIso(a: string, b: string): number {
  if (canonical(a) && canonical(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Date.parse(a) - Date.parse(b);
}
