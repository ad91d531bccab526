/**
 * A generic source's field mapping, editable, with a preview on the last body it received. Its state and talk
 * with main are `lib/use-mapping-editor.ts`.
 */
import type { MappingPreview, SourceView } from '../../../shared/ipc';
import { useMappingEditor } from '../lib/use-mapping-editor';
import { FormMessage } from './form-message';
import { MappingFields } from './mapping-fields';
import { Spinner } from './spinner';

/** The mapping editor, folded under its summary. */
export function GenericMappingEditor({ source }: { source: SourceView }) {
  const editor = useMappingEditor(source);
  return (
    <details className="steps">
      <summary>Field mapping and preview</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          editor.save();
        }}
      >
        <MappingFields value={editor.mapping} onChange={editor.setMapping} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            Save mapping
          </button>
          <button type="button" className="btn" onClick={editor.runPreview} disabled={editor.previewing}>
            Preview on the last body
          </button>
          {editor.previewing && <Spinner label="Previewing" />}
        </div>
      </form>
      <FormMessage message={editor.message} />
      {editor.preview && <MappingPreviewView preview={editor.preview} />}
    </details>
  );
}

/** What the mapping made of the last body: its problems, each field's value, and the body itself (as text). */
function MappingPreviewView({ preview }: { preview: MappingPreview }) {
  return (
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
  );
}
