/**
 * The pushes of the IPC table (`state:changed`, `group:updated`...) as the app service sends them: one emitter
 * per channel, and the state push coalesced during bursts of hooks. Whoever shows the app (the window through
 * IPC, the tray, the local control socket) subscribes by channel.
 */
import type { AppState, EventChannel, EventChannels } from '../../shared/ipc';
import { Emitter } from './base/event';
import { type IDisposable, toDisposable } from './base/lifecycle';

/** The push channels, each with its own emitter, and a debounced state push. */
export class AppPushes implements IDisposable {
  private readonly emitters = new Map<EventChannel, Emitter<never>>();
  private stateTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  /**
   * @param buildState builds the state to push (only when someone listens to `state:changed`)
   * @param debounceMs coalesces state pushes; 0 pushes at once
   */
  constructor(
    private readonly buildState: () => AppState,
    private readonly debounceMs: number,
  ) {}

  private emitterOf<C extends EventChannel>(channel: C): Emitter<EventChannels[C]> {
    let e = this.emitters.get(channel);
    if (!e) {
      // One failing window must not stop the others, nor the core that fired the event behind the push.
      e = new Emitter<never>({ onListenerError: () => undefined });
      this.emitters.set(channel, e);
    }
    return e as unknown as Emitter<EventChannels[C]>;
  }

  /** Listens to one push channel; returns the unsubscribe function. */
  subscribe<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void): () => void {
    const sub = this.closed ? toDisposable(() => undefined) : this.emitterOf(channel).event(listener);
    return () => sub.dispose();
  }

  /** Whether anyone listens to `channel`, so a payload built only for listeners can be skipped. */
  listened(channel: EventChannel): boolean {
    return this.emitters.get(channel)?.hasListeners ?? false;
  }

  /** Pushes `payload` on `channel` to whoever listens. */
  push<C extends EventChannel>(channel: C, payload: EventChannels[C]): void {
    if (this.closed) return;
    this.emitters.get(channel)?.fire(payload as never);
  }

  /** Pushes the state now (and drops a pending coalesced push). */
  pushStateNow(): void {
    if (this.stateTimer) {
      clearTimeout(this.stateTimer);
      this.stateTimer = null;
    }
    if (this.closed || !this.listened('state:changed')) return;
    this.push('state:changed', this.buildState());
  }

  /** Pushes the state soon, once for a burst of changes. */
  scheduleState(): void {
    if (this.closed) return;
    if (this.debounceMs <= 0) {
      this.pushStateNow();
      return;
    }
    if (this.stateTimer) return;
    this.stateTimer = setTimeout(() => this.pushStateNow(), this.debounceMs);
    this.stateTimer.unref?.();
  }

  /** Stops pushing; pending pushes are dropped. */
  dispose(): void {
    this.closed = true;
    if (this.stateTimer) clearTimeout(this.stateTimer);
    this.stateTimer = null;
    for (const e of this.emitters.values()) e.dispose();
    this.emitters.clear();
  }
}
