/**
 * Per-source settings beyond the pasted values: the generic provider's field mapping (with a preview on the
 * last received body), the notification filters every source may have, its credentials (edited, regenerated,
 * with the overlap in which the old ones still count) and its web app URL.
 */
import { useState, type FormEvent } from 'react';
import type { MappingPreview, ProviderInfo, SourceView } from '../../../shared/ipc';
import type { SourceFilters } from '../../../shared/settings';
import { errorMessage, previewMapping, updateSource } from '../api';
import { Spinner } from './spinner';
import { type FormOutcome, FormMessage } from './form-message';

/** The generic provider's config as the setup view edits it (flat keys, as main stores them). */
export interface MappingConfig {
  titlePath: string;
  groupKeyPath: string;
  bodyPath: string;
  urlPath: string;
  occurrencesPath: string;
  environmentPath: string;
  verification: 'none' | 'hmac' | 'standard-webhooks';
  signatureHeader: string;
  signatureEncoding: 'hex' | 'base64';
  signaturePrefix: string;
}

const PATHS: Array<{ key: keyof MappingConfig; label: string; placeholder: string; required: boolean }> = [
  { key: 'titlePath', label: 'Title', placeholder: '$.error.message', required: true },
  { key: 'groupKeyPath', label: 'Group key', placeholder: '$.error.id', required: true },
  { key: 'bodyPath', label: 'Body', placeholder: '$.error.stack', required: false },
  { key: 'urlPath', label: 'URL to open', placeholder: '$.error.url', required: false },
  { key: 'occurrencesPath', label: 'Occurrences', placeholder: '$.error.count', required: false },
  { key: 'environmentPath', label: 'Environment', placeholder: '$.environment', required: false },
];

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Reads a stored config into the editor's shape (missing keys become empty). */
export function mappingFromConfig(config: Record<string, unknown>): MappingConfig {
  const verification = str(config['verification']);
  return {
    titlePath: str(config['titlePath']),
    groupKeyPath: str(config['groupKeyPath']),
    bodyPath: str(config['bodyPath']),
    urlPath: str(config['urlPath']),
    occurrencesPath: str(config['occurrencesPath']),
    environmentPath: str(config['environmentPath']),
    verification: verification === 'hmac' || verification === 'standard-webhooks' ? verification : 'none',
    signatureHeader: str(config['signatureHeader']),
    signatureEncoding: config['signatureEncoding'] === 'base64' ? 'base64' : 'hex',
    signaturePrefix: str(config['signaturePrefix']),
  };
}

/** The config to store: optional paths left empty are omitted; signature fields only for HMAC. */
export function configFromMapping(m: MappingConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { titlePath: m.titlePath.trim(), groupKeyPath: m.groupKeyPath.trim(), verification: m.verification };
  for (const k of ['bodyPath', 'urlPath', 'occurrencesPath', 'environmentPath'] as const) if (m[k].trim()) out[k] = m[k].trim();
  if (m.verification === 'hmac') {
    out['signatureHeader'] = m.signatureHeader.trim();
    out['signatureEncoding'] = m.signatureEncoding;
    out['signaturePrefix'] = m.signaturePrefix;
  }
  return out;
}

/** The first problem with a mapping before it is sent, or null. */
export function mappingProblem(m: MappingConfig): string | null {
  if (!m.titlePath.trim()) return 'Map the title: a JSON path such as $.error.message.';
  if (!m.groupKeyPath.trim()) return 'Map the group key: a JSON path such as $.error.id.';
  if (m.verification === 'hmac' && !m.signatureHeader.trim()) return 'HMAC verification needs the header that carries the signature.';
  return null;
}

export const EMPTY_MAPPING: MappingConfig = mappingFromConfig({});

/** The mapping's inputs. */
export function MappingFields({ value, onChange }: { value: MappingConfig; onChange: (next: MappingConfig) => void }) {
  const set = (patch: Partial<MappingConfig>) => onChange({ ...value, ...patch });
  return (
    <fieldset className="mapping">
      <legend>Field mapping (JSON paths)</legend>
      <div className="form-grid">
        {PATHS.map((p) => (
          <label key={p.key} className="field">
            <span>
              {p.label}
              {p.required ? '' : ' (optional)'}
            </span>
            <input
              type="text"
              spellCheck={false}
              placeholder={p.placeholder}
              value={value[p.key]}
              onChange={(e) => set({ [p.key]: e.currentTarget.value })}
            />
          </label>
        ))}
        <label className="field">
          <span>Verification</span>
          <select
            aria-label="Verification"
            value={value.verification}
            onChange={(e) => set({ verification: e.currentTarget.value as MappingConfig['verification'] })}
          >
            <option value="none">None (the URL is the secret)</option>
            <option value="hmac">HMAC-SHA256 in a header</option>
            <option value="standard-webhooks">Standard Webhooks</option>
          </select>
        </label>
        {value.verification === 'hmac' && (
          <>
            <label className="field">
              <span>Signature header</span>
              <input
                type="text"
                spellCheck={false}
                placeholder="x-signature"
                value={value.signatureHeader}
                onChange={(e) => set({ signatureHeader: e.currentTarget.value })}
              />
            </label>
            <label className="field">
              <span>Encoding</span>
              <select
                aria-label="Encoding"
                value={value.signatureEncoding}
                onChange={(e) => set({ signatureEncoding: e.currentTarget.value as 'hex' | 'base64' })}
              >
                <option value="hex">hex</option>
                <option value="base64">base64</option>
              </select>
            </label>
            <label className="field">
              <span>Prefix (optional)</span>
              <input
                type="text"
                spellCheck={false}
                placeholder="sha256="
                value={value.signaturePrefix}
                onChange={(e) => set({ signaturePrefix: e.currentTarget.value })}
              />
            </label>
          </>
        )}
      </div>
    </fieldset>
  );
}

/** A generic source's mapping, editable, with a preview on the last body it received. */
export function GenericMappingEditor({ source }: { source: SourceView }) {
  const [mapping, setMapping] = useState(() => mappingFromConfig(source.config));
  const [preview, setPreview] = useState<MappingPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormOutcome | null>(null);

  const runPreview = () => {
    setBusy(true);
    previewMapping(source.id, configFromMapping(mapping)).then(
      (p) => {
        setBusy(false);
        setPreview(p);
      },
      (err) => {
        setBusy(false);
        setMessage({ ok: false, text: errorMessage(err) });
      },
    );
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    const problem = mappingProblem(mapping);
    if (problem) {
      setMessage({ ok: false, text: problem });
      return;
    }
    updateSource(source.id, { config: configFromMapping(mapping) }).then(
      () => setMessage({ ok: true, text: 'Mapping saved.' }),
      (err) => setMessage({ ok: false, text: errorMessage(err) }),
    );
  };

  return (
    <details className="steps">
      <summary>Field mapping and preview</summary>
      <form onSubmit={save}>
        <MappingFields value={mapping} onChange={setMapping} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            Save mapping
          </button>
          <button type="button" className="btn" onClick={runPreview} disabled={busy}>
            Preview on the last body
          </button>
          {busy && <Spinner label="Previewing" />}
        </div>
      </form>
      <FormMessage message={message} />
      {preview && (
        <section className="preview" aria-label="Mapping preview">
          {preview.errors.length > 0 && (
            <ul className="error-text">
              {preview.errors.map((e, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a static list whose entries may repeat and never move
                <li key={i}>{e}</li>
              ))}
            </ul>
          )}
          {Object.keys(preview.fields).length > 0 && (
            <table className="headers-table">
              <tbody>
                {Object.entries(preview.fields).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td className="mono wrap">{v === null ? '—' : String(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {preview.body && (
            <details>
              <summary>Last body received</summary>
              <pre className="code-block">{preview.body}</pre>
            </details>
          )}
        </section>
      )}
    </details>
  );
}

/** Parses the filter form; the first problem in words, or the filters to save. */
export function filtersFromForm(
  min: string,
  name: string,
  value: string,
): { ok: true; filters: SourceFilters } | { ok: false; error: string } {
  let minOccurrences: number | null = null;
  if (min.trim() !== '') {
    const n = Number(min);
    if (!Number.isInteger(n) || n < 0) return { ok: false, error: 'Minimum occurrences must be a whole number (0 or more).' };
    minOccurrences = n;
  }
  const attrName = name.trim();
  const attrValue = value.trim();
  if ((attrName === '') !== (attrValue === '')) return { ok: false, error: 'Give both the attribute and the value to match, or neither.' };
  return { ok: true, filters: { minOccurrences, attribute: attrName ? { name: attrName, value: attrValue } : null } };
}

/** The policy's optional per-source filters: minimum occurrences and an attribute match. */
export function SourceFiltersEditor({ source }: { source: SourceView }) {
  const [min, setMin] = useState(source.filters.minOccurrences === null ? '' : String(source.filters.minOccurrences));
  const [name, setName] = useState(source.filters.attribute?.name ?? '');
  const [value, setValue] = useState(source.filters.attribute?.value ?? '');
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const active = source.filters.minOccurrences !== null || source.filters.attribute !== null;

  const save = (e: FormEvent) => {
    e.preventDefault();
    const parsed = filtersFromForm(min, name, value);
    if (!parsed.ok) {
      setMessage({ ok: false, text: parsed.error });
      return;
    }
    updateSource(source.id, { filters: parsed.filters }).then(
      () => setMessage({ ok: true, text: 'Filters saved.' }),
      (err) => setMessage({ ok: false, text: errorMessage(err) }),
    );
  };

  return (
    <details className="steps">
      <summary>Notification filters{active ? ' (on)' : ''}</summary>
      <form onSubmit={save}>
        <p className="muted small">Errors that do not pass are still recorded; they just do not notify.</p>
        <div className="form-grid">
          <label className="field">
            <span>Minimum occurrences</span>
            <input type="number" min={0} placeholder="any" value={min} onChange={(e) => setMin(e.currentTarget.value)} />
          </label>
          <label className="field">
            <span>Attribute</span>
            <input type="text" placeholder="environment" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          </label>
          <label className="field">
            <span>Equals</span>
            <input type="text" placeholder="production" value={value} onChange={(e) => setValue(e.currentTarget.value)} />
          </label>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn">
            Save filters
          </button>
        </div>
      </form>
      <FormMessage message={message} />
    </details>
  );
}

/** "2 Jan, 08:00": when previous credentials stop being accepted. */
function untilText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/**
 * A source's credentials after it was made: values the user pastes can be replaced (or pasted for the
 * first time, for a source still waiting for its secret), values Crashbell generates can be regenerated, and
 * replaced values stay accepted for the overlap, shown here, so the provider can be updated without losing
 * hooks.
 */
export function CredentialsEditor({
  source,
  provider,
  overlapHours,
}: {
  source: SourceView;
  provider: ProviderInfo | undefined;
  overlapHours: number;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [confirmRegenerate, setConfirmRegenerate] = useState(false);
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const fields = provider?.fields ?? [];
  const waiting = source.waitingFor ?? [];
  // Open at first while the source waits for its secret; then the user's to open and close (saving the
  // secret must not fold away the answer).
  const [open, setOpen] = useState(() => waiting.length > 0);
  const overlap =
    overlapHours > 0
      ? `The value it replaces stays accepted for ${overlapHours} h, so you can update ${source.providerName} without losing hooks.`
      : 'The value it replaces stops being accepted at once (the overlap is 0 h in Settings).';

  const done = (text: string) => () => {
    setValues({});
    setConfirmRegenerate(false);
    setMessage({ ok: true, text });
  };
  const failed = (err: unknown) => setMessage({ ok: false, text: errorMessage(err) });

  const save = (e: FormEvent) => {
    e.preventDefault();
    const credentials: Record<string, string> = {};
    for (const f of fields) if (values[f.key]?.trim()) credentials[f.key] = values[f.key]!.trim();
    if (Object.keys(credentials).length === 0) {
      setMessage({ ok: false, text: 'Paste a new value first.' });
      return;
    }
    updateSource(source.id, { credentials }).then(done('Saved.'), failed);
  };

  if (fields.length === 0 && !provider?.regenerable) return null;
  return (
    <details className="steps" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Credentials{waiting.length > 0 ? ` (waiting for its ${waiting.join(', ').toLowerCase()})` : ''}</summary>
      {fields.length > 0 && (
        <form onSubmit={save}>
          <div className="form-grid">
            {fields.map((f) => {
              const set = (source.credentials[f.key] ?? '') !== '';
              return (
                <label key={f.key} className="field">
                  <span>
                    {f.label}
                    {f.required ? '' : ' (optional)'}
                  </span>
                  <input
                    type={f.secret ? 'password' : 'text'}
                    autoComplete="off"
                    spellCheck={false}
                    placeholder={set ? 'Saved — paste a new one to replace it' : 'Not set yet'}
                    value={values[f.key] ?? ''}
                    onChange={(e) => setValues({ ...values, [f.key]: e.currentTarget.value })}
                  />
                  {f.help && <span className="muted small">{f.help}</span>}
                </label>
              );
            })}
          </div>
          <p className="muted small">{overlap}</p>
          <div className="form-actions">
            <button type="submit" className="btn">
              Save credentials
            </button>
          </div>
        </form>
      )}
      {provider?.regenerable && (
        <div className="form-actions">
          {confirmRegenerate ? (
            <>
              <button
                type="button"
                className="btn btn-danger"
                onClick={() =>
                  updateSource(source.id, { regenerate: true }).then(
                    done(`New values generated: paste them into ${source.providerName}.`),
                    failed,
                  )
                }
              >
                Generate new values
              </button>
              <button type="button" className="btn" onClick={() => setConfirmRegenerate(false)}>
                Keep the current ones
              </button>
              <span className="muted small">{overlap}</span>
            </>
          ) : (
            <button type="button" className="btn" onClick={() => setConfirmRegenerate(true)}>
              Regenerate{' '}
              {source.setup
                .filter((f) => f.label !== 'Webhook URL')
                .map((f) => f.label.toLowerCase())
                .join(' and ') || 'credentials'}
            </button>
          )}
        </div>
      )}
      {source.previousUntil && (
        <p className="note" role="note">
          The previous credentials are still accepted until {untilText(source.previousUntil)}.{' '}
          <button
            type="button"
            className="link-button small"
            onClick={() =>
              updateSource(source.id, { endOverlap: true }).then(done('Only the current credentials are accepted now.'), failed)
            }
          >
            Stop accepting them now
          </button>
        </p>
      )}
      <FormMessage message={message} />
    </details>
  );
}

/** The source's web app URL: self-hosted installs, a generic source's app, links to build (Sentry, Rollbar). */
export function WebUrlEditor({ source, provider }: { source: SourceView; provider: ProviderInfo | undefined }) {
  const [value, setValue] = useState(source.webUrl ?? '');
  const [message, setMessage] = useState<FormOutcome | null>(null);
  if (!provider?.webUrlHelp) return null;
  const save = (e: FormEvent) => {
    e.preventDefault();
    updateSource(source.id, { webUrl: value.trim() }).then(
      () => setMessage({ ok: true, text: value.trim() ? 'Web app URL saved.' : 'Web app URL removed.' }),
      (err) => setMessage({ ok: false, text: errorMessage(err) }),
    );
  };
  return (
    <details className="steps">
      <summary>Web app URL{source.webUrl ? ` (${source.webUrl})` : ''}</summary>
      <form onSubmit={save}>
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
