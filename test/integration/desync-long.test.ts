import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createRandom, hashState, type LockstepFrame, type MatchInfo } from "../../client-sdk/src/index.ts";
import { ArenaRoom, type ArenaAction } from "../../demo/arena-room.ts";
import { createArenaState, stepArena, type ArenaState } from "../../demo/web/arena-sim.ts";
import type { LockstepOptionsInput } from "../../src/lockstep/options.ts";
import { bootLockstep, type LockstepTestServer, type TestClient } from "../../src/testing/index.ts";

/**
 * The demo's game at 30 Hz for three, checked every second. Ten minutes of frames pass in a
 * few seconds of wall clock, and message budgets are counted on the wall clock: they are
 * raised so the compressed minutes stay within them.
 */
class CheckedArenaRoom extends ArenaRoom {
  override lockstep: LockstepOptionsInput = { frameRate: 30, minPlayers: 3, maxPlayers: 3, checksumInterval: 30, maxMessagesPerSecond: 100_000 };
}

let server: LockstepTestServer;
before(async () => {
  server = await bootLockstep({ rooms: { arena: CheckedArenaRoom } });
});
after(async () => {
  await server.shutdown();
});

const MINUTES = 10;
const FRAME_RATE = 30;
const INTERVAL = 30;

test("ten simulated minutes of the demo's game at 30 Hz, checked every second: every check agrees, no desync", async () => {
  const match = await server.startMatch<CheckedArenaRoom>("arena", { players: 3 });
  const start = match.players[0]!.starts.items[0]!;
  const info: MatchInfo = {
    players: start.players,
    seed: start.seed,
    frameRate: start.frame_rate,
    startFrame: start.start_frame,
    checksumInterval: start.checksum_interval ?? 0,
  };
  // Each player steps its own copy of the game over the frames it received, as a browser would.
  const states = match.players.map(() => createArenaState(info));
  const stepped = match.players.map(() => 0);
  const random = createRandom(0xa7e4a);
  const rounds = (MINUTES * 60 * FRAME_RATE) / INTERVAL;
  const step = (player: TestClient<ArenaAction>, index: number): void => {
    const frames = player.frames.items;
    for (; stepped[index]! < frames.length; stepped[index]!++) {
      const frame = frames[stepped[index]!]! as LockstepFrame<ArenaAction>;
      stepArena(states[index]!, frame);
      if (frame.frame % INTERVAL === 0) player.checksum(frame.frame, hashParts(states[index]!));
    }
    // What the test keeps of old frames is bounded: only the unstepped ones matter.
    frames.splice(0, stepped[index]!);
    stepped[index] = 0;
  };
  for (let round = 0; round < rounds; round++) {
    for (const player of match.players) {
      if (random.next() < 0.7) player.act({ type: "move", dx: random.int(-1, 1) || 1, dy: random.int(-1, 1) });
    }
    await match.advance(INTERVAL);
    match.players.forEach(step);
  }
  await Promise.all(match.players.map((player) => player.flush()));

  const checks = match.room.inspect().checksums!;
  assert.equal(checks.checksums_received, 3 * rounds, "every player's hash of every checked frame was accepted");
  assert.equal(checks.last_agreed_frame, (rounds - 1) * INTERVAL);
  assert.equal(checks.desyncs, 0);
  for (const player of match.players) {
    assert.deepEqual(player.desyncs.items, []);
    assert.deepEqual(player.errors.items, []);
  }
  assert.deepEqual(states[1], states[0]);
  assert.deepEqual(states[2], states[0]);
  await match.leave();
});

function hashParts(state: ArenaState): Record<string, string> {
  return { players: hashState(state.players), coin: hashState(state.coin), rng: hashState(state.rng), frame: hashState(state.frame) };
}
