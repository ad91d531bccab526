/**
 * Setup's Add a source form: provider, name, any credential the provider needs from the user, and a generic
 * source's mapping. Its state and talk with main are `lib/use-add-source.ts`.
 */
import type { ProviderInfo } from '../../../shared/ipc';
import { MappingFields } from '../components/mapping-fields';
import { Spinner } from '../components/spinner';
import { type AddSourceModel, useAddSource } from '../lib/use-add-source';

/** Adds a source: provider, name and any credential the provider needs from the user. */
export function AddSourceForm({ providers }: { providers: ProviderInfo[] }) {
  const form = useAddSource(providers);
  const { provider } = form;
  return (
    <form
      className="add-source"
      onSubmit={(e) => {
        e.preventDefault();
        form.submit();
      }}
      aria-labelledby="add-source-heading"
    >
      <h3 id="add-source-heading">Add a source</h3>
      <div className="form-grid">
        <label className="field">
          <span>Provider</span>
          <select aria-label="Provider" value={form.providerId} onChange={(e) => form.chooseProvider(e.currentTarget.value)}>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Name</span>
          <input
            value={form.name}
            placeholder={provider ? `${provider.name} — my project` : ''}
            maxLength={200}
            onChange={(e) => form.setName(e.currentTarget.value)}
          />
        </label>
        <ProviderFields form={form} />
      </div>
      {form.providerId === 'generic' && <MappingFields value={form.mapping} onChange={form.setMapping} />}
      {provider && provider.fields.length === 0 && provider.id === 'backtrace' && (
        <p className="muted small">Crashbell generates a username and password for Backtrace’s Basic authentication.</p>
      )}
      {provider?.securityNote && <p className="note small">{provider.securityNote}</p>}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          Add source
        </button>
        {form.busy && <Spinner label="Adding" />}
      </div>
      {form.error && (
        <p className="error-text" role="alert">
          {form.error}
        </p>
      )}
      {form.added && !form.error && (
        <p className="notice" role="status">
          {form.added}
        </p>
      )}
    </form>
  );
}

/** The fields the chosen provider asks the user for, saying which are optional or can be pasted later. */
function ProviderFields({ form }: { form: AddSourceModel }) {
  return form.provider?.fields.map((f) => (
    <label key={f.key} className="field">
      <span>
        {f.label}
        {f.pasteLater ? ' (can be pasted later)' : f.required ? '' : ' (optional)'}
      </span>
      <input
        type={f.secret ? 'password' : 'text'}
        autoComplete="off"
        spellCheck={false}
        value={form.values[f.key] ?? ''}
        onChange={(e) => form.type(f.key, e.currentTarget.value)}
      />
      {f.help && <span className="muted small">{f.help}</span>}
    </label>
  ));
}
