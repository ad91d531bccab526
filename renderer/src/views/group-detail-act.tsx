/**
 * The detail pane's actions on the crash itself, beside the pane's own (`group-detail-actions.tsx`): Resolve (or
 * Reopen), Resolve in next release, Snooze ▾, Ignore, Assign to me, Claim (or Release), each made in the provider
 * when it can, else here only, with why under the row; and what the last action came to, pending, done or failed in
 * the provider's words. The rules are `lib/group-actions.ts`; running them is `lib/use-group-action.ts`.
 */
import { type RefObject, useEffect, useId, useRef, useState } from 'react';
import type { GroupAction, ProviderActionsInfo } from '../../../shared/actions';
import type { GroupDetail } from '../../../shared/ipc';
import { MenuButton } from '../components/menu-button';
import {
  type ActionButton,
  type ActionContext,
  type ActionNote,
  type ActionStatus,
  actionButtons,
  actionNotes,
  noteWords,
  offersOccurrences,
  parseOccurrences,
  pendingWords,
  SNOOZE_CHOICES_MINUTES,
} from '../lib/group-actions';
import type { GroupActionModel } from '../lib/use-group-action';

/** What the row acts on. */
export interface GroupActProps {
  group: GroupDetail;
  provider: string;
  info: ProviderActionsInfo | undefined;
  resolveInProvider: boolean;
  actions: GroupActionModel;
  now: number;
}

/** The row, the notes on why some actions stay here, the occurrences form, and the last action's status. */
export function GroupAct({ group, provider, info, resolveInProvider, actions, now }: GroupActProps) {
  const id = useId();
  const ctx: ActionContext = { provider, info, resolveInProvider, now };
  const buttons = actionButtons(group, ctx);
  const notes = actionNotes(buttons, id);
  const container = useRef<HTMLDivElement>(null);
  const first = useRef<HTMLButtonElement>(null);
  const snoozeButton = useRef<HTMLButtonElement>(null);
  const [askingCount, setAskingCount] = useState(false);
  useFocusKept(container, first);
  const run = (b: ActionButton, action: GroupAction) => {
    if (actions.busy) return;
    void actions.run(action, pendingWords(action, b.inProvider, provider));
  };
  const described = (b: ActionButton) => notes.find((n) => n.here.includes(b.label) || n.nowhere.includes(b.label))?.id;
  return (
    <div ref={container} className="act">
      <div className="detail-actions" role="group" aria-label={`Act on this error (${provider})`}>
        {buttons.map((b, i) =>
          b.kind === 'snooze' ? (
            <SnoozeMenu
              key="snooze"
              b={b}
              ctx={ctx}
              buttonRef={snoozeButton}
              describedBy={described(b)}
              busy={actions.busy}
              onRun={run}
              onCount={() => setAskingCount(true)}
            />
          ) : (
            <button
              // Resolve and Reopen share the first place, Claim and Release theirs: the element stays, and focus with it.
              key={i === 0 ? 'first' : b.kind === 'release' ? 'claim' : b.kind}
              ref={i === 0 ? first : undefined}
              type="button"
              className="btn"
              disabled={!b.enabled}
              aria-disabled={actions.busy || undefined}
              aria-describedby={described(b)}
              onClick={() => run(b, { kind: b.kind } as GroupAction)}
            >
              {b.label}
            </button>
          ),
        )}
      </div>
      {askingCount && (
        <OccurrencesForm
          onSnooze={(count) => {
            setAskingCount(false);
            snoozeButton.current?.focus();
            const b = buttons.find((x) => x.kind === 'snooze');
            if (b) run(b, { kind: 'snooze-occurrences', count });
          }}
          onCancel={() => {
            setAskingCount(false);
            snoozeButton.current?.focus();
          }}
        />
      )}
      <ActionNotes notes={notes} provider={provider} />
      <ActionStatusLine status={actions.status} />
    </div>
  );
}

/** Snooze ▾: 1 h, 8 h, 24 h, and until N more occurrences where the provider has it. */
function SnoozeMenu(props: {
  b: ActionButton;
  ctx: ActionContext;
  buttonRef: RefObject<HTMLButtonElement | null>;
  describedBy: string | undefined;
  busy: boolean;
  onRun: (b: ActionButton, action: GroupAction) => void;
  onCount: () => void;
}) {
  const { b, onRun } = props;
  const choices = SNOOZE_CHOICES_MINUTES.map((minutes) => ({
    id: String(minutes),
    label: `For ${minutes / 60} hour${minutes === 60 ? '' : 's'}`,
    onChoose: () => onRun(b, { kind: 'snooze', minutes }),
  }));
  if (offersOccurrences(props.ctx)) choices.push({ id: 'count', label: 'Until more occurrences…', onChoose: props.onCount });
  return <MenuButton label="Snooze" choices={choices} buttonRef={props.buttonRef} describedBy={props.describedBy} busy={props.busy} />;
}

/** "Snooze until N more occurrences": a count, checked before anything is sent. Escape cancels. */
function OccurrencesForm({ onSnooze, onCancel }: { onSnooze: (count: number) => void; onCancel: () => void }) {
  const [text, setText] = useState('100');
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <form
      className="inline-form"
      aria-label="Snooze until more occurrences"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        onCancel();
      }}
      onSubmit={(e) => {
        e.preventDefault();
        const parsed = parseOccurrences(text);
        if (parsed.ok) onSnooze(parsed.count);
        else setProblem(parsed.problem);
      }}
    >
      <label className="field field-inline">
        <span>More occurrences</span>
        <input
          ref={input}
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <button type="submit" className="btn btn-small">
        Snooze
      </button>
      <button type="button" className="btn btn-small" onClick={onCancel}>
        Cancel
      </button>
      {problem && (
        <p className="error-text" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

/** One line per reason some actions do not reach the provider: which stay here, which cannot be done, and why. */
function ActionNotes({ notes, provider }: { notes: readonly ActionNote[]; provider: string }) {
  if (notes.length === 0) return null;
  return (
    <ul className="act-notes small">
      {notes.map((n) => {
        const words = noteWords(n, provider);
        return (
          <li key={n.id} id={n.id}>
            <strong>{words.lead}</strong>: {words.why}
          </li>
        );
      })}
    </ul>
  );
}

/** What the last action came to: pending (with a spinner), done, or failed (an alert: nothing changed). */
function ActionStatusLine({ status }: { status: ActionStatus | null }) {
  const failed = status?.state === 'failed';
  return (
    <>
      <div className="act-status" role="status">
        {status && !failed && (
          <p className={status.state === 'done' ? 'notice' : 'act-pending'}>
            {status.state === 'pending' && <span className="spinner-dot" aria-hidden="true" />} {status.words}
          </p>
        )}
      </div>
      <div className="act-status" role="alert">
        {status && failed && <p className="error-text">{status.words.replace(/\.?$/, '.')} Nothing was changed.</p>}
      </div>
    </>
  );
}

/** Focus is nowhere in particular: on the page itself. */
function focusOnBody(): boolean {
  return document.activeElement === document.body || document.activeElement === null;
}

/**
 * Keeps the keyboard in the row when the focused button leaves it (Ignore, once the group is ignored): focus goes
 * to the row's first button instead of the page.
 */
function useFocusKept(container: RefObject<HTMLElement | null>, fallback: RefObject<HTMLElement | null>): void {
  const inside = useRef(false);
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const focusIn = () => {
      inside.current = true;
    };
    const focusOut = (e: FocusEvent) => {
      const next = e.relatedTarget as Node | null;
      if (next && el.contains(next)) return;
      if (next) {
        inside.current = false;
        return;
      }
      // No new focus: the user clicked away (the button is still there), or the focused button left the row.
      const left = e.target as Node;
      setTimeout(() => {
        if (!left.isConnected && focusOnBody()) fallback.current?.focus();
        else if (left.isConnected) inside.current = false;
      }, 0);
    };
    el.addEventListener('focusin', focusIn);
    el.addEventListener('focusout', focusOut);
    return () => {
      el.removeEventListener('focusin', focusIn);
      el.removeEventListener('focusout', focusOut);
    };
  }, [container, fallback]);
  // A browser that fires no event when the focused element is removed: the render that removed it puts focus back.
  useEffect(() => {
    if (inside.current && focusOnBody()) fallback.current?.focus();
  });
}
