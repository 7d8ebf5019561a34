import { FrameEventKind, createRandom, hashState, type DeterministicRandom, type LockstepFrame, type MatchInfo } from "colyseus-lockstep-client";
import type { ArenaAction } from "../arena-room.ts";

/** Cells per side of the square grid. */
export const GRID_SIZE = 16;

/** One square on the grid. */
export interface ArenaPlayer {
  slot: number;
  x: number;
  y: number;
  score: number;
}

/** The whole game state: plain data, so `hashState` can compare it across browsers. */
export interface ArenaState {
  frame: number;
  players: ArenaPlayer[];
  coin: { x: number; y: number };
  rng: [number, number, number, number];
}

function freeCell(random: DeterministicRandom, taken: readonly { x: number; y: number }[]): { x: number; y: number } {
  for (;;) {
    const cell = { x: random.int(0, GRID_SIZE - 1), y: random.int(0, GRID_SIZE - 1) };
    if (!taken.some((other) => other.x === cell.x && other.y === cell.y)) return cell;
  }
}

/** The state at the match start: every player and the first coin on random free cells, from the match seed. */
export function createArenaState(match: MatchInfo): ArenaState {
  const random = createRandom(match.seed);
  const players: ArenaPlayer[] = [];
  for (const { slot } of [...match.players].sort((a, b) => a.slot - b.slot)) {
    players.push({ slot, ...freeCell(random, players), score: 0 });
  }
  const coin = freeCell(random, players);
  return { frame: match.startFrame - 1, players, coin, rng: random.state() };
}

/**
 * Applies one frame, in place. Deterministic: the result depends only on the state and the
 * frame, so every browser that applies the same frames holds the same state.
 */
export function stepArena(state: ArenaState, frame: LockstepFrame<ArenaAction>): void {
  const random = createRandom(state.rng);
  for (const event of frame.events) {
    if (event.kind === FrameEventKind.LEFT) state.players = state.players.filter((player) => player.slot !== event.slot);
    if (event.kind === FrameEventKind.JOINED && !state.players.some((player) => player.slot === event.slot)) {
      state.players.push({ slot: event.slot, ...freeCell(random, [...state.players, state.coin]), score: 0 });
      state.players.sort((a, b) => a.slot - b.slot);
    }
  }
  for (const { slot, action } of frame.actions) {
    if (action.type !== "move") continue;
    const player = state.players.find((candidate) => candidate.slot === slot);
    if (player === undefined) continue;
    player.x = Math.min(GRID_SIZE - 1, Math.max(0, player.x + action.dx));
    player.y = Math.min(GRID_SIZE - 1, Math.max(0, player.y + action.dy));
    if (player.x === state.coin.x && player.y === state.coin.y) {
      player.score++;
      state.coin = freeCell(random, state.players);
    }
  }
  state.frame = frame.frame;
  state.rng = random.state();
}

/** The state's hash, one per top-level part, so a desync report names the part that differs (and the server verifies snapshots part by part). */
export function hashArenaParts(state: ArenaState): Record<keyof ArenaState, string> {
  return { frame: hashState(state.frame), players: hashState(state.players), coin: hashState(state.coin), rng: hashState(state.rng) };
}
