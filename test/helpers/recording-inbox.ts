/**
 * An inbox that records every notification it raises, by either route: in an ingest's result (what an event
 * raised) or through the timer callback (digests). Suites about the policy assert on the one list.
 */
import { type LocalInbox, type LocalInboxOptions, openInbox } from './inbox';
import type { NotificationRequest } from '../../shared/events';

export async function openRecordingInbox(
  options: Omit<LocalInboxOptions, 'onTimerNotification'>,
  onNote: (n: NotificationRequest) => void = () => undefined,
): Promise<{ inbox: LocalInbox; notes: NotificationRequest[] }> {
  const notes: NotificationRequest[] = [];
  const note = (n: NotificationRequest): void => {
    notes.push(n);
    onNote(n);
  };
  const inbox = await openInbox({ ...options, onTimerNotification: note });
  const ingest = inbox.ingest.bind(inbox);
  inbox.ingest = async (event, context) => {
    const result = await ingest(event, context);
    if (result.notification) note(result.notification);
    return result;
  };
  return { inbox, notes };
}
