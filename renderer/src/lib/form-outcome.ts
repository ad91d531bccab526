/** What a form or an action came to, as the window says it under the form (`components/form-message.tsx`). */

/** It worked (a polite status) or it did not (an alert), in words. */
export interface FormOutcome {
  ok: boolean;
  text: string;
}
