/**
 * Actions asked for outside the window (a notification's Resolve and Snooze 1 h buttons, the tray's latest
 * errors): run through the app service's `runAction`, like the window's, and reported where the user is. A
 * failure carries the provider's words in a notification whose click shows the error in the window (where the
 * action's state stays); without notifications the window itself is shown on the error. What was done is
 * logged; the row, the unread count and the tray follow the group's pushes, and its notification is withdrawn.
 */
import type { ActionResult, GroupAction } from '../shared/actions';

/** Runs one action on a group, asked for from `from`; `title` names the group in what is said. */
export type ShellAct = (groupId: string, action: GroupAction, title: string, from: 'notification' | 'tray') => Promise<ActionResult>;

/** What the runner needs of the shell. */
export interface ShellActionDeps {
  /** The app service's `runAction`; throws while Crashbell is still starting. */
  run(groupId: string, action: GroupAction): Promise<ActionResult>;
  /** Raises the failure as a notification; false when this desktop cannot show one. */
  notifyFailure(groupId: string, title: string, result: ActionResult): boolean;
  /** Shows the window on the group. */
  showGroup(groupId: string): void;
  /** The group's title as the history has it, or null (then the caller's words name it). */
  titleOf(groupId: string): string | null;
  log(message: string): void;
}

/** A call that threw (the engine not there yet, a bad argument) as a failed action, in words. */
function thrown(action: GroupAction, err: unknown): ActionResult {
  return {
    state: 'failed',
    action: action.kind,
    words: err instanceof Error ? err.message : String(err),
    where: null,
    code: 'rejected',
    status: null,
    retryAt: null,
  };
}

/** The runner of the shell's actions (see the module comment). Never throws: the result says how it ended. */
export function shellActions(deps: ShellActionDeps): ShellAct {
  return async (groupId, action, title, from) => {
    let result: ActionResult;
    try {
      result = await deps.run(groupId, action);
    } catch (err) {
      result = thrown(action, err);
    }
    // The title came from the internet: the log gets the action and the words, which are Crashbell's and the provider's.
    deps.log(`${from}: ${action.kind}: ${result.state}: ${result.words}`);
    if (result.state === 'failed' && !deps.notifyFailure(groupId, deps.titleOf(groupId) ?? title, result)) deps.showGroup(groupId);
    return result;
  };
}
