/**
 * One source in Setup: what to paste into its provider, its notes and steps, its settings (credentials, web app
 * URL, API token for actions, a generic source's mapping, notification filters), and a test event. Its head is
 * `setup-source-head.tsx`.
 */
import type { ProviderInfo, SourceView } from '../../../shared/ipc';
import { openLink } from '../api';
import { ApiSettingsEditor } from '../components/api-settings-editor';
import { CopyField } from '../components/copy-field';
import { CredentialsEditor } from '../components/credentials-editor';
import { ErrorBox } from '../components/error-box';
import { FormMessage } from '../components/form-message';
import { GenericMappingEditor } from '../components/generic-mapping-editor';
import { SourceFiltersEditor } from '../components/source-filters-editor';
import { Spinner } from '../components/spinner';
import { WebUrlEditor } from '../components/web-url-editor';
import { DEFAULT_OVERLAP_HOURS } from '../lib/credentials';
import { useSourceActions } from '../lib/use-source-actions';
import { useTestEvent } from '../lib/use-test-event';
import { SourceHead } from './setup-source-head';

/** What a source card shows. */
export interface SourceCardProps {
  source: SourceView;
  tunnelOnline: boolean;
  provider?: ProviderInfo | undefined;
  /** How long a replaced credential stays accepted (Settings `credentialOverlapHours`). */
  overlapHours?: number;
}

/** One source: what to paste, test, rename, pause and remove; its credentials and web app URL. */
export function SourceCard({ source, tunnelOnline, provider, overlapHours = DEFAULT_OVERLAP_HOURS }: SourceCardProps) {
  const actions = useSourceActions(source);
  return (
    <article className="source-card" aria-label={`${source.name} (${source.providerName})`}>
      <SourceHead source={source} actions={actions} />
      <SourcePasteValues source={source} />
      <SourceEditors source={source} provider={provider} overlapHours={overlapHours} />
      <SourceTestEvent source={source} tunnelOnline={tunnelOnline} />
      {actions.error && <ErrorBox message={actions.error} />}
    </article>
  );
}

/** The values to paste into the provider, and what to know about them: where the URL reaches, what is missing. */
function SourcePasteValues({ source }: { source: SourceView }) {
  const waiting = source.waitingFor ?? [];
  return (
    <>
      <p className="muted small">Paste these into {source.providerName}’s webhook settings:</p>
      <div className="copy-fields">
        {source.setup.map((f) => (
          <CopyField
            key={f.label}
            label={f.label}
            value={f.value}
            secret={f.secret}
            what={f.value === source.webhookUrl ? { sourceId: source.id, webhookUrl: true } : { sourceId: source.id }}
          />
        ))}
      </div>
      {!source.publicUrl && (
        <p className="muted small">This is the local URL: {source.providerName} can reach it only once the tunnel is online.</p>
      )}
      {waiting.length > 0 && (
        <p className="note note-warn" role="note">
          This source is waiting for its {waiting.join(', ').toLowerCase()}: {source.providerName} shows it once the webhook is saved. Paste
          it under Credentials below; until then its hooks are refused with “not set yet”.
        </p>
      )}
      {source.previousUntil && (
        <p className="note" role="note">
          The credentials you replaced are still accepted until {new Date(source.previousUntil).toLocaleString()}: update{' '}
          {source.providerName} before then.
        </p>
      )}
      {source.securityNote && (
        <p className="note" role="note">
          {source.securityNote}
        </p>
      )}
      {source.setupSteps && source.setupSteps.length > 0 && (
        <details className="steps">
          <summary>Steps in {source.providerName}</summary>
          <ol>
            {source.setupSteps.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a static list whose entries may repeat and never move
              <li key={i}>{s}</li>
            ))}
          </ol>
        </details>
      )}
    </>
  );
}

/** The source's settings, each in an editor of its own that saves its part. */
function SourceEditors({
  source,
  provider,
  overlapHours,
}: {
  source: SourceView;
  provider: ProviderInfo | undefined;
  overlapHours: number;
}) {
  return (
    <>
      <CredentialsEditor source={source} provider={provider} overlapHours={overlapHours} />
      <WebUrlEditor source={source} provider={provider} />
      <ApiSettingsEditor source={source} info={provider?.actions} />
      {source.provider === 'generic' && <GenericMappingEditor source={source} />}
      <SourceFiltersEditor source={source} />
    </>
  );
}

/** Send test event (a signed sample through the real receiver), the provider's docs, and what the test came to. */
function SourceTestEvent({ source, tunnelOnline }: { source: SourceView; tunnelOnline: boolean }) {
  const test = useTestEvent(source.id);
  return (
    <>
      <div className="source-foot">
        <button type="button" className="btn" disabled={test.sending} onClick={test.send}>
          {test.sending ? 'Sending…' : 'Send test event'}
        </button>
        {test.sending && <Spinner label={tunnelOnline ? 'Sending through the tunnel' : 'Sending'} />}
        <button type="button" className="link-button small" onClick={() => void openLink(source.docsUrl)}>
          {source.providerName} webhook documentation
        </button>
      </div>
      <FormMessage message={test.result} />
    </>
  );
}
