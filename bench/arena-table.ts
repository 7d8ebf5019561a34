import { createRandom, type LockstepFrame, type MatchInfo } from "colyseus-lockstep-client";
import type { AnyLockstepRoom, TestClient, TestMatch } from "colyseus-lockstep/testing";
import type { ArenaAction } from "../demo/arena-room.ts";
import { createArenaState, hashArenaParts, stepArena, type ArenaState } from "../demo/web/arena-sim.ts";

/** How a table plays: how often moves are made, and how likely each player is to move then. */
export interface ArenaPlayOptions {
  /** The players who play (indexes into the match's players; default: all). */
  readonly players?: readonly number[];
  /** Frames closed between two rounds of moves (default: the checksum interval). */
  readonly stride?: number;
  /** Chance that a player moves in a round (default 0.7). */
  readonly moveChance?: number;
}

/**
 * Raw players (the testing kit's clients) running the demo's game over what they receive, as
 * browsers would: each sends its hash in parts after every checked frame and keeps its state at
 * the last few, to answer `snapshot_request`. Frames close only when the table says so, so
 * minutes of a match pass in seconds.
 */
export class ArenaTable {
  readonly states: ArenaState[];
  readonly kept: Map<number, ArenaState>[];
  readonly #interval: number;
  readonly #stepped: number[];
  readonly #random = createRandom(0x5a9);
  /** What player `player` uploads when asked for frame `frame` (undefined: nothing). */
  answer: (player: number, frame: number, state: ArenaState) => unknown = (_player, _frame, state) => state;

  constructor(readonly match: TestMatch<AnyLockstepRoom>) {
    const start = match.players[0]!.starts.items[0]!;
    this.#interval = start.checksum_interval ?? 0;
    if (this.#interval <= 0) throw new Error("ArenaTable needs a room with checksums on");
    const info: MatchInfo = {
      players: start.players,
      seed: start.seed,
      frameRate: start.frame_rate,
      startFrame: start.start_frame,
      checksumInterval: this.#interval,
    };
    this.states = match.players.map(() => createArenaState(info));
    this.kept = match.players.map(() => new Map());
    this.#stepped = match.players.map(() => 0);
  }

  /** Plays `frames` frames: moves, steps, checksums and snapshot answers. */
  async play(frames: number, options: ArenaPlayOptions = {}): Promise<void> {
    const players = options.players ?? this.match.players.map((_player, index) => index);
    const stride = options.stride ?? this.#interval;
    const moveChance = options.moveChance ?? 0.7;
    for (let done = 0; done < frames; done += stride) {
      for (const index of players) {
        if (this.#random.next() < moveChance) this.#player(index).act({ type: "move", dx: this.#random.int(-1, 1) || 1, dy: this.#random.int(-1, 1) });
      }
      await this.match.advance(Math.min(stride, frames - done));
      for (const index of players) this.catchUp(index);
    }
  }

  /** Steps player `index`'s game over what it received, checks and answers snapshot requests. */
  catchUp(index: number): void {
    const player = this.#player(index);
    const state = this.states[index]!;
    const kept = this.kept[index]!;
    const frames = player.frames.items;
    for (; this.#stepped[index]! < frames.length; this.#stepped[index]!++) {
      const frame = frames[this.#stepped[index]!]! as LockstepFrame<ArenaAction>;
      stepArena(state, frame);
      if (frame.frame % this.#interval !== 0) continue;
      player.checksum(frame.frame, hashArenaParts(state));
      kept.set(frame.frame, structuredClone(state));
      for (const old of kept.keys()) if (old < frame.frame - 20 * this.#interval) kept.delete(old);
    }
    frames.splice(0, this.#stepped[index]!);
    this.#stepped[index] = 0;
    for (const request of player.snapshotRequests.items.splice(0)) {
      const state = kept.get(request.frame);
      const upload = state === undefined ? undefined : this.answer(index, request.frame, state);
      if (upload !== undefined) player.uploadSnapshot(request.frame, upload);
    }
  }

  #player(index: number): TestClient<ArenaAction> {
    return this.match.players[index]! as TestClient<ArenaAction>;
  }
}
