import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ControlMessage, FrameEventKind, decodeAction, type Frame, type PlayerInfo, type RoomLeaveMessage } from "../../src/protocol/index.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { cutConnection } from "../support/drop.ts";
import { TestPlayer, hex } from "../support/player.ts";
import { PairRoom, ReconnectRoom } from "../support/rooms.ts";
import { serverRoom, startServer } from "../support/server.ts";

let server: LockstepServer;
before(async () => {
  server = await startServer({ reconnect: ReconnectRoom, pair: PairRoom });
});
after(async () => {
  await server.close();
});

const hasEvent = (frame: Frame, slot: number, kind: number): boolean =>
  frame.entries.some((entry) => entry.type === "event" && entry.slot === slot && entry.kind === kind);

async function startPair(roomName: string): Promise<[TestPlayer, TestPlayer]> {
  const first = await TestPlayer.join(server.url, roomName);
  const second = await TestPlayer.joinById(server.url, first.room.roomId);
  first.ready();
  second.ready();
  await Promise.all([first.starts.wait(), second.starts.wait()]);
  return [first, second];
}

test("a dropped client reconnects and catches up with no gap and no duplicate", async () => {
  const [steady, flaky] = await startPair("reconnect");
  const flakySlot = await flaky.slot();
  // The SDK only retries after 5 s of uptime by default; a lockstep client wants it at once.
  flaky.room.reconnection.minUptime = 0;
  await flaky.waitForFrame(10);

  const reconnected = new Promise<void>((resolve) => flaky.room.onReconnect(() => resolve()));
  cutConnection(flaky);
  const dropNotice = await steady.control.wait((message) => message.type === ControlMessage.ROOM_DROP);
  assert.equal((dropNotice.message as PlayerInfo).slot, flakySlot);
  assert.equal((dropNotice.message as PlayerInfo).connected, false);

  await reconnected;
  // The first room_info came at join, before the start; the one sent on reconnection says "running".
  const rejoinInfo = await flaky.infos.wait((info) => info.phase === "running");
  assert.equal(rejoinInfo.you.slot, flakySlot, "the seat was kept");
  const resumeFrame = rejoinInfo.last_frame!;

  // Frames before the cut, what the log returns for the gap, and live frames after the return.
  const lastBeforeCut = Math.max(...flaky.frames.items.filter((live) => live.frame.frame <= resumeFrame).map((live) => live.frame.frame));
  const firstLive = await flaky.frames.wait((live) => live.frame.frame > resumeFrame);
  assert.equal(firstLive.frame.frame, resumeFrame + 1, "live frames resume right after the frame named in room_info");
  const { frames: gap } = await flaky.reload(lastBeforeCut + 1, resumeFrame);

  flaky.act({ kind: "move", n: 99 });
  const withAction = await steady.frames.wait((live) =>
    live.frame.entries.some((entry) => entry.type === "action" && entry.slot === flakySlot && (decodeAction(entry.payload) as { n: number }).n === 99),
  );
  await flaky.waitForFrame(withAction.frame.frame);

  const end = withAction.frame.frame;
  const assembled = [...flaky.liveBytes(0, lastBeforeCut), ...gap, ...flaky.liveBytes(resumeFrame + 1, end)];
  const reference = steady.liveBytes(0, end);
  assert.equal(assembled.length, end + 1, "one entry per frame: no gap, no duplicate");
  assert.deepEqual(assembled.map(hex), reference.map(hex), "byte-identical to the player who never dropped");

  const steadyFrames = steady.frames.items.map((live) => live.frame);
  const dropped = steadyFrames.find((frame) => hasEvent(frame, flakySlot, FrameEventKind.DROPPED));
  const back = steadyFrames.find((frame) => hasEvent(frame, flakySlot, FrameEventKind.RECONNECTED));
  assert.ok(dropped !== undefined && back !== undefined && dropped.frame <= back.frame, "drop and return are frame events, in order");
  await Promise.all([steady.room.leave(), flaky.room.leave()]);
});

test("a player who does not return within the window leaves for good; the last one leaving ends the match", async () => {
  const [stays, gone] = await startPair("pair");
  const goneSlot = await gone.slot();
  const goneUid = (await gone.infos.wait()).you.uid;
  const room = serverRoom<PairRoom>(stays.room.roomId);
  gone.room.reconnection.enabled = false;
  await gone.waitForFrame(3);
  cutConnection(gone);

  const leave = await stays.control.wait((message) => message.type === ControlMessage.ROOM_LEAVE);
  assert.deepEqual(leave.message as RoomLeaveMessage, { uid: goneUid, slot: goneSlot, reason: "left" });
  const leftFrame = await stays.frames.wait((live) => hasEvent(live.frame, goneSlot, FrameEventKind.LEFT));
  await stays.waitForFrame(leftFrame.frame.frame + 3);
  assert.equal(room.phase, "running", "the match goes on with the remaining player");
  assert.deepEqual(
    room.players.map((player) => player.slot),
    [await stays.slot()],
  );

  await stays.room.leave();
  await room.disposed;
  assert.equal(room.phase, "ended");
});
