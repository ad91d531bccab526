import { describe, expect, it, vi } from 'vitest';
import { shellActions } from '../../main/shell-actions';
import type { ActionResult } from '../../shared/actions';

const done: ActionResult = {
  state: 'done',
  action: 'resolve',
  words: 'Resolved in Sentry',
  where: 'provider',
  code: null,
  status: null,
  retryAt: null,
};
const refused: ActionResult = {
  state: 'failed',
  action: 'resolve',
  words: 'Sentry refused the token (401): it is wrong, expired or revoked',
  where: null,
  code: 'unauthorized',
  status: 401,
  retryAt: null,
};

function deps(result: ActionResult | Error, notifies = true) {
  return {
    run: vi.fn(async () => {
      if (result instanceof Error) throw result;
      return result;
    }),
    notifyFailure: vi.fn(() => notifies),
    showGroup: vi.fn(),
    titleOf: vi.fn((id: string) => (id === 'g1' ? 'TypeError in checkout' : null)),
    log: vi.fn(),
  };
}

describe('the shell’s actions (a notification’s buttons, the tray)', () => {
  it('logs what was done and says nothing more: the row, the tray and the notification follow the group', async () => {
    const d = deps(done);
    expect(await shellActions(d)('g1', { kind: 'resolve' }, 'New error: TypeError', 'tray')).toBe(done);
    expect(d.run).toHaveBeenCalledWith('g1', { kind: 'resolve' });
    expect(d.log).toHaveBeenCalledWith('tray: resolve: done: Resolved in Sentry');
    expect(d.notifyFailure).not.toHaveBeenCalled();
    expect(d.showGroup).not.toHaveBeenCalled();
  });

  it('says a failure in a notification naming the group as the history has it', async () => {
    const d = deps(refused);
    await shellActions(d)('g1', { kind: 'resolve' }, 'New error: TypeError', 'notification');
    expect(d.notifyFailure).toHaveBeenCalledWith('g1', 'TypeError in checkout', refused);
    expect(d.showGroup).not.toHaveBeenCalled();
  });

  it('shows the error in the window when no notification can say it', async () => {
    const d = deps(refused, false);
    await shellActions(d)('g2', { kind: 'snooze', minutes: 60 }, 'New error: TypeError', 'tray');
    expect(d.notifyFailure).toHaveBeenCalledWith('g2', 'New error: TypeError', refused);
    expect(d.showGroup).toHaveBeenCalledWith('g2');
  });

  it('a call that throws (Crashbell still starting) is a failure in words, never a throw', async () => {
    const d = deps(new Error('Crashbell is still starting: try again in a moment'));
    const result = await shellActions(d)('g1', { kind: 'snooze', minutes: 60 }, 'x', 'notification');
    expect(result).toMatchObject({ state: 'failed', action: 'snooze', words: 'Crashbell is still starting: try again in a moment' });
    expect(d.notifyFailure).toHaveBeenCalledWith('g1', 'TypeError in checkout', result);
  });
});
