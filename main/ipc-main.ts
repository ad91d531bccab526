/**
 * The only way main registers IPC handlers and sends events (GitHub Desktop style): small typed wrappers that
 * check the sender, validate every argument with the channel's zod schema, and turn failures into rejected
 * promises with plain messages.
 */
import type { ZodType } from 'zod';
import { type CallArgs, type CallName, type CallResult, type EventChannel, type EventChannels, IPC } from '../shared/ipc';
import { checkSender, type SenderEvent, type TrustPolicy } from './trusted-sender';
import { explainZodError } from '../shared/zod-words';

/** The part of Electron's `ipcMain` used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** A handler for one call of the IPC table, with typed arguments. */
export type CallHandler<M extends CallName> = (...args: CallArgs<M>) => Promise<CallResult<M>> | CallResult<M>;

/** Plain words for a refused call, also logged. */
export class IpcRefusal extends Error {
  constructor(
    readonly channel: string,
    message: string,
  ) {
    super(message);
    this.name = 'IpcRefusal';
  }
}

export interface RegisterOptions {
  trust: TrustPolicy;
  /** Where refusals and handler failures are recorded. */
  log?: (message: string) => void;
}

/**
 * Registers `handler` for the call `name` on its channel. The listener refuses calls from any sender but our
 * window's renderer, and arguments that do not match `schema` (a tuple of the call's arguments), before the
 * handler sees them.
 */
export function handle<M extends CallName>(
  ipc: IpcMainLike,
  name: M,
  schema: ZodType<CallArgs<M>>,
  handler: CallHandler<M>,
  options: RegisterOptions,
): void {
  const channel = IPC[name].channel;
  const log = options.log ?? (() => undefined);
  ipc.handle(channel, async (event, ...args) => {
    const trust = checkSender(event, options.trust);
    if (!trust.ok) {
      log(`ipc: refused ${channel}: ${trust.reason}`);
      throw new IpcRefusal(channel, `Refused: ${trust.reason}`);
    }
    const parsed = schema.safeParse(args);
    if (!parsed.success) {
      const problem = explainZodError(parsed.error);
      const where = problem.field ? ` (argument ${problem.field})` : '';
      const message = `Invalid arguments for ${channel}${where}: ${problem.message}`;
      log(`ipc: ${message}`);
      throw new IpcRefusal(channel, message);
    }
    try {
      return await handler(...parsed.data);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log(`ipc: ${channel} failed: ${message}`);
      // A plain Error: the renderer sees the message, never a stack or an internal type.
      throw new Error(message);
    }
  });
}

/** The part of a BrowserWindow events are sent through. */
export interface EventTarget {
  isDestroyed(): boolean;
  webContents: { isDestroyed(): boolean; send(channel: string, payload: unknown): void };
}

/** Sends an event to our window only (never broadcast), and only while it exists. */
export function sendEvent<C extends EventChannel>(target: EventTarget | null, channel: C, payload: EventChannels[C]): boolean {
  if (!target || target.isDestroyed() || target.webContents.isDestroyed()) return false;
  target.webContents.send(channel, payload);
  return true;
}
