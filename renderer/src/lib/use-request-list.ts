/**
 * The inspector's list as a hook over `request-list.ts`: loads the receiver's last requests, adds each one main
 * pushes, and keeps the selection and the "Rejected only" filter.
 */
import { useCallback, useEffect, useState } from 'react';
import type { RequestRecord } from '../../../shared/events';
import { errorMessage, listRequests, onRequestRecorded } from '../api';
import { INSPECTOR_LIMIT, prependRecord, shownRecords } from './request-list';

/** The inspector's list: its state, and what the view can ask of it. */
export interface RequestListModel {
  phase: 'loading' | 'ready' | 'error';
  /** Why the list could not load, while `phase` is 'error'. */
  error: string | null;
  /** Loads the list again. */
  reload: () => void;
  /** The records shown (narrowed by the filter). */
  shown: readonly RequestRecord[];
  rejectedOnly: boolean;
  toggleRejectedOnly: () => void;
  selectedId: string | null;
  /** The record selected, among all kept (the filter does not close its detail). */
  selected: RequestRecord | null;
  select: (id: string) => void;
}

/** The receiver's last requests, loaded at once and followed as main pushes new ones. */
export function useRequestList(): RequestListModel {
  const [records, setRecords] = useState<RequestRecord[]>([]);
  const [phase, setPhase] = useState<RequestListModel['phase']>('loading');
  const [error, setError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [rejectedOnly, setRejectedOnly] = useState(false);
  const reload = useCallback(() => {
    setPhase('loading');
    listRequests().then(
      (list) => {
        setRecords(list.slice(0, INSPECTOR_LIMIT));
        setPhase('ready');
      },
      (err) => {
        setError(errorMessage(err));
        setPhase('error');
      },
    );
  }, []);
  useEffect(reload, [reload]);
  useEffect(() => onRequestRecorded((r) => setRecords((prev) => prependRecord(prev, r))), []);
  return {
    phase,
    error,
    reload,
    shown: shownRecords(records, rejectedOnly),
    rejectedOnly,
    toggleRejectedOnly: () => setRejectedOnly(!rejectedOnly),
    selectedId,
    selected: records.find((r) => r.id === selectedId) ?? null,
    select: setSelectedId,
  };
}
