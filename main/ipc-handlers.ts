/**
 * Every call of the IPC table → the app service's method of the same name, each with the zod schema its
 * arguments must match. The renderer is trusted code, but it shows text that came from the internet: if it
 * were ever subverted, main still accepts only well-formed, bounded calls.
 */
import { CALL_NAMES, type CallName, type CrashbellCalls, IPC } from '../shared/ipc';
import { ARG_SCHEMAS, type ArgSchemas } from './core/control/call-schemas';
import { type CallHandler, handle, type IpcMainLike, type RegisterOptions } from './ipc-main';

export { ARG_SCHEMAS, type ArgSchemas, CREDENTIAL_NAME, MAX_CREDENTIAL_LENGTH, MAX_CREDENTIALS } from './core/control/call-schemas';

/** One handler per call of the IPC table, by call name: what {@link serviceHandlers} makes of the app service. */
export type IpcHandlers = { readonly [M in CallName]: CallHandler<M> };

/**
 * The handler map over the app service: each call goes to the service's method of the same name (the table's
 * names are the service's). Throws, naming the call, when the service lacks one.
 */
export function serviceHandlers(service: CrashbellCalls): IpcHandlers {
  const handlers: Partial<Record<CallName, (...args: never[]) => unknown>> = {};
  for (const name of CALL_NAMES) {
    const method: unknown = service[name];
    if (typeof method !== 'function') throw new TypeError(`the app service has no ${name}() for ${IPC[name].channel}`);
    handlers[name] = (...args: never[]) => (method as (...a: never[]) => unknown).apply(service, args);
  }
  return handlers as IpcHandlers;
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
