/** A source card's head: its badge, its name (or the rename form) and state, and Rename, Pause and Remove. */
import type { SourceView } from '../../../shared/ipc';
import { ProviderBadge } from '../components/provider-badge';
import type { SourceActionsModel } from '../lib/use-source-actions';

/** The head of a source card. */
export function SourceHead({ source, actions }: { source: SourceView; actions: SourceActionsModel }) {
  return (
    <header className="source-head">
      <ProviderBadge provider={source.provider} />
      {actions.renaming ? <RenameForm actions={actions} /> : <SourceTitle source={source} />}
      <div className="source-actions">
        {!actions.renaming && (
          <button type="button" className="btn btn-small btn-ghost" aria-label={`Rename ${source.name}`} onClick={actions.startRename}>
            Rename
          </button>
        )}
        <button
          type="button"
          className="btn btn-small btn-ghost"
          aria-pressed={source.paused}
          aria-label={`${source.paused ? 'Resume' : 'Pause'} notifications from ${source.name}`}
          onClick={actions.togglePause}
        >
          {source.paused ? 'Resume' : 'Pause'}
        </button>
        {actions.confirmingRemove ? (
          <>
            <button type="button" className="btn btn-small btn-danger" onClick={actions.remove}>
              Remove {source.name}
            </button>
            <button type="button" className="btn btn-small" onClick={actions.keep}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="btn btn-small btn-ghost" aria-label={`Remove ${source.name}`} onClick={actions.askToRemove}>
            Remove
          </button>
        )}
      </div>
    </header>
  );
}

/** The name being edited, saved or cancelled. */
function RenameForm({ actions }: { actions: SourceActionsModel }) {
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        actions.rename();
      }}
    >
      <input
        aria-label="Source name"
        value={actions.name}
        onChange={(e) => actions.setName(e.currentTarget.value)}
        // biome-ignore lint/a11y/noAutofocus: Rename was pressed to type the new name here
        autoFocus
        maxLength={200}
      />
      <button type="submit" className="btn btn-small btn-primary">
        Save
      </button>
      <button type="button" className="btn btn-small" onClick={actions.cancelRename}>
        Cancel
      </button>
    </form>
  );
}

/** The source's name, provider, and what it is waiting for. */
function SourceTitle({ source }: { source: SourceView }) {
  const waiting = source.waitingFor ?? [];
  return (
    <div className="source-title">
      <h3>{source.name}</h3>
      <span className="muted small">
        {source.providerName}
        {source.paused ? ' · paused' : ''}
      </span>
      {waiting.length > 0 && (
        <span className="status-pill tone-busy" role="status">
          Waiting for its {waiting.join(', ').toLowerCase()}
        </span>
      )}
    </div>
  );
}
