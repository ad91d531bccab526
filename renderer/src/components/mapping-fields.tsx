/** The generic provider's field mapping inputs: a JSON path per field, the verification, and HMAC's details. */
import type { MappingConfig } from '../lib/mapping';

/** The paths a mapping has, as the form asks for them. */
const PATHS: Array<{ key: keyof MappingConfig; label: string; placeholder: string; required: boolean }> = [
  { key: 'titlePath', label: 'Title', placeholder: '$.error.message', required: true },
  { key: 'groupKeyPath', label: 'Group key', placeholder: '$.error.id', required: true },
  { key: 'bodyPath', label: 'Body', placeholder: '$.error.stack', required: false },
  { key: 'urlPath', label: 'URL to open', placeholder: '$.error.url', required: false },
  { key: 'occurrencesPath', label: 'Occurrences', placeholder: '$.error.count', required: false },
  { key: 'environmentPath', label: 'Environment', placeholder: '$.environment', required: false },
];

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
        {value.verification === 'hmac' && <HmacFields value={value} set={set} />}
      </div>
    </fieldset>
  );
}

/** Where an HMAC signature is found and how it is written. */
function HmacFields({ value, set }: { value: MappingConfig; set: (patch: Partial<MappingConfig>) => void }) {
  return (
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
  );
}
