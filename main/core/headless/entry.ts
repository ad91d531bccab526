/**
 * The headless bundle's entry point (`node out/headless/headless.js`): runs headless mode with the process's
 * arguments and leaves with its exit code (runHeadless has already flushed stdout, within a bounded wait).
 */
import { errorText } from '../errors';
import { EXIT_START, wantsJson } from './cli';
import { runHeadless } from './run';

const argv = process.argv.slice(2);

runHeadless(argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`crashbell: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    // A program reading --json learns of it from stdout too, as of every other start-up failure.
    if (wantsJson(argv)) {
      const reason = `cannot start: ${errorText(error)}`;
      process.stdout.write(`${JSON.stringify({ type: 'error', code: 'internal', reason })}\n`, () => process.exit(EXIT_START));
      return;
    }
    process.exit(EXIT_START);
  },
);
