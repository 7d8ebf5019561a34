// Spectator bots (`--spectators N`, LockstepRoom only): they send nothing and are not players.
// What they receive is counted apart from the players' figures, so that the players' arrival
// shows only what feeding them costs the players, and each frame is checked against the delay.
import { MAX_SPECTATORS_LIMIT } from "../src/lockstep/options.ts";
import type { Workload } from "./workload.ts";

/** The bench room's spectator delay, in seconds of frames: the library's default, a usual broadcast delay. */
export const SPECTATOR_DELAY_SECONDS = 3;

/** The bench room's `spectatorDelayFrames` at `frameRate`. */
export function spectatorDelayFrames(frameRate: number): number {
  return Math.round(SPECTATOR_DELAY_SECONDS * frameRate);
}

/** Spectators per room from the `--spectators` option: a whole number within the room's bound, and none but for LockstepRoom. */
export function parseSpectators(value: string, target: Workload["target"]): number {
  const count = Number(value);
  if (value.trim() === "" || !Number.isInteger(count) || count < 0 || count > MAX_SPECTATORS_LIMIT) {
    throw new RangeError(`--spectators must be a whole number from 0 to ${MAX_SPECTATORS_LIMIT}, got ${value}`);
  }
  if (count > 0 && target !== "lockstep") {
    throw new RangeError(`--spectators is for the lockstep target only (LockstepRoom has spectators; ${target} has none)`);
  }
  return count;
}

/** Spectator frames that came before their players' frame, waiting for it. */
interface Waiting {
  /** When the first of them arrived (`performance.now()`). */
  readonly since: number;
  count: number;
}

/**
 * Checks one room's spectators against its players. The room sends spectators frame `f − delay`
 * right after it sends frame `f` to the players, so a spectator's frame `g` must not arrive
 * before the room's players have frame `g + delay`. The bots cannot hold that to the letter:
 * the server writes the players' bytes first, but this process may read a spectator's socket a
 * fraction of a millisecond before a player's (0.2–0.5 ms seen on loopback). A frame sent a tick
 * too early comes a whole frame period before its players' frame, so a spectator's frame is too
 * new when its players' frame comes more than half a period after it (or never comes).
 */
export class RoomProgress {
  /** The newest frame any player bot of the room has received. */
  newestPlayerFrame = Number.NEGATIVE_INFINITY;
  /** Spectator frames that came too early since the window started (must stay 0). */
  tooNew = 0;
  readonly #delayFrames: number;
  readonly #toleranceMs: number;
  /** By the player frame they wait for; empty but for a moment, so the players' path rarely looks. */
  readonly #waiting = new Map<number, Waiting>();

  constructor(delayFrames: number, frameRate: number) {
    this.#delayFrames = delayFrames;
    this.#toleranceMs = 1000 / frameRate / 2;
  }

  /** A player bot of the room got `frame` at `now`. */
  playerGot(frame: number, now: number): void {
    if (frame > this.newestPlayerFrame) this.newestPlayerFrame = frame;
    if (this.#waiting.size === 0) return;
    for (const [due, waiting] of this.#waiting) {
      if (due > frame) continue;
      // A frame a player bot missed (counted as lost) releases what waited for it too.
      if (due < frame || now - waiting.since > this.#toleranceMs) this.tooNew += waiting.count;
      this.#waiting.delete(due);
    }
  }

  /** A spectator of the room got `frame`. */
  spectatorGot(frame: number): void {
    const due = frame + this.#delayFrames;
    if (due <= this.newestPlayerFrame) return;
    const waiting = this.#waiting.get(due);
    if (waiting !== undefined) waiting.count++;
    else this.#waiting.set(due, { since: performance.now(), count: 1 });
  }
}

/** What one spectator bot saw since its window started (the delay is checked by its room's {@link RoomProgress}). */
export class SpectatorStats {
  framesReceived = 0;
  lost = 0;
  duplicated = 0;
  readonly #room: RoomProgress;
  #lastFrame: number | undefined;

  constructor(room: RoomProgress) {
    this.#room = room;
  }

  frame(frame: number): void {
    this.framesReceived++;
    this.#room.spectatorGot(frame);
    const last = this.#lastFrame;
    if (last !== undefined) {
      if (frame <= last) this.duplicated++;
      else this.lost += frame - last - 1;
    }
    if (last === undefined || frame > last) this.#lastFrame = frame;
  }

  /** Starts a window: counts restart (frame continuity is kept). */
  startWindow(): void {
    this.framesReceived = 0;
    this.lost = 0;
    this.duplicated = 0;
  }
}

/** What the spectator bots of a run saw in one window, all rooms together. */
export interface SpectatorWindow {
  /** Spectator bots that joined (rooms × spectators per room). */
  readonly joined: number;
  /** Those whose connection was still open at the window's end. */
  readonly connected: number;
  readonly framesReceived: number;
  readonly framesPerSecond: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Frames that came before the delay allowed them (see {@link RoomProgress}). */
  readonly tooNew: number;
}
