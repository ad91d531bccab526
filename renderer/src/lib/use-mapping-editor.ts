/**
 * A generic source's field mapping as a hook: the mapping being edited, checked before it is saved, and a
 * preview of it on the last body the source received (computed by main, never by the page).
 */
import { useState } from 'react';
import type { MappingPreview, SourceView } from '../../../shared/ipc';
import { errorMessage, previewMapping } from '../api';
import { configFromMapping, type MappingConfig, mappingFromConfig, mappingProblem } from './mapping';
import { type SourceUpdate, useSourceUpdate } from './use-source-update';

/** The mapping editor's state, and what it can ask of main. */
export interface MappingEditorModel {
  mapping: MappingConfig;
  setMapping: (mapping: MappingConfig) => void;
  /** Main's preview of the mapping on the last body; null until one was asked for. */
  preview: MappingPreview | null;
  previewing: boolean;
  /** Asks main to apply the mapping as edited to the last body received. */
  runPreview: () => void;
  /** Checks the mapping and saves it; a problem is said and nothing is sent. */
  save: () => void;
  message: SourceUpdate['message'];
}

/** The mapping editor of a generic source, starting from its stored config. */
export function useMappingEditor(source: SourceView): MappingEditorModel {
  const [mapping, setMapping] = useState(() => mappingFromConfig(source.config));
  const [preview, setPreview] = useState<MappingPreview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const { message, update, fail } = useSourceUpdate(source.id);
  return {
    mapping,
    setMapping,
    preview,
    previewing,
    runPreview: () => {
      setPreviewing(true);
      previewMapping(source.id, configFromMapping(mapping)).then(
        (p) => {
          setPreviewing(false);
          setPreview(p);
        },
        (err) => {
          setPreviewing(false);
          fail(errorMessage(err));
        },
      );
    },
    save: () => {
      const problem = mappingProblem(mapping);
      if (problem) fail(problem);
      else update({ config: configFromMapping(mapping) }, 'Mapping saved.');
    },
    message,
  };
}
