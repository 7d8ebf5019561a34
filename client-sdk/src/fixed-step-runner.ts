import type { StateHash } from "../../src/protocol/index.ts";
import type { LockstepFrame } from "./types.ts";

/** The game loop a runner drives. */
export interface GameLoop<TAction> {
  /** Advances the simulation by exactly one frame. Called once per frame, in order. */
  step(frame: LockstepFrame<TAction>): void;
  /** Draws; `alpha` in [0, 1] is how far time has moved toward the next step (for interpolation). */
  render?(alpha: number): void;
}

/** Options of `match.run`. */
export interface RunOptions {
  /**
   * The hash of the game state after a step (`() => hashState(state)`, or a record of named
   * parts' hashes): sent to the server after every checked frame, which compares the players'
   * hashes and reports a desync naming the frame, the player and the parts that differ.
   */
  readonly hash?: () => StateHash;
  /** The state as plain data, uploaded when the server asks for it after a desync (see the README's "Desyncs"). */
  readonly dump?: () => unknown;
  /**
   * The state as plain data for a snapshot (default: `dump`): uploaded when the server asks,
   * verified by the server against the players' agreed hash, so it must be what `hash` hashes
   * (`hashState(state)`, or `{ key: hashState(state.key) }` for every top-level key).
   */
  readonly save?: () => unknown;
  /** Replaces the game state with a snapshot's (required when the match starts from one: `info.snapshot`). */
  readonly load?: (state: unknown) => void;
  /**
   * Frames held back before stepping, to absorb network jitter (0 = step as soon as a frame
   * arrives on schedule). Each frame of delay adds one frame period of input latency.
   */
  readonly inputDelay?: number;
  /** When more than `inputDelay + catchUpAfter` frames wait, step faster than real time. Default 2. */
  readonly catchUpAfter?: number;
  /**
   * Longest a tick spends on catch-up steps, so a long backlog does not freeze the page: the
   * rest of the frame is left for rendering and input. Default 8 ms (half a 60 Hz frame): a
   * reload an hour into a match steps its 108,000 frames as fast as the game allows.
   */
  readonly catchUpBudgetMs?: number;
  /** Most steps in one tick (default: no limit but `catchUpBudgetMs`). */
  readonly maxStepsPerTick?: number;
  /** `"animation-frame"` (browser default) or `"timer"` (Node default, or a hidden tab). */
  readonly clock?: "animation-frame" | "timer";
}

/** A running loop: stop it, or inspect it. */
export interface RunHandle {
  stop(): void;
  /** Frames received and not stepped yet. */
  readonly queued: number;
  /** The last stepped frame, or undefined. */
  readonly lastStepped: number | undefined;
}

const DEFAULT_CATCH_UP_AFTER = 2;
const DEFAULT_CATCH_UP_BUDGET_MS = 8;

/**
 * Steps frames at the match's frame rate: one step per period while the buffer holds more than
 * `inputDelay` frames, extra steps when it falls behind, none while starved (it waits for the
 * server rather than guessing). Pure logic: time comes in through {@link tick}.
 */
export class FixedStepRunner<TAction> {
  readonly #loop: GameLoop<TAction>;
  readonly #periodMs: number;
  readonly #inputDelay: number;
  readonly #catchUpAfter: number;
  readonly #maxSteps: number;
  readonly #catchUpBudgetMs: number;
  readonly #clock: () => number;
  /** Frames received, from `#head` on: a reload's backlog of 100,000 frames is taken from the front without shifting the array each time. */
  #queue: LockstepFrame<TAction>[] = [];
  #head = 0;
  #budget = 0;
  #lastTick: number | undefined;
  #lastStepped: number | undefined;

  /** @param clock - what the catch-up budget is measured with (tests pass their own). */
  constructor(loop: GameLoop<TAction>, frameRate: number, options: RunOptions = {}, clock: () => number = () => performance.now()) {
    this.#loop = loop;
    this.#periodMs = 1000 / frameRate;
    this.#inputDelay = Math.max(0, Math.floor(options.inputDelay ?? 0));
    this.#catchUpAfter = Math.max(0, Math.floor(options.catchUpAfter ?? DEFAULT_CATCH_UP_AFTER));
    this.#maxSteps = Math.max(1, Math.floor(options.maxStepsPerTick ?? Number.POSITIVE_INFINITY));
    this.#catchUpBudgetMs = Math.max(0, options.catchUpBudgetMs ?? DEFAULT_CATCH_UP_BUDGET_MS);
    this.#clock = clock;
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  get lastStepped(): number | undefined {
    return this.#lastStepped;
  }

  /** Adds a delivered frame. */
  push(frame: LockstepFrame<TAction>): void {
    this.#queue.push(frame);
  }

  /** Advances time to `now` (ms), stepping and rendering as due. Returns the number of steps taken. */
  tick(now: number): number {
    const elapsed = this.#lastTick === undefined ? 0 : Math.max(0, now - this.#lastTick);
    this.#lastTick = now;
    this.#budget += elapsed;
    let steps = 0;
    // Every step but the first must start within the budget: a long backlog (a reload, a tab back
    // from the background) is worked off over several ticks, and each tick still makes progress.
    const deadline = this.#clock() + this.#catchUpBudgetMs;
    const mayStep = (): boolean => steps < this.#maxSteps && (steps === 0 || this.#clock() < deadline);
    while (this.queued > this.#inputDelay && this.#budget >= this.#periodMs && mayStep()) {
      this.#stepOne();
      this.#budget -= this.#periodMs;
      steps++;
    }
    while (this.queued > this.#inputDelay + this.#catchUpAfter && mayStep()) {
      this.#stepOne();
      steps++;
    }
    // Starved: time spent waiting for the server must not turn into a burst of steps later.
    if (this.queued <= this.#inputDelay) this.#budget = Math.min(this.#budget, this.#periodMs);
    this.#loop.render?.(Math.min(1, this.#budget / this.#periodMs));
    return steps;
  }

  #stepOne(): void {
    const frame = this.#queue[this.#head++]!;
    // Drop the stepped part once it is most of the array (amortised constant time per frame).
    if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#lastStepped = frame.frame;
    this.#loop.step(frame);
  }
}

/** Calls `tick` on every animation frame (browser) or on a short timer. */
export function startTicking(tick: (now: number) => void, clock: RunOptions["clock"], periodMs: number): () => void {
  const useAnimationFrame = (clock ?? (typeof requestAnimationFrame === "function" ? "animation-frame" : "timer")) === "animation-frame";
  let stopped = false;
  if (useAnimationFrame) {
    let handle = 0;
    const loop = (now: number): void => {
      if (stopped) return;
      tick(now);
      handle = requestAnimationFrame(loop);
    };
    handle = requestAnimationFrame(loop);
    return () => {
      stopped = true;
      cancelAnimationFrame(handle);
    };
  }
  // A quarter period keeps stepping within a few ms of schedule without spinning.
  const interval = Math.max(1, periodMs / 4);
  let timer: ReturnType<typeof setTimeout>;
  const loop = (): void => {
    if (stopped) return;
    tick(performance.now());
    timer = setTimeout(loop, interval);
  };
  timer = setTimeout(loop, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
