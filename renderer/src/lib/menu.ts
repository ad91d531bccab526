/**
 * The keyboard of a menu button (WAI-ARIA Authoring Practices, "Menu Button" and "Menu" patterns) as pure
 * functions: which keys open the menu and on which item, and how the keys move, choose or close inside it.
 * `components/menu-button.tsx` applies them.
 */

/** What a key on the closed menu's button does: open it with focus on the first or the last item, or nothing. */
export function buttonKey(key: string): 'first' | 'last' | null {
  switch (key) {
    case 'ArrowDown':
    case 'Enter':
    case ' ':
      return 'first';
    case 'ArrowUp':
      return 'last';
    default:
      return null;
  }
}

/** What a key inside the open menu does. */
export type MenuStep =
  /** Focus the item at `index`. */
  | { type: 'move'; index: number }
  /** Choose the focused item. */
  | { type: 'choose' }
  /** Close; `refocus`: focus goes back to the button (Escape), else it moves on with the key (Tab). */
  | { type: 'close'; refocus: boolean };

/** The step a key asks for from item `index` of `count`, or null when the menu ignores it. Arrows wrap around. */
export function menuKey(key: string, index: number, count: number): MenuStep | null {
  if (count <= 0) return key === 'Escape' ? { type: 'close', refocus: true } : null;
  switch (key) {
    case 'ArrowDown':
      return { type: 'move', index: (index + 1) % count };
    case 'ArrowUp':
      return { type: 'move', index: (index - 1 + count) % count };
    case 'Home':
      return { type: 'move', index: 0 };
    case 'End':
      return { type: 'move', index: count - 1 };
    case 'Enter':
    case ' ':
      return { type: 'choose' };
    case 'Escape':
      return { type: 'close', refocus: true };
    case 'Tab':
      return { type: 'close', refocus: false };
    default:
      return null;
  }
}
