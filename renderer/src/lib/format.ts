/**
 * Small pure formatters for the window: relative times, counts, payload text.
 * Kept apart from components so they are tested without a DOM.
 */
import type { AgentPart, TunnelState } from '../../../shared/events';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "2 d ago", else the local date. Future times read as "just now". */
export function relativeTime(iso: string | null, nowMs: number): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return 'unknown';
  const diff = nowMs - t;
  if (diff < 45_000) return 'just now';
  if (diff < HOUR) return `${Math.max(1, Math.round(diff / MINUTE))} min ago`;
  if (diff < DAY) return `${Math.round(diff / HOUR)} h ago`;
  if (diff < 30 * DAY) return `${Math.round(diff / DAY)} d ago`;
  return new Date(t).toLocaleDateString();
}

/** A local time of day in the user's own clock format ("09:07", "9:07 AM"). */
export function localClock(d: Date): string {
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** A full local date and time for tooltips and the detail view. */
export function absoluteTime(iso: string | null): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toLocaleString() : iso;
}

/** "1 occurrence", "1,234 occurrences". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Compact counts for narrow columns: 999, 1.2k, 34k, 1.2M. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

/** "Chrome 120", "Android", or null when nothing is known. */
export function agentText(part: AgentPart | null): string | null {
  if (!part?.name) return null;
  return part.version ? `${part.name} ${part.version}` : part.name;
}

/**
 * Pretty-prints a body for display. JSON is re-indented; anything else is returned as it came.
 * The result is always shown as text (never as HTML).
 */
export function prettyBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return '';
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return body;
  }
}

/** Pretty JSON of an already parsed value (the group's latest raw body). */
export function prettyValue(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** "•••••••• (32 characters)" so the user can tell a value is there without seeing it. */
export function maskSecret(value: string): string {
  if (value === '') return '(empty)';
  return '•'.repeat(Math.min(16, value.length));
}

/** The tunnel settings that tell a tunnel turned off from one waiting to start. */
export interface TunnelChoice {
  enabled: boolean;
  hasAuthtoken: boolean;
}

/**
 * Plain words for the tunnel's state, and a tone for its badge. With the settings, an "off" state says why in
 * the switch's terms: a tunnel the user turned on is never called "Off" (it waits for an authtoken, or starts).
 */
export function tunnelSummary(
  state: TunnelState,
  choice: TunnelChoice | null = null,
): { label: string; detail: string | null; tone: 'ok' | 'busy' | 'off' | 'bad' } {
  if (state.status === 'off' && choice?.enabled) {
    return choice.hasAuthtoken
      ? { label: 'Starting…', detail: null, tone: 'busy' }
      : { label: 'Needs an authtoken', detail: state.reason, tone: 'busy' };
  }
  switch (state.status) {
    case 'online':
      return { label: 'Online', detail: state.url, tone: 'ok' };
    case 'connecting':
      return {
        label: 'Connecting…',
        detail: state.attempt > 1 ? `attempt ${state.attempt}` : null,
        tone: 'busy',
      };
    case 'off':
      return { label: 'Off', detail: state.reason, tone: 'off' };
    case 'error': {
      const retry = state.retryAt ? ` Retrying at ${new Date(state.retryAt).toLocaleTimeString()}.` : '';
      const code = state.code ? ` (${state.code})` : '';
      return { label: 'Error', detail: `${state.reason}${code}.${retry}`.replace(/\.\./g, '.'), tone: 'bad' };
    }
  }
}

/** HTTP status tone for the inspector. */
export function statusTone(status: number): 'ok' | 'warn' | 'bad' {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 500 || status === 0) return 'bad';
  return 'warn';
}
