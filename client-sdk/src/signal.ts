/** A listener of a {@link Signal}. */
export type Listener<T> = (value: T) => void;

/**
 * A typed event with any number of listeners. A listener that throws does not stop the others
 * or the SDK: its error is rethrown on a fresh task, where the console or an error tracker sees it.
 */
export class Signal<T> {
  readonly #listeners = new Set<Listener<T>>();

  /** Adds a listener; returns the function that removes it. */
  add(listener: Listener<T>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls every listener with `value`. */
  emit(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (error) {
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }

  /** True if anyone listens. */
  get hasListeners(): boolean {
    return this.#listeners.size > 0;
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
