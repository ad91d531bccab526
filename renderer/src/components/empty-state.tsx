/**
 * What a view shows when it has nothing to list yet, or nothing matches.
 */
import type { ReactNode } from 'react';

/** A centred message for empty lists and first use. */
export function EmptyState({ title, children, icon = '◎' }: { title: string; children?: ReactNode; icon?: string }) {
  return (
    <div className="empty-state">
      <div className="empty-icon" aria-hidden="true">
        {icon}
      </div>
      <h2>{title}</h2>
      {children}
    </div>
  );
}
