/**
 * Crashbell's version, as `--version` prints it: package.json's, written into the headless bundle when it is
 * built (vite.headless.config.ts defines `__CRASHBELL_VERSION__`). Run from the sources (the tests), there is no
 * bundle, and it says so.
 */
declare const __CRASHBELL_VERSION__: string | undefined;

/** The version this bundle was built as, or `development` when run from the sources. */
export const CRASHBELL_VERSION: string = typeof __CRASHBELL_VERSION__ === 'string' ? __CRASHBELL_VERSION__ : 'development';
