/** The team relay's state and test results in the window's words (the card's form is `relay-form.ts`). */
import type { RelayState, RelayTestResult } from '../../../shared/events';

/** How the relay's status pill is coloured. */
export type Tone = 'ok' | 'busy' | 'off' | 'bad';

/** The pill and the line under it. */
export function relaySummary(state: RelayState | undefined): { label: string; detail: string | null; tone: Tone } {
  if (!state) return { label: 'Off', detail: 'This Crashbell runs without the team relay.', tone: 'off' };
  const retry = state.retryAt ? ` Retrying at ${new Date(state.retryAt).toLocaleTimeString()}.` : '';
  switch (state.status) {
    case 'off':
      return { label: 'Off', detail: state.reason, tone: 'off' };
    case 'connecting':
      return { label: 'Connecting…', detail: state.reason, tone: 'busy' };
    case 'connected':
      return { label: 'Connected', detail: state.server ? `Connected to ${state.server}` : null, tone: 'ok' };
    case 'disconnected':
      return { label: 'Disconnected', detail: state.reason, tone: 'busy' };
    case 'error': {
      // The reason may end in "Retrying" (headless prints it alone); here the time says it.
      const reason = (state.reason ?? 'The relay failed').replace(/\.? Retrying$/, '');
      return { label: 'Error', detail: `${reason}.${retry}`.replace(/\.\./g, '.'), tone: 'bad' };
    }
  }
}

/** "3 events behind" / "Up to date" / null when not known. */
export function lagText(state: RelayState | undefined): string | null {
  const sub = state?.subscriber;
  if (!sub || sub.lag === null) return null;
  if (sub.lag === 0) return `Up to date (stream sequence ${sub.ingested})`;
  return `${sub.lag} event${sub.lag === 1 ? '' : 's'} behind (read ${sub.ingested} of ${sub.newest ?? '?'})`;
}

/** "2 already in the stream" (publishes JetStream answered as duplicates). */
export function duplicatesText(n: number): string {
  return `${n} already in the stream (sent again)`;
}

/** Hooks set aside because NATS refuses them, the newest named with why. */
export function parkedText(count: number, last: NonNullable<NonNullable<RelayState['gateway']>['lastParked']>): string {
  const what = last.title ? `“${last.title}”` : `hook ${last.seq}`;
  if (count <= 1) return `Not forwarded: ${what} cannot be sent to the team: ${last.reason}. The hooks after it were forwarded.`;
  return `Not forwarded: ${count} hooks cannot be sent to the team, the last ${what}: ${last.reason}. The hooks after them were forwarded.`;
}

/** What Test relay found, in one sentence. */
export function testText(r: RelayTestResult): string {
  return r.seq !== null && r.ok && r.roundTripMs !== null ? `${r.reason} (stream sequence ${r.seq}).` : `${r.reason}.`;
}
