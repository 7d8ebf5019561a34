import { hashState, type GameLoop, type MatchInfo, type RunOptions } from "colyseus-lockstep-client";
import type { ArenaAction } from "../arena-room.ts";
import type { ArenaBoard } from "./arena-board.ts";
import { createArenaState, hashArenaParts, stepArena, type ArenaState } from "./arena-sim.ts";

/** What a page adds around the shared simulation: readouts, and (live only) the desync switch. */
export interface ArenaGameHooks {
  /** Called after each frame is applied. */
  readonly afterStep?: (state: ArenaState) => void;
  /** Called after each draw. */
  readonly afterRender?: (state: ArenaState) => void;
}

/**
 * One run of the arena from a match start: its state, and the loop that steps and draws it.
 * The live match and its replay both build one in their `onStart` and hand `loop` and `checks`
 * to `run()`, so a replay goes through exactly the code the match was played with.
 */
export class ArenaGame {
  /** The simulation state, changed in place by every step. */
  readonly state: ArenaState;
  /** The loop for `match.run` or `replay.run`. */
  readonly loop: GameLoop<ArenaAction>;
  /** The run options: the state's hash in parts (checked by the server live, against the recording in a replay) and its dump. */
  readonly checks: RunOptions;

  constructor(info: MatchInfo, board: ArenaBoard, hooks: ArenaGameHooks = {}) {
    const state = createArenaState(info);
    this.state = state;
    this.loop = {
      step: (frame) => {
        stepArena(state, frame);
        hooks.afterStep?.(state);
      },
      render: () => {
        board.draw(state);
        hooks.afterRender?.(state);
      },
    };
    // A snapshot replaces every part of the state (each top-level key), keeping the object the loop steps.
    this.checks = { hash: () => hashArenaParts(state), dump: () => state, load: (saved) => Object.assign(state, saved as ArenaState) };
  }

  /** The whole state's hash, as the page shows it. */
  get hash(): string {
    return hashState(this.state);
  }
}
