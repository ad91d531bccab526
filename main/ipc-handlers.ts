/**
 * Every call of the IPC table → the app service's method of the same name (or the shell's, for the calls the
 * table gives the shell), each with the zod schema its arguments must match. The renderer is trusted code, but it
 * shows text that came from the internet: if it were ever subverted, main still accepts only well-formed, bounded
 * calls. The schemas live in the core (core/control/call-schemas.ts), so the local control socket holds its calls
 * to the same ones.
 */
import {
  CALL_NAMES,
  type CallName,
  type CrashbellCalls,
  IPC,
  SERVICE_CALL_NAMES,
  type ServiceCallName,
  SHELL_CALL_NAMES,
  type ShellCallName,
  type ShellCalls,
} from '../shared/ipc';
import { ARG_SCHEMAS, type ArgSchemas } from './core/control/call-schemas';
import { type CallHandler, handle, type IpcMainLike, type RegisterOptions } from './ipc-main';

export { ARG_SCHEMAS, type ArgSchemas, CREDENTIAL_NAME, MAX_CREDENTIAL_LENGTH, MAX_CREDENTIALS } from './core/control/call-schemas';

/** One handler per call of the IPC table, by call name: the app service's and the shell's together. */
export type IpcHandlers = { readonly [M in CallName]: CallHandler<M> };

/** The handlers of the calls in `names`, each the method of the same name on `target`; throws naming a missing one. */
function handlersOf<N extends CallName>(names: readonly N[], target: object, who: string): Pick<IpcHandlers, N> {
  const handlers: Partial<Record<CallName, (...args: never[]) => unknown>> = {};
  for (const name of names) {
    const method: unknown = (target as Record<string, unknown>)[name];
    if (typeof method !== 'function') throw new TypeError(`${who} has no ${name}() for ${IPC[name].channel}`);
    handlers[name] = (...args: never[]) => (method as (...a: never[]) => unknown).apply(target, args);
  }
  return handlers as Pick<IpcHandlers, N>;
}

/**
 * The handler map over the app service: each of its calls goes to the service's method of the same name (the
 * table's names are the service's). Throws, naming the call, when the service lacks one.
 */
export function serviceHandlers(service: CrashbellCalls): Pick<IpcHandlers, ServiceCallName> {
  return handlersOf(SERVICE_CALL_NAMES, service, 'the app service');
}

/** The handler map of the calls the shell answers (the app's own updates). */
export function shellHandlers(shell: ShellCalls): Pick<IpcHandlers, ShellCallName> {
  return handlersOf(SHELL_CALL_NAMES, shell, 'the shell');
}

/**
 * Registers every call of the IPC table with its schema and handler; returns a function that removes them all
 * (for quit and tests). Throws before registering anything when a call lacks either.
 */
export function registerIpcHandlers(
  ipc: IpcMainLike,
  handlers: IpcHandlers,
  options: RegisterOptions,
  schemas: ArgSchemas = ARG_SCHEMAS,
): () => void {
  const missing = CALL_NAMES.filter((name) => typeof handlers[name] !== 'function' || !schemas[name]);
  if (missing.length > 0) throw new TypeError(`no handler or no argument schema for ${missing.map((n) => IPC[n].channel).join(', ')}`);
  for (const name of CALL_NAMES) register(ipc, name, handlers, schemas, options);
  return () => {
    for (const name of CALL_NAMES) ipc.removeHandler(IPC[name].channel);
  };
}

function register<M extends CallName>(
  ipc: IpcMainLike,
  name: M,
  handlers: IpcHandlers,
  schemas: ArgSchemas,
  options: RegisterOptions,
): void {
  handle(ipc, name, schemas[name], handlers[name], options);
}
