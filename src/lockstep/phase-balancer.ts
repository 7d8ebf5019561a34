/** A frame period is divided into this many phase slots; rooms are spread evenly over them. */
export const PHASE_SLOTS = 16;

/** A room's claim on a phase slot; release it when the room stops ticking. */
export interface PhaseLease {
  /** When to start the room's frame clock (`FrameScheduler.start`), in `performance.now()` time. */
  readonly startAt: number;
  release(): void;
}

/**
 * Spreads the frame deadlines of a process's rooms over the frame period. Rooms created
 * together would otherwise close their frames at the same instant, and the last of them would
 * close late by the time the others took. Each room starts its clock in the least-loaded
 * slot of its period (waiting at most one period), so the work of a tick is evenly spread
 * and lateness stays low until the CPU itself is saturated.
 */
export class PhaseBalancer {
  readonly #load = new Map<number, Uint32Array>();

  /** Picks the least-loaded slot for a room ticking at `frameRate`, as seen at time `now` (ms). */
  acquire(frameRate: number, now: number): PhaseLease {
    const period = 1000 / frameRate;
    let load = this.#load.get(frameRate);
    if (load === undefined) {
      load = new Uint32Array(PHASE_SLOTS);
      this.#load.set(frameRate, load);
    }
    let slot = 0;
    for (let i = 1; i < PHASE_SLOTS; i++) if (load[i]! < load[slot]!) slot = i;
    load[slot]!++;
    // Slots are phases of an absolute grid (time 0 of performance.now()); wait until ours comes round.
    const phase = (slot * period) / PHASE_SLOTS;
    const wait = (((phase - (now % period)) % period) + period) % period;
    let released = false;
    const counts = load;
    return {
      startAt: now + wait,
      release: () => {
        if (released) return;
        released = true;
        counts[slot]!--;
      },
    };
  }

  /** Rooms per slot for `frameRate` (for tests and inspection). */
  loadOf(frameRate: number): number[] {
    return [...(this.#load.get(frameRate) ?? new Uint32Array(PHASE_SLOTS))];
  }
}
