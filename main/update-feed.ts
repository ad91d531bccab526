/**
 * Where the app's updates come from: the project's GitHub Releases, where the release workflow publishes the
 * installers with their update metadata. electron-builder.yml's `publish` names the same repository
 * (test/build/electron-builder.test.ts keeps them in step), so the `app-update.yml` it packs agrees with what
 * the app asks. A module of its own so that the build's tests read it without loading Electron.
 */
import type { UpdateFeed } from './updater';

export const UPDATE_FEED = { provider: 'github', owner: 'crashbell', repo: 'crashbell' } as const satisfies UpdateFeed;
