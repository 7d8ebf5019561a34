import type { Room } from "@colyseus/sdk";

/** Takes a seat back with a reconnection token, through whichever server answers. */
export type Reconnector = (reconnectionToken: string) => Promise<Room>;

/** Retries start fast (most drops are blips)... */
const FIRST_RETRY_MS = 100;
/** ...and back off to one every 2 s. */
const MAX_RETRY_MS = 2000;

/**
 * How long a dropped match keeps trying to reconnect by default: as long as a server holds a
 * dropped seat by default (20 s), plus the time a match takes to move to another process.
 */
export const DEFAULT_RECONNECT_TIMEOUT_MS = 30_000;

/**
 * Takes a dropped seat back: tries at once, then with backoff, until an attempt succeeds, the
 * time is up, or {@link ReconnectLoop.cancel} is called. Neither the deadline nor a cancel
 * waits for an attempt in flight; a seat such an attempt takes back later is left at once.
 */
export class ReconnectLoop {
  readonly #reconnect: Reconnector;
  readonly #timeoutMs: number;
  #cancelled = false;
  #interrupt: (() => void) | undefined;

  constructor(reconnect: Reconnector, timeoutMs: number) {
    this.#reconnect = reconnect;
    this.#timeoutMs = timeoutMs;
  }

  /** The room taken back, or undefined when time ran out or the loop was cancelled. */
  async run(reconnectionToken: string): Promise<Room | undefined> {
    const deadline = performance.now() + this.#timeoutMs;
    let delay = FIRST_RETRY_MS;
    while (!this.#cancelled) {
      const attempt = this.#reconnect(reconnectionToken).catch(() => undefined);
      let outcome = await this.#wait(deadline - performance.now(), attempt);
      // A timer may fire a little before its time: the attempt gets the rest of it.
      while (outcome === undefined && !this.#cancelled && performance.now() < deadline) {
        outcome = await this.#wait(deadline - performance.now(), attempt);
      }
      if (outcome === undefined) {
        // Out of time or cancelled with the attempt in flight: a seat it takes back later is released.
        void attempt.then((late) => late?.leave(true));
        return undefined;
      }
      const room = outcome.value;
      if (room !== undefined) {
        if (!this.#cancelled) return room;
        void room.leave(true);
        return undefined;
      }
      const pause = Math.min(delay, deadline - performance.now());
      if (this.#cancelled || pause <= 0) return undefined;
      await this.#wait(pause);
      if (performance.now() >= deadline) return undefined; // no time left for another attempt
      delay = Math.min(MAX_RETRY_MS, delay * 2);
    }
    return undefined;
  }

  /** Stops retrying now: `run` resolves to undefined. */
  cancel(): void {
    this.#cancelled = true;
    this.#interrupt?.();
  }

  /** `{ value }` once `settled` settles; undefined after `ms` or on cancel, whichever comes first. */
  #wait<T>(ms: number, settled?: Promise<T>): Promise<{ value: T } | undefined> {
    return new Promise((resolve) => {
      const finish = (outcome: { value: T } | undefined): void => {
        if (this.#interrupt !== interrupt) return; // already finished
        clearTimeout(timer);
        this.#interrupt = undefined;
        resolve(outcome);
      };
      const interrupt = (): void => finish(undefined);
      this.#interrupt = interrupt;
      const timer = setTimeout(interrupt, Math.max(0, ms));
      void settled?.then((value) => finish({ value }));
    });
  }
}
