/**
 * Small shared pieces: provider badge, empty/loading/error states, copy-able values, bar charts.
 * Every payload string is rendered as a React text child, so it is escaped, never parsed as HTML.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { AttributeHistogram, ProviderId } from '../../../shared/events';
import { copy, errorMessage } from '../api';
import { maskSecret } from '../lib/format';
import { useProviderLook } from '../lib/providers';

/** The provider's two-letter mark on its colour, both from main's registry. */
export function ProviderBadge({ provider, size = 'md' }: { provider: ProviderId; size?: 'sm' | 'md' }) {
  const look = useProviderLook()(provider);
  return (
    // A style property set through the DOM, which the page's CSP (style-src 'self') allows.
    <span
      className={`provider-badge badge-${size}`}
      style={{ backgroundColor: look.mark.color }}
      title={look.name}
      aria-label={look.name}
      role="img"
    >
      {look.mark.text}
    </span>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span className="spinner" role="status" aria-label={label}>
      <span aria-hidden="true" className="spinner-dot" />
    </span>
  );
}

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

/** An error box with an optional retry. */
export function ErrorBox({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

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
      aria-label={label}
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

/** One value to paste somewhere: label, the value (masked when secret, with reveal), copy button. */
export function CopyField({
  label,
  value,
  secret = false,
  what,
}: {
  label: string;
  value: string;
  secret?: boolean;
  what?: { sourceId?: string; webhookUrl?: boolean };
}) {
  const [revealed, setRevealed] = useState(false);
  const shown = secret && !revealed ? maskSecret(value) : value;
  return (
    <div className="copy-field">
      <span className="copy-label">{label}</span>
      <code className="copy-value" data-secret={secret && !revealed ? 'masked' : undefined}>
        {shown}
      </code>
      <span className="copy-actions">
        {secret && (
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label={`${revealed ? 'Hide' : 'Reveal'} ${label}`}
            aria-pressed={revealed}
            onClick={() => setRevealed((r) => !r)}
          >
            {revealed ? 'Hide' : 'Reveal'}
          </button>
        )}
        <CopyButton text={value} label={`Copy ${label}`} what={what} />
      </span>
    </div>
  );
}

/** A small horizontal bar chart of one attribute histogram (value, count). */
export function HistogramChart({ name, histogram }: { name: string; histogram: AttributeHistogram }) {
  const rows = [...histogram].sort((a, b) => b[1] - a[1]).slice(0, 8);
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const total = histogram.reduce((s, r) => s + r[1], 0);
  return (
    <figure className="histogram" aria-label={`${name} histogram`}>
      <figcaption>{name}</figcaption>
      <ul>
        {rows.map(([value, count], i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a static list whose entries may repeat and never move
          <li key={`${value}-${i}`} className="histogram-row">
            <span className="histogram-value" title={value}>
              {value}
            </span>
            <span className="histogram-track" aria-hidden="true">
              <span className="histogram-bar" style={{ width: `${Math.max(2, (count / max) * 100)}%` }} />
            </span>
            <span className="histogram-count">
              {count.toLocaleString('en-US')}
              {total > 0 && <span className="muted"> · {Math.round((count / total) * 100)}%</span>}
            </span>
          </li>
        ))}
      </ul>
      {histogram.length > rows.length && <p className="muted small">and {histogram.length - rows.length} more</p>}
    </figure>
  );
}

/** A labelled on/off switch backed by a checkbox (keyboard and screen readers get a real control). */
export function Toggle({
  label,
  checked,
  onChange,
  hint,
  disabled,
}: {
  label: string;
  checked: boolean;
  onChange: (next: boolean) => void;
  hint?: string;
  disabled?: boolean;
}) {
  return (
    <label className="toggle">
      <input
        type="checkbox"
        role="switch"
        aria-checked={checked}
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <span className="toggle-track" aria-hidden="true">
        <span className="toggle-thumb" />
      </span>
      <span className="toggle-text">
        <span>{label}</span>
        {hint && <span className="muted small">{hint}</span>}
      </span>
    </label>
  );
}
