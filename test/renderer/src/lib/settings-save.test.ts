import { describe, expect, it } from 'vitest';
import { INITIAL_SAVE_STATUS, type SaveEvent, saveStatusReducer } from '../../../../renderer/src/lib/settings-save';

const run = (...events: SaveEvent[]) => events.reduce(saveStatusReducer, INITIAL_SAVE_STATUS);

describe('saveStatusReducer', () => {
  it('a change being saved clears the last error and keeps the last words until it lands', () => {
    const before = run(
      { type: 'saved', done: 'Saved' },
      { type: 'failed', error: 'policy.milestones: “x” is not a positive whole number' },
    );
    expect(before).toEqual({ saving: false, saved: 'Saved', error: 'policy.milestones: “x” is not a positive whole number' });
    const sending = saveStatusReducer(before, { type: 'sending' });
    expect(sending).toEqual({ saving: true, saved: 'Saved', error: null });
    expect(saveStatusReducer(sending, { type: 'saved', done: 'Automatic updates off' })).toEqual({
      saving: false,
      saved: 'Automatic updates off',
      error: null,
    });
  });

  it('a refused change says why and drops "Saved", since nothing of it was', () => {
    expect(run({ type: 'saved', done: 'Saved' }, { type: 'sending' }, { type: 'refused', error: 'policy.stormLimit: too small' })).toEqual({
      saving: false,
      saved: null,
      error: 'policy.stormLimit: too small',
    });
  });

  it('another call’s outcome leaves a patch on its way alone', () => {
    expect(run({ type: 'sending' }, { type: 'done', text: 'Do Not Disturb off' })).toEqual({
      saving: true,
      saved: 'Do Not Disturb off',
      error: null,
    });
    expect(run({ type: 'done', text: 'Saved: Game client’s sound' }, { type: 'failed', error: 'the source is gone' })).toEqual({
      saving: false,
      saved: 'Saved: Game client’s sound',
      error: 'the source is gone',
    });
  });
});
