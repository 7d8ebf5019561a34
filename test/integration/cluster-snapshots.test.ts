import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { LockstepMatch, RunHandle } from "../../client-sdk/src/index.ts";
import type { ArenaAction } from "../../demo/arena-room.ts";
import { createArenaState, hashArenaParts, stepArena, type ArenaState } from "../../demo/web/arena-sim.ts";
import { RedisMatchStore } from "../../src/scaling/redis-match-store.ts";
import { TestCluster, bothReconnected, record, type Pair } from "../support/cluster-match.ts";
import { eventually } from "../support/eventually.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { TEST_REDIS_URL, flushTestRedis, redisUnavailable } from "../support/redis.ts";

const skip = (await redisUnavailable()) ?? (await postgresUnavailable());
/** The demo checks states every 30 frames; a snapshot every 100 frames makes the first one at frame 120 and the next one not before frame 240 (6 s later at 20 Hz). */
const SNAPSHOT_INTERVAL_FRAMES = 100;
let cluster: TestCluster;
const runs: RunHandle[] = [];

before(async () => {
  if (skip !== undefined) return;
  await flushTestRedis();
  cluster = await TestCluster.start([TEST_REDIS_URL, TEST_REDIS_URL], { SNAPSHOT_INTERVAL_FRAMES: String(SNAPSHOT_INTERVAL_FRAMES) });
});

after(async () => {
  for (const run of runs) run.stop();
  if (skip === undefined) await cluster.stop();
});

/** Runs the demo's game in `match` as the page does: it steps every frame, sends its hash in parts and answers snapshot requests. */
function playTheGame(match: LockstepMatch<ArenaAction>): void {
  match.onStart((info) => {
    const state: ArenaState = createArenaState(info);
    runs.push(
      match.run(
        { step: (frame) => stepArena(state, frame) },
        { hash: () => hashArenaParts(state), dump: () => state, load: (saved) => Object.assign(state, saved), clock: "timer" },
      ),
    );
  });
}

/** Two players on different processes, each running the game. */
async function gamePair(): Promise<Pair> {
  const [first, second] = cluster.nodes;
  const a = await (await cluster.player(first!, "Ann")).create<ArenaAction>("arena");
  const b = await (await cluster.player(second!, "Ben")).joinById<ArenaAction>(a.roomId);
  for (const match of [a, b]) playTheGame(match);
  const started = Promise.all([a, b].map((match) => new Promise((resolve) => match.onStart(resolve))));
  a.ready();
  b.ready();
  await started;
  return { a, b, ra: record(a), rb: record(b) };
}

const snapshotFrame = async (roomId: string): Promise<unknown> => (await cluster.inspect(roomId)).body.snapshot_frame;

test("a verified snapshot survives a hand-over: it is in the Redis journal, and the process that resumes the match serves it", { skip }, async () => {
  const pair = await gamePair();
  const roomId = pair.a.roomId;
  const taken = await eventually(async () => {
    const frame = await snapshotFrame(roomId);
    assert.equal(typeof frame, "number", "the owner verified a snapshot");
    return frame as number;
  }, 30_000);
  const store = new RedisMatchStore(TEST_REDIS_URL);
  try {
    const journaled = await eventually(async () => {
      const stored = (await store.loadMatch(roomId))?.snapshot;
      assert.equal(stored?.frame, taken, "the journal holds the verified snapshot");
      return stored!;
    });
    assert.deepEqual(Object.keys(JSON.parse(journaled.state)).sort(), ["coin", "frame", "players", "rng"], "the game's whole state");

    const owner = await cluster.ownerOf(roomId);
    const back = bothReconnected(pair);
    await owner.stop("SIGTERM");
    await back;
    const survivor = await cluster.ownerOf(roomId);
    assert.notEqual(survivor, owner, "the match moved");
    // Without the journal's copy the resumed room would have none until its next checked frame, then a later one.
    assert.equal(await snapshotFrame(roomId), taken, "the resumed room serves the snapshot verified before the hand-over");
    await owner.start();
  } finally {
    await store.close();
  }
});
