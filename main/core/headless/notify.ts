/**
 * Where headless mode's notifications go besides its own output: the configured command and ntfy topic
 * (`headless.notify` in the config file). Each outlet has its own bounded queue, so a slow or failing one
 * neither delays the other nor the receiver; every failure is reported, with the notification it concerned.
 */
import type { NotificationRequest } from '../../../shared/events';
import type { HeadlessNotifySettings } from '../../../shared/settings';
import { notificationLine } from './lines';
import { type RunFailure, runCommand } from './notify-command';
import { publishToNtfy } from './notify-ntfy';
import { WorkQueue } from './work-queue';

/** An outlet's name, as failures and the `listening` line name it. */
export type OutletName = 'command' | 'ntfy';

/** One notification an outlet could not deliver. */
export interface DeliveryFailure {
  via: OutletName;
  notification: NotificationRequest;
  reason: string;
}

/** Notifications waiting per outlet beyond those in flight; storm control keeps the real number far lower. */
export const MAX_WAITING = 100;
/** Concurrent ntfy publishes. */
const NTFY_CONCURRENCY = 2;

interface Outlet {
  name: OutletName;
  queue: WorkQueue;
  send(n: NotificationRequest, signal: AbortSignal): Promise<RunFailure>;
}

export interface HeadlessNotifierOptions {
  settings: HeadlessNotifySettings;
  onFailure: (failure: DeliveryFailure) => void;
}

/** Sends each notification to every configured outlet in the background. */
export class HeadlessNotifier {
  private readonly outlets: Outlet[] = [];
  private readonly onFailure: (failure: DeliveryFailure) => void;

  constructor(options: HeadlessNotifierOptions) {
    this.onFailure = options.onFailure;
    const { command, ntfy } = options.settings;
    if (command) {
      this.outlets.push({
        name: 'command',
        queue: new WorkQueue({ concurrency: command.concurrency, maxWaiting: MAX_WAITING }),
        send: (n, signal) => runCommand(command.argv, `${JSON.stringify(notificationLine(n))}\n`, command.timeoutSeconds * 1000, signal),
      });
    }
    if (ntfy) {
      this.outlets.push({
        name: 'ntfy',
        queue: new WorkQueue({ concurrency: NTFY_CONCURRENCY, maxWaiting: MAX_WAITING }),
        send: (n, signal) => publishToNtfy(n, ntfy, signal),
      });
    }
  }

  /** The configured outlets. */
  get names(): OutletName[] {
    return this.outlets.map((o) => o.name);
  }

  /** Queues the notification for every outlet; returns at once. */
  notify(n: NotificationRequest): void {
    for (const outlet of this.outlets) {
      const queued = outlet.queue.push(async (signal) => {
        const failure = await outlet.send(n, signal);
        if (failure !== null) this.onFailure({ via: outlet.name, notification: n, reason: failure });
      });
      if (!queued) {
        this.onFailure({
          via: outlet.name,
          notification: n,
          reason: `not sent: ${outlet.queue.active} running and ${outlet.queue.queued} waiting already (the outlet is too slow or stuck)`,
        });
      }
    }
  }

  /**
   * Lets queued notifications go out for up to `graceMs` (a digest raised while stopping among them), then
   * stops what is left; resolves with how many were not delivered.
   */
  async close(graceMs: number): Promise<number> {
    const left = await Promise.all(this.outlets.map((o) => o.queue.close(graceMs)));
    return left.reduce((a, b) => a + b, 0);
  }
}
