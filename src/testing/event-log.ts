/** How long a test waits for an event before failing: a hang must not stall the test run. */
export const DEFAULT_EVENT_TIMEOUT_MS = 10_000;

interface Waiter<T> {
  readonly test: (value: T) => boolean;
  readonly resolve: (value: T) => void;
}

/** Records one kind of event and lets a test await the first one (past or future) that matches. */
export class EventLog<T> {
  /** Every event so far, in order. */
  readonly items: T[] = [];
  readonly #waiters: Waiter<T>[] = [];
  readonly #name: string;

  /** `name` says what is awaited, in timeout messages. */
  constructor(name: string) {
    this.#name = name;
  }

  /** Records an event and wakes the waiters it matches. */
  push(value: T): void {
    this.items.push(value);
    for (const waiter of [...this.#waiters]) {
      if (waiter.test(value)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(value);
      }
    }
  }

  /** The first recorded or future event matching `test`; rejects after `timeoutMs`. */
  wait(test: (value: T) => boolean = () => true, timeoutMs = DEFAULT_EVENT_TIMEOUT_MS): Promise<T> {
    const found = this.items.find(test);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${this.#name}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        test,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /**
   * Calls `listener` once, at the next event recorded after this call (no timeout). Returns a
   * function that stops listening (without it, a listener that never fires stays registered).
   */
  once(listener: (value: T) => void): () => void {
    const waiter: Waiter<T> = { test: () => true, resolve: listener };
    this.#waiters.push(waiter);
    return () => {
      const index = this.#waiters.indexOf(waiter);
      if (index >= 0) this.#waiters.splice(index, 1);
    };
  }

  /** The next event recorded after this call (not a past one) matching `test`. */
  next(test: (value: T) => boolean = () => true, timeoutMs = DEFAULT_EVENT_TIMEOUT_MS): Promise<T> {
    const seen = this.items.length;
    return this.wait((value) => this.items.indexOf(value) >= seen && test(value), timeoutMs);
  }
}
