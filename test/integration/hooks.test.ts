import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepErrorCode } from "colyseus-lockstep";
import { bootLockstep, testToken, type LockstepTestServer } from "colyseus-lockstep/testing";
import { FaultyRoom, HookRecorderRoom } from "../support/rooms.ts";

// The game's hooks, frame by frame, with the testing kit: frames close only when a test advances them.
let server: LockstepTestServer;
before(async () => {
  server = await bootLockstep({ rooms: { faulty: FaultyRoom, recorder: HookRecorderRoom } });
});
after(async () => {
  await server.shutdown();
});

test("hooks run in order: joins, start, each frame with its actions and senders, leaves, end", async () => {
  const match = await server.startMatch<HookRecorderRoom>("recorder", { tokens: [testToken("ada"), testToken("bob")] });
  const [ada, bob] = match.players;
  ada!.act({ kind: "move", n: 1 });
  bob!.act({ kind: "move", n: 2 });
  await match.advance();
  await match.advance();
  bob!.act({ kind: "end", winner: "bob" });
  await match.advance();
  await ada!.ends.wait();
  await ada!.closes.wait();
  assert.deepEqual(match.room.calls, ["join:ada", "join:bob", "start", "frame:0:ada=move,bob=move", "frame:1:", "frame:2:bob=end", "end:ended:2"]);
});

test("a game hook that throws is reported and neither stops the frame clock nor hits the sender", async () => {
  const match = await server.startMatch<FaultyRoom>("faulty", { players: 1 });
  const [player] = match.players;
  await match.advance(3);
  player!.act({ kind: "move", n: 13 });
  const refused = await player!.nextError();
  assert.equal(refused.code, LockstepErrorCode.ACTION_REJECTED);
  assert.match(refused.message, /failed to validate/);
  player!.act({ kind: "move", n: 14 });
  const [accepted] = await match.advance();
  assert.deepEqual(
    accepted!.actions.map((entry) => entry.action),
    [{ kind: "move", n: 14 }],
  );
  const later = await match.advance(3);
  assert.equal(later.at(-1)!.frame, accepted!.frame + 3, "the clock went on");
  assert.ok(match.room.hookErrors.includes("validateAction: unlucky number"));
  assert.ok(match.room.hookErrors.includes(`onFrameClosed: observer failed on frame ${accepted!.frame}`));
  assert.deepEqual(
    player!.errors.items.map((error) => error.code),
    [LockstepErrorCode.ACTION_REJECTED],
    "no strike-worthy error for the sender",
  );
  await match.leave();
});
