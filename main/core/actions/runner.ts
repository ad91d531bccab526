/**
 * Runs one action on the provider's issue behind a group (resolve, snooze, ignore, assign...), and "Test token":
 * checks that the provider has a write API and the action, that the source has a token and a usable API
 * address, builds the request with the provider's module, sends it through the one HTTP client, and says how it
 * ended in words. A provider's refusal is an {@link ActionOutcome}, never a throw.
 *
 * Pure of state: nothing here changes the group, records history, raises notifications or talks to the team;
 * the caller does that once the outcome is `done` (and changes nothing on any other outcome).
 *
 * The token goes only into the request's auth header, to the API base chosen by {@link resolveApiBase}; every
 * word this module returns is scrubbed of it, in case an answer echoes it back.
 */
import {
  ACTION_KINDS,
  type ActionAvailability,
  type ActionFailureCode,
  type ActionKind,
  type ActionOutcome,
  type ActionProgress,
  type ActionUnavailableCode,
  durationWords,
  type ProviderAction,
  type TokenTestResult,
} from '../../../shared/actions';
import type { GroupSummary, IssueRef } from '../../../shared/events';
import type { Source } from '../../../shared/settings';
import { CrashbellError } from '../errors';
import { getProvider } from '../providers/index';
import type { ApiBuildInput, ApiCall, ProviderApi, ProviderModule, Unbuildable } from '../providers/types';
import { cleanText, hostMatches } from './api-text';
import { addressProblem, type ApiResponse, type HttpClientOptions, type HttpResult, sendApiRequest } from './http-client';

/** The group an action addresses: its provider, source and latest issue ref. */
export type ActionGroup = Pick<GroupSummary, 'provider' | 'sourceId'> & { issueRef?: IssueRef | null };

/** Options for {@link runProviderAction} and {@link testApiToken}. */
export interface ActionRunOptions {
  /** The HTTP client's knobs (tests set short timeouts and backoffs). */
  http?: Partial<HttpClientOptions>;
  /** Pending states: sending, and each wait for a retry ("retrying at 14:05:30"). */
  onProgress?: (progress: ActionProgress) => void;
  /** Aborts the request (the app quitting): the outcome is `failed` with code `cancelled`. */
  signal?: AbortSignal;
  now?: () => number;
  /** The provider registry (tests pass their own). */
  getProvider?: (id: string) => ProviderModule | undefined;
}

/** A call that cannot be made: the group and the source do not belong together. The message says how to fix it. */
export class ActionRequestError extends CrashbellError {
  constructor(message: string) {
    super('action-request', message);
  }
}

/** Words for each action: done ("Resolved in Sentry") and doing ("Resolving in Sentry…"). */
function verbs(action: ProviderAction, api: ProviderApi | null): { done: string; doing: string } {
  const own = api?.verbs?.[action.kind];
  if (own) return own;
  switch (action.kind) {
    case 'resolve':
      return { done: 'Resolved', doing: 'Resolving' };
    case 'resolve-next-release':
      return { done: 'Marked resolved in the next release', doing: 'Marking resolved in the next release' };
    case 'unresolve':
      return { done: 'Reopened', doing: 'Reopening' };
    case 'snooze':
      return { done: `Snoozed for ${durationWords(action.minutes)}`, doing: `Snoozing for ${durationWords(action.minutes)}` };
    case 'snooze-occurrences': {
      const more = `${action.count} more occurrence${action.count === 1 ? '' : 's'}`;
      return { done: `Snoozed until ${more}`, doing: `Snoozing until ${more}` };
    }
    case 'ignore':
      return { done: 'Ignored', doing: 'Ignoring' };
    case 'assign-to-me':
      return { done: 'Assigned to you', doing: 'Assigning to you' };
  }
}

/** The source's API token, trimmed; '' when none. */
function tokenOf(source: Source): string {
  return source.api?.token.trim() ?? '';
}

/** Replaces the token wherever it appears in words (an answer may echo a header back). */
function scrub(words: string, token: string): string {
  return token.length >= 4 ? words.split(token).join('•••') : words;
}

/** Where an action's requests go: the API base, and whether the user named it (then a loopback `http:` is allowed). */
export type ApiBase = { base: string; explicit: boolean } | { problem: string };

/**
 * The API base for a source's requests: its API URL when set (every call goes there); else the origin its hooks
 * name when that host is the provider's own (`apiHosts`) or the host of the source's web app URL (a self-hosted
 * server the user named); else the provider's default. A hook naming any other host gets words, not the token.
 */
export function resolveApiBase(source: Source, ref: IssueRef | null | undefined, api: ProviderApi, providerName: string): ApiBase {
  const configured = source.api?.url.trim() ?? '';
  if (configured !== '') {
    const problem = addressProblem(configured, true);
    return problem
      ? { problem: `this source's API URL cannot be used: ${problem}` }
      : { base: configured.replace(/\/+$/, ''), explicit: true };
  }
  const origin = ref?.apiOrigin ?? null;
  if (origin === null) return { base: api.defaultBaseUrl, explicit: false };
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { base: api.defaultBaseUrl, explicit: false };
  }
  let webHost: string | null = null;
  try {
    webHost = source.webUrl ? new URL(source.webUrl).hostname.toLowerCase() : null;
  } catch {
    webHost = null;
  }
  const host = url.hostname.toLowerCase();
  if (url.protocol === 'https:' && (hostMatches(host, api.apiHosts) || host === webHost)) return { base: url.origin, explicit: false };
  return {
    problem: `this issue's hooks name ${host} as ${providerName}'s API, which is not one of ${providerName}'s own hosts: Crashbell sends the token only to hosts you name. If it is your own ${providerName} server, set this source's API URL to ${url.origin}`,
  };
}

function unavailable(action: ActionKind, provider: string, code: ActionUnavailableCode, words: string): ActionOutcome {
  return { state: 'unavailable', action, provider, code, words };
}

/** What stands between a source and an action before anything is built, or null. */
function gate(
  module: ProviderModule | undefined,
  source: Source,
  kind: ActionKind,
): { code: ActionUnavailableCode; words: string } | { api: ProviderApi; module: ProviderModule } {
  if (!module) return { code: 'local-only', words: `Crashbell has no "${source.provider}" provider: the change stays in Crashbell` };
  const actions = module.actions;
  if (actions.kind === 'local') return { code: 'local-only', words: actions.reason };
  const unsupported = actions.unsupported[kind];
  if (unsupported) return { code: 'unsupported', words: unsupported };
  if (tokenOf(source) === '') {
    const scope = actions.token.scope ? ` with the ${actions.token.scope} scope` : '';
    return {
      code: 'no-token',
      words: `set a ${actions.token.label}${scope} in this source's API settings to act in ${module.name}: ${actions.token.help}`,
    };
  }
  return { api: actions, module };
}

/** A sample of each action kind, to ask a module whether it could build it. */
function sampleAction(kind: ActionKind): ProviderAction {
  if (kind === 'snooze') return { kind, minutes: 60 };
  if (kind === 'snooze-occurrences') return { kind, count: 100 };
  return { kind };
}

function buildInput(source: Source, ref: IssueRef | null | undefined): ApiBuildInput {
  return { ref: ref ?? null, source, assignee: source.api?.assignee.trim() ?? '' };
}

/**
 * Which actions the window, the tray and the command line can offer for a group of this source, each with why
 * not when it cannot be tried. Sends nothing.
 */
export function actionAvailability(
  source: Source,
  group: ActionGroup,
  options: Pick<ActionRunOptions, 'getProvider'> = {},
): ActionAvailability[] {
  const module = (options.getProvider ?? getProvider)(source.provider);
  return ACTION_KINDS.map((kind): ActionAvailability => {
    const gated = gate(module, source, kind);
    if (!('api' in gated)) return { kind, available: false, reason: gated.words };
    const base = resolveApiBase(source, group.issueRef, gated.api, gated.module.name);
    if ('problem' in base) return { kind, available: false, reason: base.problem };
    const built = gated.api.buildAction(sampleAction(kind), buildInput(source, group.issueRef));
    return 'unbuildable' in built ? { kind, available: false, reason: built.unbuildable } : { kind, available: true, reason: null };
  });
}

/** Whether the list's R (resolve) also resolves in the provider for this source: a token, an API, and the setting on. */
export function resolvesInProvider(source: Source, options: Pick<ActionRunOptions, 'getProvider'> = {}): boolean {
  const module = (options.getProvider ?? getProvider)(source.provider);
  return module?.actions.kind === 'api' && tokenOf(source) !== '' && source.api?.resolveInProvider !== false;
}

/** Local time of day for "retrying at 14:05:30". */
function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

/** The answer's own words, or a short look at what came instead of JSON. */
function answerDetail(api: ProviderApi, response: ApiResponse, name: string): string {
  const message = api.messageOf(response);
  if (message) return ` ${name} said: "${message}"`;
  if (response.truncated) return ` (the answer was longer than Crashbell reads, and was cut)`;
  if (response.text.trim() !== '' && response.json === undefined) {
    const type = response.contentType.split(';')[0]?.trim() || 'no content type';
    const start = cleanText(response.text, 120);
    return ` (the answer was not JSON but ${type}${start ? `: "${start}"` : ''})`;
  }
  return '';
}

interface Failure {
  code: ActionFailureCode;
  words: string;
  status: number | null;
  retryAt: number | null;
}

/** What an answer (or no answer) means: null for success, else the failure in words. */
function interpret(result: HttpResult, api: ProviderApi, call: ApiCall, name: string, test: boolean): Failure | null {
  if (!result.ok) {
    const codes: Record<typeof result.kind, ActionFailureCode> = {
      timeout: 'timeout',
      network: 'offline',
      redirect: 'redirect',
      address: 'redirect',
      aborted: 'cancelled',
    };
    const tries = result.attempts > 1 ? ` (${result.attempts} attempts)` : '';
    return { code: codes[result.kind], words: `${result.words}${tries}`, status: null, retryAt: null };
  }
  const { response } = result;
  const status = response.status;
  const detail = answerDetail(api, response, name);
  const limited = status === 429 || (api.isRateLimited?.(response) ?? false);
  if (limited) {
    const when = result.retryAt === null ? '' : `: try again after ${clock(result.retryAt)}`;
    return {
      code: 'rate-limited',
      words: `${name} is limiting how often it is asked (${status})${when}.${detail}`,
      status,
      retryAt: result.retryAt,
    };
  }
  if (status >= 200 && status < 300) {
    const refused = api.refusedInBody?.(response) ?? null;
    if (refused) return { code: 'bad-answer', words: `${name} answered ${status} but refused: "${refused}"`, status, retryAt: null };
    if (response.truncated) {
      return {
        code: 'bad-answer',
        words: `${name} answered ${status} with more than Crashbell reads: it cannot tell whether that worked, so nothing is assumed done`,
        status,
        retryAt: null,
      };
    }
    if (response.text.trim() !== '' && response.json === undefined) {
      return {
        code: 'bad-answer',
        words: `${name} answered ${status} with something that is not its API's JSON${detail}: the API URL may point at a web page; nothing is assumed done`,
        status,
        retryAt: null,
      };
    }
    return null;
  }
  const tries = result.attempts > 1 ? ` after ${result.attempts} attempts` : '';
  if (status === 401) return { code: 'unauthorized', words: `${api.unauthorizedWords}.${detail}`, status, retryAt: null };
  if (status === 403) return { code: 'forbidden', words: `${api.forbiddenWords(call, test)}.${detail}`, status, retryAt: null };
  if (status === 404) {
    return {
      code: 'not-found',
      words: `${name} has no ${call.target} (404): the issue is gone (deleted or merged), or the token cannot see it.${detail}`,
      status,
      retryAt: null,
    };
  }
  if (status >= 500) return { code: 'server', words: `${name} failed to answer (${status})${tries}.${detail}`, status, retryAt: null };
  return { code: 'rejected', words: `${name} refused it (${status}).${detail}`, status, retryAt: null };
}

function httpOptions(
  api: ProviderApi,
  explicit: boolean,
  options: ActionRunOptions,
  onRetry: HttpClientOptions['onRetry'],
): Partial<HttpClientOptions> {
  const http: Partial<HttpClientOptions> = { ...options.http, allowLoopbackHttp: explicit, onRetry };
  if (api.rateLimitReset) http.rateLimitReset = api.rateLimitReset;
  if (api.isRateLimited) http.isRateLimited = api.isRateLimited;
  if (options.now) http.now = options.now;
  return http;
}

function fullRequest(base: string, api: ProviderApi, call: ApiCall, token: string) {
  return {
    method: call.method,
    url: `${base}${call.path}`,
    headers: { 'user-agent': 'Crashbell (provider actions)', ...api.authHeaders(token) },
    ...(call.body === undefined ? {} : { body: call.body }),
  };
}

/**
 * Runs one action on the provider's issue behind `group`, from `source` (the group's own source). Resolves with
 * how it ended; throws only {@link ActionRequestError} when the group is not the source's.
 */
export async function runProviderAction(
  source: Source,
  group: ActionGroup,
  action: ProviderAction,
  options: ActionRunOptions = {},
): Promise<ActionOutcome> {
  if (group.sourceId !== source.id || group.provider !== source.provider) {
    throw new ActionRequestError(
      `the group belongs to source "${group.sourceId}" (${group.provider}), not to "${source.id}" (${source.provider}): pass the group's own source`,
    );
  }
  const now = options.now ?? Date.now;
  const module = (options.getProvider ?? getProvider)(source.provider);
  const name = module?.name ?? source.provider;
  const gated = gate(module, source, action.kind);
  if (!('api' in gated)) return unavailable(action.kind, name, gated.code, gated.words);
  const { api } = gated;
  const token = tokenOf(source);
  const base = resolveApiBase(source, group.issueRef, api, name);
  if ('problem' in base) return unavailable(action.kind, name, 'api-url', base.problem);
  const call = api.buildAction(action, buildInput(source, group.issueRef));
  if ('unbuildable' in call) return unavailable(action.kind, name, (call as Unbuildable).code, call.unbuildable);
  const words = verbs(action, api);
  const progress = (text: string, retryAt: number | null) =>
    options.onProgress?.({
      state: 'pending',
      action: action.kind,
      provider: name,
      words: text,
      retryAt: retryAt === null ? null : new Date(retryAt).toISOString(),
    });
  progress(`${words.doing} in ${name}…`, null);
  const onRetry: HttpClientOptions['onRetry'] = ({ at, status }) => {
    const why =
      status === null
        ? `${name} did not answer`
        : status === 429 || status === 403
          ? `${name} is limiting requests`
          : `${name} failed (${status})`;
    progress(`${why}: retrying at ${clock(at)}`, at);
  };
  const result = await sendApiRequest(
    fullRequest(base.base, api, call, token),
    httpOptions(api, base.explicit, options, onRetry),
    options.signal,
  );
  const failure = interpret(result, api, call, name, false);
  const at = new Date(now()).toISOString();
  if (failure === null) return { state: 'done', action: action.kind, provider: name, words: `${words.done} in ${name}`, at };
  return {
    state: 'failed',
    action: action.kind,
    provider: name,
    code: failure.code,
    words: scrub(failure.words, token),
    status: failure.status,
    retryAt: failure.retryAt === null ? null : new Date(failure.retryAt).toISOString(),
    at,
  };
}

/**
 * "Test token": a harmless read with the source's token (the issue behind `ref` when one is known, else
 * something every token of the provider can read), saying what worked, or the scope or access it lacks.
 */
export async function testApiToken(source: Source, ref: IssueRef | null, options: ActionRunOptions = {}): Promise<TokenTestResult> {
  const module = (options.getProvider ?? getProvider)(source.provider);
  const name = module?.name ?? source.provider;
  const fail = (
    code: TokenTestResult['code'],
    words: string,
    status: number | null = null,
    retryAt: number | null = null,
  ): TokenTestResult => ({
    ok: false,
    provider: name,
    words,
    code,
    status,
    retryAt: retryAt === null ? null : new Date(retryAt).toISOString(),
  });
  if (!module) return fail('local-only', `Crashbell has no "${source.provider}" provider`);
  if (module.actions.kind === 'local') return fail('local-only', module.actions.reason);
  const api = module.actions;
  const token = tokenOf(source);
  if (token === '') return fail('no-token', `set a ${api.token.label} in this source's API settings first`);
  const base = resolveApiBase(source, ref, api, name);
  if ('problem' in base) return fail('api-url', base.problem);
  const call = api.buildTokenTest(buildInput(source, ref));
  if ('unbuildable' in call) return fail((call as Unbuildable).code, call.unbuildable);
  const result = await sendApiRequest(
    fullRequest(base.base, api, call, token),
    httpOptions(api, base.explicit, options, undefined),
    options.signal,
  );
  const failure = interpret(result, api, call, name, true);
  if (failure) return fail(failure.code, scrub(failure.words, token), failure.status, failure.retryAt);
  const caveat = api.testCaveat ? ` ${api.testCaveat}` : '';
  return {
    ok: true,
    provider: name,
    words: `The token works: it can read ${call.target} in ${name}.${caveat}`,
    code: null,
    status: result.ok ? result.response.status : null,
    retryAt: null,
  };
}
