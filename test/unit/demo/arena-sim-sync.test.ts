import assert from "node:assert/strict";
import { test } from "node:test";
import {
  FrameEventKind,
  createRandom,
  hashState,
  syncTest,
  type FrameActionOf,
  type FrameRosterEvent,
  type LockstepFrame,
  type MatchInfo,
} from "../../../client-sdk/src/index.ts";
import type { ArenaAction } from "../../../demo/arena-room.ts";
import { GRID_SIZE, createArenaState, stepArena, type ArenaState } from "../../../demo/web/arena-sim.ts";

const SLOTS = [0, 1, 2, 3];
const FRAME_COUNT = 3000;

const match: MatchInfo = {
  players: SLOTS.map((slot) => ({ uid: `u${slot}`, slot, name: `p${slot}`, role: "player", ready: true, connected: true })),
  seed: 2024,
  frameRate: 20,
  startFrame: 1,
  checksumInterval: 0,
};

/** Roster changes along the match, by frame index: a leave and a late join, a drop and a reconnection. */
const ROSTER: ReadonlyMap<number, FrameRosterEvent> = new Map([
  [700, { slot: 3, uid: "u3", kind: FrameEventKind.LEFT }],
  [1200, { slot: 3, uid: "u3-late", kind: FrameEventKind.JOINED }],
  [1500, { slot: 1, uid: "u1", kind: FrameEventKind.DROPPED }],
  [1550, { slot: 1, uid: "u1", kind: FrameEventKind.RECONNECTED }],
]);

/** Seeded random play: each present, connected player moves on most frames, in a shuffled arrival order. */
function* arenaFrames(): Generator<LockstepFrame<ArenaAction>> {
  const random = createRandom(77);
  const acting = new Set(SLOTS);
  for (let n = 0; n < FRAME_COUNT; n++) {
    const event = ROSTER.get(n);
    if (event !== undefined) {
      const joins = event.kind === FrameEventKind.JOINED || event.kind === FrameEventKind.RECONNECTED;
      if (joins) acting.add(event.slot);
      else acting.delete(event.slot);
    }
    const actions: FrameActionOf<ArenaAction>[] = [];
    for (const slot of acting) {
      if (random.next() >= 0.6) continue;
      const [dx, dy] = random.pick([
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
        [1, 1],
        [-1, -1],
      ] as const);
      actions.push({ slot, uid: `u${slot}`, action: { type: "move", dx, dy } });
    }
    for (let i = actions.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [actions[i], actions[j]] = [actions[j]!, actions[i]!];
    }
    yield { frame: match.startFrame + n, actions, events: event === undefined ? [] : [event] };
  }
}

/** The sim has no hash of its own (the page shows `hashState` of the whole state), so: one hash per top-level part. */
const hashParts = (state: ArenaState) => ({
  frame: hashState(state.frame),
  players: hashState(state.players),
  coin: hashState(state.coin),
  rng: hashState(state.rng),
});

test("the arena simulation passes the sync test over a few thousand frames of seeded play", () => {
  const initial = createArenaState(match);
  const before = hashState(initial);
  assert.deepEqual(syncTest({ initial, step: stepArena, hash: hashParts, frames: arenaFrames() }), { ok: true, frames: FRAME_COUNT });
  // The page's own check, one hash of the whole state, agrees too.
  assert.deepEqual(syncTest({ initial, step: stepArena, hash: hashState, frames: arenaFrames(), depth: 3 }), { ok: true, frames: FRAME_COUNT });
  assert.equal(hashState(initial), before, "the initial state is left alone");

  // The generated play exercises what the sync test should cover: scoring, leaving and a late join.
  const final = createArenaState(match);
  for (const frame of arenaFrames()) stepArena(final, frame);
  assert.equal(final.frame, match.startFrame + FRAME_COUNT - 1);
  assert.deepEqual(
    final.players.map((player) => player.slot),
    SLOTS,
  );
  assert.ok(final.players.filter((player) => player.score > 0).length >= 2, "several players scored");
});

test("a coin respawned with Math.random() is caught at the first pickup, naming the coin only", () => {
  // The slip every lockstep game makes once: drawing from Math.random() instead of the match's generator.
  const stepWithRandomCoin = (state: ArenaState, frame: LockstepFrame<ArenaAction>): void => {
    const coin = state.coin;
    stepArena(state, frame);
    if (state.coin !== coin) state.coin = { x: Math.floor(Math.random() * GRID_SIZE), y: Math.floor(Math.random() * GRID_SIZE) };
  };
  const result = syncTest({ initial: createArenaState(match), step: stepWithRandomCoin, hash: hashParts, frames: arenaFrames() });

  const honest = createArenaState(match);
  let firstPickup: number | undefined;
  for (const frame of arenaFrames()) {
    const coin = honest.coin;
    stepArena(honest, frame);
    if (honest.coin !== coin) {
      firstPickup = frame.frame;
      break;
    }
  }
  assert.ok(firstPickup !== undefined);
  assert.ok(!result.ok, "the sync test should fail");
  assert.equal(result.cause, "diverged");
  assert.equal(result.frame, firstPickup);
  assert.equal(result.index, firstPickup - match.startFrame);
  assert.deepEqual(result.parts, ["coin"]);
  assert.match(result.message, new RegExp(`^frame ${firstPickup} is not deterministic: part coin differs`));
});
