/** Slowest playback speed: a quarter of real time, slow enough to follow a single exchange frame by frame. */
export const MIN_REPLAY_SPEED = 0.25;
/** Fastest playback speed: 16× skims an hour-long match in under four minutes. */
export const MAX_REPLAY_SPEED = 16;
/**
 * Most time one tick accounts for. 50 ms is a 20 fps page: anything at least that smooth
 * plays at the speed asked for; a longer gap (a hidden tab, a debugger pause) counts as 50 ms,
 * so playback resumes where it was instead of bursting through the frames it "missed".
 */
export const MAX_TICK_GAP_MS = 50;
/**
 * Most frames one tick steps, whatever the frame rate: 16× at 60 Hz on a 20 fps page needs 48.
 * Past it the replay plays slower than asked rather than freezing the page.
 */
export const MAX_REPLAY_STEPS_PER_TICK = 64;

/**
 * Paces a replay: how many frames are due at each tick, at `frameRate × speed`. Pure logic:
 * time comes in through {@link tick}, so tests drive it with plain numbers.
 */
export class ReplayClock {
  readonly #frameRate: number;
  #speed = 1;
  /** Frames due and not stepped yet, with the fraction toward the next one. */
  #budget = 0;
  #lastTick: number | undefined;

  /** @param frameRate - the match's frames per second (at speed 1). */
  constructor(frameRate: number) {
    this.#frameRate = frameRate;
  }

  /** Playback speed, {@link MIN_REPLAY_SPEED} to {@link MAX_REPLAY_SPEED}; setting anything else throws a `RangeError`. */
  get speed(): number {
    return this.#speed;
  }

  set speed(speed: number) {
    // typeof: a string such as a select's "8" would compare as a number here and then multiply as text elsewhere.
    if (typeof speed !== "number" || !(speed >= MIN_REPLAY_SPEED && speed <= MAX_REPLAY_SPEED)) {
      throw new RangeError(`replay speed must be from ${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED}, got ${speed}`);
    }
    this.#speed = speed;
  }

  /** How far time has moved toward the next frame, in [0, 1) (for interpolation in `render`). */
  get alpha(): number {
    return this.#budget;
  }

  /** Forgets elapsed time: the next tick starts counting from its own time (after a pause or a seek). */
  reset(): void {
    this.#lastTick = undefined;
    this.#budget = 0;
  }

  /** Advances time to `now` (ms) and returns how many frames are due now. */
  tick(now: number): number {
    const elapsed = this.#lastTick === undefined ? 0 : Math.min(MAX_TICK_GAP_MS, Math.max(0, now - this.#lastTick));
    this.#lastTick = now;
    // Multiplied before dividing: whole milliseconds at whole rates add up to whole frames exactly.
    this.#budget += (elapsed * this.#frameRate * this.#speed) / 1000;
    const due = Math.min(Math.floor(this.#budget), MAX_REPLAY_STEPS_PER_TICK);
    // Frames past the per-tick bound are dropped from the budget, not owed to later ticks.
    this.#budget = due === MAX_REPLAY_STEPS_PER_TICK ? this.#budget % 1 : this.#budget - due;
    return due;
  }
}
