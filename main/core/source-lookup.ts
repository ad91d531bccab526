/**
 * Finding a source by id, done for every hook (the receiver, then the inbox's policy). Settings hold the
 * sources as a list; scanning it per request grows with the number of sources, so a Map is built once per
 * list instead. Settings stores replace the list whenever it changes (they never edit it in place), so a
 * list seen before still holds what it held then, and a changed one is simply a new key.
 */
import type { Source } from '../../shared/settings';

const indexes = new WeakMap<readonly Source[], ReadonlyMap<string, Source>>();

/** The source with this id in `sources` (the first one, as `find` would), or undefined. */
export function sourceById(sources: readonly Source[], id: string): Source | undefined {
  let index = indexes.get(sources);
  if (index === undefined) {
    const map = new Map<string, Source>();
    for (const s of sources) if (!map.has(s.id)) map.set(s.id, s);
    indexes.set(sources, map);
    index = map;
  }
  return index.get(id);
}
