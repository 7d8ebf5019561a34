import type { GameLoop, RunHandle, RunOptions } from "./fixed-step-runner.ts";
import type { LockstepClientError, LockstepFrame, MatchEnd, MatchInfo } from "./types.ts";

/**
 * What game code needs of a match to play it: a live one (`LockstepMatch`) or a recorded one
 * (`ReplayPlayer`) both are one. Game code written against this type runs both unchanged:
 * build the state in `onStart` (from `info.snapshot` through `run`'s `load` when it is set) and
 * hand the loop to `run`.
 *
 * @typeParam TAction - the game's action type.
 */
export interface MatchFeed<TAction = unknown> {
  /** The match starts (a replay starts again on a new pass or a seek that rebuilds the game). */
  onStart(listener: (info: MatchInfo) => void): () => void;
  /** The next frame, in order. */
  onFrame(listener: (frame: LockstepFrame<TAction>) => void): () => void;
  /** The match ended (a replay: its last frame was stepped). */
  onEnd(listener: (end: MatchEnd) => void): () => void;
  /** Something went wrong that the game may want to show. */
  onError(listener: (error: LockstepClientError) => void): () => void;
  /** Drives the game loop from the frames; call it from `onStart`. */
  run(loop: GameLoop<TAction>, options?: RunOptions): RunHandle;
  /** The match as announced at its start (undefined before a live match starts). */
  readonly info: MatchInfo | undefined;
}
