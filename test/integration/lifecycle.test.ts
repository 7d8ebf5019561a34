import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Client } from "@colyseus/sdk";
import { ControlMessage, LockstepErrorCode, type PlayerInfo, type RoomPrepareMessage } from "../../src/protocol/index.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { TestPlayer } from "../support/player.ts";
import { MisconfiguredRoom, PairRoom, TimeoutRoom } from "../support/rooms.ts";
import { serverRoom, startServer } from "../support/server.ts";

let server: LockstepServer;
before(async () => {
  server = await startServer({ pair: PairRoom, timeout: TimeoutRoom, misconfigured: MisconfiguredRoom });
});
after(async () => {
  await server.close();
});

test("joins are announced with uid and slot; the match waits for minPlayers and for everyone to be ready", async () => {
  const first = await TestPlayer.join(server.url, "pair", { name: "  Ada\u0007 " });
  const info = await first.infos.wait();
  assert.equal(info.phase, "waiting");
  assert.equal(info.you.slot, 0);
  assert.equal(info.you.uid, first.room.sessionId);
  assert.equal(info.min_players, 2);
  assert.equal(info.max_players, 2);
  const selfEnter = await first.control.wait((message) => message.type === ControlMessage.ROOM_ENTER);
  assert.deepEqual(selfEnter.message as PlayerInfo, { uid: first.room.sessionId, slot: 0, name: "Ada", role: "player", ready: false, connected: true });

  first.act({ kind: "move", n: 1 });
  const early = await first.errors.wait((error) => error.code === LockstepErrorCode.MATCH_NOT_RUNNING);
  assert.match(early.message, /waiting/);

  first.ready();
  const prepared = await first.control.wait((message) => message.type === ControlMessage.ROOM_PREPARE);
  assert.deepEqual(prepared.message as RoomPrepareMessage, { uid: first.room.sessionId, slot: 0, ready: true });
  const room = serverRoom<PairRoom>(first.room.roomId);
  assert.equal(room.phase, "waiting", "one ready player is not enough");

  const second = await TestPlayer.joinById(server.url, first.room.roomId);
  const secondEnter = await first.control.wait((message) => message.type === ControlMessage.ROOM_ENTER && (message.message as PlayerInfo).slot === 1);
  assert.equal((secondEnter.message as PlayerInfo).uid, second.room.sessionId);
  const secondInfo = await second.infos.wait();
  assert.deepEqual(
    secondInfo.players.map((player) => [player.slot, player.ready]),
    [
      [0, true],
      [1, false],
    ],
  );
  assert.equal(room.phase, "waiting", "two players, one not ready");

  second.ready();
  const [startA, startB] = await Promise.all([first.starts.wait(), second.starts.wait()]);
  assert.deepEqual(startA, startB);
  assert.equal(room.phase, "running");

  await assert.rejects(new Client(server.url).joinById(first.room.roomId), /locked|already started|full/);
  await Promise.all([first.room.leave(), second.room.leave()]);
  await room.disposed;
});

test("taking readiness back keeps the match from starting", async () => {
  const first = await TestPlayer.join(server.url, "pair");
  const second = await TestPlayer.joinById(server.url, first.room.roomId);
  const room = serverRoom<PairRoom>(first.room.roomId);
  first.ready();
  first.room.send(ControlMessage.ROOM_PREPARE, { ready: false });
  await second.control.wait((message) => message.type === ControlMessage.ROOM_PREPARE && (message.message as RoomPrepareMessage).ready === false);
  second.ready();
  await first.control.wait((message) => message.type === ControlMessage.ROOM_PREPARE && (message.message as RoomPrepareMessage).slot === 1);
  assert.equal(room.phase, "waiting");
  first.ready();
  await Promise.all([first.starts.wait(), second.starts.wait()]);
  await Promise.all([first.room.leave(), second.room.leave()]);
});

test("the ready timeout starts the match with the players present", async () => {
  const first = await TestPlayer.join(server.url, "timeout");
  const second = await TestPlayer.joinById(server.url, first.room.roomId);
  const room = serverRoom<TimeoutRoom>(first.room.roomId);
  const joinedAt = performance.now();
  const start = await first.starts.wait();
  assert.ok(performance.now() - joinedAt >= 250, "not before the timeout");
  assert.equal(start.players.length, 2);
  assert.ok(start.players.every((player) => !player.ready));
  assert.equal(room.phase, "running");
  await second.starts.wait();
  await Promise.all([first.room.leave(), second.room.leave()]);
});

test("a room with invalid settings refuses to be created, naming each problem", async () => {
  await assert.rejects(new Client(server.url).joinOrCreate("misconfigured"), (error: Error) => {
    assert.match(error.message, /invalid lockstep options/);
    assert.match(error.message, /frameRate/);
    assert.match(error.message, /minPlayers must not exceed maxPlayers/);
    return true;
  });
});
