import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameEventKind, hashState, type LockstepFrame, type MatchInfo } from "../../../client-sdk/src/index.ts";
import type { ArenaAction } from "../../../demo/arena-room.ts";
import { GRID_SIZE, createArenaState, stepArena } from "../../../demo/web/arena-sim.ts";

const match: MatchInfo = {
  players: [0, 1].map((slot) => ({ uid: `u${slot}`, slot, name: `p${slot}`, role: "player", ready: true, connected: true })),
  seed: 99,
  frameRate: 20,
  startFrame: 0,
  checksumInterval: 30,
};

const move = (slot: number, dx: number, dy: number) => ({ slot, uid: `u${slot}`, action: { type: "move" as const, dx, dy } });
const frame = (n: number, actions: LockstepFrame<ArenaAction>["actions"], events: LockstepFrame<ArenaAction>["events"] = []): LockstepFrame<ArenaAction> => ({
  frame: n,
  actions,
  events,
});

test("the same seed and frames give the same state and hash", () => {
  const frames = Array.from({ length: 50 }, (_, n) => frame(n, [move(n % 2, n % 3 === 0 ? 1 : -1, n % 5 === 0 ? 1 : 0)]));
  const run = () => {
    const state = createArenaState(match);
    for (const f of frames) stepArena(state, f);
    return state;
  };
  const [a, b] = [run(), run()];
  assert.equal(hashState(a), hashState(b));
  assert.equal(a.frame, 49);
  assert.notEqual(hashState(createArenaState({ ...match, seed: 100 })), hashState(createArenaState(match)), "the seed matters");
});

test("moves stay on the grid, coins score and respawn, leavers vanish", () => {
  const state = createArenaState(match);
  const player = state.players[0]!;
  for (let n = 0; n < GRID_SIZE + 2; n++) stepArena(state, frame(n, [move(0, -1, -1)]));
  assert.deepEqual([player.x, player.y], [0, 0], "clamped at the corner");

  state.coin = { x: 1, y: 0 };
  stepArena(state, frame(100, [move(0, 1, 0)]));
  assert.equal(player.score, 1);
  assert.notDeepEqual(state.coin, { x: 1, y: 0 }, "a new coin appears elsewhere");

  stepArena(state, frame(101, [], [{ slot: 1, uid: "u1", kind: FrameEventKind.LEFT }]));
  assert.deepEqual(
    state.players.map((p) => p.slot),
    [0],
  );
});
