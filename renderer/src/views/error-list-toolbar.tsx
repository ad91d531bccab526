/**
 * The errors list's toolbar: the search box and the filters by source, provider and mark.
 */
import type { RefObject } from 'react';
import type { SourceView } from '../../../shared/ipc';
import type { ListFilters } from '../lib/group-list';
import { useProviderLook } from '../lib/providers';
import type { GroupList } from '../lib/use-group-list';

/** The mark filters, in the order shown. */
const MARK_FILTERS = [
  ['unread', 'Unread'],
  ['muted', 'Muted'],
  ['resolved', 'Resolved'],
] as const satisfies ReadonlyArray<readonly [keyof ListFilters, string]>;

/** What the toolbar shows and sets. */
export interface ErrorListToolbarProps {
  list: GroupList;
  sources: readonly SourceView[];
  /** The list, which ↓ in the search box moves the focus to. */
  listRef: RefObject<HTMLDivElement | null>;
}

/** The search box and the filters above the errors list. */
export function ErrorListToolbar({ list, sources, listRef }: ErrorListToolbarProps) {
  const lookProvider = useProviderLook();
  const { filters, setFilters } = list;
  const providers = [...new Set(sources.map((s) => s.provider))];
  return (
    <div className="toolbar">
      <input
        type="search"
        className="search"
        placeholder="Search title, app, environment, version, browser, source…"
        aria-label="Search errors"
        value={list.searchText}
        onChange={(e) => list.setSearchText(e.currentTarget.value)}
        onKeyDown={(e) => {
          // From the search box straight into the results.
          if (e.key === 'ArrowDown' && list.rows.length > 0) {
            e.preventDefault();
            list.enter();
            listRef.current?.focus();
          }
        }}
      />
      <div className="filters" role="group" aria-label="Filters">
        <select
          aria-label="Filter by source"
          value={filters.sourceId}
          onChange={(e) => setFilters({ ...filters, sourceId: e.currentTarget.value })}
        >
          <option value="">All sources</option>
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Filter by provider"
          value={filters.provider}
          onChange={(e) => setFilters({ ...filters, provider: e.currentTarget.value })}
        >
          <option value="">All providers</option>
          {providers.map((p) => (
            <option key={p} value={p}>
              {lookProvider(p).name}
            </option>
          ))}
        </select>
        {MARK_FILTERS.map(([k, label]) => (
          <button
            key={k}
            type="button"
            className="chip-toggle"
            aria-pressed={filters[k]}
            onClick={() => setFilters({ ...filters, [k]: !filters[k] })}
          >
            {label}
          </button>
        ))}
      </div>
    </div>
  );
}
