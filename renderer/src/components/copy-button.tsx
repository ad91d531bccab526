/**
 * Copying a value to the clipboard through main, with a short-lived "Copied" (or why not) on the button.
 */
import { useEffect, useRef, useState } from 'react';
import { copy, errorMessage } from '../api';

/** A "Copied" flag that clears itself. */
function useFlash(ms = 1600): [string | null, (text: string) => void] {
  const [flash, setFlash] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return [
    flash,
    (text: string) => {
      setFlash(text);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setFlash(null), ms);
    },
  ];
}

/** A copy button for any text; `what` tells main when it is a webhook URL (to remember it). */
export function CopyButton({
  text,
  label,
  what,
  className = 'btn btn-small',
}: {
  text: string;
  label: string;
  what?: { sourceId?: string; webhookUrl?: boolean };
  className?: string;
}) {
  const [flash, setFlash] = useFlash();
  return (
    <button
      type="button"
      className={className}
      // The visible word ("Copied", "Copy failed") is part of the name, so what is heard is what is seen.
      aria-label={flash ? `${label}: ${flash}` : label}
      onClick={() => {
        copy(text, what ?? {}).then(
          () => setFlash('Copied'),
          (err) => setFlash(`Copy failed: ${errorMessage(err)}`),
        );
      }}
    >
      {flash ?? 'Copy'}
    </button>
  );
}
