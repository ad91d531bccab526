/**
 * Typed events with one owner. An {@link Emitter} is held privately by the part that owns the event and only
 * it calls `fire`; everyone else gets the public {@link Event} function, which subscribes and returns a
 * disposable. Modelled on VS Code's `Emitter` (`base/common/event.ts`).
 */
import { type IDisposable, toDisposable } from './lifecycle';

/** Subscribes `listener`; dispose the answer to unsubscribe. */
export type Event<T> = (listener: (value: T) => void) => IDisposable;

/** Options for an {@link Emitter}. */
export interface EmitterOptions {
  /**
   * Where a listener's exception goes. It never reaches the owner that fired nor stops the other listeners;
   * by default it is printed on stderr, since a failing listener is a bug to see, not a reason to stop.
   */
  onListenerError?: (error: unknown) => void;
}

function printListenerError(error: unknown): void {
  console.error('crashbell: an event listener failed:', error);
}

/** The owner's side of an event. */
export class Emitter<T> implements IDisposable {
  private listeners: Array<(value: T) => void> = [];
  private disposed = false;
  private readonly onListenerError: (error: unknown) => void;

  constructor(options: EmitterOptions = {}) {
    this.onListenerError = options.onListenerError ?? printListenerError;
  }

  /** The public side: subscribe to what this emitter fires. */
  readonly event: Event<T> = (listener) => {
    if (this.disposed) return toDisposable(() => undefined);
    // Copy on write: a listener added or removed while firing takes effect from the next value on.
    this.listeners = [...this.listeners, listener];
    return toDisposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };

  /** Whether anyone listens, so work done only for listeners can be skipped. */
  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  /** Calls every listener with `value`, in subscription order. */
  fire(value: T): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Drops every listener; later subscriptions are no-ops. */
  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}
