import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepClient, hashState } from "../../client-sdk/src/index.ts";
import { ArenaTable } from "../../bench/arena-table.ts";
import { ArenaRoom, type ArenaAction } from "../../demo/arena-room.ts";
import { createArenaState, stepArena, type ArenaState } from "../../demo/web/arena-sim.ts";
import type { LockstepOptionsInput } from "../../src/lockstep/options.ts";
import { LockstepErrorCode } from "../../src/protocol/index.ts";
import { bootLockstep, testToken, type LockstepTestServer } from "../../src/testing/index.ts";
import { cutConnection } from "../support/drop.ts";
import { once, within } from "../support/sdk-match.ts";

const INTERVAL = 30;
const SNAPSHOT_EVERY = 300;

/** The demo's game at 30 Hz for three, checked every second, a verified snapshot every 10 s. */
class SnapshotArena extends ArenaRoom {
  override lockstep: LockstepOptionsInput = {
    frameRate: 30,
    minPlayers: 3,
    maxPlayers: 3,
    checksumInterval: INTERVAL,
    snapshotIntervalFrames: SNAPSHOT_EVERY,
    maxSpectators: 2,
    spectatorDelayFrames: 90,
    // Minutes of frames pass in seconds of wall clock here.
    maxMessagesPerSecond: 100_000,
    reconnectWindowSeconds: 5,
  };
}

let server: LockstepTestServer;
before(async () => {
  server = await bootLockstep({ rooms: { arena: SnapshotArena } });
});
after(async () => {
  await server.shutdown();
});

test("a forged snapshot (wrong state, right size) is refused and reaches nobody; the next agreeing player's is verified and served", async () => {
  const match = await server.startMatch<SnapshotArena>("arena", { players: 3 });
  const table = new ArenaTable(match);
  let forger: number | undefined;
  table.answer = (player, _frame, state) => {
    if (forger !== undefined && forger !== player) return state;
    forger = player;
    // The coin moved one cell, keeping its digits: the same JSON size, another state.
    const x = state.coin.x;
    return { ...state, coin: { x: x < 10 ? (x + 1) % 10 : 10 + ((x - 9) % 6), y: state.coin.y } };
  };
  // The check of frame 300 is decided, the request sent, the forged upload received: three checked frames later.
  await table.play(SNAPSHOT_EVERY + 3 * INTERVAL);
  const refusal = match.players.flatMap((player) => player.errors.items).find((error) => error.code === LockstepErrorCode.SNAPSHOT_INVALID);
  assert.ok(refusal !== undefined, "the forger was told");
  assert.match(refusal.message, /does not hash to what every player agreed on .*parts coin differ/);
  assert.equal(match.room.inspect().snapshot_frame, undefined, "nothing kept from the forger");
  await table.play(4 * INTERVAL);
  const kept = match.room.inspect().snapshot_frame;
  assert.ok(kept !== undefined && kept > SNAPSHOT_EVERY, `a snapshot from another player, at frame ${kept}`);
  const honest = [0, 1, 2].find((index) => index !== forger)!;
  const truth = structuredClone(table.kept[honest]!.get(kept)!);

  // A spectator joining once the snapshot is older than its delay gets it: the true state of that frame.
  await table.play(4 * INTERVAL);
  const watcher = await server.join(match.room, testToken("watcher"), { spectate: true });
  const info = watcher.infos.items[0]!;
  assert.equal(info.snapshot_frame, kept);
  assert.ok(kept <= info.last_frame!, "never newer than the spectator's delay");
  const served = await watcher.snapshots.wait();
  assert.deepEqual(JSON.parse(served.state), truth);
  await watcher.leave();
  await match.leave();
});

test("a page reload at frame 18,000 with a snapshot at 17,700 steps 300 frames, not 18,000, and ends in the other players' state", async () => {
  const match = await server.startMatch<SnapshotArena>("arena", { players: 3 });
  const table = new ArenaTable(match);
  await table.play(18_000 - INTERVAL);
  // Frames up to 17,999 (18,000 frames); the check of frame 18,000 is not in yet: the newest snapshot is 17,700's.
  await match.advance(INTERVAL);
  assert.equal(match.room.lastFrame, 17_999);
  assert.equal(match.room.inspect().snapshot_frame, 17_700);
  table.catchUp(0);

  // Player 3's page reloads: its connection is gone, it comes back with its reconnection token.
  const reloaded = match.players[2]!;
  cutConnection(reloaded);
  await reloaded.closes.wait();
  const client = new LockstepClient(server.url, { token: testToken("player-3"), snapshots: true });
  const resumed = await client.reconnect<ArenaAction>(reloaded.room.reconnectionToken);
  const info = await within(once(resumed.onStart.bind(resumed)), "the start from the snapshot");
  assert.equal(info.snapshot?.frame, 17_700);
  let state = createArenaState(info);
  let steps = 0;
  const last = match.room.lastFrame;
  let runner: { stop(): void } | undefined;
  const caughtUp = new Promise<void>((resolve) => {
    runner = resumed.run(
      {
        step: (frame) => {
          stepArena(state, frame);
          steps++;
          if (frame.frame === last) resolve();
        },
      },
      { load: (saved) => (state = saved as ArenaState), clock: "timer" },
    );
  });
  await within(caughtUp, "the last frame to be stepped");
  assert.equal(steps, match.room.lastFrame - 17_700, "only the frames after the snapshot");
  assert.equal(hashState(state), hashState(table.states[0]), "the same state as the players who never left");
  runner!.stop();
  await resumed.leave();
  await match.leave();
});

test("with the snapshot holder gone before it uploads, the snapshot is taken from another agreeing player", async () => {
  const match = await server.startMatch<SnapshotArena>("arena", { players: 3 });
  const table = new ArenaTable(match);
  let asked: number | undefined;
  // Nobody answers the first request: its holder drops instead.
  table.answer = (player, _frame, state) => {
    if (asked === undefined) {
      asked = player;
      return undefined;
    }
    return state;
  };
  await table.play(SNAPSHOT_EVERY + 2 * INTERVAL);
  assert.ok(asked !== undefined, "a player was asked for a snapshot");
  const holder = asked;
  cutConnection(match.players[holder]!);
  const others = [0, 1, 2].filter((index) => index !== holder);
  await table.play(2 * INTERVAL, { players: others });
  await table.play(2 * INTERVAL, { players: others });
  const kept = match.room.inspect().snapshot_frame;
  assert.ok(kept !== undefined, "a snapshot was taken from another player");
  await Promise.all(others.map((index) => match.players[index]!.leave()));
});
