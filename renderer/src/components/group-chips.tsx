/** A group's state as chips (Resolved by ana, Snoozed until 17:30, "ana is on it"...): the words are `lib/group-chips.ts`. */
import type { Chip } from '../lib/group-chips';

/** The chips, in order; nothing when there are none. */
export function GroupChips({ chips }: { chips: readonly Chip[] }) {
  return (
    <>
      {chips.map((c) => (
        <span
          key={c.kind}
          className={`chip chip-${c.kind}`}
          title={c.kind === 'test' ? 'Crashbell’s own test event: not counted as an unread error' : undefined}
        >
          {c.text}
        </span>
      ))}
    </>
  );
}
