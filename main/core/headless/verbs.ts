/**
 * The command line's verbs (`crashbell resolve GROUP`...): each is one entry of {@link VERBS}, its name, its
 * usage, its options and how its arguments become a call of the control socket, plus how the answer reads for
 * people. The running Crashbell of the data folder makes the call (control/server.ts); this module only plans it
 * and words the answer, so adding a verb is one entry here and, when it needs a new call, that call in the IPC table
 * and in the control socket's list. The action verbs (`resolve`, `snooze GROUP --for 2h`, `assign GROUP --to me`,
 * `claim`...) make `runAction`, the window's own call: in the provider when the source can, else here, and the
 * answer says which.
 */
import { type ActionResult, type GroupAction, MAX_CLAIM_HOURS, MAX_SNOOZE_MINUTES, MAX_SNOOZE_OCCURRENCES } from '../../../shared/actions';
import type { GroupMarks, GroupPage, GroupRow, GroupSummary } from '../../../shared/events';
import type { CallArgs, CallResult, DeliveryResult, GroupDetail } from '../../../shared/ipc';
import type { ControlCallName } from '../control/protocol';
import { oneLine } from '../plain-text';

/** One call of the control socket, with its arguments. */
export interface CallPlan<M extends ControlCallName = ControlCallName> {
  call: M;
  args: CallArgs<M>;
}

/** The call `call` with `args`, typed against the IPC table. */
export function plan<M extends ControlCallName>(call: M, ...args: CallArgs<M>): CallPlan<M> {
  return { call, args };
}

/** Makes a call on the running Crashbell (for verbs that look something up before their call). */
export type Lookup = <M extends ControlCallName>(call: M, ...args: CallArgs<M>) => Promise<CallResult<M>>;

/** A verb's command line, once read: its operands and its own options' values. */
export interface VerbInput {
  operands: string[];
  options: Record<string, string | boolean | undefined>;
}

/** How a verb's answer reads: lines for people, or a refusal (exit 1) with its code and reason. */
export interface VerbReport {
  lines: string[];
  refused?: { code: string; reason: string };
}

/** An option of a verb, besides the common `--data-dir` and `--json`. */
export interface VerbOption {
  type: 'string' | 'boolean';
  /** `--limit N   at most N groups (default 20)`: the value's name and what it does, for --help. */
  help: string;
}

/** One verb of the command line. */
export interface Verb<M extends ControlCallName = ControlCallName> {
  name: string;
  /** Its operands and options as --help shows them: `GROUP | --all`. */
  usage: string;
  /** What it does, in a few words, for --help. */
  summary: string;
  /** Operand names, in order; a trailing `?` marks one that may be left out. */
  operands: readonly string[];
  options?: Readonly<Record<string, VerbOption>>;
  /** A usage problem the operand count cannot tell (read: GROUP or --all, not both); null when fine. */
  check?: (input: VerbInput) => string | null;
  /** The call the verb makes (after looking something up, for some). */
  call: (input: VerbInput, lookup: Lookup) => CallPlan<M> | Promise<CallPlan<M>>;
  /** The answer in words. */
  report: (result: CallResult<M>, input: VerbInput) => VerbReport;
  /** How long the call may take (an action waits for the provider, its retries included); default the client's. */
  timeoutMs?: number;
  /** Said after a call that did not answer in time (what became of it, and how to find out). */
  afterTimeout?: string;
}

/** A verb entry, typed against its own call(s). */
function verb<M extends ControlCallName>(spec: Verb<M>): Verb {
  return spec as unknown as Verb;
}

const noGroup = (id: string | undefined): VerbReport => ({
  lines: [],
  refused: { code: 'unknown-group', reason: `no error group with id "${id ?? ''}" in this Crashbell's history (list shows the ids)` },
});

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function flags(g: Pick<GroupRow, 'read' | 'muted' | 'resolved' | 'test'>): string {
  return [g.read ? null : 'unread', g.muted ? 'muted' : null, g.resolved ? 'resolved' : null, g.test ? 'test' : null]
    .filter(Boolean)
    .join(', ');
}

/** One group per line: id, occurrences, title, then where it came from and its state. */
function rowLine(row: GroupRow): string {
  const where = [row.provider, row.application ?? row.project, flags(row)].filter(Boolean).join(', ');
  return `${row.id}  ${String(row.occurrences).padStart(6)}×  ${row.title}  (${where}; last ${row.lastReceivedAt})`;
}

/** The group's state in words: read, muted, resolved, ignored, snoozed, claimed, assigned. */
function stateWords(g: GroupDetail): string {
  const snooze =
    g.snoozedUntil != null
      ? `snoozed until ${g.snoozedUntil}`
      : g.snoozeCount != null
        ? `snoozed until ${g.snoozeCount} occurrences`
        : null;
  return [
    g.read ? 'read' : 'unread',
    g.muted ? `muted${g.mutedBy ? ` by ${g.mutedBy}` : ''}` : null,
    g.resolved ? `resolved${g.resolvedBy ? ` by ${g.resolvedBy}` : ''}` : null,
    g.ignored ? 'ignored' : null,
    snooze,
    g.claimedBy ? `claimed by ${g.claimedBy}${g.claimedUntil ? ` until ${g.claimedUntil}` : ''}` : null,
    g.assignee ? `assigned to ${g.assignee}` : null,
    g.test ? 'test events only' : null,
  ]
    .filter(Boolean)
    .map((part) => oneLine(String(part)))
    .join(', ');
}

/** Which actions go to the provider, and for the others why they are made here only (one line per reason). */
function actionLines(g: GroupDetail): string[] {
  const inProvider = g.actions.filter((a) => a.available).map((a) => a.kind);
  const why = new Map<string, string[]>();
  for (const a of g.actions) {
    if (a.available) continue;
    const reason = oneLine(a.reason ?? 'not offered');
    why.set(reason, [...(why.get(reason) ?? []), a.kind]);
  }
  const lines: string[] = [];
  if (inProvider.length > 0) lines.push(`  in provider  ${inProvider.join(', ')}`);
  for (const [reason, kinds] of why) lines.push(`  why not      ${kinds.join(', ')}: ${reason}`);
  return lines;
}

function detailLines(g: GroupDetail): string[] {
  const lines = [`${g.title}${g.description ? ` — ${g.description}` : ''}`, `  id           ${g.id}`];
  lines.push(`  source       ${g.sourceId} (${g.provider})`);
  const app = [g.application, g.project, g.environment].filter(Boolean).join(' / ');
  if (app) lines.push(`  app          ${app}`);
  lines.push(`  occurrences  ${g.occurrences}${g.hosts !== null ? ` on ${plural(g.hosts, 'host')}` : ''} (${plural(g.hooks, 'hook')})`);
  lines.push(`  seen         ${g.firstSeen} … ${g.lastSeen} (last hook ${g.lastReceivedAt})`);
  lines.push(`  state        ${stateWords(g)}`);
  if (g.action) {
    const retry = g.action.retryAt ? ` (next try ${g.action.retryAt})` : '';
    const by = g.action.by ? ` by ${oneLine(g.action.by)}` : '';
    lines.push(`  last action  ${g.action.state}: ${oneLine(g.action.words)}${retry}${by}, ${g.action.at}`);
  }
  lines.push(...actionLines(g));
  if (g.lastDecision) lines.push(`  last hook    ${g.lastDecision.notify ? 'notified' : 'quiet'}: ${g.lastDecision.reason}`);
  if (g.link) {
    lines.push(`  link         ${g.link.url}${g.link.opens ? '' : ` (not opened: ${g.link.reason ?? 'refused'})`}`);
    if (g.link.derived) lines.push(`               ${g.link.derived}`);
  }
  if (g.callstack.length > 0) {
    lines.push('  callstack');
    for (const frame of g.callstack.slice(0, 12)) lines.push(`    ${frame}`);
    if (g.callstack.length > 12) lines.push(`    … ${g.callstack.length - 12} more`);
  }
  return lines;
}

/** A verb that sets one mark on a group (`resolve GROUP`). */
function markVerb(name: string, marks: GroupMarks, done: string, summary: string): Verb {
  return verb<'markGroup'>({
    name,
    usage: 'GROUP',
    summary,
    operands: ['GROUP'],
    call: ({ operands }) => plan('markGroup', operands[0] ?? '', marks),
    report: (group: GroupSummary | null, { operands }) =>
      group ? { lines: [`${done}: ${group.title} (${group.id})`] } : noGroup(operands[0]),
  });
}

/** How long an action verb waits for its answer: the provider's retries and a `Retry-After` fit in it. */
export const ACTION_TIMEOUT_MS = 5 * 60_000;

const UNITS: Record<string, number> = { m: 1, h: 60, d: 24 * 60 };

/**
 * A length of time as the command line takes it (`30m`, `2h`, `1d`, `1h30m`), in minutes; null when it is not one.
 */
export function parseDuration(text: string): number | null {
  const parts = /^(?:\d{1,6}[mhd])+$/.test(text) ? text.match(/\d{1,6}[mhd]/g) : null;
  if (!parts) return null;
  let minutes = 0;
  for (const part of parts) minutes += Number(part.slice(0, -1)) * UNITS[part.slice(-1)]!;
  return minutes;
}

/** The problem with a duration option (`--for 2h`), or null: a length from `min` to `max` minutes. */
function durationProblem(option: string, value: unknown, max: number, maxWords: string): string | null {
  if (value === undefined) return null;
  const minutes = typeof value === 'string' ? parseDuration(value) : null;
  if (minutes === null || minutes < 1)
    return `--${option} takes a length of time such as 30m, 2h or 1d, not "${String(value).slice(0, 40)}"`;
  if (minutes > max) return `--${option} is at most ${maxWords}, not "${String(value)}"`;
  return null;
}

/** How an action ended, as the command line says it: the words, where it was made, and a refusal for exit 1. */
function actionReport(result: ActionResult, { operands }: VerbInput): VerbReport {
  const id = operands[0] ?? '';
  if (result.state === 'done') return { lines: [`${oneLine(result.words)} (${id})`] };
  const code = result.code ?? 'failed';
  const words = oneLine(result.words);
  const reason =
    code === 'gone'
      ? `no error group with id "${id}" in this Crashbell's history (list shows the ids)`
      : result.retryAt
        ? `${words} (try again after ${result.retryAt})`
        : words;
  return { lines: [], refused: { code, reason } };
}

/** A verb that runs one action on a group through `runAction`: in the provider when it can, else here, saying which. */
function actionVerb(spec: {
  name: string;
  usage?: string;
  summary: string;
  options?: Readonly<Record<string, VerbOption>>;
  check?: (input: VerbInput) => string | null;
  action: (input: VerbInput) => GroupAction;
}): Verb {
  return verb<'runAction'>({
    name: spec.name,
    usage: spec.usage ?? 'GROUP',
    summary: spec.summary,
    operands: ['GROUP'],
    ...(spec.options ? { options: spec.options } : {}),
    ...(spec.check ? { check: spec.check } : {}),
    call: (input) => plan('runAction', input.operands[0] ?? '', spec.action(input)),
    report: actionReport,
    timeoutMs: ACTION_TIMEOUT_MS,
    afterTimeout: 'the action may still finish in Crashbell: show GROUP says how it ended',
  });
}

/** The source a `send-test` names, by id or by name; a refusal when there is none, or more than one by that name. */
async function sourceIdFor(wanted: string, lookup: Lookup): Promise<string> {
  const { sources } = await lookup('getState');
  if (sources.some((s) => s.id === wanted)) return wanted;
  const named = sources.filter((s) => s.name === wanted);
  if (named.length === 1) return named[0]!.id;
  const known = sources.map((s) => `"${s.name}" (${s.id})`).join(', ') || 'none';
  if (named.length > 1) {
    throw new VerbRefusal('ambiguous-source', `${named.length} sources are named "${wanted}": give the id of one (${known})`);
  }
  throw new VerbRefusal('unknown-source', `no source with the id or name "${wanted}"; the sources are: ${known}`);
}

/** A verb refused before or instead of its call (a source name that matches nothing); exit 1. */
export class VerbRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'VerbRefusal';
  }
}

const LIST_DEFAULT = 20;

/** Every verb of the command line, in the order --help lists them. */
export const VERBS: readonly Verb[] = [
  verb<'listGroups'>({
    name: 'list',
    usage: '[--unread] [--text WORDS] [--limit N]',
    summary: 'the latest error groups, newest first, with their ids',
    operands: [],
    options: {
      unread: { type: 'boolean', help: '--unread       unread groups only' },
      text: { type: 'string', help: '--text WORDS   groups whose title, app, attributes or callstack match' },
      limit: { type: 'string', help: `--limit N      at most N groups (1 to 1000, default ${LIST_DEFAULT})` },
    },
    check: ({ options }) => {
      const limit = options['limit'];
      if (limit === undefined) return null;
      return typeof limit === 'string' && /^\d{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 1000
        ? null
        : `--limit must be a number from 1 to 1000, not "${String(limit)}"`;
    },
    call: ({ options }) =>
      plan('listGroups', {
        limit: options['limit'] === undefined ? LIST_DEFAULT : Number(options['limit']),
        ...(options['unread'] ? { unread: true } : {}),
        ...(typeof options['text'] === 'string' ? { text: options['text'] } : {}),
      }),
    report: (page: GroupPage) => ({
      lines:
        page.total === 0
          ? ['no error groups']
          : [
              ...page.groups.map(rowLine),
              page.groups.length < page.total
                ? `${page.groups.length} of ${page.total} groups (--limit N for more)`
                : `${page.total} groups`,
            ],
    }),
  }),
  verb<'getGroup'>({
    name: 'show',
    usage: 'GROUP',
    summary: 'one group as the detail view shows it (--json: with its latest raw body)',
    operands: ['GROUP'],
    call: ({ operands }) => plan('getGroup', operands[0] ?? ''),
    report: (group: GroupDetail | null, { operands }) => (group ? { lines: detailLines(group) } : noGroup(operands[0])),
  }),
  verb<'markAllRead' | 'markGroup'>({
    name: 'read',
    usage: 'GROUP | --all',
    summary: 'mark a group read, or every group',
    operands: ['GROUP?'],
    options: { all: { type: 'boolean', help: '--all          every group' } },
    check: ({ operands, options }) =>
      (operands.length === 1) === Boolean(options['all']) ? 'read takes a GROUP or --all (one of the two)' : null,
    call: ({ operands, options }) => (options['all'] ? plan('markAllRead') : plan('markGroup', operands[0] ?? '', { read: true })),
    report: (result: number | GroupSummary | null, { operands }) => {
      if (typeof result === 'number') return { lines: [`marked ${plural(result, 'group')} read`] };
      return result ? { lines: [`marked read: ${result.title} (${result.id})`] } : noGroup(operands[0]);
    },
  }),
  actionVerb({
    name: 'resolve',
    usage: 'GROUP [--next-release]',
    summary: 'resolve a group, in its provider too when the source has an API token',
    options: { 'next-release': { type: 'boolean', help: '--next-release resolved in the next release (where the provider has it)' } },
    action: ({ options }) => ({ kind: options['next-release'] ? 'resolve-next-release' : 'resolve' }),
  }),
  actionVerb({
    name: 'unresolve',
    summary: 'reopen a resolved or ignored group (in its provider too)',
    action: () => ({ kind: 'unresolve' }),
  }),
  actionVerb({
    name: 'snooze',
    usage: 'GROUP --for DURATION | --until-count N',
    summary: 'no notifications for a time, or for N more occurrences (where the provider has it)',
    options: {
      for: { type: 'string', help: '--for DURATION 30m, 2h, 1d (at most 30 days)' },
      'until-count': { type: 'string', help: `--until-count N until it occurs N more times (1 to ${MAX_SNOOZE_OCCURRENCES})` },
    },
    check: ({ options }) => {
      const count = options['until-count'];
      if ((options['for'] === undefined) === (count === undefined))
        return 'snooze takes --for DURATION or --until-count N (one of the two)';
      if (count !== undefined) {
        const n = typeof count === 'string' && /^\d{1,7}$/.test(count) ? Number(count) : Number.NaN;
        return n >= 1 && n <= MAX_SNOOZE_OCCURRENCES
          ? null
          : `--until-count takes a number from 1 to ${MAX_SNOOZE_OCCURRENCES}, not "${String(count).slice(0, 40)}"`;
      }
      return durationProblem('for', options['for'], MAX_SNOOZE_MINUTES, '30 days');
    },
    action: ({ options }) =>
      options['until-count'] !== undefined
        ? { kind: 'snooze-occurrences', count: Number(options['until-count']) }
        : { kind: 'snooze', minutes: parseDuration(String(options['for'])) ?? 0 },
  }),
  actionVerb({
    name: 'ignore',
    summary: 'nothing it does notifies until it is reopened (in Rollbar: muted)',
    action: () => ({ kind: 'ignore' }),
  }),
  actionVerb({
    name: 'assign',
    usage: 'GROUP --to me',
    summary: 'assign the issue to you in its provider',
    options: { to: { type: 'string', help: '--to me        you, as the source\'s "api.assignee" names you in the provider' } },
    check: ({ options }) =>
      options['to'] === 'me'
        ? null
        : `assign takes --to me: Crashbell assigns to the person the source's "api.assignee" names (assign others in the provider), not "${String(options['to'] ?? '').slice(0, 40)}"`,
    action: () => ({ kind: 'assign-to-me' }),
  }),
  actionVerb({
    name: 'claim',
    usage: 'GROUP [--for DURATION]',
    summary: 'tell the team you are on it (until resolved, released, or the time is up)',
    options: {
      for: { type: 'string', help: '--for DURATION how long the claim holds (default the "claimHours" setting; at most a week)' },
    },
    check: ({ options }) => durationProblem('for', options['for'], MAX_CLAIM_HOURS * 60, 'a week'),
    action: ({ options }) =>
      options['for'] === undefined ? { kind: 'claim' } : { kind: 'claim', hours: (parseDuration(String(options['for'])) ?? 0) / 60 },
  }),
  actionVerb({ name: 'release', summary: 'release your claim on a group', action: () => ({ kind: 'release' }) }),
  markVerb('mute', { muted: true }, 'muted', 'stop notifications for a group here (its hooks are still recorded)'),
  markVerb('unmute', { muted: false }, 'unmuted', 'notify for a muted group again'),
  verb<'sendTestEvent'>({
    name: 'send-test',
    usage: 'SOURCE',
    summary: "post the source's signed sample through the receiver, as the window's Send test event (id or name)",
    operands: ['SOURCE'],
    call: async ({ operands }, lookup) => plan('sendTestEvent', await sourceIdFor(operands[0] ?? '', lookup)),
    report: (delivery: DeliveryResult) => {
      const words = `HTTP ${delivery.status || 'none'} via ${delivery.via}: ${delivery.reason}`;
      return delivery.status >= 200 && delivery.status < 300
        ? { lines: [`test event delivered (${words})${delivery.eventId ? `; event ${delivery.eventId}` : ''}`] }
        : { lines: [], refused: { code: 'test-refused', reason: `the test event was not accepted (${words})` } };
    },
  }),
];

/** The verb called `name`, or undefined. */
export function verbNamed(name: string): Verb | undefined {
  return VERBS.find((v) => v.name === name);
}
