import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../src/random.ts";
import { hashState } from "../src/state-hash.ts";
import { syncTest, type SyncTestResult } from "../src/sync-test.ts";

/** A toy game: players walk on a 10×10 torus and pick up coins, which reappear where the frame number says. */
interface Toy {
  players: { x: number; y: number; score: number }[];
  coins: number[];
}

interface ToyFrame {
  readonly frame: number;
  readonly moves: { slot: number; dx: number; dy: number }[];
}

const SIDE = 10;
const FIRST_FRAME = 100;

const toyInitial = (): Toy => ({
  players: [
    { x: 0, y: 0, score: 0 },
    { x: 5, y: 5, score: 0 },
  ],
  coins: [3, 57, 91],
});

function stepToy(state: Toy, frame: ToyFrame): void {
  for (const { slot, dx, dy } of frame.moves) {
    const player = state.players[slot]!;
    player.x = (player.x + dx + SIDE) % SIDE;
    player.y = (player.y + dy + SIDE) % SIDE;
    const coin = state.coins.indexOf(player.x * SIDE + player.y);
    if (coin === -1) continue;
    player.score++;
    state.coins[coin] = (frame.frame * 37 + coin) % (SIDE * SIDE);
  }
}

const toyHash = (state: Toy) => ({ players: hashState(state.players), coins: hashState(state.coins) });

/** Seeded random walks of both players; every frame a new object, as a recorded match would give. */
function* toyFrames(count: number): Generator<ToyFrame> {
  const random = createRandom(7);
  for (let n = 0; n < count; n++) {
    const moves = [0, 1].filter(() => random.next() < 0.7).map((slot) => ({ slot, dx: random.int(-1, 1), dy: random.int(-1, 1) }));
    yield { frame: FIRST_FRAME + n, moves };
  }
}

function failure(result: SyncTestResult): Extract<SyncTestResult, { ok: false }> {
  assert.ok(!result.ok, "the sync test should fail");
  return result;
}

test("a deterministic game passes, at every depth, and its initial state is left alone", () => {
  const initial = toyInitial();
  for (const depth of [1, 3, undefined, 64]) {
    const result = syncTest({ initial, step: stepToy, hash: toyHash, frames: toyFrames(2000), depth });
    assert.deepEqual(result, { ok: true, frames: 2000 });
  }
  assert.deepEqual(initial, toyInitial());
  assert.deepEqual(syncTest({ initial, step: stepToy, hash: toyHash, frames: [] }), { ok: true, frames: 0 });
});

test("Math.random() in one part is caught at the first frame that reads it, naming only that part", () => {
  const result = failure(
    syncTest({
      initial: toyInitial(),
      step(state: Toy, frame: ToyFrame) {
        stepToy(state, frame);
        if (frame.frame >= FIRST_FRAME + 40) state.coins[0] = Math.floor(Math.random() * 1e9);
      },
      hash: toyHash,
      frames: toyFrames(500),
    }),
  );
  assert.equal(result.cause, "diverged");
  assert.equal(result.frame, FIRST_FRAME + 40, "the frame's own number");
  assert.equal(result.index, 40);
  assert.deepEqual(result.parts, ["coins"]);
  assert.equal((result.expected as Record<string, string>).players, (result.actual as Record<string, string>).players);
  assert.match(result.message, /^frame 140 is not deterministic: part coins differs \([0-9a-f]{16} ≠ [0-9a-f]{16}\)/);
});

test("hidden state kept outside the game state between steps is caught", () => {
  let calls = 0;
  const result = failure(
    syncTest({
      initial: toyInitial(),
      step(state: Toy, frame: ToyFrame) {
        stepToy(state, frame);
        // A bonus every 50th call: the forward run and the re-simulations see different counts.
        if (++calls % 50 === 0) state.players[0]!.score += 10;
      },
      hash: toyHash,
      frames: toyFrames(500),
    }),
  );
  assert.equal(result.cause, "diverged");
  assert.deepEqual(result.parts, ["players"]);
  assert.ok(result.index < 50, `caught within the first 50 frames, not at ${result.index}`);
});

test("a step returning a new state (functional style) works and never touches the states it is given", () => {
  const deepFreeze = <T>(value: T): T => {
    if (typeof value === "object" && value !== null) for (const item of Object.values(value)) deepFreeze(item);
    return Object.freeze(value);
  };
  const step = (state: Toy, frame: ToyFrame): Toy => {
    const next = structuredClone(state);
    stepToy(next, frame);
    return deepFreeze(next);
  };
  const result = syncTest({ initial: deepFreeze(toyInitial()), step, hash: toyHash, copy: deepFreeze, frames: toyFrames(1000), depth: 5 });
  assert.deepEqual(result, { ok: true, frames: 1000 });
});

test("depth must be an integer from 1 to 64", () => {
  for (const depth of [0, -1, 65, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => syncTest({ initial: toyInitial(), step: stepToy, hash: toyHash, frames: [], depth }), RangeError, String(depth));
  }
});

test("a single-string hash reports no parts; frames without a frame number are named by index", () => {
  const result = failure(
    syncTest({
      initial: { total: 0 },
      step: (state: { total: number }, frame: number) => ({ total: state.total + frame + (frame === 30 ? Math.random() : 0) }),
      hash: hashState,
      frames: Array.from({ length: 100 }, (_, n) => n),
    }),
  );
  assert.equal(result.cause, "diverged");
  assert.deepEqual([result.frame, result.index, result.parts], [30, 30, []]);
  assert.match(result.message, /^frame 30 is not deterministic: state hash [0-9a-f]{16} ≠ [0-9a-f]{16}, re-simulated from frame 23$/);
});

test("a shallow copy is named as the cause", () => {
  const result = failure(syncTest({ initial: toyInitial(), step: stepToy, hash: toyHash, copy: (state) => ({ ...state }), frames: toyFrames(100) }));
  assert.equal(result.cause, "copy_changed");
  assert.match(result.message, /copy.*shallow/);
});

test("a step that writes to its frame, or a frame source reusing one object, is caught", () => {
  const sorting = failure(
    syncTest({
      initial: toyInitial(),
      step(state: Toy, frame: ToyFrame) {
        // Harmless to this state, but another consumer of the same frames would see them changed.
        frame.moves.sort((a, b) => b.slot - a.slot);
        stepToy(state, frame);
      },
      hash: toyHash,
      frames: toyFrames(100),
    }),
  );
  assert.equal(sorting.cause, "frame_mutated");
  assert.match(sorting.message, /^frame \d+ changed after it was yielded/);

  function* reused(): Generator<ToyFrame> {
    const frame = { frame: 0, moves: [{ slot: 0, dx: 1, dy: 0 }] };
    for (let n = 0; n < 100; n++) {
      frame.frame = n;
      yield frame;
    }
  }
  const reuse = failure(syncTest({ initial: toyInitial(), step: stepToy, hash: toyHash, frames: reused() }));
  assert.equal(reuse.cause, "frame_mutated");
  assert.equal(reuse.index, 0);
});

test("an error thrown by hash propagates", () => {
  const hash = (): string => {
    throw new Error("cannot hash");
  };
  assert.throws(() => syncTest({ initial: toyInitial(), step: stepToy, hash, frames: toyFrames(10) }), /cannot hash/);
});
