/**
 * Acting on a crash in its provider (resolve, snooze, ignore, assign...): what an action is, how it ended, and
 * what a token test found. Plain shapes every layer shares: the core's action runner (`main/core/actions/`)
 * produces them, the window, the tray and the command line show them. Nothing here knows a provider.
 */
import { z } from 'zod';

/** The longest snooze a user may ask for: 30 days, in minutes. */
export const MAX_SNOOZE_MINUTES = 30 * 24 * 60;

/** The durations the notification, the detail view and the tray offer (1 h, 8 h, 24 h), in minutes. */
export const SNOOZE_CHOICES_MINUTES = [60, 8 * 60, 24 * 60] as const;

/** The largest "until N more occurrences" a user may ask for. */
export const MAX_SNOOZE_OCCURRENCES = 1_000_000;

/**
 * One action on the provider's issue behind a group. `snooze` for a time; `snooze-occurrences` until the issue
 * occurs `count` more times (where the provider has it); `assign-to-me` assigns the issue to the person the
 * source's API settings name as "me".
 */
export const providerActionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('resolve') }),
  z.strictObject({ kind: z.literal('resolve-next-release') }),
  z.strictObject({ kind: z.literal('unresolve') }),
  z.strictObject({
    kind: z.literal('snooze'),
    minutes: z.number().int('a whole number of minutes').min(1, 'at least 1 minute').max(MAX_SNOOZE_MINUTES, 'at most 30 days'),
  }),
  z.strictObject({
    kind: z.literal('snooze-occurrences'),
    count: z.number().int('a whole number of occurrences').min(1, 'at least 1 occurrence').max(MAX_SNOOZE_OCCURRENCES),
  }),
  z.strictObject({ kind: z.literal('ignore') }),
  z.strictObject({ kind: z.literal('assign-to-me') }),
]);
export type ProviderAction = z.infer<typeof providerActionSchema>;

/** The kinds of action, in the order the detail view lists them. */
export const ACTION_KINDS = [
  'resolve',
  'resolve-next-release',
  'unresolve',
  'snooze',
  'snooze-occurrences',
  'ignore',
  'assign-to-me',
] as const satisfies ReadonlyArray<ProviderAction['kind']>;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** "1 hour", "8 hours", "90 minutes", "2 days": a snooze's length in words. */
export function durationWords(minutes: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes % (24 * 60) === 0) return plural(minutes / (24 * 60), 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

/** Whether an action can be tried for a group, and if not, why (in words the window shows beside it). */
export interface ActionAvailability {
  kind: ActionKind;
  available: boolean;
  /** Null when available; otherwise why not ("Raygun's webhooks carry no error-group id..."). */
  reason: string | null;
}

/** Why an action failed, for code that reacts to it (retry later, point at Setup); the words say it to people. */
export type ActionFailureCode =
  /** 401: the token is wrong, expired or revoked. */
  | 'unauthorized'
  /** 403: the token lacks the scope or the access (named in the words). */
  | 'forbidden'
  /** 404: the issue (or project) is gone, or the token cannot see it. */
  | 'not-found'
  /** 429 (or the provider's own rate-limit answer), still refused after the retries: `retryAt` says when. */
  | 'rate-limited'
  /** No answer in time. */
  | 'timeout'
  /** The provider could not be reached (offline, DNS, refused connection, TLS). */
  | 'offline'
  /** 5xx after the retries. */
  | 'server'
  /** Another refusal (400, 409, 422...) with the provider's own reason. */
  | 'rejected'
  /** A redirect Crashbell does not follow (another host, or too many). */
  | 'redirect'
  /** A 2xx that did not say the change was made (a refusal in the body, a web page instead of the API). */
  | 'bad-answer'
  /** Cancelled before an answer (the app quitting): nothing is known to have changed. */
  | 'cancelled';

/** Why an action cannot be tried at all (nothing was sent). */
export type ActionUnavailableCode =
  /** The provider has no write API Crashbell can use (Errorception, Backtrace, Raygun...). */
  | 'local-only'
  /** The provider's API has no such action (Rollbar has no "resolve in next release"). */
  | 'unsupported'
  /** The source has no API token. */
  | 'no-token'
  /** The group's hooks did not carry the ids the provider's API needs. */
  | 'no-issue-ref'
  /** "Assign to me" without the source naming who "me" is in the provider. */
  | 'no-assignee'
  /** The API's address is not one Crashbell sends a token to (not https, or a host the user did not name). */
  | 'api-url';

/**
 * How an action ended. Never a throw for a provider's refusal: `failed` carries its reason in words (the scope
 * a 403 lacks, when a rate limit ends). `unavailable`: nothing was sent. While it runs, the runner reports
 * {@link ActionProgress}.
 */
export type ActionOutcome =
  | {
      state: 'done';
      action: ActionKind;
      /** The provider's name as people read it ("Sentry"), in every outcome and progress. */
      provider: string;
      /** "Resolved in Sentry", "Snoozed for 1 hour in Bugsnag". */
      words: string;
      /** ISO 8601, when the provider accepted it. */
      at: string;
    }
  | {
      state: 'failed';
      action: ActionKind;
      provider: string;
      code: ActionFailureCode;
      /** The provider's reason in words: "Sentry refused the token (401): it is wrong, expired or revoked...". */
      words: string;
      /** The last HTTP status, or null when no answer came. */
      status: number | null;
      /** ISO 8601: when a rate limit ends (try again then); null otherwise. */
      retryAt: string | null;
      at: string;
    }
  | {
      state: 'unavailable';
      action: ActionKind;
      provider: string;
      code: ActionUnavailableCode;
      words: string;
    };

/** What the runner says while an action is under way: sending, or waiting for a retry at a time. */
export interface ActionProgress {
  state: 'pending';
  action: ActionKind;
  provider: string;
  /** "Resolving in Sentry…", "Sentry is rate limiting: retrying at 14:05:30". */
  words: string;
  /** ISO 8601 of the next attempt while waiting to retry; null while sending. */
  retryAt: string | null;
}

/**
 * What a provider's API lets Crashbell do to its issues, as Setup and the detail view say it: `api` with the
 * token it takes (and the actions its API lacks), or `local` with why actions stay in Crashbell.
 */
export type ProviderActionsInfo =
  | {
      kind: 'api';
      /** "Sentry auth token". */
      tokenLabel: string;
      /** The scope actions need ("event:write"), or null when the provider's tokens have none. */
      tokenScope: string | null;
      /** Where to make one. */
      tokenHelp: string;
      /** The API's address when the source names none ("https://sentry.io"). */
      defaultApiUrl: string;
      /** Actions the provider's API does not have (Rollbar: resolve in the next release). */
      unsupported: ActionKind[];
    }
  | { kind: 'local'; reason: string };

/** What "Test token" found: a harmless read with the source's token. */
export interface TokenTestResult {
  ok: boolean;
  provider: string;
  /** "The token can read issue 1170820242 in Sentry. Actions also need the event:write scope...". */
  words: string;
  /** Why it failed, as for an action; null when it worked. */
  code: ActionFailureCode | ActionUnavailableCode | null;
  /** The last HTTP status, or null. */
  status: number | null;
  /** ISO 8601: when a rate limit ends; null otherwise. */
  retryAt: string | null;
}

/** The longest claim a user may set: a week, in hours. */
export const MAX_CLAIM_HOURS = 24 * 7;

/**
 * Everything a person can do to a group from the window, the tray, a notification or the command line: the
 * provider actions (made in the provider when its API can, else here, saying why), and claiming it for the team.
 */
export const groupActionSchema = z.union([
  providerActionSchema,
  z.strictObject({
    kind: z.literal('claim'),
    /** How long the claim holds; default the `claimHours` setting. */
    hours: z.number().positive('more than 0 hours').max(MAX_CLAIM_HOURS, 'at most a week').optional(),
  }),
  z.strictObject({ kind: z.literal('release') }),
]);
export type GroupAction = z.infer<typeof groupActionSchema>;

/** Where an action's change was made. */
export type ActionWhere =
  /** In the provider, through its API, and here. */
  | 'provider'
  /** Here only (the provider has no API for it, no token is set, or resolving in the provider is off): `words` say why. */
  | 'local';

/** How an action on a group ended, as the window, the tray and the command line show it. */
export interface ActionResult {
  /** `done`: the change holds; `failed`: nothing changed (the provider refused, or it could not be tried). */
  state: 'done' | 'failed';
  action: GroupAction['kind'];
  /** "Resolved in Sentry", "Resolved here only: Backtrace has no API to resolve it", "Sentry refused the token...". */
  words: string;
  /** Where the change was made; null when it failed. */
  where: ActionWhere | null;
  /** Why it failed, for code that reacts to it; null when done. */
  code: ActionFailureCode | ActionUnavailableCode | 'gone' | null;
  /** The provider's last HTTP status, or null. */
  status: number | null;
  /** ISO 8601 when a rate limit ends; null otherwise. */
  retryAt: string | null;
}

/** The last action on a group and where it stands, as the detail view shows it ("Resolving in Sentry…"). */
export interface GroupActionState {
  action: GroupAction['kind'];
  state: 'pending' | 'done' | 'failed';
  words: string;
  /** ISO 8601 of this state. */
  at: string;
  /** ISO 8601 of the next try while a rate limit lasts; null otherwise. */
  retryAt: string | null;
  /** Who asked for it (the member name with the team relay), or null. */
  by: string | null;
}
