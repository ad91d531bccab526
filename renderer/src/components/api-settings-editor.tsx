/**
 * A source's access to its provider's API, for acting from Crashbell: the API token (a password field, never
 * shown back), the API URL, who "Assign to me" assigns to, whether resolving goes to the provider too, and Test
 * token. A provider without a write API gets why actions stay in Crashbell instead. Its state and its talk with
 * main are `lib/use-api-settings.ts`.
 */
import { useId } from 'react';
import type { ProviderActionsInfo } from '../../../shared/actions';
import type { SourceView } from '../../../shared/ipc';
import { localOnlyWords, tokenPlaceholder } from '../lib/api-settings';
import { type ApiSettingsModel, useApiSettings } from '../lib/use-api-settings';
import { FormMessage } from './form-message';

/** The editor for a provider with an API, the note for one without, nothing when main said neither. */
export function ApiSettingsEditor({ source, info }: { source: SourceView; info: ProviderActionsInfo | undefined }) {
  if (!info) return null;
  if (info.kind === 'local') {
    return (
      <p className="note" role="note">
        {localOnlyWords(source.providerName, info.reason)}
      </p>
    );
  }
  return <ApiEditor source={source} info={info} />;
}

function ApiEditor({ source, info }: { source: SourceView; info: Extract<ProviderActionsInfo, { kind: 'api' }> }) {
  const editor = useApiSettings(source);
  const hasToken = source.api?.hasToken === true;
  const provider = source.providerName;
  return (
    <details className="steps">
      <summary>API token{hasToken ? ' (set)' : ''}</summary>
      <p className="muted small">
        With a {info.tokenLabel}
        {info.tokenScope ? ` with the ${info.tokenScope} scope` : ''}, Resolve, Snooze, Ignore and Assign act in {provider} too.{' '}
        {info.tokenHelp}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          editor.save();
        }}
      >
        <ApiFields editor={editor} info={info} provider={provider} hasToken={hasToken} />
        <div className="form-actions">
          <button type="submit" className="btn">
            Save API settings
          </button>
          <button
            type="button"
            className="btn"
            disabled={editor.testing || (!hasToken && editor.form.token.trim() === '')}
            onClick={editor.test}
          >
            {editor.testing ? 'Testing…' : 'Test token'}
          </button>
          {hasToken && (
            <button type="button" className="btn btn-danger-quiet" onClick={editor.removeToken}>
              Remove token
            </button>
          )}
        </div>
      </form>
      <FormMessage message={editor.saved} />
      <FormMessage message={editor.tested} />
    </details>
  );
}

/** The fields: the token (never shown back), the API URL, "Assign to me as", "Resolve in <provider> too". */
function ApiFields(props: {
  editor: ApiSettingsModel;
  info: Extract<ProviderActionsInfo, { kind: 'api' }>;
  provider: string;
  hasToken: boolean;
}) {
  const { editor, info, provider } = props;
  const id = useId();
  return (
    <div className="form-grid">
      <label className="field">
        <span>API token</span>
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={tokenPlaceholder(props.hasToken)}
          value={editor.form.token}
          aria-describedby={`${id}-token`}
          onChange={(e) => editor.set({ token: e.currentTarget.value })}
        />
        <span id={`${id}-token`} className="muted small">
          Your {info.tokenLabel}. Kept encrypted where the system allows, and never shown again.
        </span>
      </label>
      <label className="field">
        <span>API URL (optional)</span>
        <input
          type="url"
          spellCheck={false}
          placeholder={info.defaultApiUrl}
          value={editor.form.url}
          onChange={(e) => editor.set({ url: e.currentTarget.value })}
        />
        <span className="muted small">Only for a self-hosted or regional {provider}: every API call of this source goes there.</span>
      </label>
      <label className="field">
        <span>Assign to me as</span>
        <input
          type="text"
          spellCheck={false}
          value={editor.form.assignee}
          onChange={(e) => editor.set({ assignee: e.currentTarget.value })}
        />
        <span className="muted small">You, as {provider} names you: “Assign to me” assigns the issue to this user.</span>
      </label>
      <label className="field field-check">
        <input
          type="checkbox"
          checked={editor.form.resolveInProvider}
          onChange={(e) => editor.set({ resolveInProvider: e.currentTarget.checked })}
        />
        <span>Resolve in {provider} too</span>
        <span className="muted small">Resolve and the list’s R resolve the issue in {provider} as well, once a token is set.</span>
      </label>
    </div>
  );
}
