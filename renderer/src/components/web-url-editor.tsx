/** The source's web app URL: self-hosted installs, a generic source's app, links to build (Sentry, Rollbar). */
import { useState } from 'react';
import type { ProviderInfo, SourceView } from '../../../shared/ipc';
import { useSourceUpdate } from '../lib/use-source-update';
import { FormMessage } from './form-message';

/** The web app URL editor, for a provider that has one to give (nothing otherwise). */
export function WebUrlEditor({ source, provider }: { source: SourceView; provider: ProviderInfo | undefined }) {
  const [value, setValue] = useState(source.webUrl ?? '');
  const { message, update } = useSourceUpdate(source.id);
  if (!provider?.webUrlHelp) return null;
  return (
    <details className="steps">
      <summary>Web app URL{source.webUrl ? ` (${source.webUrl})` : ''}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          update({ webUrl: value.trim() }, value.trim() ? 'Web app URL saved.' : 'Web app URL removed.');
        }}
      >
        <label className="field">
          <span>Web app URL (optional)</span>
          <input type="url" spellCheck={false} placeholder="https://…" value={value} onChange={(e) => setValue(e.currentTarget.value)} />
          <span className="muted small">{provider.webUrlHelp}</span>
        </label>
        <div className="form-actions">
          <button type="submit" className="btn">
            Save web app URL
          </button>
        </div>
      </form>
      <FormMessage message={message} />
    </details>
  );
}
