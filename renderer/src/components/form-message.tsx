/**
 * What a form says after it was submitted: a polite status when it worked, an alert when it did not, or
 * nothing before the first try.
 */
import type { FormOutcome } from '../lib/form-outcome';

/** The outcome under its form; nothing before the first try. */
export function FormMessage({ message }: { message: FormOutcome | null }) {
  if (!message) return null;
  return (
    <p className={message.ok ? 'notice' : 'error-text'} role={message.ok ? 'status' : 'alert'}>
      {message.text}
    </p>
  );
}
