/** Quitting: the engine closes cleanly (receiver drained, tunnel closed, history flushed), bounded in time. */
import { app } from './electron';
import { reportTo } from './shell-log';

/** How long quitting waits for the engine before exiting anyway. */
export const SHUTDOWN_TIMEOUT_MS = 5_000;

/**
 * Runs `cleanup` once when the app quits, holding the quit until it is done or {@link SHUTDOWN_TIMEOUT_MS} has
 * passed; the app keeps running with no window (a tray app: Quit in the tray menu ends it).
 */
export function quitCleanly(cleanup: () => Promise<void>): void {
  let cleanedUp = false;
  app.on('window-all-closed', () => {
    // Nothing: closing the last window must not quit a tray app.
  });
  app.on('will-quit', (event: { preventDefault(): void }) => {
    if (cleanedUp) return;
    event.preventDefault();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref());
    void Promise.race([cleanup(), timeout])
      .catch(reportTo('shutdown'))
      .finally(() => {
        cleanedUp = true;
        app.quit();
      });
  });
}
