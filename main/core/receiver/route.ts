/**
 * The phases before the body: route (`/hooks/<source id>`, the source looked up once, its provider), method,
 * content type, the provider's header-only check (Backtrace Basic auth, token headers; a rotation's previous
 * credentials while their overlap lasts), then the declared size against the limit and the budgets. Whatever
 * refuses here refuses before a byte of the body is read.
 */
import type http from 'node:http';
import type { ProviderId } from '../../../shared/events';
import type { Source } from '../../../shared/settings';
import { checkCredentials } from '../credentials';
import type { ProviderModule } from '../providers/types';
import type { BodyBudget } from './body-budget';
import { busyOutcome, fromRejection, type Outcome } from './outcome';
import { expectsContinue, isJsonContentType, type RequestState } from './request';

/** What routing needs to know. */
export interface RouteDeps {
  getSource: (sourceId: string) => Source | undefined;
  getProvider: (id: ProviderId) => ProviderModule | undefined;
  now: () => number;
  maxBodyBytes: number;
  budget: BodyBudget;
}

const NOT_FOUND = 'not found';
const HOOK_PATH = /^\/hooks\/([^/?#]+)\/?$/;

function safeDecode(segment: string): string | null {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** True when a body left unread is chunked (size unknown) or announced over the limit. */
function unreadNeedsClose(req: http.IncomingMessage, maxBodyBytes: number): boolean {
  // A sender waiting for "100 Continue" never sends the body of a refused request: nothing to discard.
  if (req.headers['transfer-encoding'] !== undefined || expectsContinue(req)) return true;
  const declared = Number(req.headers['content-length'] ?? 0);
  return !Number.isFinite(declared) || declared > maxBodyBytes;
}

/** The route phase: the source and its provider, or why not. Every 404 tells the sender only "not found". */
function route(req: http.IncomingMessage, state: RequestState, deps: RouteDeps, early: boolean): Outcome | null {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const match = HOOK_PATH.exec(query < 0 ? url : url.slice(0, query));
  // Nothing about which routes or sources exist reaches the sender; the request log (the user's own inspector)
  // keeps why.
  if (!match) return { status: 404, reason: 'not found: only POST /hooks/<source id> answers here', answer: NOT_FOUND, close: early };
  const sourceId = safeDecode(match[1]!);
  const source = sourceId === null ? undefined : deps.getSource(sourceId);
  if (!source) return { status: 404, reason: 'unknown source: check the webhook URL', answer: NOT_FOUND, close: early };
  state.source = source;
  state.sourceId = source.id;
  const provider = deps.getProvider(source.provider);
  if (!provider) {
    const reason = `this source's provider (${source.provider}) is not available in this version`;
    return { status: 404, reason, answer: NOT_FOUND, close: early };
  }
  state.provider = provider;
  return null;
}

/** The header-only check; sets what it proved on the state. */
function checkHeaders(state: RequestState, deps: RouteDeps, early: boolean): Outcome | null {
  const provider = state.provider!;
  if (!provider.verifyHeaders) return null;
  const verifyHeaders = provider.verifyHeaders.bind(provider);
  const headers = state.headers;
  // Undefined: this source has nothing its headers could prove (e.g. no token configured), so it is neither
  // refused here nor counted as authenticated for the body budgets.
  let nothingToCheck = false;
  const checked = checkCredentials(state.source!, deps.now(), (s) => {
    const verdict = verifyHeaders(s, headers);
    if (verdict === undefined) nothingToCheck = true;
    return verdict ?? null;
  });
  if (!checked.ok) return fromRejection(checked.rejection, early);
  if (!nothingToCheck) {
    state.headersVerified = true;
    state.verified = checked.source;
  }
  return null;
}

/** Every check that needs no body; an outcome refuses the request before it is read. */
export function beforeBody(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState, deps: RouteDeps): Outcome | null {
  // A refusal before reading keeps the connection when the unread body is small and announced (Node discards
  // it); an unannounced or oversized one closes the connection instead of being read.
  const early = unreadNeedsClose(req, deps.maxBodyBytes);
  const routed = route(req, state, deps, early);
  if (routed) return routed;
  if (req.method !== 'POST') {
    return { status: 405, reason: `method ${req.method ?? ''} not allowed: webhooks are POST`, headers: { Allow: 'POST' }, close: early };
  }
  const type = state.headers['content-type'];
  if (!isJsonContentType(type)) {
    return { status: 415, reason: `content type ${type ? `"${type}"` : 'none'} not supported: send application/json`, close: early };
  }
  const refused = checkHeaders(state, deps, early);
  if (refused) return refused;
  const declared = state.headers['content-length'];
  if (declared !== undefined && Number(declared) > deps.maxBodyBytes) {
    return { status: 413, reason: `body of ${declared} bytes is over the ${deps.maxBodyBytes}-byte limit`, close: true };
  }
  // An announced body that would not fit is refused before a byte of it is read.
  const busy = declared === undefined ? null : deps.budget.over(state, Number(declared));
  if (busy !== null) return busyOutcome(busy);
  // `Expect: 100-continue` is answered here, once every check that needs no body has passed.
  if (expectsContinue(req)) res.writeContinue();
  return null;
}
