/**
 * Runs one verb of the command line (verbs.ts) against the Crashbell running for a data folder: connects to its
 * control socket, makes the verb's call, prints the answer (words, or with `--json` the call's answer as one JSON
 * document) and says how it went in the exit code: 0 done, 1 refused (the reason on stderr and, with `--json`, in
 * an `error` document on stdout), 2 usage, 3 no Crashbell running for that folder.
 */
import { CallRefusedError, ControlClient, NotRunningError } from '../control/client';
import { ConfigError, CrashbellError } from '../errors';
import { EXIT_NOT_RUNNING, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, parseVerbArgs, programName, type VerbArgs } from './cli';
import type { HeadlessOutput } from './output';
import { type Lookup, type Verb, VerbRefusal } from './verbs';

/** Options for {@link runVerb}, for tests. */
export interface VerbRunOptions {
  platform?: NodeJS.Platform;
  timeoutMs?: number;
}

/** Runs `verb` with the arguments that followed it; resolves with the exit code once its lines are queued. */
export async function runVerb(verb: Verb, argv: string[], output: HeadlessOutput, options: VerbRunOptions = {}): Promise<number> {
  const { say, warn } = output;
  const json = argv.includes('--json');
  const fail = (code: number, kind: string, reason: string, result?: unknown): number => {
    warn(`crashbell: ${reason}`);
    if (json) say(JSON.stringify({ type: 'error', code: kind, reason, ...(result !== undefined && result !== null ? { result } : {}) }));
    return code;
  };

  let args: VerbArgs;
  try {
    const parsed = parseVerbArgs(verb, argv);
    if (parsed === 'help') {
      say(`Usage: ${programName()} ${verb.name} ${verb.usage} [--data-dir DIR] [--json]\n\n  ${verb.summary}`);
      for (const option of Object.values(verb.options ?? {})) say(`  ${option.help}`);
      return EXIT_OK;
    }
    args = parsed;
  } catch (error) {
    if (error instanceof ConfigError) return fail(EXIT_USAGE, 'usage', error.message);
    throw error;
  }

  const timeoutMs = options.timeoutMs ?? verb.timeoutMs;
  let client: ControlClient;
  try {
    client = await ControlClient.connect(args.dataDir, {
      ...(options.platform ? { platform: options.platform } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
  } catch (error) {
    if (error instanceof NotRunningError) {
      const program = programName();
      return fail(
        EXIT_NOT_RUNNING,
        error.code,
        `${error.message}. Start one with: ${program} serve --config FILE --data-dir ${args.dataDir} (or pass the --data-dir of the one that runs)`,
      );
    }
    throw error;
  }

  try {
    const lookup: Lookup = (call, ...callArgs) => client.call(call, ...callArgs);
    const planned = await verb.call(args.input, lookup);
    const result = await client.call(planned.call, ...planned.args);
    const report = verb.report(result as never, args.input);
    if (report.refused) return fail(EXIT_REFUSED, report.refused.code, report.refused.reason, result);
    if (json) say(JSON.stringify(result));
    else for (const line of report.lines) say(line);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof VerbRefusal) return fail(EXIT_REFUSED, error.code, error.message);
    if (error instanceof CallRefusedError || error instanceof CrashbellError) {
      const after = error.code === 'timeout' && verb.afterTimeout ? `: ${verb.afterTimeout}` : '';
      return fail(EXIT_REFUSED, error.code, `${error.message}${after}`);
    }
    throw error;
  } finally {
    client.close();
  }
}
