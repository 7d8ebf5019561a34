import type { FrameClock } from "../lockstep/room-services.ts";
import type { MonotonicClock, Timers } from "../lockstep/frame-scheduler.ts";

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when told to, with the timers that go with it: a room's frame clock
 * in the testing kit. {@link fireNext} jumps to the next timer's time and runs it; for a frame
 * scheduler that is exactly one closed frame.
 */
export class ManualClock implements MonotonicClock, Timers, FrameClock {
  readonly clock: MonotonicClock = this;
  readonly timers: Timers = this;
  #now = 0;
  #nextId = 1;
  #pending: PendingTimer[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), callback };
    this.#pending.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending = this.#pending.filter((timer) => timer.id !== handle);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Moves time to the earliest pending timer and runs it. False if none is pending. */
  fireNext(): boolean {
    if (this.#pending.length === 0) return false;
    let next = this.#pending[0]!;
    for (const timer of this.#pending) if (timer.at < next.at) next = timer;
    this.#pending = this.#pending.filter((timer) => timer !== next);
    this.#now = Math.max(this.#now, next.at);
    next.callback();
    return true;
  }
}

/** One {@link ManualClock} per room, made when the room asks for it. */
export class ManualClocks {
  readonly #clocks = new Map<string, ManualClock>();

  /** The clock of room `roomId`. */
  of(roomId: string): ManualClock {
    let clock = this.#clocks.get(roomId);
    if (clock === undefined) {
      clock = new ManualClock();
      this.#clocks.set(roomId, clock);
    }
    return clock;
  }
}
