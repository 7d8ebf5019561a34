import assert from "node:assert/strict";
import { test } from "node:test";
import { LockstepClient, type LockstepFrame } from "../../client-sdk/src/index.ts";
import { LockstepRoom } from "../../src/lockstep/lockstep-room.ts";
import type { LockstepOptionsInput } from "../../src/lockstep/options.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { once, within } from "../support/sdk-match.ts";
import { startServer } from "../support/server.ts";

test("with the SDK: spectate() delivers the match through onStart and onFrame, late and in order, and sendAction sends nothing", async () => {
  class Quick extends LockstepRoom<{ move: number }> {
    override lockstep: LockstepOptionsInput = { frameRate: 30, minPlayers: 1, maxPlayers: 1, requireAuth: false, maxSpectators: 2, spectatorDelayFrames: 15 };
  }
  const live: LockstepServer = await startServer({ quick: Quick });
  try {
    const player = await new LockstepClient(live.url).create<{ move: number }>("quick");
    const started = once(player.onStart.bind(player));
    player.ready();
    await within(started, "the start");
    await within(
      once<LockstepFrame<{ move: number }>>((listener) => player.onFrame((frame) => frame.frame >= 20 && listener(frame))),
      "frame 20",
    );
    const watcher = await new LockstepClient(live.url).spectate<{ move: number }>(player.roomId);
    const info = await within(once(watcher.onStart.bind(watcher)), "the spectator's start");
    assert.equal(info.seed, player.seed);
    assert.equal(watcher.spectator, true);
    assert.equal(watcher.spectatorDelayFrames, 15);
    assert.equal(watcher.sendAction({ move: 1 }), false);
    const seen: number[] = [];
    watcher.onFrame((frame) => seen.push(frame.frame));
    player.sendAction({ move: 7 });
    const ended = once(watcher.onEnd.bind(watcher));
    await within(
      once<LockstepFrame<{ move: number }>>((listener) => player.onFrame((frame) => frame.frame >= 40 && listener(frame))),
      "frame 40",
    );
    await player.leave();
    const end = await within(ended, "the spectator's end");
    assert.deepEqual(
      seen,
      Array.from({ length: seen.length }, (_, index) => seen[0]! + index),
      "in order, none missing",
    );
    assert.equal(seen.at(-1), end.lastFrame, "every frame up to the last");
    assert.equal(seen[0], 0, "caught up from the match start");
  } finally {
    await live.close();
  }
});
