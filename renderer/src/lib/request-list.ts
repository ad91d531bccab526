/**
 * The inspector's list of the receiver's last requests: kept as the receiver keeps them (newest first, at most
 * {@link INSPECTOR_LIMIT}), narrowed to the rejected ones on demand. Pure; `use-request-list.ts` talks to main.
 */
import type { RequestRecord } from '../../../shared/events';

/** How many requests the inspector keeps, as the receiver does. */
export const INSPECTOR_LIMIT = 200;

/** Adds a pushed record on top, dropping a duplicate and the oldest beyond the limit. */
export function prependRecord(list: readonly RequestRecord[], r: RequestRecord, limit = INSPECTOR_LIMIT): RequestRecord[] {
  return [r, ...list.filter((x) => x.id !== r.id)].slice(0, limit);
}

/** The receiver answered the request with something other than a 2xx. */
export function isRejected(r: RequestRecord): boolean {
  return r.status >= 300 || r.status < 200;
}

/** The records the list shows: all of them, or only the rejected ones. */
export function shownRecords(records: readonly RequestRecord[], rejectedOnly: boolean): readonly RequestRecord[] {
  return rejectedOnly ? records.filter(isRejected) : records;
}

/** A request's headers by name, as the detail lists them. */
export function sortedHeaders(headers: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(headers).sort(([a], [b]) => a.localeCompare(b));
}
