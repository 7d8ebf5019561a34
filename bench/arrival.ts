import type { Histogram } from "../src/lockstep/histogram.ts";

/** A frame later than this after its best-case arrival is a stall a player notices. */
export const STALL_MS = 20;

/**
 * When one bot's frames arrive, against the best the bot ever saw. Frame `n` of a match is due
 * at `start + n × period` on the server's clock; the bot cannot see the server's clock, but it
 * does not need to: `arrival − n × period` is the same for every frame that travels as fast
 * as possible, so its lowest value over the run is this bot's best case, and every frame's
 * excess over it is how late the player got it, whatever made it late (a late timer, the
 * server's work after it fired, the network stack, the bot itself). No clock is shared between
 * processes, and a room's phase in the period does not matter.
 */
export class ArrivalRecorder {
  readonly #periodMs: number;
  #best = Number.POSITIVE_INFINITY;
  /** One array of offsets per window; `undefined` between windows (warm-up). */
  readonly #windows: number[][] = [];
  #current: number[] | undefined;

  constructor(frameRate: number) {
    this.#periodMs = 1000 / frameRate;
  }

  /** Frame `frame` arrived at `now` (this process's `performance.now()`). */
  arrived(frame: number, now: number): void {
    const offset = now - frame * this.#periodMs;
    if (offset < this.#best) this.#best = offset;
    this.#current?.push(offset);
  }

  /** Starts recording window `windows.length`. */
  startWindow(): void {
    this.#current = [];
    this.#windows.push(this.#current);
  }

  /** Stops recording (between windows and at the end). */
  stopWindow(): void {
    this.#current = undefined;
  }

  /** Adds window `index`'s lateness (each frame's excess over this bot's best over the whole run) to `into`; returns the stalls. */
  lateness(index: number, into: Histogram): number {
    let stalls = 0;
    for (const offset of this.#windows[index] ?? []) {
      const late = offset - this.#best;
      into.record(late);
      if (late > STALL_MS) stalls++;
    }
    return stalls;
  }
}
