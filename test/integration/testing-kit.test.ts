import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { FrameEventKind, LockstepErrorCode } from "colyseus-lockstep";
import { bootLockstep, testToken, type LockstepTestServer } from "colyseus-lockstep/testing";
import { ArenaRoom } from "../../demo/arena-room.ts";
import { StrictRoom } from "../support/rooms.ts";

let server: LockstepTestServer;
before(async () => {
  server = await bootLockstep({ rooms: { arena: ArenaRoom, strict: StrictRoom } });
});
after(async () => {
  await server.shutdown();
});

test("frames close only when the test advances the clock, exactly as many as asked", async () => {
  const match = await server.startMatch<ArenaRoom>("arena", { players: 2 });
  assert.equal(match.room.lastFrame, -1, "no frame before the test asks");
  const frames = await match.advance(5);
  assert.deepEqual(
    frames.map((frame) => frame.frame),
    [0, 1, 2, 3, 4],
  );
  assert.equal(match.room.lastFrame, 4);
  for (const player of match.players) assert.equal(player.lastFrame, 4, "every player has every frame");
  await match.leave();
});

test("actions land in the next frame with their sender's uid; the game's refusals come back to the sender", async () => {
  const match = await server.startMatch<ArenaRoom>("arena", { players: 2, tokens: [testToken("ada", "Ada"), testToken("bob", "Bob")] });
  const [ada, bob] = match.players;
  ada!.act({ type: "move", dx: 1, dy: 0 });
  const [frame] = await match.advance();
  assert.deepEqual(frame!.actions, [{ slot: ada!.slot, uid: "ada", action: { type: "move", dx: 1, dy: 0 } }]);

  bob!.act({ type: "move", dx: 0, dy: 0 });
  const refusal = await bob!.nextError();
  assert.equal(refusal.code, LockstepErrorCode.ACTION_REJECTED);
  assert.equal(refusal.message, "a move must change position");

  // The room's own rule: an "end" action ends the match once its frame is out.
  bob!.act({ type: "end" });
  await match.advance();
  const end = await ada!.ends.wait();
  assert.deepEqual(end.result, { endedBy: "bob", frame: 1 });
  assert.equal(match.room.phase, "ended");
});

test("a player who leaves is a LEFT event in the next frame; the others go on", async () => {
  const match = await server.startMatch<StrictRoom>("strict", { players: 3 });
  const [leaver, stayer] = match.players;
  const slot = leaver!.slot;
  await leaver!.leave();
  const [frame] = await match.advance();
  assert.deepEqual(
    frame!.events.map((event) => [event.slot, event.kind]),
    [[slot, FrameEventKind.LEFT]],
  );
  assert.equal(stayer!.lastFrame, 0);
  await match.leave();
});

test("test tokens carry uid, name and role to the room; anything else is refused as a real verifier would", async () => {
  const match = await server.createMatch<ArenaRoom>("arena", { players: 1, tokens: [testToken("root", "Root", "admin")] });
  const [root] = match.players;
  const info = root!.infos.items[0]!;
  assert.deepEqual(
    info.players.map((player) => [player.uid, player.name, player.role]),
    [["root", "Root", "admin"]],
  );
  await assert.rejects(server.join(match.room, "forged"), /not a test token/);
  await match.leave();
});
