import { logger } from "@colyseus/core";

/**
 * Keeps a room's listing metadata up to date for operators (the monitor's rooms grid reads it
 * from the matchmaking driver, on any process): every `intervalMs` it reads the current values
 * and writes them only if they changed. At most one write per interval per room, never one per
 * frame; one timer per room, stopped when the room stops.
 */
export class ListingRefresher {
  readonly #intervalMs: number;
  readonly #read: () => Record<string, unknown>;
  readonly #write: (metadata: Record<string, unknown>) => Promise<unknown>;
  #timer: NodeJS.Timeout | undefined;
  #written = "";
  #failing = false;

  /**
   * @param intervalMs - 0 turns refreshing off.
   * @param read - the values now.
   * @param write - writes them to the listing (the room's `setMetadata`).
   */
  constructor(intervalMs: number, read: () => Record<string, unknown>, write: (metadata: Record<string, unknown>) => Promise<unknown>) {
    this.#intervalMs = intervalMs;
    this.#read = read;
    this.#write = write;
  }

  /** Starts refreshing (idempotent). */
  start(): void {
    if (this.#intervalMs <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(this.refresh, this.#intervalMs);
    this.#timer.unref();
  }

  /** Writes the current values now if they changed (also once more as a room ends, so the grid says so). */
  readonly refresh = (): void => {
    if (this.#intervalMs <= 0) return;
    const values = this.#read();
    const text = JSON.stringify(values);
    if (text === this.#written) return;
    this.#written = text;
    this.#write(values).then(
      () => {
        this.#failing = false;
      },
      (error: unknown) => {
        // Written again at the next interval; one line per outage.
        this.#written = "";
        if (!this.#failing) logger.warn(`lockstep: could not update a room listing (${(error as Error).message}); retrying every ${this.#intervalMs} ms`);
        this.#failing = true;
      },
    );
  };

  /** Stops refreshing: the room is ending, handing over or disposing. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
