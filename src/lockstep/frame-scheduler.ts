/** A monotonic clock in milliseconds (`performance.now()` in production, a fake in tests). */
export interface MonotonicClock {
  now(): number;
}

/** The timer functions the scheduler needs (Node's globals in production, a fake in tests). */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * What the scheduler calls when a frame's deadline has passed: `lateMs` after it, at `firedAt`
 * on the scheduler's clock (the same reading for every frame one wake-up closes).
 */
export type FrameCloser = (frame: number, lateMs: number, firedAt: number) => void;

/** Construction options of {@link FrameScheduler}. */
export interface FrameSchedulerOptions {
  /** Frames per second. */
  readonly frameRate: number;
  /** Number of the first frame to close. */
  readonly startFrame: number;
  /** Called once per frame, in order, after the frame's deadline. */
  readonly onFrame: FrameCloser;
  readonly clock?: MonotonicClock;
  readonly timers?: Timers;
}

/** `performance.now()`: the clock of everything that runs on deadlines. */
export const systemClock: MonotonicClock = { now: () => performance.now() };
/** Node's own timers. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Closes frames on absolute deadlines: frame `startFrame + k` closes at `startedAt + (k + 1) / frameRate`.
 * Each deadline is computed from the start, never from the previous wake-up, so timer jitter
 * does not accumulate into drift. When the event loop stalls, every frame whose deadline has
 * passed is closed at the next wake-up, in order: frame numbers never skip and never repeat.
 */
export class FrameScheduler {
  readonly frameRate: number;
  readonly periodMs: number;
  readonly startFrame: number;
  readonly #onFrame: FrameCloser;
  readonly #clock: MonotonicClock;
  readonly #timers: Timers;
  #startedAt = 0;
  #nextFrame: number;
  #timer: unknown = undefined;
  #running = false;

  constructor(options: FrameSchedulerOptions) {
    this.frameRate = options.frameRate;
    this.periodMs = 1000 / options.frameRate;
    this.startFrame = options.startFrame;
    this.#nextFrame = options.startFrame;
    this.#onFrame = options.onFrame;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
  }

  /** True between {@link start} and {@link stop}. */
  get running(): boolean {
    return this.#running;
  }

  /** The frame that closes next. */
  get nextFrame(): number {
    return this.#nextFrame;
  }

  /** The last closed frame (`startFrame - 1` before the first one closes). */
  get lastClosedFrame(): number {
    return this.#nextFrame - 1;
  }

  /** Clock time at which `frame` closes. */
  deadlineOf(frame: number): number {
    return this.#startedAt + (frame - this.startFrame + 1) * this.periodMs;
  }

  /** Starts ticking; the first frame closes one period after `startedAt` (default: now). */
  start(startedAt: number = this.#clock.now()): void {
    if (this.#running) throw new Error("FrameScheduler already started");
    this.#running = true;
    this.#startedAt = startedAt;
    this.#arm();
  }

  /** Stops ticking; the frame being filled is not closed. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Closes every frame whose deadline has passed; returns how many were closed. */
  closeDueFrames(): number {
    const now = this.#clock.now();
    let closed = 0;
    while (this.#running) {
      const deadline = this.deadlineOf(this.#nextFrame);
      if (deadline > now) break;
      const frame = this.#nextFrame++;
      closed++;
      this.#onFrame(frame, now - deadline, now);
    }
    return closed;
  }

  #wake = (): void => {
    this.#timer = undefined;
    if (!this.#running) return;
    this.closeDueFrames();
    if (this.#running) this.#arm();
  };

  #arm(): void {
    const wait = this.deadlineOf(this.#nextFrame) - this.#clock.now();
    // Timers have millisecond granularity and may fire a little early; rounding up and
    // re-checking in #wake keeps a frame from ever closing before its deadline.
    this.#timer = this.#timers.setTimeout(this.#wake, Math.max(0, Math.ceil(wait)));
  }
}
