/**
 * The command line's verbs (`crashbell resolve GROUP`...): each is one entry of {@link VERBS}, its name, its
 * usage, its options and how its arguments become a call of the control socket, plus how the answer reads for
 * people. The running Crashbell of the data folder makes the call (control/server.ts); this module only plans it
 * and words the answer, so adding a verb (`snooze GROUP --for 2h`, `assign GROUP --to me`) is one entry here and,
 * when it needs a new call, that call in the IPC table and in the control socket's list.
 */
import type { GroupDetail, DeliveryResult } from '../../../shared/ipc';
import type { GroupMarks, GroupPage, GroupRow, GroupSummary } from '../../../shared/events';
import type { CallArgs, CallResult } from '../../../shared/ipc';
import type { ControlCallName } from '../control/protocol';

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

function detailLines(g: GroupDetail): string[] {
  const lines = [`${g.title}${g.description ? ` — ${g.description}` : ''}`, `  id           ${g.id}`];
  lines.push(`  source       ${g.sourceId} (${g.provider})`);
  const app = [g.application, g.project, g.environment].filter(Boolean).join(' / ');
  if (app) lines.push(`  app          ${app}`);
  lines.push(`  occurrences  ${g.occurrences}${g.hosts !== null ? ` on ${plural(g.hosts, 'host')}` : ''} (${plural(g.hooks, 'hook')})`);
  lines.push(`  seen         ${g.firstSeen} … ${g.lastSeen} (last hook ${g.lastReceivedAt})`);
  const state = [
    g.read ? 'read' : 'unread',
    g.muted ? `muted${g.mutedBy ? ` by ${g.mutedBy}` : ''}` : null,
    g.resolved ? `resolved${g.resolvedBy ? ` by ${g.resolvedBy}` : ''}` : null,
    g.test ? 'test events only' : null,
  ];
  lines.push(`  state        ${state.filter(Boolean).join(', ')}`);
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
  markVerb('mute', { muted: true }, 'muted', 'stop notifications for a group (its hooks are still recorded)'),
  markVerb('unmute', { muted: false }, 'unmuted', 'notify for a muted group again'),
  markVerb('resolve', { resolved: true }, 'resolved', 'mark a group resolved (its next hook is a regression)'),
  markVerb('unresolve', { resolved: false }, 'unresolved', 'mark a resolved group open again'),
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
