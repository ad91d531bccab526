/**
 * The headless bundle's entry point (`node out/headless/headless.js`): runs headless mode with the process's
 * arguments and leaves with its exit code once stdout is flushed.
 */
import { EXIT_START } from './cli';
import { runHeadless } from './run';

runHeadless(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Flush stdout before leaving; nothing else should keep the loop alive after a clean stop.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`crashbell: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT_START);
  },
);
