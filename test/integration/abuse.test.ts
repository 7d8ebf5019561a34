import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  BinaryMessage,
  ControlMessage,
  FrameEventKind,
  LockstepCloseCode,
  LockstepErrorCode,
  encodeAction,
  type RoomLeaveMessage,
} from "../../src/protocol/index.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { TestPlayer, hex } from "../support/player.ts";
import { StrictRoom } from "../support/rooms.ts";
import { serverRoom, startServer } from "../support/server.ts";

let server: LockstepServer;
before(async () => {
  server = await startServer({ strict: StrictRoom });
});
after(async () => {
  await server.close();
});

async function startTrio(): Promise<[TestPlayer, TestPlayer, TestPlayer]> {
  const first = await TestPlayer.join(server.url, "strict");
  const players: [TestPlayer, TestPlayer, TestPlayer] = [
    first,
    await TestPlayer.joinById(server.url, first.room.roomId),
    await TestPlayer.joinById(server.url, first.room.roomId),
  ];
  for (const player of players) player.ready();
  await Promise.all(players.map((player) => player.starts.wait()));
  return players;
}

/** Honest play: one move per frame seen, until `stop` resolves. Returns the moves sent. */
function playHonestly(player: TestPlayer, stop: Promise<unknown>): Promise<number> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  return (async () => {
    let n = 0;
    while (!stopped) {
      const seen = player.frames.items.at(-1)?.frame.frame ?? -1;
      player.act({ kind: "move", n: n++ });
      await player.waitForFrame(seen + 1);
    }
    return n;
  })();
}

test("bad input gets clear errors, a flood closes only the flooder, and the others' streams stay intact", async () => {
  const [abuser, honest1, honest2] = await startTrio();
  const abuserSlot = await abuser.slot();
  const kicked = abuser.closes.wait();
  let stopPlaying!: () => void;
  const stop = new Promise<void>((resolve) => (stopPlaying = resolve));
  const honestPlay = [honest1, honest2].map((player) => playHonestly(player, stop));

  abuser.act({ kind: "move", n: 0, pad: "x".repeat(100) });
  const tooLarge = await abuser.errors.wait((error) => error.code === LockstepErrorCode.ACTION_TOO_LARGE);
  assert.match(tooLarge.message, /exceeds the limit of 64/);

  abuser.room.sendBytes(BinaryMessage.SYNC_ACTION, Uint8Array.of(0xd9, 0x05, 0x61));
  await abuser.errors.wait((error) => error.code === LockstepErrorCode.ACTION_MALFORMED);

  abuser.act({ kind: "move", n: "not a number" });
  const invalid = await abuser.errors.wait((error) => error.code === LockstepErrorCode.ACTION_INVALID);
  assert.equal(invalid.type, ControlMessage.SYNC_ACTION);

  abuser.room.send(ControlMessage.ROOM_PREPARE, { ready: "yes" });
  await abuser.errors.wait((error) => error.code === LockstepErrorCode.INVALID_REQUEST);

  // A plain Colyseus send (msgpack decoded by Colyseus) is accepted like the binary form.
  abuser.room.send(ControlMessage.SYNC_ACTION, { kind: "move", n: 7 });
  const expected = encodeAction({ kind: "move", n: 7 });
  await honest1.waitForAction(abuserSlot, expected);

  for (let i = 0; i < 500; i++) abuser.act({ kind: "move", n: 1000 + i });
  assert.equal(await kicked, LockstepCloseCode.ABUSE);
  const codes = new Set(abuser.errors.items.map((error) => error.code));
  assert.ok(codes.has(LockstepErrorCode.ACTION_LIMIT_REACHED) || codes.has(LockstepErrorCode.RATE_LIMITED), `errors seen: ${[...codes]}`);

  const leave = await honest1.control.wait((message) => message.type === ControlMessage.ROOM_LEAVE);
  assert.equal((leave.message as RoomLeaveMessage).reason, "kicked");
  assert.equal((leave.message as RoomLeaveMessage).slot, abuserSlot);
  const leftFrame = await honest1.frames.wait((live) =>
    live.frame.entries.some((entry) => entry.type === "event" && entry.slot === abuserSlot && entry.kind === FrameEventKind.LEFT),
  );

  // The honest players keep playing after the kick.
  await honest1.waitForFrame(leftFrame.frame.frame + 10);
  stopPlaying();
  const sent = await Promise.all(honestPlay);
  const lastMove = encodeAction({ kind: "move", n: sent[0]! - 1 });
  const honestSlot = await honest1.slot();
  const final = await honest2.waitForAction(honestSlot, lastMove);
  await honest1.waitForFrame(final.frame.frame);

  const end = final.frame.frame;
  assert.ok(end > leftFrame.frame.frame);
  const streams = [honest1, honest2].map((player) => player.liveBytes(0, end).map(hex));
  assert.equal(streams[0]!.length, end + 1, "no gap");
  assert.deepEqual(streams[1], streams[0], "byte-identical for the players who stayed");
  for (const live of honest1.frames.items) {
    const fromAbuser = live.frame.entries.filter((entry) => entry.type === "action" && entry.slot === abuserSlot);
    assert.ok(fromAbuser.length <= 2, `frame ${live.frame.frame} has ${fromAbuser.length} actions of the flooder (limit 2)`);
  }
  const room = serverRoom<StrictRoom>(honest1.room.roomId);
  assert.equal(room.phase, "running");
  await Promise.all([honest1.room.leave(), honest2.room.leave()]);
});

test("a WebSocket message over the 4 KiB limit closes that client with 1009; the match goes on", async () => {
  const [big, other1, other2] = await startTrio();
  const closed = big.closes.wait();
  big.room.sendBytes(BinaryMessage.SYNC_ACTION, new Uint8Array(8 * 1024));
  assert.equal(await closed, 1009);
  const leave = await other1.control.wait((message) => message.type === ControlMessage.ROOM_LEAVE);
  assert.deepEqual(
    leave.message as RoomLeaveMessage,
    { uid: big.room.sessionId, slot: await big.slot(), reason: "kicked" },
    "released at once, not held for reconnection",
  );
  const after = (other1.frames.items.at(-1)?.frame.frame ?? 0) + 5;
  await Promise.all([other1.waitForFrame(after), other2.waitForFrame(after)]);
  assert.deepEqual(other1.liveBytes(0, after).map(hex), other2.liveBytes(0, after).map(hex));
  assert.equal(serverRoom<StrictRoom>(other1.room.roomId).phase, "running");
  await Promise.all([other1.room.leave(), other2.room.leave()]);
});
