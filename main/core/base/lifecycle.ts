/**
 * Disposables: one way to undo what was set up (a listener, a timer, a server), so that stopping a part is one
 * call and stopping the engine is one disposal of everything it holds. Modelled on VS Code's
 * `base/common/lifecycle.ts`, reduced to what Crashbell uses.
 */

/** Something that can be undone once; disposing again does nothing. */
export interface IDisposable {
  dispose(): void;
}

/** A disposable that runs `fn` the first time it is disposed. */
export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/**
 * Holds disposables and disposes them together, newest first (what was set up last depends on what came
 * before it). One that throws does not stop the others; the first error is rethrown once all have run.
 * Adding to a store that was already disposed disposes the newcomer at once, so nothing leaks past a stop.
 */
export class DisposableStore implements IDisposable {
  private readonly items: IDisposable[] = [];
  private disposed = false;

  /** Keeps `item` until the store is disposed; returns it. */
  add<T extends IDisposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    let first: unknown = null;
    for (const item of this.items.splice(0).reverse()) {
      try {
        item.dispose();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== null) throw first;
  }
}

/** Base class for parts that own disposables: `register` what they set up, `dispose` undoes all of it. */
export abstract class Disposable implements IDisposable {
  protected readonly store = new DisposableStore();

  protected register<T extends IDisposable>(item: T): T {
    return this.store.add(item);
  }

  dispose(): void {
    this.store.dispose();
  }
}
