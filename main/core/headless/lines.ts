/**
 * What headless mode prints for each thing the core reports: one JSON object per line with `--json`, a line
 * of words otherwise. Pure functions of the core's events.
 *
 * Text that came from the internet (a hook's title and description, a request's path, a refusal's reason, a
 * command's output, a server's words) reaches an operator's terminal and journal: human lines pass it through
 * {@link oneLine} (no ESC or OSC sequences, BEL, backspace or bidirectional overrides, and no line break that would
 * forge a line of its own), and JSON lines escape what JSON.stringify leaves raw (see {@link jsonLine}).
 */
import type {
  GroupStateChange,
  NormalizedEvent,
  NotificationRequest,
  RelayState,
  RequestRecord,
  TunnelState,
} from '../../../shared/events';
import type { IngestResult } from '../core';
import { oneLine } from '../plain-text';
import type { DeliveryFailure } from './notify';

/**
 * Characters JSON.stringify writes as they are that a terminal may act on or that reorder what is shown: DEL, the C1
 * controls, bidirectional controls and the line and paragraph separators. They only ever occur inside strings.
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * One JSON line: JSON.stringify's text with {@link UNSAFE_IN_JSON} escaped as `\uXXXX`, so the same value reads back
 * and a terminal showing the line shows only text.
 */
export function jsonLine(value: Record<string, unknown>): string {
  return escapeUnsafe(JSON.stringify(value));
}

function escapeUnsafe(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const DEL = 0x7f;

/**
 * {@link jsonLine} with its newline, as the bytes stdout is sent. Every character {@link UNSAFE_IN_JSON} names is
 * DEL or beyond ASCII, so a line whose bytes are as many as its characters and hold no DEL has none of them: the
 * usual line is encoded once and sent as it is, without a scan for them.
 */
export function jsonLineBytes(value: Record<string, unknown>): Buffer {
  const json = JSON.stringify(value);
  const bytes = Buffer.from(`${json}\n`, 'utf8');
  if (bytes.length === json.length + 1 && bytes.indexOf(DEL) < 0) return bytes;
  return Buffer.from(`${escapeUnsafe(json)}\n`, 'utf8');
}

/**
 * The `received` line: the event without its raw body and the redelivery key, each fact once (`source` is
 * the source id, `occurrences` the group's count), plus what the inbox made of it.
 */
export function receivedLine(event: NormalizedEvent, result: IngestResult): Record<string, unknown> {
  // Written out field by field (a rest spread copies through a slow path on every hook), in the event's order.
  return {
    type: 'received',
    id: event.id,
    provider: event.provider,
    groupKey: event.groupKey,
    title: event.title,
    description: event.description,
    url: event.url,
    urlDerivation: event.urlDerivation,
    hosts: event.hosts,
    guids: event.guids,
    firstSeen: event.firstSeen,
    lastSeen: event.lastSeen,
    receivedAt: event.receivedAt,
    classifiers: event.classifiers,
    attributes: event.attributes,
    callstack: event.callstack,
    application: event.application,
    project: event.project,
    environment: event.environment,
    objectId: event.objectId,
    page: event.page,
    userAgent: event.userAgent,
    browser: event.browser,
    os: event.os,
    isFirstOccurrence: event.isFirstOccurrence,
    lifecycle: event.lifecycle,
    milestone: event.milestone,
    issueRef: event.issueRef,
    test: event.test,
    source: event.sourceId,
    group: result.group.id,
    occurrences: result.group.occurrences,
    isNew: result.isNew,
    duplicate: result.duplicate,
    decision: result.decision,
  };
}

/** The `rejected` line. */
export function rejectedLine(record: RequestRecord): Record<string, unknown> {
  return { type: 'rejected', source: record.sourceId, status: record.status, reason: record.reason };
}

/** The `notification` line. */
export function notificationLine(n: NotificationRequest): Record<string, unknown> {
  return {
    type: 'notification',
    title: n.title,
    body: n.body,
    url: n.url,
    group: n.group,
    digest: n.digest,
    ...(n.groups ? { groups: n.groups } : {}),
  };
}

/**
 * The `group-state` line: `{"type":"group-state","group","status","by","via"}`, plus `inProvider` when an action made
 * the change in the provider too. The command outlet gets the same object on its stdin.
 */
export function groupStateLine(change: GroupStateChange): Record<string, unknown> {
  return {
    type: 'group-state',
    group: change.group,
    status: change.status,
    by: change.by,
    via: change.via,
    ...(change.inProvider ? { inProvider: change.inProvider } : {}),
  };
}

/** The human line for a group-state change; `title` is the group's, when it is still in the history. */
export function groupStateText(change: GroupStateChange, title: string | null): string {
  const what = title ? `${oneLine(title)} (${change.group})` : change.group;
  const by = change.by ? ` by ${oneLine(change.by)}` : '';
  let how: string;
  switch (change.via) {
    case 'crashbell':
      how = `${change.inProvider ? ` in ${oneLine(change.inProvider)}` : ' here'}${by}`;
      break;
    case 'provider':
      how = " by the provider's own state hook";
      break;
    case 'team':
      how = `${by || ' by a teammate'} (team relay)`;
      break;
  }
  return `state     ${change.status}: ${what}${how}`;
}

/** The `relay` line: `{"type":"relay","status","reason"?,"servers"}` (connecting and off are not printed). */
export function relayLine(state: RelayState): Record<string, unknown> | null {
  if (state.status !== 'connected' && state.status !== 'disconnected' && state.status !== 'error') return null;
  return { type: 'relay', status: state.status, ...(state.reason ? { reason: state.reason } : {}), servers: state.servers };
}

/** The human line for a relay state, or null when it is not worth a line. */
export function relayText(state: RelayState): string | null {
  if (state.status !== 'connected' && state.status !== 'disconnected' && state.status !== 'error') return null;
  const roles = [state.publish ? 'gateway' : null, state.subscribe ? 'subscriber' : null].filter(Boolean).join(' + ');
  const head = state.status === 'connected' ? `connected to ${oneLine(state.server ?? state.servers.join(', '))} (${roles})` : state.status;
  return `relay     ${head}${state.reason ? `: ${oneLine(state.reason)}` : ''}`;
}

/** The `caught-up` line, after a subscriber read the stream's backlog. */
export function caughtUpLine(events: number): Record<string, unknown> {
  return { type: 'caught-up', events };
}

/** A source's name for people, from its id (the id itself when it is no longer configured). */
export type SourceNames = (sourceId: string | null) => string | null;

/** The human line for an accepted event. */
export function receivedText(event: NormalizedEvent, result: IngestResult, names: SourceNames): string {
  const state = result.duplicate ? 'redelivery, ignored' : result.isNew ? 'new group' : `${result.group.occurrences} occurrences`;
  const verdict = `${result.decision.notify ? 'notify' : 'quiet'}: ${result.decision.reason}`;
  const from = names(event.sourceId) ?? event.provider;
  const description = event.description ? ` — ${oneLine(event.description)}` : '';
  return `received  [${oneLine(from)}] ${oneLine(event.title)}${description} (${state}; ${oneLine(verdict)})`;
}

/** The human line for a refused request. */
export function rejectedText(record: RequestRecord, names: SourceNames): string {
  const from = record.sourceId === null ? '' : ` [${oneLine(names(record.sourceId) ?? record.sourceId)}]`;
  return `rejected  ${record.status} ${oneLine(record.method)} ${oneLine(record.path)}${from}: ${oneLine(record.reason)}`;
}

/** The human line for a notification. */
export function notificationText(n: NotificationRequest): string {
  return `notify    ${n.digest ? '[digest] ' : ''}${oneLine(n.title)}: ${oneLine(n.body)}${n.url ? ` <${oneLine(n.url)}>` : ''}`;
}

/** The stderr line for what an outlet could not deliver (the reason may quote a command's output). */
export function deliveryFailureText(failure: DeliveryFailure): string {
  const what = failure.notification
    ? `"${oneLine(failure.notification.title)}"`
    : `the group-state change ${failure.change.status} of ${failure.change.group}`;
  return `crashbell: warning: ${failure.via} could not deliver ${what}: ${oneLine(failure.reason)}`;
}

/** The `notify-failed` line: the notification's group, digest and title, or the group-state change's group and status. */
export function deliveryFailureLine(failure: DeliveryFailure): Record<string, unknown> {
  const { via, reason } = failure;
  if (failure.notification) {
    const n = failure.notification;
    return { type: 'notify-failed', via, group: n.group, digest: n.digest, title: n.title, reason };
  }
  return { type: 'notify-failed', via, group: failure.change.group, status: failure.change.status, reason };
}

/** A source's webhook URL as headless mode lists it. */
export interface SourceUrl {
  id: string;
  provider: string;
  url: string;
}

/** The `tunnel` line: the tunnel's state as is, and while online each source's public webhook URL. */
export function tunnelLine(state: TunnelState, publicUrls: readonly SourceUrl[]): Record<string, unknown> {
  return { type: 'tunnel', ...state, ...(state.status === 'online' ? { sources: publicUrls } : {}) };
}

/**
 * The human lines for a tunnel state: online with each source's public webhook URL (`label` names the source),
 * or why not and what happens next. `fix` is headless mode's own advice for a state that will not fix itself.
 */
export function tunnelText(
  state: TunnelState,
  publicUrls: ReadonlyArray<{ label: string; url: string }>,
  fix: string | null,
  now: number = Date.now(),
): string[] {
  switch (state.status) {
    case 'connecting':
      return [`tunnel    connecting to ngrok${state.attempt > 1 ? ` (attempt ${state.attempt})` : ''}`];
    case 'online':
      return [
        `tunnel    online at ${oneLine(state.url)}; paste these into the providers:`,
        ...publicUrls.map((s) => `  ${oneLine(s.label)}: ${oneLine(s.url)}`),
      ];
    case 'error': {
      const next =
        state.retryAt === null
          ? ` It does not retry${fix ? `: ${fix}` : ''}.`
          : ` Next try in ${Math.max(1, Math.round((Date.parse(state.retryAt) - now) / 1000))} s.`;
      return [`tunnel    error: ${oneLine(state.reason)}.${next}`];
    }
    case 'off':
      return [`tunnel    off: ${oneLine(state.reason)}${fix ? `. ${fix}` : ''}`];
  }
}
