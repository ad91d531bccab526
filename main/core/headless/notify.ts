/**
 * Where headless mode's notifications go besides its own output: the configured command and ntfy topic
 * (`headless.notify` in the config file). Each outlet has its own bounded queue, so a slow or failing one
 * neither delays the other nor the receiver; every failure is reported, with what it concerned.
 *
 * Both also hear when a group's state changes (resolved, ignored, snoozed, muted, claimed... whatever the route), so
 * what they raised can follow it: the command gets the `group-state` line on its stdin, as it gets a notification
 * (each document names its `type`), and ntfy clears the group's notification once the group no longer asks for
 * attention (see notify-ntfy.ts). Those go through the same queues, with the same bounds.
 */
import type { GroupStateChange, NotificationRequest } from '../../../shared/events';
import type { HeadlessNotifySettings } from '../../../shared/settings';
import { SETTLING_STATUSES } from '../group-state';
import { groupStateLine, notificationLine } from './lines';
import { type RunFailure, runCommand } from './notify-command';
import { clearOnNtfy, ntfySequenceId, publishToNtfy } from './notify-ntfy';
import { WorkQueue } from './work-queue';

/** An outlet's name, as failures and the `listening` line name it. */
export type OutletName = 'command' | 'ntfy';

/** One notification, or one group-state change, an outlet could not deliver. */
export type DeliveryFailure =
  | { via: OutletName; notification: NotificationRequest; change?: undefined; reason: string }
  | { via: OutletName; change: GroupStateChange; notification?: undefined; reason: string };

/** Notifications waiting per outlet beyond those in flight; storm control keeps the real number far lower. */
export const MAX_WAITING = 100;
/** Concurrent ntfy publishes. */
const NTFY_CONCURRENCY = 2;
/** Groups whose ntfy notification may still be on a phone, remembered to clear it (the most recent ones). */
export const MAX_NTFY_SEQUENCES = 1_000;

interface Outlet {
  name: OutletName;
  queue: WorkQueue;
  send(n: NotificationRequest, signal: AbortSignal): Promise<RunFailure>;
  /** Told when a notification is queued for it (before it is sent). */
  queued?(n: NotificationRequest): void;
  /** The work a group-state change asks of this outlet, or null when it asks none. */
  follow(change: GroupStateChange): ((signal: AbortSignal) => Promise<RunFailure>) | null;
}

export interface HeadlessNotifierOptions {
  settings: HeadlessNotifySettings;
  onFailure: (failure: DeliveryFailure) => void;
}

/** Sends each notification, and each group-state change, to every configured outlet in the background. */
export class HeadlessNotifier {
  private readonly outlets: Outlet[] = [];
  private readonly onFailure: (failure: DeliveryFailure) => void;

  constructor(options: HeadlessNotifierOptions) {
    this.onFailure = options.onFailure;
    const { command, ntfy } = options.settings;
    if (command) {
      const run = (doc: Record<string, unknown>, signal: AbortSignal) =>
        runCommand(command.argv, `${JSON.stringify(doc)}\n`, command.timeoutSeconds * 1000, signal);
      this.outlets.push({
        name: 'command',
        queue: new WorkQueue({ concurrency: command.concurrency, maxWaiting: MAX_WAITING }),
        send: (n, signal) => run(notificationLine(n), signal),
        follow: (change) => (signal) => run(groupStateLine(change), signal),
      });
    }
    if (ntfy) {
      // Sequences this run published (or queued) a notification for, the oldest first out; the publishes under way,
      // so a clear waits for its sequence's publish rather than overtake it; whether the server clears at all.
      const onPhone = new Set<string>();
      const publishing = new Map<string, Promise<RunFailure>>();
      let clears = true;
      const sequenceOf = (n: NotificationRequest): string | null => (n.digest ? null : ntfySequenceId(n.group));
      this.outlets.push({
        name: 'ntfy',
        queue: new WorkQueue({ concurrency: NTFY_CONCURRENCY, maxWaiting: MAX_WAITING }),
        queued: (n) => {
          const sequence = sequenceOf(n);
          if (sequence === null) return;
          onPhone.delete(sequence);
          onPhone.add(sequence);
          if (onPhone.size > MAX_NTFY_SEQUENCES) onPhone.delete(onPhone.values().next().value as string);
        },
        send: (n, signal) => {
          const sequence = sequenceOf(n);
          const published = publishToNtfy(n, ntfy, signal);
          if (sequence === null) return published;
          publishing.set(sequence, published);
          return published.finally(() => {
            if (publishing.get(sequence) === published) publishing.delete(sequence);
          });
        },
        follow: (change) => {
          const sequence = ntfySequenceId(change.group);
          if (!clears || !SETTLING_STATUSES.has(change.status) || sequence === null || !onPhone.has(sequence)) return null;
          onPhone.delete(sequence);
          return async (signal) => {
            await publishing.get(sequence);
            if (!clears) return null;
            const outcome = await clearOnNtfy(sequence, ntfy, signal);
            if (outcome.ok) return null;
            if (!outcome.unsupported) return outcome.reason;
            // Said once (two clears may have been under way): an older server keeps its notifications, and asking
            // again changes nothing.
            if (!clears) return null;
            clears = false;
            return `${outcome.reason}: this ntfy server does not clear notifications (ntfy 2.16 and later do), so they stay on the phone until read; Crashbell stops asking it to`;
          };
        },
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
      if (queued) outlet.queued?.(n);
      else this.onFailure({ via: outlet.name, notification: n, reason: full(outlet.queue) });
    }
  }

  /** Queues what a group-state change asks of each outlet (the command's line, ntfy's clear); returns at once. */
  groupState(change: GroupStateChange): void {
    for (const outlet of this.outlets) {
      const work = outlet.follow(change);
      if (work === null) continue;
      const queued = outlet.queue.push(async (signal) => {
        const failure = await work(signal);
        if (failure !== null) this.onFailure({ via: outlet.name, change, reason: failure });
      });
      if (!queued) this.onFailure({ via: outlet.name, change, reason: full(outlet.queue) });
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

function full(queue: WorkQueue): string {
  return `not sent: ${queue.active} running and ${queue.queued} waiting already (the outlet is too slow or stuck)`;
}
