import { describe, expect, it } from 'vitest';
import { type AppFrameEvent, appFrameReducer, firstView, INITIAL_APP_FRAME } from '../../../../renderer/src/lib/app-frame';
import { makeState, settingsView } from '../../../helpers/fake-api';

const run = (...events: AppFrameEvent[]) => events.reduce(appFrameReducer, INITIAL_APP_FRAME);

describe('appFrameReducer', () => {
  it('opens on Setup at the first run and on the list afterwards, and keeps the view chosen across loads', () => {
    expect(firstView(makeState({ onboarded: false }))).toBe('setup');
    expect(firstView(makeState())).toBe('errors');
    const settings = settingsView();
    expect(run({ type: 'loaded', state: makeState({ onboarded: false }), settings })).toMatchObject({ view: 'setup', settings });
    const chosen = run({ type: 'loaded', state: makeState(), settings }, { type: 'viewChosen', view: 'inspector' });
    expect(appFrameReducer(chosen, { type: 'loaded', state: makeState(), settings }).view).toBe('inspector');
  });

  it('says why it could not load until the next try', () => {
    const failed = run({ type: 'failed', error: 'disk on fire' });
    expect(failed.error).toBe('disk on fire');
    expect(appFrameReducer(failed, { type: 'loading' }).error).toBeNull();
  });

  it('follows main’s state and settings without moving the view', () => {
    const loaded = run({ type: 'loaded', state: makeState(), settings: settingsView() }, { type: 'viewChosen', view: 'settings' });
    const pushed = appFrameReducer(loaded, { type: 'stateChanged', state: makeState({ unread: 3 }) });
    expect(pushed).toMatchObject({ view: 'settings', state: { unread: 3 } });
    const dark = { ...settingsView(), theme: 'dark' as const };
    expect(appFrameReducer(pushed, { type: 'settingsChanged', settings: dark }).settings).toBe(dark);
  });

  it('a navigation with a group asks to open it once; one without keeps the request pending', () => {
    let f = run({ type: 'navigated', view: 'errors', groupId: 'g1', nonce: 1 });
    expect(f).toMatchObject({ view: 'errors', openRequest: { groupId: 'g1', nonce: 1 } });
    f = appFrameReducer(f, { type: 'navigated', view: 'setup', nonce: 2 });
    expect(f).toMatchObject({ view: 'setup', openRequest: { groupId: 'g1', nonce: 1 } });
    f = appFrameReducer(f, { type: 'openHandled' });
    expect(f.openRequest).toBeNull();
    expect(appFrameReducer(f, { type: 'navigated', view: 'errors', groupId: 'g1', nonce: 3 }).openRequest).toEqual({
      groupId: 'g1',
      nonce: 3,
    });
  });
});
