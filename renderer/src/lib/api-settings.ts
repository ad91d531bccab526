/**
 * A source's API settings in the window's words, as pure functions: the form from what main shows (never the
 * token: only whether there is one), the patch a save sends, and what "Test token" found. The provider's facts
 * (its token's name, scope, default API address, or why actions stay local) come from main's registry.
 */
import type { TokenTestResult } from '../../../shared/actions';
import type { SourcePatch, SourceView } from '../../../shared/ipc';
import type { FormOutcome } from './form-outcome';

/** The API settings form: a token typed (empty: keep the saved one), and the other fields as they read. */
export interface ApiForm {
  token: string;
  url: string;
  assignee: string;
  resolveInProvider: boolean;
}

/** The form for a source as main shows it: the token field starts empty (it is never shown back). */
export function apiForm(source: Pick<SourceView, 'api'>): ApiForm {
  const api = source.api;
  return { token: '', url: api?.url ?? '', assignee: api?.assignee ?? '', resolveInProvider: api?.resolveInProvider ?? true };
}

/** Whether the form says something other than what is saved. */
export function apiFormChanged(form: ApiForm, source: Pick<SourceView, 'api'>): boolean {
  const saved = apiForm(source);
  return (
    form.token.trim() !== '' ||
    form.url.trim() !== saved.url ||
    form.assignee.trim() !== saved.assignee ||
    form.resolveInProvider !== saved.resolveInProvider
  );
}

/** The patch a save sends: a token only when one was typed (a token left out keeps the saved one). */
export function apiPatch(form: ApiForm): NonNullable<SourcePatch['api']> {
  const patch: NonNullable<SourcePatch['api']> = {
    url: form.url.trim(),
    assignee: form.assignee.trim(),
    resolveInProvider: form.resolveInProvider,
  };
  const token = form.token.trim();
  if (token !== '') patch.token = token;
  return patch;
}

/** What the token field shows when empty: whether a token is saved (it is never shown back). */
export function tokenPlaceholder(hasToken: boolean): string {
  return hasToken ? 'Saved — paste a new one to replace it' : 'Not set: actions stay in Crashbell';
}

/** What "Test token" found, as the form says it: the provider's words, naming a missing scope. */
export function tokenTestOutcome(result: TokenTestResult): FormOutcome {
  return { ok: result.ok, text: result.words };
}

/**
 * "Backtrace: actions stay in Crashbell because Backtrace's documentation…": why a provider without a write API
 * keeps actions here, from the reason its module gives.
 */
export function localOnlyWords(provider: string, reason: string): string {
  // The module's reason is a sentence of its own; after "because" a leading article reads in lower case.
  const clause = reason.replace(/^(A|An|The) /, (article) => article.toLowerCase());
  return `${provider}: actions stay in Crashbell because ${clause}.`;
}
