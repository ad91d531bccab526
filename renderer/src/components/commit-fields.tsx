/**
 * Inputs for settings that are saved as they change. A number or text commits on blur or Enter, so typing "1" on
 * the way to "100" saves nothing; a time commits when a whole one is picked.
 */
import { useEffect, useState } from 'react';

/** A number input that commits on blur or Enter; an empty or non-numeric entry goes back to the saved value. */
export function NumberField({
  label,
  value,
  min,
  step,
  onCommit,
}: {
  label: string;
  value: number;
  min: number;
  step: number;
  onCommit: (v: number) => void;
}) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const commit = () => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) {
      setText(String(value));
      return;
    }
    if (n !== value) onCommit(n);
  };
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        inputMode="numeric"
        min={min}
        step={step}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </label>
  );
}

/** A text input that commits on blur or Enter, when its text changed. */
export function TextField({
  label,
  hint,
  value,
  onCommit,
}: {
  label: string;
  hint?: string;
  value: string;
  onCommit: (v: string) => void;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const commit = () => text !== value && onCommit(text);
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="text"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
      {hint && <span className="muted small">{hint}</span>}
    </label>
  );
}

/** A time of day ("22:00") that commits each whole time picked. */
export function TimeField({ label, value, onCommit }: { label: string; value: string; onCommit: (v: string) => void }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="time"
        value={value}
        onChange={(e) => e.currentTarget.value && e.currentTarget.value !== value && onCommit(e.currentTarget.value)}
      />
    </label>
  );
}
