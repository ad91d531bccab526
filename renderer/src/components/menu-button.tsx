/**
 * A menu button (WAI-ARIA "Menu Button"): a button that opens a menu of choices. Enter, Space or ↓ open it on the
 * first choice, ↑ on the last; inside, ↑/↓ move (wrapping), Home/End jump, Enter or Space choose, Escape closes;
 * focus goes back to the button after a choice or Escape. A click outside closes it. The keys are `lib/menu.ts`.
 */
import { type KeyboardEvent, type RefObject, useEffect, useId, useRef, useState } from 'react';
import { buttonKey, menuKey } from '../lib/menu';

/** One choice of the menu. */
export interface MenuChoice {
  id: string;
  label: string;
  onChoose: () => void;
}

/** What the menu button shows and offers. */
export interface MenuButtonProps {
  /** The button's words ("Snooze"); a ▾ follows, hidden from assistive technology (aria-haspopup says it). */
  label: string;
  choices: readonly MenuChoice[];
  /** The button's element, for the caller to focus (after a form the menu opened closes). */
  buttonRef?: RefObject<HTMLButtonElement | null>;
  /** Ids of the elements that describe the button (why it acts here only). */
  describedBy?: string | undefined;
  /** Looks unavailable and opens nothing (an action is under way), yet keeps its place in the tab order. */
  busy?: boolean;
  className?: string;
}

/** The menu button (see the module comment). */
export function MenuButton({ label, choices, buttonRef, describedBy, busy = false, className = 'btn' }: MenuButtonProps) {
  const id = useId();
  const ownRef = useRef<HTMLButtonElement>(null);
  const button = buttonRef ?? ownRef;
  const [open, setOpen] = useState<null | 'first' | 'last'>(null);
  const close = (refocus: boolean) => {
    setOpen(null);
    if (refocus) button.current?.focus();
  };
  const onButtonKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const at = buttonKey(e.key);
    if (!at || busy) return;
    e.preventDefault();
    setOpen(at);
  };
  return (
    <span className="menu-anchor">
      <button
        ref={button}
        id={`${id}-button`}
        type="button"
        className={className}
        aria-haspopup="menu"
        aria-expanded={open !== null}
        aria-controls={open !== null ? `${id}-menu` : undefined}
        aria-describedby={describedBy}
        aria-disabled={busy || undefined}
        onKeyDown={onButtonKey}
        onClick={() => !busy && setOpen(open === null ? 'first' : null)}
      >
        {label} <span aria-hidden="true">▾</span>
      </button>
      {open !== null && (
        <Menu id={`${id}-menu`} labelledBy={`${id}-button`} choices={choices} start={open} button={button} onClose={close} />
      )}
    </span>
  );
}

/** The open menu: focus on its first (or last) choice, the keys of `lib/menu.ts`, a click outside closes it. */
function Menu(props: {
  id: string;
  labelledBy: string;
  choices: readonly MenuChoice[];
  start: 'first' | 'last';
  button: RefObject<HTMLButtonElement | null>;
  onClose: (refocus: boolean) => void;
}) {
  const { choices, onClose, button } = props;
  const [active, setActive] = useState(props.start === 'first' ? 0 : choices.length - 1);
  const items = useRef<Array<HTMLButtonElement | null>>([]);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => items.current[active]?.focus(), [active]);
  useEffect(() => {
    const outside = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) onClose(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [onClose, button]);
  const choose = (c: MenuChoice) => {
    onClose(true);
    c.onChoose();
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = menuKey(e.key, active, choices.length);
    if (!step) return;
    if (step.type !== 'close' || step.refocus) e.preventDefault();
    if (step.type === 'move') setActive(step.index);
    else if (step.type === 'choose') choose(choices[active]!);
    else onClose(step.refocus);
  };
  return (
    <div ref={menu} id={props.id} role="menu" aria-labelledby={props.labelledBy} className="menu" tabIndex={-1} onKeyDown={onKey}>
      {choices.map((c, i) => (
        <button
          key={c.id}
          ref={(el) => {
            items.current[i] = el;
          }}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className="menu-item"
          onClick={() => choose(c)}
          onMouseEnter={() => setActive(i)}
        >
          {c.label}
        </button>
      ))}
    </div>
  );
}
